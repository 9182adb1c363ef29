package runner

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/program"
)

// benchProgram runs a fixture program b.N times and reports steps/s.
func benchProgram(b *testing.B, rel, layoutName string, trace bool) {
	dir := fixturesDir()
	p, err := program.Load(filepath.Join(dir, "cairo0", "programs", rel))
	if err != nil {
		b.Skipf("fixture %s unavailable: %v", rel, err)
	}
	layout, err := builtins.LayoutByName(layoutName)
	if err != nil {
		b.Fatal(err)
	}
	var steps uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := New(p, Config{Layout: layout, SecureRun: true, Trace: trace, Stdout: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Run(); err != nil {
			b.Fatal(r.FormatError(err))
		}
		if trace {
			if err := r.Relocate(); err != nil {
				b.Fatal(err)
			}
			if err := r.WriteTrace(io.Discard); err != nil {
				b.Fatal(err)
			}
			if err := r.WriteMemory(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
		steps += r.VM.Step
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}

func BenchmarkFibonacciLoop(b *testing.B) {
	benchProgram(b, "cairo-vm-go/integration_tests__cairo_files_benchmarks__big_fib_compiled.json", "plain", false)
}

func BenchmarkFibonacciLoopWithTraceAndMemory(b *testing.B) {
	benchProgram(b, "cairo-vm-go/integration_tests__cairo_files_benchmarks__big_fib_compiled.json", "plain", true)
}

func BenchmarkFactorial(b *testing.B) {
	benchProgram(b, "giza/examples__src__factorial__factorial.json", "plain", false)
}

func BenchmarkPedersen(b *testing.B) {
	benchProgram(b, "ziggy-starkdust/benchmarks__pedersen.json", "small", false)
}

// benchAsm runs one of our own assembly programs b.N times.
func benchAsm(b *testing.B, name, layoutName string) {
	p := loadAsm(b, name)
	layout, err := builtins.LayoutByName(layoutName)
	if err != nil {
		b.Fatal(err)
	}
	var steps uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := New(p, Config{Layout: layout, SecureRun: true, Stdout: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Run(); err != nil {
			b.Fatal(r.FormatError(err))
		}
		steps += r.VM.Step
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}

func BenchmarkFeltLoop(b *testing.B) { benchAsm(b, "felt_loop.casm", "small") }

func BenchmarkFibonacciRecursive(b *testing.B) { benchAsm(b, "fibonacci_recursive.casm", "small") }

// Hint-heavy programs of the conformance fixtures.

func BenchmarkDictUsort(b *testing.B) {
	benchProgram(b, "ziggy-starkdust/operations_with_data_structures.json", "recursive", false)
}

func BenchmarkKeccak(b *testing.B) {
	benchProgram(b, "cairo-vm-go/integration_tests__cairo_zero_hint_tests__cairo_keccak_finalize_block_size_1000.starknet_with_keccak_compiled.json", "recursive", false)
}

func BenchmarkSecp(b *testing.B) {
	benchProgram(b, "cairo-vm-go/integration_tests__cairo_zero_hint_tests__ec.small_compiled.json", "small", false)
}

func BenchmarkUint256(b *testing.B) {
	benchProgram(b, "ziggy-starkdust/uint256_integration_tests.json", "recursive", false)
}

func BenchmarkBlake2s(b *testing.B) {
	benchProgram(b, "ziggy-starkdust/blake2s_integration_tests.json", "recursive", false)
}

// BenchmarkExecution measures what cairo-vm-go's Runner.Run does (set up
// the entry point and step to the end, without end_run, the stop-pointer
// checks and the secure-run checks that kairo run also performs), so the
// two VMs can be compared step for step.
func BenchmarkExecution(b *testing.B) {
	for _, bm := range []struct{ name, rel, layout string }{
		{"FibonacciLoop", "cairo-vm-go/integration_tests__cairo_files_benchmarks__big_fib_compiled.json", "plain"},
		{"Factorial", "giza/examples__src__factorial__factorial.json", "plain"},
		{"Pedersen", "ziggy-starkdust/benchmarks__pedersen.json", "small"},
		{"DictUsort", "ziggy-starkdust/operations_with_data_structures.json", "recursive"},
		{"Secp", "cairo-vm-go/integration_tests__cairo_zero_hint_tests__ec.small_compiled.json", "small"},
		{"Uint256", "ziggy-starkdust/uint256_integration_tests.json", "recursive"},
		{"Keccak", "cairo-vm-go/integration_tests__cairo_zero_hint_tests__cairo_keccak_finalize_block_size_1000.starknet_with_keccak_compiled.json", "recursive"},
		{"Blake2s", "ziggy-starkdust/blake2s_integration_tests.json", "recursive"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			p, err := program.Load(filepath.Join(fixturesDir(), "cairo0", "programs", bm.rel))
			if err != nil {
				b.Skipf("fixture %s unavailable: %v", bm.rel, err)
			}
			layout, err := builtins.LayoutByName(bm.layout)
			if err != nil {
				b.Fatal(err)
			}
			var steps uint64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := New(p, Config{Layout: layout, Stdout: io.Discard})
				if err != nil {
					b.Fatal(err)
				}
				if err := r.RunUntilPC(r.end, nil); err != nil {
					b.Fatal(r.FormatError(err))
				}
				steps += r.VM.Step
			}
			b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
