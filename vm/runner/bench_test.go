package runner

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/program"
)

// What a benchmark iteration does after New.
type benchMode int

const (
	// fullRun is kairo run's sequence: Run (end_run, stop pointers,
	// secure-run checks).
	fullRun benchMode = iota
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
	cfg := Config{Layout: layout, SecureRun: mode != executionOnly, Stdout: io.Discard}
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
		steps += r.VM.Step
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}

// fixture loads a program of the shared conformance fixtures, skipping the
// test or benchmark (loudly) when they are absent.
func fixture(tb testing.TB, rel string) *program.Program {
	tb.Helper()
	p, err := program.Load(filepath.Join(fixturesDir(), "cairo0", "programs", rel))
	if err != nil {
		tb.Skipf("\n\n*** %s SKIPPED: fixture %s unavailable (set KAIRO_FIXTURES): %v ***\n\n", tb.Name(), rel, err)
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

// BenchmarkTraceAndMemoryFiles measures what the trace and memory files
// add to a run, side by side: each pair runs the fibonacci loop
// (7,000,008 steps) as kairo run does, once without files and once
// writing both (the trace recorded, both files streamed during the run
// into new files of a temporary directory, then completed, the way
// kairo run --trace_file --memory_file writes them). files-overhead-% is
// the median over the pairs of the second run's extra time as a
// percentage of the first's: the two runs of a pair follow each other, so
// the host's speed, which drifts over minutes, cancels out of each pair.
// Every iteration runs one pair, and at least filesPairs pairs are run
// (the ones past the timed iterations untimed), so that the median is one
// of several.
func BenchmarkTraceAndMemoryFiles(b *testing.B) {
	const filesPairs = 7
	p := fixture(b, benchPrograms[0].rel)
	layout, err := builtins.LayoutByName(benchPrograms[0].layout)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var plain, files time.Duration
	var overheads []float64
	var steps uint64
	pair := func() {
		t0 := time.Now()
		r, err := New(p, Config{Layout: layout, SecureRun: true, Stdout: io.Discard})
		if err == nil {
			err = r.Run()
		}
		if err != nil {
			b.Fatal(err)
		}
		steps += r.VM.Step
		t1 := time.Now()
		if err := runWithFiles(p, layout, filepath.Join(dir, "trace"), filepath.Join(dir, "memory")); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		plain += t1.Sub(t0)
		files += t2.Sub(t1)
		overheads = append(overheads, 100*(float64(t2.Sub(t1))/float64(t1.Sub(t0))-1))
		for _, f := range []string{"trace", "memory"} {
			if err := os.Remove(filepath.Join(dir, f)); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		pair()
	}
	for len(overheads) < filesPairs {
		pair()
	}
	slices.Sort(overheads)
	b.ReportMetric(overheads[len(overheads)/2], "files-overhead-%")
	b.ReportMetric(float64(steps)/plain.Seconds(), "steps/s")
	b.ReportMetric(float64(steps)/files.Seconds(), "steps/s-with-files")
}

// runWithFiles runs p writing the trace and memory files as kairo run
// does.
func runWithFiles(p *program.Program, layout builtins.Layout, tracePath, memoryPath string) error {
	r, err := New(p, Config{Layout: layout, SecureRun: true, Trace: true, Stdout: io.Discard})
	if err != nil {
		return err
	}
	tf, err := os.Create(tracePath)
	if err != nil {
		return err
	}
	defer tf.Close()
	mf, err := os.Create(memoryPath)
	if err != nil {
		return err
	}
	defer mf.Close()
	ts, ms := r.StreamTrace(tf), r.StreamMemory(mf)
	defer ts.Stop()
	defer ms.Stop()
	if err := r.Run(); err != nil {
		return errors.New(r.FormatError(err))
	}
	if err := r.Relocate(); err != nil {
		return err
	}
	traceErr := make(chan error, 1)
	go func() { traceErr <- ts.Finish() }()
	if err := ms.Finish(); err != nil {
		return err
	}
	if err := <-traceErr; err != nil {
		return err
	}
	if err := tf.Close(); err != nil {
		return err
	}
	return mf.Close()
}

// Our own assembly programs: a felt-arithmetic loop of a million steps and
// recursive calls.
func BenchmarkFeltLoop(b *testing.B) { bench(b, loadAsm(b, "felt_loop.casm"), "small", fullRun) }

func BenchmarkFibonacciRecursive(b *testing.B) {
	bench(b, loadAsm(b, "fibonacci_recursive.casm"), "small", fullRun)
}
