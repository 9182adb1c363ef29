// Package blockstm executes a block of transactions in parallel with
// Block-STM (Gelashvili et al., PPoPP'23) and always produces the result of
// executing them one by one in block order.
//
// The files follow the paper's modules: mvmemory.go (multi-version memory)
// with index.go (its lock-free key index), scheduler.go (collaborative
// scheduler, both policies, in-order commit), status.go (the transaction
// status machine), executor.go (the workers), view.go (what a transaction
// sees). sequential.go is the reference executor the parallel one is
// checked against; diff.go sorts the state diffs of both.
package blockstm

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kairo-dev/kairo/sequencer/state"
)

// SchedulerKind selects the scheduling policy (see scheduler.go).
type SchedulerKind uint8

// The schedulers.
const (
	Classic    SchedulerKind = iota // the paper: validate, abort, revalidate every higher tx
	Dependents                      // abort exactly the readers of a changed write
)

func (k SchedulerKind) String() string {
	if k == Dependents {
		return "dependents"
	}
	return "classic"
}

// ParseScheduler parses "classic" or "dependents".
func ParseScheduler(s string) (SchedulerKind, error) {
	switch strings.ToLower(s) {
	case "classic":
		return Classic, nil
	case "dependents":
		return Dependents, nil
	}
	return 0, fmt.Errorf("unknown scheduler %q (want classic or dependents)", s)
}

// Options configure a parallel execution.
type Options struct {
	Workers   int // at least 1
	Scheduler SchedulerKind
	Trace     bool // record every execution, validation, wait and abort
	// Keys, when set, are the block's keys interned (NewKeySet): the
	// engine keeps their state in slices indexed by id. Keys outside
	// it work as without.
	Keys *KeySet
}

// TxResult is one transaction's outcome.
type TxResult[O any] struct {
	Output       O
	Err          error // the transaction's own error: it was reverted
	Incarnations int   // executions started
	Reads        []Read
	Writes       []Write // empty when Err != nil
}

// Result is a block's outcome.
type Result[O any] struct {
	Txs     []TxResult[O]
	Diff    state.Diff // final value of every key written, deltas folded in
	Metrics Metrics
	Trace   []Event // by start time; nil unless Options.Trace
}

// Run executes txs in parallel over base and returns the same transaction
// results and state diff as Sequential. The error is an engine failure
// (the base state failed), never a transaction's.
func Run[O any](txs []Tx[O], base state.Reader, opt Options) (*Result[O], error) {
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	n := len(txs)
	mv := newMVMemory(base, opt.Scheduler == Dependents, 2*n, opt.Keys)
	s := newScheduler(n, opt.Scheduler, mv, opt.Workers)
	if testHookStart != nil {
		testHookStart(s)
	}
	res := &Result[O]{Txs: make([]TxResult[O], n)}
	ex := &executor[O]{s: s, txs: txs, res: res.Txs}
	start := time.Now()
	workers := make([]*worker[O], opt.Workers)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker[O]{ex: ex, s: s}
		w.stats = workerStats{id: i, trace: opt.Trace, start: start, phase: phaseIdle, mark: start}
		w.view.s, w.view.w, w.view.slabs, w.view.keys = s, &w.stats, &w.slabs, opt.Keys
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop()
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	if ex.failure != nil {
		return nil, fmt.Errorf("blockstm: reading the base state: %w", ex.failure)
	}
	t0 := time.Now()
	d, err := finalize(ex, mv, res.Txs, opt.Workers)
	if err != nil {
		return nil, fmt.Errorf("blockstm: reading the base state: %w", err)
	}
	res.Diff = d
	m := &res.Metrics
	m.Scheduler, m.Workers, m.Txs, m.Wall, m.Finalize = opt.Scheduler.String(), opt.Workers, n, wall, time.Since(t0)
	for _, w := range workers {
		m.add(&w.stats)
		res.Trace = append(res.Trace, w.stats.events...)
	}
	slices.SortStableFunc(res.Trace, func(a, b Event) int { return int(a.Start - b.Start) })
	return res, nil
}

// finalizeMin is the fewest transactions per goroutine finalize starts.
const finalizeMin = 2048

// finalize completes txs, the block's results, and returns its state diff,
// split over up to parts goroutines (the workers' cores are free again):
// each takes a range of transactions and a range of KeySet entries, whose
// diff it builds in its own range of one array (a key per entry at most),
// in key order; the ranges are then closed up, and the keys outside the
// set merged in.
func finalize[O any](ex *executor[O], mv *mvMemory, txs []TxResult[O], parts int) (state.Diff, error) {
	n, k := len(txs), len(mv.pre)
	parts = max(1, min(parts, n/finalizeMin))
	var buf state.Diff
	if k > 0 {
		buf = make(state.Diff, k)
	}
	diffs := make([]state.Diff, parts)
	errs := make([]error, parts)
	part := func(p int) {
		for j := n * p / parts; j < n*(p+1)/parts; j++ {
			st, r := &ex.s.st[j], &txs[j]
			r.Incarnations, r.Writes = int(wordInc(st.word.Load()))+1, st.writes
			if rs := st.reads.Load(); rs != nil {
				r.Reads = rs.reads
			}
		}
		lo, hi := k*p/parts, k*(p+1)/parts
		diffs[p], errs[p] = mv.diffPre(int32(n), lo, hi, buf[lo:lo:hi])
	}
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			part(p)
		}()
	}
	part(0)
	rest, err := mv.diffIndex(int32(n))
	wg.Wait()
	if err != nil {
		return nil, err
	}
	size := 0
	for p := range parts {
		if errs[p] != nil {
			return nil, errs[p]
		}
		size += copy(buf[size:], diffs[p])
	}
	if size == 0 {
		return rest, nil
	}
	return mergeDiff(buf[:size:size], rest), nil
}

// testHookStart, when set by a test, sees the scheduler before work starts.
var testHookStart func(*scheduler)

// executor holds what is specific to the transactions' output type.
type executor[O any] struct {
	s       *scheduler
	txs     []Tx[O]
	res     []TxResult[O] // Output and Err written by the executions, the rest by finalize
	failMu  sync.Mutex
	failure error
}

func (ex *executor[O]) fail(err error) {
	ex.failMu.Lock()
	if ex.failure == nil {
		ex.failure = err
	}
	ex.failMu.Unlock()
	ex.s.halt()
}

type worker[O any] struct {
	ex     *executor[O]
	s      *scheduler
	view   view
	aborts []abortNote
	slabs  slabs
	stats  workerStats
}

// loop runs tasks until the block is done (paper: run).
func (w *worker[O]) loop() {
	s := w.s
	for !s.done.Load() {
		seen := s.epoch.Load()
		t := s.nextTask()
		if t.kind == taskNone {
			done, progressed := s.tryCommit()
			if done {
				return
			}
			if progressed {
				continue // the window may admit a fresh transaction now
			}
			w.stats.enter(phaseIdle)
			s.sleep(seen)
			continue
		}
		for t.kind != taskNone && !s.halted.Load() {
			if t.kind == taskExecute {
				t = w.execute(t.tx, t.inc)
			} else {
				t = w.validate(t)
			}
		}
		s.tryCommit()
	}
}

// execute runs incarnation inc of tx and records its effects (paper:
// try_execute and finish_execution); it returns the follow-up task.
func (w *worker[O]) execute(tx, inc int32) task {
	s, v, st := w.s, &w.view, &w.s.st[tx]
	v.reset(tx, inc)
	t0 := w.stats.enter(phaseExec)
	// Every transaction below tx has committed: nothing can change what
	// this execution reads, so it needs no validation, and its reads need
	// no registration. (Checked once: the shared commit index is written
	// at every commit.)
	final := s.commitIdx.Load() == tx
	v.final = final
	out, err := call(w.ex.txs[tx], v)
	w.stats.executions++
	if v.fatal != nil {
		w.ex.fail(v.fatal)
		return task{}
	}
	if v.stopped {
		w.traceExec(tx, inc, t0, false)
		if s.halted.Load() {
			return task{}
		}
		w.stats.earlyAborts++
		st.stopRunning(inc)
		return w.restart(tx)
	}
	if err != nil {
		v.writes = v.writes[:0] // reverted: none of its writes take effect
	}
	r := &w.ex.res[tx]
	r.Output, r.Err = out, err
	st.reads.Store(v.newReadSet(inc, v.keepReads()))
	// The previous write set is needed by record.
	old := st.writes
	st.writes = v.keepWrites()
	var next task
	if s.kind == Classic {
		if s.mv.record(tx, inc, old, st.writes, nil, &w.slabs) {
			s.decreaseValIdx(tx, tx)
		}
		st.finish(inc, s.room)
		if final {
			st.validated(inc, math.MaxInt64)
		} else {
			next = s.validationAfterExecution(tx, inc)
		}
	} else {
		s.mv.record(tx, inc, old, st.writes, &w.aborts, &w.slabs)
		for i := range w.aborts {
			w.abortDependent(&w.aborts[i])
		}
		clear(w.aborts) // drop the entry pointers
		w.aborts = w.aborts[:0]
		if !st.finish(inc, s.room) {
			// An abort arrived after the last state access.
			s.mv.markEstimates(tx, st.writes)
			next = w.restart(tx)
		}
	}
	w.traceExec(tx, inc, t0, true)
	return next
}

// restart moves tx, held in Aborting by this worker, to its next
// incarnation and returns the task executing it.
func (w *worker[O]) restart(tx int32) task {
	st := &w.s.st[tx]
	st.setReady()
	inc, ok := st.tryIncarnate()
	if !ok {
		panic("blockstm: restart lost its transaction")
	}
	return task{kind: taskExecute, tx: tx, inc: inc}
}

// abortDependent aborts a reader whose read a recorded write changed
// (dependents).
func (w *worker[O]) abortDependent(a *abortNote) {
	s := w.s
	st := &s.st[a.tx]
	switch st.requestAbort(a.inc) {
	case abortStale:
		return
	case abortTaken:
		s.mv.markEstimates(a.tx, st.writes)
		st.setReady()
		s.pushReady(a.tx)
	}
	s.shrinkWindow()
	w.stats.aborts++
	if w.stats.trace {
		now := time.Since(w.stats.start)
		w.stats.events = append(w.stats.events, Event{Kind: EventAbort, Worker: w.stats.id, Tx: a.tx, Inc: a.inc,
			Start: now, End: now, Key: *a.e.key, By: a.by, ByInc: a.byInc, From: a.from, FromInc: a.fromI})
	}
}

// validate runs a validation task (paper: needs_reexecution and
// finish_validation); on failure it aborts the transaction and returns its
// re-execution.
func (w *worker[O]) validate(t task) task {
	s, st := w.s, &w.s.st[t.tx]
	rs := st.reads.Load()
	if rs == nil || rs.inc != t.inc {
		return task{} // stale: a newer incarnation exists
	}
	t0 := w.stats.enter(phaseValidate)
	w.stats.validations++
	i, now, err := s.mv.validate(t.tx, rs.reads)
	if err != nil {
		w.ex.fail(err)
		return task{}
	}
	if w.stats.trace {
		w.traceEvent(Event{Kind: EventValidate, Tx: t.tx, Inc: t.inc, OK: i < 0}, t0)
	}
	if i < 0 {
		st.validated(t.inc, t.wave)
		return task{}
	}
	if !st.tryValidationAbort(t.inc) {
		return task{}
	}
	w.stats.aborts++
	if w.stats.trace {
		r := &rs.reads[i]
		by, byInc := now.src, now.srcInc
		if now.blocker >= 0 {
			by, byInc = now.blocker, -1
		}
		w.traceEvent(Event{Kind: EventAbort, Tx: t.tx, Inc: t.inc, Key: r.Key, By: by, ByInc: byInc,
			From: r.Source, FromInc: r.SourceInc}, t0)
	}
	s.mv.markEstimates(t.tx, st.writes)
	s.decreaseValIdx(t.tx+1, t.tx)
	if s.window.Load() < s.maxWindow {
		s.shrinkWindow() // heavy conflict: see classicConflicts
	}
	return w.restart(t.tx)
}

func (w *worker[O]) traceExec(tx, inc int32, t0 time.Time, ok bool) {
	if w.stats.trace {
		w.traceEvent(Event{Kind: EventExecute, Tx: tx, Inc: inc, OK: ok}, t0)
	}
}

func (w *worker[O]) traceEvent(e Event, t0 time.Time) {
	e.Worker = w.stats.id
	e.Start = t0.Sub(w.stats.start)
	e.End = time.Since(w.stats.start)
	if e.Kind == EventExecute || e.Kind == EventValidate {
		e.By, e.From = -1, -1
	}
	w.stats.events = append(w.stats.events, e)
}
