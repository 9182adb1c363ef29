package blockstm

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newStatus() *txStatus { return &txStatus{} }

func wantStatus(t *testing.T, s *txStatus, status Status, inc int32) {
	t.Helper()
	if st, i, _ := s.load(); st != status || i != inc {
		t.Fatalf("status %s(%d), want %s(%d)", st, i, status, inc)
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatalf("%s did not panic", what)
		}
	}()
	f()
}

// TestStatusTransitions walks every edge of the status machine drawn in
// status.go, and checks the forbidden ones.
func TestStatusTransitions(t *testing.T) {
	room := newWaitRoom()
	s := newStatus()
	wantStatus(t, s, ReadyToExecute, 0)
	if inc, ok := s.tryIncarnate(); !ok || inc != 0 {
		t.Fatal("tryIncarnate from ready failed")
	}
	wantStatus(t, s, Executing, 0)
	if _, ok := s.tryIncarnate(); ok {
		t.Fatal("second tryIncarnate succeeded: two executions at once")
	}
	mustPanic(t, "setReady while executing", s.setReady)
	if !s.finish(0, room) {
		t.Fatal("finish without abort request failed")
	}
	wantStatus(t, s, Executed, 0)
	if inc, ok := s.executed(); !ok || inc != 0 {
		t.Fatal("executed() disagrees")
	}

	// Classic: validation abort of a stale incarnation does nothing.
	if s.tryValidationAbort(1) {
		t.Fatal("validation abort of a stale incarnation")
	}
	if !s.tryValidationAbort(0) {
		t.Fatal("validation abort of the executed incarnation failed")
	}
	wantStatus(t, s, Aborting, 0)
	if s.tryValidationAbort(0) {
		t.Fatal("second validation abort succeeded")
	}
	s.setReady()
	wantStatus(t, s, ReadyToExecute, 1)

	// Dependents: abort request while running, seen at finish.
	s.tryIncarnate()
	if got := s.requestAbort(0); got != abortStale {
		t.Fatalf("abort of old incarnation: %v", got)
	}
	if got := s.requestAbort(1); got != abortFlagged {
		t.Fatalf("abort of running incarnation: %v", got)
	}
	if got := s.requestAbort(1); got != abortStale {
		t.Fatalf("second abort of running incarnation: %v", got)
	}
	if s.finish(1, room) {
		t.Fatal("finish ignored the abort request")
	}
	wantStatus(t, s, Aborting, 1)
	s.setReady()
	wantStatus(t, s, ReadyToExecute, 2)

	// Dependents: abort request while running, seen at a state access.
	s.tryIncarnate()
	mustPanic(t, "stopRunning without a request", func() { s.stopRunning(2) })
	s.requestAbort(2)
	s.stopRunning(2)
	wantStatus(t, s, Aborting, 2)
	s.setReady()

	// Dependents: abort request after the execution finished.
	s.tryIncarnate()
	s.finish(3, room)
	if got := s.requestAbort(3); got != abortTaken {
		t.Fatalf("abort of executed incarnation: %v", got)
	}
	wantStatus(t, s, Aborting, 3)
	s.setReady()
	s.tryIncarnate()
	s.finish(4, room)

	// Commit needs Executed, and a validation at the commit wave (classic).
	if ok, _, _ := s.tryCommit(true, 0); ok {
		t.Fatal("committed without validation")
	}
	s.validated(3, 5) // stale incarnation: ignored
	if ok, _, _ := s.tryCommit(true, 0); ok {
		t.Fatal("committed on a stale validation")
	}
	s.raiseTrigger(2)
	s.validated(4, 1)
	if ok, _, w := s.tryCommit(true, 0); ok || w != 2 {
		t.Fatalf("committed below its trigger wave (commit wave %d)", w)
	}
	s.validated(4, 2)
	if ok, _, w := s.tryCommit(true, 0); !ok || w != 2 {
		t.Fatal("commit failed")
	}
	wantStatus(t, s, Committed, 4)
	mustPanic(t, "abort of a committed transaction", func() { s.requestAbort(4) })
	if s.tryValidationAbort(4) {
		t.Fatal("validation abort of a committed transaction")
	}
	if _, ok := s.tryIncarnate(); ok {
		t.Fatal("incarnation of a committed transaction")
	}
}

// TestNoLostWakeUp races a reader waiting for a transaction against the
// transaction finishing, many times: every waiter must return.
func TestNoLostWakeUp(t *testing.T) {
	rounds := 20000
	if testing.Short() {
		rounds = 2000
	}
	var halted atomic.Bool
	room := newWaitRoom()
	for i := range rounds {
		s := newStatus()
		s.tryIncarnate()
		var wg sync.WaitGroup
		for range 1 + i%3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.waitExecuted(room, &halted)
			}()
		}
		s.finish(0, room)
		waitGroupOrFail(t, &wg, "waiter for an executed transaction never woke")
	}
}

// TestWaitThroughReincarnation: a waiter keeps waiting while the transaction
// is aborted and re-executed, and wakes at the next Executed.
func TestWaitThroughReincarnation(t *testing.T) {
	var halted atomic.Bool
	room := newWaitRoom()
	s := newStatus()
	s.tryIncarnate()
	s.requestAbort(0)
	done := make(chan struct{})
	go func() {
		s.waitExecuted(room, &halted)
		close(done)
	}()
	if s.finish(0, room) {
		t.Fatal("finish ignored the abort request")
	}
	s.setReady()
	select {
	case <-done:
		t.Fatal("waiter woke although the transaction never executed")
	case <-time.After(20 * time.Millisecond):
	}
	s.tryIncarnate()
	s.finish(1, room)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("waiter never woke")
	}
}

// TestIdleNoLostWakeUp races a worker going to sleep against a task
// appearing: sleep must return.
func TestIdleNoLostWakeUp(t *testing.T) {
	rounds := 20000
	if testing.Short() {
		rounds = 2000
	}
	s := newScheduler(1, Dependents, nil, 1)
	s.nextFresh.Store(1) // the one transaction is taken: nothing is admitted
	for range rounds {
		wg := sleepBehind(s)
		s.notify()
		waitGroupOrFail(t, wg, "idle worker never woke")
	}
}

// TestCommitWakesSleeper races a worker going to sleep against a commit
// that admits two fresh transactions (one for the committing worker, one
// for the sleeper), which bumps epoch only when it sees a sleeper: sleep
// must return.
func TestCommitWakesSleeper(t *testing.T) {
	rounds := 20000
	if testing.Short() {
		rounds = 2000
	}
	for range rounds {
		s := newScheduler(4, Dependents, nil, 1)
		s.window.Store(2)
		s.nextFresh.Store(2) // txs 0 and 1 taken: the window is full
		for tx := range 2 {
			s.st[tx].tryIncarnate()
			s.st[tx].finish(0, s.room)
		}
		if s.admitted(s.commitIdx.Load()) != 0 {
			t.Fatal("the window admits a transaction before the commit")
		}
		wg := sleepBehind(s)
		if done, progressed := s.tryCommit(); done || !progressed {
			t.Fatalf("tryCommit: done %v, progressed %v", done, progressed)
		}
		waitGroupOrFail(t, wg, "worker slept through a commit that admitted a transaction")
	}
}

// sleepBehind reads the scheduler's epoch, then sends a worker to sleep
// on it; the wait group is done when sleep returns.
func sleepBehind(s *scheduler) *sync.WaitGroup {
	seen := s.epoch.Load()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.sleep(seen)
	}()
	return &wg
}

func waitGroupOrFail(t *testing.T, wg *sync.WaitGroup, msg string) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal(msg)
	}
}

func TestTxHeap(t *testing.T) {
	var h txHeap
	for _, x := range []int32{5, 3, 9, 1, 7, 3, 0} {
		h.push(x)
	}
	var got []int32
	for len(h) > 0 {
		got = append(got, h.pop())
	}
	want := []int32{0, 1, 3, 3, 5, 7, 9}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("heap order %v, want %v", got, want)
		}
	}
}

// TestAbortRacesFinish races an abort request against the end of the
// execution it targets: either the request came first (flagged, and finish
// fails) or the execution finished first (the abort takes it).
func TestAbortRacesFinish(t *testing.T) {
	rounds := 20000
	if testing.Short() {
		rounds = 2000
	}
	room := newWaitRoom()
	for range rounds {
		s := newStatus()
		s.tryIncarnate()
		var got abortOutcome
		done := make(chan struct{})
		go func() {
			got = s.requestAbort(0)
			close(done)
		}()
		finished := s.finish(0, room)
		<-done
		if finished != (got == abortTaken) || (!finished && got != abortFlagged) {
			t.Fatalf("finish %v, abort request %v", finished, got)
		}
		if st, inc, _ := s.load(); st != Aborting || inc != 0 {
			t.Fatalf("status %s(%d), want aborting(0)", st, inc)
		}
	}
}
