package blockstm

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Status is where one transaction stands (paper §4, "txn_status").
//
// The status machine, for incarnation i of a transaction:
//
//	           ┌──────────────────────── setReady: i+1 ─────────────────────────┐
//	           ▼                                                                  │
//	ReadyToExecute(i) ──tryIncarnate──▶ Executing(i) ──finish──▶ Executed(i) ──▶ Aborting(i)
//	                                         │                       │   validation failed (classic)
//	                                         │ abort requested,      │   or a read changed (dependents)
//	                                         │ seen at the next      │
//	                                         │ state access or at    ▼
//	                                         └──finish──▶ Aborting(i)  Committed (final)
//
// Executed(i) ──commit──▶ Committed once every lower transaction is committed
// (and, classic, this one validated after every lower write it could see).
//
// Invariants:
//   - at most one execution of a transaction runs at a time: only the worker
//     that moved it to Executing (or Aborting) touches its write set;
//   - the incarnation number only grows, by one at each setReady;
//   - Committed is final: nothing aborts a committed transaction (a request
//     to do so is a bug and panics);
//   - a reader waiting for a transaction to leave its estimates waits on the
//     transaction's condition variable, checked and broadcast under the
//     same mutex as the status, so no wake-up is lost.
type Status uint8

// The transaction statuses.
const (
	ReadyToExecute Status = iota
	Executing
	Executed
	Aborting
	Committed
)

func (s Status) String() string {
	switch s {
	case ReadyToExecute:
		return "ready"
	case Executing:
		return "executing"
	case Executed:
		return "executed"
	case Aborting:
		return "aborting"
	case Committed:
		return "committed"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// txStatus is the scheduler's record of one transaction.
type txStatus struct {
	mu     sync.Mutex
	cond   sync.Cond // L = &mu; broadcast when the status becomes Executed
	status Status
	inc    int32
	// abortInc is the running incarnation that must stop (dependents), -1
	// when none: the view polls it at every state access.
	abortInc atomic.Int32
	waiters  int32

	// Classic scheduler, the validation waves (see scheduler.go).
	validatedWave int64 // of the current incarnation; -1 before any
	triggerWave   int64 // highest wave this tx's writes required of higher txs

	// writes is the last recorded write set; reads the last finished
	// execution's read set. Writes are owned by the worker holding the tx in
	// Executing or Aborting; reads is replaced whole, for validators.
	writes []Write
	reads  atomic.Pointer[readSet]
}

type readSet struct {
	inc   int32
	reads []Read
}

func (s *txStatus) init() {
	s.cond.L = &s.mu
	s.abortInc.Store(-1)
	s.validatedWave = -1
}

// tryIncarnate moves ReadyToExecute(i) to Executing(i) (paper: try_incarnate).
func (s *txStatus) tryIncarnate() (int32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != ReadyToExecute {
		return 0, false
	}
	s.status = Executing
	return s.inc, true
}

// finish ends a completed execution of incarnation inc: Executing(inc) to
// Executed(inc), waking the readers waiting for it, unless an abort was
// requested meanwhile, in which case it moves to Aborting(inc) and returns
// false.
func (s *txStatus) finish(inc int32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != Executing || s.inc != inc {
		panic(fmt.Sprintf("blockstm: finish of incarnation %d in status %s(%d)", inc, s.status, s.inc))
	}
	if s.abortInc.Load() == inc {
		s.status = Aborting
		return false
	}
	s.status = Executed
	if s.waiters > 0 {
		s.cond.Broadcast()
	}
	return true
}

// stopRunning moves Executing(inc) to Aborting(inc) after the execution saw
// its abort request at a state access.
func (s *txStatus) stopRunning(inc int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != Executing || s.inc != inc || s.abortInc.Load() != inc {
		panic(fmt.Sprintf("blockstm: early abort of incarnation %d in status %s(%d)", inc, s.status, s.inc))
	}
	s.status = Aborting
}

// abortOutcome is what requestAbort did.
type abortOutcome uint8

const (
	abortStale   abortOutcome = iota // the incarnation is gone already
	abortFlagged                     // it is running: it stops at its next state access
	abortTaken                       // it had finished: now Aborting, owned by the caller
)

// requestAbort aborts incarnation inc if it is still current (dependents).
func (s *txStatus) requestAbort(inc int32) abortOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inc != inc {
		return abortStale
	}
	switch s.status {
	case Executing:
		if s.abortInc.Load() == inc {
			return abortStale
		}
		s.abortInc.Store(inc)
		return abortFlagged
	case Executed:
		s.status = Aborting
		return abortTaken
	case Committed:
		panic(fmt.Sprintf("blockstm: abort of committed incarnation %d", inc))
	}
	return abortStale
}

// tryValidationAbort moves Executed(inc) to Aborting(inc) (paper:
// try_validation_abort); false when inc is no longer the executed one.
func (s *txStatus) tryValidationAbort(inc int32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != Executed || s.inc != inc {
		return false
	}
	s.status = Aborting
	return true
}

// setReady moves Aborting(i) to ReadyToExecute(i+1) (paper: set_ready_status).
func (s *txStatus) setReady() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != Aborting {
		panic(fmt.Sprintf("blockstm: setReady in status %s", s.status))
	}
	s.inc++
	s.status = ReadyToExecute
	s.validatedWave = -1
}

// executed returns the incarnation when the status is Executed.
func (s *txStatus) executed() (int32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inc, s.status == Executed
}

// validated records a successful validation of inc at wave.
func (s *txStatus) validated(inc int32, wave int64) {
	s.mu.Lock()
	if s.status == Executed && s.inc == inc && wave > s.validatedWave {
		s.validatedWave = wave
	}
	s.mu.Unlock()
}

// raiseTrigger records that this tx's writes require higher transactions
// to be validated at wave or later.
func (s *txStatus) raiseTrigger(wave int64) {
	s.mu.Lock()
	if wave > s.triggerWave {
		s.triggerWave = wave
	}
	s.mu.Unlock()
}

// tryCommit moves Executed to Committed. With classic validation waves it
// also requires a validation at commitWave or later, commitWave first raised
// to this tx's trigger wave; it returns the raised commit wave, and whether
// the committed execution was the first.
func (s *txStatus) tryCommit(waves bool, commitWave int64) (ok, first bool, wave int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != Executed {
		return false, false, commitWave
	}
	if waves {
		commitWave = max(commitWave, s.triggerWave)
		if s.validatedWave < commitWave {
			return false, false, commitWave
		}
	}
	s.status = Committed
	return true, s.inc == 0, commitWave
}

// waitExecuted blocks until the status is Executed or Committed, or halted
// is set. It is the wait of a reader that met one of this tx's estimates.
func (s *txStatus) waitExecuted(halted *atomic.Bool) {
	s.mu.Lock()
	for s.status != Executed && s.status != Committed && !halted.Load() {
		s.waiters++
		s.cond.Wait()
		s.waiters--
	}
	s.mu.Unlock()
}

// wake wakes every waiter (used when the block halts).
func (s *txStatus) wake() {
	s.mu.Lock()
	s.cond.Broadcast()
	s.mu.Unlock()
}
