package runner

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/program"
)

// What a benchmark iteration does after New.
type benchMode int

const (
	// fullRun is kairo run's sequence: Run (end_run, stop pointers,
	// secure-run checks).
	fullRun benchMode = iota
	// fullRunWithFiles also relocates and writes the trace and memory.
	fullRunWithFiles
	// executionOnly steps from the entry point to the end, as
	// cairo-vm-go's Runner.Run does.
	executionOnly
)

// bench runs p b.N times in the given mode and reports steps/s.
func bench(b *testing.B, p *program.Program, layoutName string, mode benchMode) {
	layout, err := builtins.LayoutByName(layoutName)
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{Layout: layout, SecureRun: mode != executionOnly, Trace: mode == fullRunWithFiles, Stdout: io.Discard}
	var steps uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := New(p, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if mode == executionOnly {
			err = r.RunUntilPC(r.end, nil)
		} else {
			err = r.Run()
		}
		if err != nil {
			b.Fatal(r.FormatError(err))
		}
		if mode == fullRunWithFiles {
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

// fixture loads a program of the shared conformance fixtures, skipping the
// benchmark when they are absent.
func fixture(b *testing.B, rel string) *program.Program {
	p, err := program.Load(filepath.Join(fixturesDir(), "cairo0", "programs", rel))
	if err != nil {
		b.Skipf("fixture %s unavailable: %v", rel, err)
	}
	return p
}

// The benchmark programs: our own, and fixture programs that cairo-vm-go
// also runs, for side-by-side comparisons.
var benchPrograms = []struct{ name, rel, layout string }{
	{"FibonacciLoop", "cairo-vm-go/integration_tests__cairo_files_benchmarks__big_fib_compiled.json", "plain"},
	{"Factorial", "giza/examples__src__factorial__factorial.json", "plain"},
	{"Pedersen", "ziggy-starkdust/benchmarks__pedersen.json", "small"},
	{"DictUsort", "ziggy-starkdust/operations_with_data_structures.json", "recursive"},
	{"Secp", "cairo-vm-go/integration_tests__cairo_zero_hint_tests__ec.small_compiled.json", "small"},
	{"Uint256", "ziggy-starkdust/uint256_integration_tests.json", "recursive"},
	{"Keccak", "cairo-vm-go/integration_tests__cairo_zero_hint_tests__cairo_keccak_finalize_block_size_1000.starknet_with_keccak_compiled.json", "recursive"},
	{"Blake2s", "ziggy-starkdust/blake2s_integration_tests.json", "recursive"},
}

// BenchmarkRun runs each benchmark program through kairo run's full
// sequence.
func BenchmarkRun(b *testing.B) {
	for _, bp := range benchPrograms {
		b.Run(bp.name, func(b *testing.B) { bench(b, fixture(b, bp.rel), bp.layout, fullRun) })
	}
}

// BenchmarkExecution measures what cairo-vm-go's Runner.Run does (set up
// the entry point and step to the end, without end_run, the stop-pointer
// checks and the secure-run checks that kairo run also performs), so the
// two VMs can be compared step for step.
func BenchmarkExecution(b *testing.B) {
	for _, bp := range benchPrograms {
		b.Run(bp.name, func(b *testing.B) { bench(b, fixture(b, bp.rel), bp.layout, executionOnly) })
	}
}

// BenchmarkFibonacciLoopWithTraceAndMemory adds trace recording and the
// trace and memory files to BenchmarkRun/FibonacciLoop.
func BenchmarkFibonacciLoopWithTraceAndMemory(b *testing.B) {
	bench(b, fixture(b, benchPrograms[0].rel), benchPrograms[0].layout, fullRunWithFiles)
}

// Our own assembly programs: a felt-arithmetic loop of a million steps and
// recursive calls.
func BenchmarkFeltLoop(b *testing.B) { bench(b, loadAsm(b, "felt_loop.casm"), "small", fullRun) }

func BenchmarkFibonacciRecursive(b *testing.B) {
	bench(b, loadAsm(b, "fibonacci_recursive.casm"), "small", fullRun)
}
