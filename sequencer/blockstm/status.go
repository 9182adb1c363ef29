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
//   - a reader waiting for a transaction to leave its estimates waits on
//     the block's waitRoom; it counts itself there, under the room's mutex,
//     before it checks the status, and finish broadcasts under that mutex
//     when it sees a waiter after publishing Executed, so no wake-up is
//     lost.
//
// The status, the incarnation and the abort request are one atomic word
// (statusWord), changed by compare-and-swap: no transition takes a lock.
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

// txStatus is the scheduler's record of one transaction; its zero value
// is ReadyToExecute(0).
type txStatus struct {
	word atomic.Uint64 // see statusWord

	// Classic scheduler, the validation waves (see scheduler.go).
	validation  atomic.Uint64 // inc<<32 | wave+1 of the latest validation; 0 before any
	triggerWave atomic.Int64  // highest wave this tx's writes required of higher txs

	// writes is the last recorded write set; reads the last finished
	// execution's read set. Writes are owned by the worker holding the tx in
	// Executing or Aborting; reads is replaced whole, for validators.
	writes []Write
	reads  atomic.Pointer[readSet]
	_      [8]byte // to statusSize
}

// statusSize keeps a txStatus at one cache line: the statuses of
// consecutive transactions, which run on different workers, never share
// one.
const statusSize = 64

// statusWord packs a status word: the incarnation in the high 32 bits,
// abortBit when an abort of the running incarnation was requested
// (dependents; only in Executing), the status in the low byte.
func statusWord(st Status, inc int32) uint64 { return uint64(uint32(inc))<<32 | uint64(st) }

const abortBit = 1 << 8

func wordStatus(w uint64) Status { return Status(uint8(w)) }
func wordInc(w uint64) int32     { return int32(w >> 32) }

// waitRoom is where readers wait for transactions to execute (a block has
// one: waits are rare).
type waitRoom struct {
	mu      sync.Mutex
	cond    sync.Cond // L = &mu
	waiters atomic.Int32
}

func newWaitRoom() *waitRoom {
	r := &waitRoom{}
	r.cond.L = &r.mu
	return r
}

// wake wakes every waiter.
func (r *waitRoom) wake() {
	r.mu.Lock()
	r.cond.Broadcast()
	r.mu.Unlock()
}

type readSet struct {
	inc   int32
	reads []Read
}

// load returns the status, the incarnation, and whether an abort of it
// was requested.
func (s *txStatus) load() (Status, int32, bool) {
	w := s.word.Load()
	return wordStatus(w), wordInc(w), w&abortBit != 0
}

// abortRequested reports whether an abort of running incarnation inc was
// requested (the view polls it at every state access).
func (s *txStatus) abortRequested(inc int32) bool {
	return s.word.Load() == statusWord(Executing, inc)|abortBit
}

// tryIncarnate moves ReadyToExecute(i) to Executing(i) (paper: try_incarnate).
func (s *txStatus) tryIncarnate() (int32, bool) {
	w := s.word.Load()
	if wordStatus(w) != ReadyToExecute {
		return 0, false
	}
	// Only tryIncarnate leaves ReadyToExecute: a failed swap lost to another.
	if !s.word.CompareAndSwap(w, statusWord(Executing, wordInc(w))) {
		return 0, false
	}
	return wordInc(w), true
}

// finish ends a completed execution of incarnation inc: Executing(inc) to
// Executed(inc), waking the readers waiting in room, unless an abort was
// requested meanwhile, in which case it moves to Aborting(inc) and returns
// false.
func (s *txStatus) finish(inc int32, room *waitRoom) bool {
	running := statusWord(Executing, inc)
	if s.word.CompareAndSwap(running, statusWord(Executed, inc)) {
		if room != nil && room.waiters.Load() > 0 {
			room.wake()
		}
		return true
	}
	// Only the abort bit can have been set meanwhile.
	if s.word.CompareAndSwap(running|abortBit, statusWord(Aborting, inc)) {
		return false
	}
	st, i, _ := s.load()
	panic(fmt.Sprintf("blockstm: finish of incarnation %d in status %s(%d)", inc, st, i))
}

// stopRunning moves Executing(inc) to Aborting(inc) after the execution saw
// its abort request at a state access.
func (s *txStatus) stopRunning(inc int32) {
	if !s.word.CompareAndSwap(statusWord(Executing, inc)|abortBit, statusWord(Aborting, inc)) {
		st, i, _ := s.load()
		panic(fmt.Sprintf("blockstm: early abort of incarnation %d in status %s(%d)", inc, st, i))
	}
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
	for {
		w := s.word.Load()
		if wordInc(w) != inc {
			return abortStale
		}
		switch wordStatus(w) {
		case Executing:
			if w&abortBit != 0 {
				return abortStale
			}
			if s.word.CompareAndSwap(w, w|abortBit) {
				return abortFlagged
			}
		case Executed:
			if s.word.CompareAndSwap(w, statusWord(Aborting, inc)) {
				return abortTaken
			}
		case Committed:
			panic(fmt.Sprintf("blockstm: abort of committed incarnation %d", inc))
		default:
			return abortStale
		}
	}
}

// tryValidationAbort moves Executed(inc) to Aborting(inc) (paper:
// try_validation_abort); false when inc is no longer the executed one.
func (s *txStatus) tryValidationAbort(inc int32) bool {
	return s.word.CompareAndSwap(statusWord(Executed, inc), statusWord(Aborting, inc))
}

// setReady moves Aborting(i) to ReadyToExecute(i+1) (paper: set_ready_status).
func (s *txStatus) setReady() {
	w := s.word.Load()
	if wordStatus(w) != Aborting || !s.word.CompareAndSwap(w, statusWord(ReadyToExecute, wordInc(w)+1)) {
		panic(fmt.Sprintf("blockstm: setReady in status %s", wordStatus(w)))
	}
}

// executed returns the incarnation when the status is Executed.
func (s *txStatus) executed() (int32, bool) {
	w := s.word.Load()
	return wordInc(w), wordStatus(w) == Executed
}

// validated records a successful validation of inc at wave. A record of
// an older incarnation never replaces a newer one's, and tryCommit reads
// only the current incarnation's.
func (s *txStatus) validated(inc int32, wave int64) {
	v := uint64(uint32(inc))<<32 | uint64(min(wave, maxWave)+1)
	for {
		cur := s.validation.Load()
		if cur != 0 && (int32(cur>>32) > inc || (int32(cur>>32) == inc && cur >= v)) {
			return
		}
		if s.validation.CompareAndSwap(cur, v) {
			return
		}
	}
}

// maxWave is the highest wave validated records: a validation "at every
// wave" (a final execution, classic) is recorded at maxWave.
const maxWave = 1<<32 - 2

// raiseTrigger records that this tx's writes require higher transactions
// to be validated at wave or later.
func (s *txStatus) raiseTrigger(wave int64) {
	for {
		cur := s.triggerWave.Load()
		if wave <= cur || s.triggerWave.CompareAndSwap(cur, wave) {
			return
		}
	}
}

// tryCommit moves Executed to Committed. With classic validation waves it
// also requires a validation at commitWave or later, commitWave first raised
// to this tx's trigger wave; it returns the raised commit wave, and whether
// the committed execution was the first.
func (s *txStatus) tryCommit(waves bool, commitWave int64) (ok, first bool, wave int64) {
	w := s.word.Load()
	if wordStatus(w) != Executed {
		return false, false, commitWave
	}
	inc := wordInc(w)
	if waves {
		// The trigger wave is raised while the tx is Executing or
		// Aborting, before this Executed was published.
		commitWave = max(commitWave, s.triggerWave.Load())
		v := s.validation.Load()
		if v == 0 || int32(v>>32) != inc || int64(uint32(v))-1 < commitWave {
			return false, false, commitWave
		}
	}
	// Fails when the tx was aborted since the load.
	if !s.word.CompareAndSwap(w, statusWord(Committed, inc)) {
		return false, false, commitWave
	}
	return true, inc == 0, commitWave
}

// waitExecuted blocks until the status is Executed or Committed, or halted
// is set. It is the wait of a reader that met one of this tx's estimates.
func (s *txStatus) waitExecuted(room *waitRoom, halted *atomic.Bool) {
	if s.ready() {
		return
	}
	room.mu.Lock()
	room.waiters.Add(1)
	for !s.ready() && !halted.Load() {
		room.cond.Wait()
	}
	room.waiters.Add(-1)
	room.mu.Unlock()
}

// ready reports whether the status is Executed or Committed.
func (s *txStatus) ready() bool {
	st := wordStatus(s.word.Load())
	return st == Executed || st == Committed
}
