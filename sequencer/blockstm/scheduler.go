package blockstm

import (
	"sync"
	"sync/atomic"
)

// Collaborative scheduler (paper §4, "Scheduler").
//
// Workers ask the scheduler for tasks, run them, and hand back the follow-up
// task the scheduler returns, if any. Two policies share the status machine
// (status.go), the multi-version memory and the in-order commit:
//
// Classic (the paper). Two shared indices hand out tasks: execIdx, the next
// transaction to execute for the first time, and valIdx, the next to
// validate; the lower one goes first. An execution that writes a key its
// previous incarnation did not write, or a failed validation, lowers valIdx
// so that every higher transaction is validated again. A failed validation
// aborts the transaction: its writes become estimates and the validating
// worker re-executes it at once.
//
// Dependents (after Aptos' BlockSTMv2). No validation tasks: readers register
// on what they read (mvmemory.go), and a recorded write that changes what a
// registered reader saw aborts exactly that reader; if it is still running
// it stops at its next state access. Aborted transactions go to a ready
// queue ordered by index; workers take the lowest of the queue and of the
// next never-executed transaction.
//
// The dependents scheduler also adapts how far ahead of the commit point
// it starts transactions: fresh ones start only below commitIdx + window.
// Every abort halves the window (down to 1) and doubles a backoff;
// max(window, 8) × backoff transactions committed at their first
// execution since the last abort widen it by one, and every 64 of them
// committed at a window of 2 or more halve the backoff. A fully serial
// block (every transaction conflicts with the one before) settles at a
// window of 1, executing in order without wasted work on the other
// workers, and tries a window of 2 once every 512 transactions (see
// growWindow); a block with rare conflicts widens until every worker is
// busy. Classic takes the same window, at 1, when half of its recent
// commits needed a re-execution (classicConflicts), and otherwise keeps
// none. Waking: a commit that admits more than one fresh transaction wakes
// the sleepers; the committing worker looks for work before it sleeps.
//
// A transaction that starts once every transaction below it has committed
// reads final values: dependents registers none of its reads, classic
// validates it at every wave without a validation task.
//
// In-order commit. Transaction j commits once every transaction below it has
// committed and it is Executed. Classic also needs j validated after every
// lower write j could have missed: valIdx carries a wave number, bumped at
// every decrease; a transaction's triggerWave is the wave its writes asked
// higher transactions to be validated at, commitWave the maximum over the
// committed transactions, and j commits only when validated at a wave >=
// max(commitWave, triggerWave of j). (Aptos' rolling commit uses the same
// waves.) One worker commits at a time; a request made while another commits
// is picked up by it before it lets go (commitReq), so none is lost.
//
// Idle workers sleep on a condition variable instead of spinning; every
// event that makes a task available bumps epoch and wakes them. A worker
// reads epoch before looking for a task and sleeps only if epoch has not
// moved since, so a wake-up between the look and the sleep is not lost.
// Commits that admit fresh transactions bump epoch only while a worker
// sleeps; a worker about to sleep checks the window itself (sleep).
type scheduler struct {
	n     int32
	kind  SchedulerKind
	st    []txStatus
	mv    *mvMemory
	waves bool
	room  *waitRoom // readers waiting for a transaction to execute

	// The fields below are grouped by who writes them how often, each
	// group on its own cache lines, so that the per-transaction writes of
	// one worker (taking a fresh transaction, committing) do not evict the
	// read-mostly fields every state access of the other checks.
	_ cacheLine

	// classic
	execIdx atomic.Int64
	_       cacheLine
	valIdx  atomic.Uint64 // wave<<32 | index
	_       cacheLine

	// dependents
	nextFresh atomic.Int64
	_         cacheLine
	window    atomic.Int64
	backoff   atomic.Int64 // multiplies the clean commits a widening needs
	maxWindow int64
	_         cacheLine
	// Written on aborts and commits.
	abortedSinceGrowth atomic.Bool
	serialFails        atomic.Int64 // failed tries of a window of 2, see growWindow
	sinceAbort         atomic.Int64 // first-execution commits at a window of 2 or more since the last abort
	clean              int64        // first-execution commits since the last growth or abort; under commitMu
	decay              int64        // first-execution commits since the backoff last halved; under commitMu
	spanN, spanRedone  int64        // classic: commits, and re-executed ones among them; under commitMu
	maxSerialFails     int64
	_                  cacheLine
	readyMu            sync.Mutex
	ready              txHeap
	readyN             atomic.Int32
	_                  cacheLine

	// in-order commit
	commitMu   sync.Mutex
	commitReq  atomic.Uint64
	commitIdx  atomic.Int32
	commitWave int64 // under commitMu
	_          cacheLine

	// end and idle
	done     atomic.Bool
	halted   atomic.Bool
	_        cacheLine
	epoch    atomic.Uint64
	sleepers atomic.Int32
	idleMu   sync.Mutex
	idleCond sync.Cond
}

// cacheLine pads between groups of fields written by different workers.
type cacheLine [64]byte

type taskKind uint8

const (
	taskNone taskKind = iota
	taskExecute
	taskValidate
)

type task struct {
	kind taskKind
	tx   int32
	inc  int32
	wave int64
}

func newScheduler(n int, kind SchedulerKind, mv *mvMemory, workers int) *scheduler {
	s := &scheduler{n: int32(n), kind: kind, st: make([]txStatus, n), mv: mv, waves: kind == Classic}
	s.room = newWaitRoom()
	s.idleCond.L = &s.idleMu
	s.maxWindow = max(int64(n), 1)
	s.window.Store(min(s.maxWindow, int64(4*workers)))
	s.maxSerialFails = maxSerialFails
	if kind == Classic {
		// Classic starts unbounded and takes a window only under heavy
		// conflict (classicConflicts), trying wider ones more often.
		s.window.Store(s.maxWindow)
		s.maxSerialFails = classicSerialFails
	}
	s.backoff.Store(1)
	if n == 0 {
		s.done.Store(true)
	}
	return s
}

// nextTask returns a task, or taskNone when none is available now.
func (s *scheduler) nextTask() task {
	if s.kind == Classic {
		return s.nextClassic()
	}
	return s.nextDependents()
}

func (s *scheduler) nextClassic() task {
	n := int64(s.n)
	for {
		v := s.valIdx.Load()
		vi := int64(uint32(v))
		ei := s.execIdx.Load()
		if vi >= n && ei >= n {
			return task{}
		}
		if vi < ei {
			v = s.valIdx.Add(1) - 1
			idx := int64(uint32(v))
			if idx >= n {
				continue
			}
			if inc, ok := s.st[idx].executed(); ok {
				return task{kind: taskValidate, tx: int32(idx), inc: inc, wave: int64(v >> 32)}
			}
			continue
		}
		if ei >= n || ei >= int64(s.commitIdx.Load())+s.window.Load() {
			return task{} // every transaction started, or the window is full
		}
		if !s.execIdx.CompareAndSwap(ei, ei+1) {
			continue
		}
		if inc, ok := s.st[ei].tryIncarnate(); ok {
			return task{kind: taskExecute, tx: int32(ei), inc: inc}
		}
	}
}

func (s *scheduler) nextDependents() task {
	for {
		if s.readyN.Load() > 0 {
			s.readyMu.Lock()
			if len(s.ready) > 0 {
				tx := s.ready.pop()
				s.readyN.Add(-1)
				s.readyMu.Unlock()
				if inc, ok := s.st[tx].tryIncarnate(); ok {
					return task{kind: taskExecute, tx: tx, inc: inc}
				}
				continue
			}
			s.readyMu.Unlock()
		}
		idx := s.nextFresh.Load()
		if idx >= int64(s.n) || idx >= int64(s.commitIdx.Load())+s.window.Load() {
			return task{}
		}
		if !s.nextFresh.CompareAndSwap(idx, idx+1) {
			continue
		}
		if inc, ok := s.st[idx].tryIncarnate(); ok {
			return task{kind: taskExecute, tx: int32(idx), inc: inc}
		}
	}
}

// shrinkWindow halves the window after an abort and doubles the backoff
// (dependents). An abort that brings the window down to 1 is a failed try
// of running two transactions at once: it doubles the spacing of the next
// try (serialFails). An abort that follows sporadicAfter or more
// transactions committed at their first execution (at a window of 2 or
// more) is sporadic: the block conflicts now and then, and a window
// halved at each such abort would fall to 1 and run in order a block that
// two workers run nearly twice as fast. It only restarts the count
// towards the next growth.
func (s *scheduler) shrinkWindow() {
	if s.sinceAbort.Swap(0) >= sporadicAfter {
		s.abortedSinceGrowth.Store(true)
		return
	}
	for {
		w := s.window.Load()
		if w <= 1 {
			break
		}
		if s.window.CompareAndSwap(w, max(1, w/2)) {
			if w/2 <= 1 {
				if f := s.serialFails.Load(); f < s.maxSerialFails {
					s.serialFails.CompareAndSwap(f, f+1)
				}
			}
			break
		}
	}
	for {
		b := s.backoff.Load()
		if b >= maxBackoff || s.backoff.CompareAndSwap(b, 2*b) {
			break
		}
	}
	s.abortedSinceGrowth.Store(true)
}

// growWindow counts transactions committed at their first execution. The
// window widens by one after max(window, minGrowth) × backoff of them
// since the last abort; the backoff halves every decayEvery of them
// committed while the window is at least 2. At a window of 1 (in order,
// one transaction at a time) commits say nothing about parallelism: the
// next try of a window of 2 comes after minGrowth << serialFails of them,
// so a serial block tries once every 512 transactions, while a block that
// fell to 1 after a burst of conflicts tries again after 8, and a try that
// lasts until the window reaches 3 clears serialFails. The caller holds
// commitMu.
func (s *scheduler) growWindow(clean int64) {
	if s.abortedSinceGrowth.Swap(false) {
		s.clean = 0
	}
	w := s.window.Load()
	s.clean += clean
	if w > 1 {
		s.sinceAbort.Add(clean)
		s.decay += clean
		for ; s.decay >= decayEvery; s.decay -= decayEvery {
			if b := s.backoff.Load(); b > 1 {
				s.backoff.CompareAndSwap(b, b/2)
			}
		}
	}
	need := max(w, minGrowth) * s.backoff.Load()
	if w == 1 {
		need = minGrowth << s.serialFails.Load()
	}
	if s.clean >= need && w < s.maxWindow && s.window.CompareAndSwap(w, w+1) {
		s.clean = 0
		if w+1 >= 3 {
			s.serialFails.Store(0)
		}
	}
}

// The window's growth parameters.
const (
	minGrowth      = 8  // fewest clean commits that widen the window
	maxBackoff     = 64 // largest multiplier of the clean commits needed
	decayEvery     = 64 // clean commits that halve the backoff
	maxSerialFails = 6  // a serial block tries a window of 2 every minGrowth << 6 commits
	sporadicAfter  = 8  // clean commits after which an abort leaves the window as it is
	// Classic tries every minGrowth << 3 commits: more often than
	// dependents, whose executions must never outnumber classic's.
	classicSerialFails = 3
	conflictSpan       = 64 // commits over which classic measures re-executions
)

// classicConflicts watches the classic scheduler's commits: when half of
// the last conflictSpan committed transactions needed more than one
// execution, the block is (nearly) serial, and classic switches to the
// dependents' window, at 1: one transaction at a time in order, the other
// workers asleep instead of executing transactions that would fail their
// validation. From there the window adapts as for dependents. With fewer
// conflicts classic stays the paper's, unbounded. The caller holds
// commitMu.
func (s *scheduler) classicConflicts(clean, redone int64) {
	if s.window.Load() < s.maxWindow {
		s.growWindow(clean)
		return
	}
	s.spanN += clean + redone
	s.spanRedone += redone
	if s.spanN < conflictSpan {
		return
	}
	if 2*s.spanRedone >= s.spanN {
		s.window.Store(1)
		s.abortedSinceGrowth.Store(true)
	}
	s.spanN, s.spanRedone = 0, 0
}

// pushReady queues an aborted transaction for re-execution (dependents).
func (s *scheduler) pushReady(tx int32) {
	s.readyMu.Lock()
	s.ready.push(tx)
	s.readyN.Add(1)
	s.readyMu.Unlock()
	s.notify()
}

// decreaseValIdx lowers valIdx to target, starting a new wave, and records
// on trigger the wave at which higher transactions must now be validated
// (paper: decrease_validation_idx). The caller holds trigger in Executing or
// Aborting, so it cannot commit before its trigger wave is set.
func (s *scheduler) decreaseValIdx(target int32, trigger int32) {
	for {
		v := s.valIdx.Load()
		wave := v >> 32
		if uint32(v) <= uint32(target) {
			s.st[trigger].raiseTrigger(int64(wave))
			return
		}
		if s.valIdx.CompareAndSwap(v, (wave+1)<<32|uint64(uint32(target))) {
			s.st[trigger].raiseTrigger(int64(wave + 1))
			s.notify()
			return
		}
	}
}

// validationAfterExecution returns the validation task of incarnation inc of
// tx, just executed, when valIdx has already passed tx (paper:
// finish_execution); otherwise a later validation task will cover it.
func (s *scheduler) validationAfterExecution(tx, inc int32) task {
	v := s.valIdx.Load()
	if uint32(v) > uint32(tx) {
		return task{kind: taskValidate, tx: tx, inc: inc, wave: int64(v >> 32)}
	}
	return task{}
}

// tryCommit commits as many transactions, in order, as are ready. It
// reports whether the block is done, and whether it committed any (which
// may admit fresh transactions: the caller looks for a task again before
// sleeping).
//
// A caller that finds the next transaction to commit still unfinished
// (ready, executing or aborting) leaves at once: the worker that finishes
// it calls tryCommit after publishing Executed, and then sees every
// status published before this one was read.
func (s *scheduler) tryCommit() (done, progressed bool) {
	if idx := s.commitIdx.Load(); idx < s.n {
		if st := wordStatus(s.st[idx].word.Load()); st != Executed && st != Committed {
			return s.done.Load(), false
		}
	}
	s.commitReq.Add(1)
	for {
		if !s.commitMu.TryLock() {
			return s.done.Load(), progressed
		}
		seen := s.commitReq.Load()
		idx := s.commitIdx.Load()
		start, clean := idx, int64(0)
		for idx < s.n {
			ok, first, w := s.st[idx].tryCommit(s.waves, s.commitWave)
			s.commitWave = w
			if !ok {
				break
			}
			if first {
				clean++
			}
			idx++
		}
		s.commitIdx.Store(idx)
		if idx > start {
			if s.kind == Dependents {
				s.growWindow(clean)
			} else {
				s.classicConflicts(clean, int64(idx-start)-clean)
			}
		}
		s.commitMu.Unlock()
		progressed = progressed || idx > start
		if idx == s.n {
			s.finish()
			return true, progressed
		}
		// Fresh transactions the window now admits: the committing worker
		// takes one; wake the others only for more, and only if one
		// sleeps (see sleep), so that the other workers' epoch reads do
		// not miss after every commit.
		if idx > start && s.sleepers.Load() > 0 && s.admitted(idx) >= 2 {
			s.notify()
		}
		if s.commitReq.Load() == seen {
			return false, progressed
		}
	}
}

// admitted returns how many fresh transactions the window admits with the
// commit index at idx.
func (s *scheduler) admitted(idx int32) int64 {
	next := &s.nextFresh
	if s.kind == Classic {
		next = &s.execIdx
	}
	return min(int64(idx)+s.window.Load(), int64(s.n)) - next.Load()
}

// finish marks the block done and wakes everyone.
func (s *scheduler) finish() {
	s.done.Store(true)
	s.notify()
}

// halt stops the block after an engine failure.
func (s *scheduler) halt() {
	s.halted.Store(true)
	s.finish()
	s.room.wake()
}

// notify tells sleeping workers that a task may be available.
func (s *scheduler) notify() {
	s.epoch.Add(1)
	if s.sleepers.Load() > 0 {
		s.idleMu.Lock()
		s.idleCond.Broadcast()
		s.idleMu.Unlock()
	}
}

// sleep waits until epoch moves past seen, the window admits a fresh
// transaction, or the block is done. A commit bumps epoch only when it
// sees a sleeper: the sleeper counts itself before it reads the window,
// and the commit publishes its index before it reads the count, so one of
// them sees the other.
func (s *scheduler) sleep(seen uint64) {
	s.sleepers.Add(1)
	s.idleMu.Lock()
	for s.epoch.Load() == seen && !s.done.Load() && s.admitted(s.commitIdx.Load()) <= 0 {
		s.idleCond.Wait()
	}
	s.idleMu.Unlock()
	s.sleepers.Add(-1)
}

// txHeap is a min-heap of transaction indices.
type txHeap []int32

func (h *txHeap) push(x int32) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *txHeap) pop() int32 {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < len(a) && a[l] < a[m] {
			m = l
		}
		if r := l + 1; r < len(a) && a[r] < a[m] {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}
