package blockstm

import (
	"testing"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// cleansToGrow commits clean transactions one at a time until the window
// widens and returns how many it took (at most limit).
func cleansToGrow(s *scheduler, limit int) int {
	w := s.window.Load()
	for i := 1; i <= limit; i++ {
		s.growWindow(1)
		if s.window.Load() != w {
			return i
		}
	}
	return -1
}

// TestWindowPolicy drives the dependents window directly: a serial block
// (every try of a window of 2 fails) spaces its tries out to one every
// minGrowth << maxSerialFails commits; a successful try clears that and the
// window widens again; a sporadic abort leaves it as it is.
func TestWindowPolicy(t *testing.T) {
	s := newScheduler(1_000_000, Dependents, nil, 2)
	if w := s.window.Load(); w != 8 {
		t.Fatalf("initial window %d, want 4 x workers", w)
	}
	// A serial block: aborts bring the window down to 1.
	for s.window.Load() > 1 {
		s.shrinkWindow()
	}
	want := []int{16, 32, 64, 128, 256, 512, 512, 512}
	for i, n := range want {
		got := cleansToGrow(s, 10_000)
		if got != n {
			t.Fatalf("try %d came after %d clean commits, want %d", i+1, got, n)
		}
		if s.window.Load() != 2 {
			t.Fatalf("window %d after a try, want 2", s.window.Load())
		}
		s.shrinkWindow() // the try fails: the next transaction conflicts
	}
	// The block turns parallel: the next try succeeds, and the window
	// keeps widening.
	if got := cleansToGrow(s, 10_000); got != 512 {
		t.Fatalf("try after %d, want 512", got)
	}
	if got := cleansToGrow(s, 10_000); got < 0 {
		t.Fatal("window stuck at 2")
	}
	if s.window.Load() != 3 || s.serialFails.Load() != 0 {
		t.Fatalf("window %d, serialFails %d; want 3 and 0", s.window.Load(), s.serialFails.Load())
	}
	for range 5 {
		if cleansToGrow(s, 10_000) < 0 {
			t.Fatalf("window stuck at %d", s.window.Load())
		}
	}
	// A sporadic abort, after sporadicAfter clean commits at this window,
	// leaves the window as it is; a second abort right after it halves it.
	for range sporadicAfter {
		s.growWindow(1)
	}
	w := s.window.Load()
	s.shrinkWindow()
	if s.window.Load() != w {
		t.Fatalf("window %d after a sporadic abort, want %d", s.window.Load(), w)
	}
	s.shrinkWindow()
	if s.window.Load() != w/2 {
		t.Fatalf("window %d after two aborts in a row, want %d", s.window.Load(), w/2)
	}
	// One burst of conflicts that ends at 1 is retried quickly.
	for s.window.Load() > 1 {
		s.shrinkWindow()
	}
	if got := cleansToGrow(s, 10_000); got != 16 {
		t.Fatalf("try after a burst came after %d, want 16", got)
	}
}

// TestClassicConflicts: classic stays unbounded while fewer than half of
// its commits needed a re-execution, and takes the window at 1 once half
// of conflictSpan did; it then tries wider windows every 64 commits, more
// often than dependents.
func TestClassicConflicts(t *testing.T) {
	s := newScheduler(1_000_000, Classic, nil, 2)
	if s.window.Load() != s.maxWindow {
		t.Fatalf("classic starts with window %d, want unbounded", s.window.Load())
	}
	for range 10 {
		s.classicConflicts(40, 24) // 37% re-executed
	}
	if s.window.Load() != s.maxWindow {
		t.Fatalf("window %d after moderate conflicts, want unbounded", s.window.Load())
	}
	s.classicConflicts(30, 34)
	if s.window.Load() != 1 {
		t.Fatalf("window %d after heavy conflicts, want 1", s.window.Load())
	}
	for _, n := range []int{8, 16, 32, 64, 64} {
		w := s.window.Load()
		got := 0
		for s.window.Load() == w {
			s.classicConflicts(1, 0)
			got++
		}
		if got != n {
			t.Fatalf("try after %d commits, want %d", got, n)
		}
		s.shrinkWindow()
	}
}

// TestClassicSerialBlock: on a serial block with two workers, classic
// soon runs in order instead of executing nearly every transaction twice.
func TestClassicSerialBlock(t *testing.T) {
	const n = 1000
	base := state.Map{key(0): felt.One}
	var ts []Tx[felt.Felt]
	for i := range n {
		ts = append(ts, &fn{f: func(v View, _ int) (felt.Felt, error) {
			x, err := v.Read(key(uint64(i)))
			if err != nil {
				return x, err
			}
			kvSpin(20000)
			return x, v.Write(key(uint64(i+1)), x.Add(felt.One))
		}})
	}
	want, err := Sequential(ts, base)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(ts, base, Options{Workers: 2, Scheduler: Classic})
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(want, r, nil); err != nil || r.Txs[n-1].Output != felt.FromUint64(n) {
		t.Fatalf("tx %d read %s: %v", n-1, r.Txs[n-1].Output, err)
	}
	if r.Metrics.Executions > n*3/2 {
		t.Fatalf("%d executions for %d serial transactions", r.Metrics.Executions, n)
	}
	t.Logf("%d executions, %d validations, %d aborts", r.Metrics.Executions, r.Metrics.Validations, r.Metrics.Aborts)
}

// kvSpin burns CPU so that executions overlap.
func kvSpin(n int) {
	x := uint64(n)
	for range n {
		x = x*6364136223846793005 + 1442695040888963407
	}
	if x == 0 {
		panic("unreachable")
	}
}
