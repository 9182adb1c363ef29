package blockstm

import "testing"

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
// window widens again.
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
	// One burst of conflicts that ends at 1 is retried quickly.
	for s.window.Load() > 1 {
		s.shrinkWindow()
	}
	if got := cleansToGrow(s, 10_000); got != 16 {
		t.Fatalf("try after a burst came after %d, want 16", got)
	}
}
