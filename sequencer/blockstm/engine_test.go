package blockstm

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// fn is a transaction written inline; inc counts its executions.
type fn struct {
	f   func(v View, run int) (felt.Felt, error)
	mu  sync.Mutex
	run int
}

func (t *fn) Execute(v View) (felt.Felt, error) {
	t.mu.Lock()
	r := t.run
	t.run++
	t.mu.Unlock()
	return t.f(v, r)
}

func key(i uint64) state.Key { return state.StorageKey(felt.Zero, felt.FromUint64(i)) }

func txs(fs ...func(View, int) (felt.Felt, error)) []Tx[felt.Felt] {
	out := make([]Tx[felt.Felt], len(fs))
	for i, f := range fs {
		out[i] = &fn{f: f}
	}
	return out
}

func checkAgainstSequential(t *testing.T, mk func() []Tx[felt.Felt], base state.Reader, opt Options) *Result[felt.Felt] {
	t.Helper()
	want, err := Sequential(mk(), base)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var got *Result[felt.Felt]
	go func() {
		defer close(done)
		got, err = Run(mk(), base, opt)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("block never finished")
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(want, got, nil); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestEarlyAbort: with the dependents scheduler a running execution whose
// read is changed stops at its next state access. tx1 reads k while tx0 is
// still running; tx0 then writes k; tx1, still running, must stop at its
// write and run again.
func TestEarlyAbort(t *testing.T) {
	read1 := make(chan struct{})
	release1 := make(chan struct{})
	mk := func(first bool) []Tx[felt.Felt] {
		return txs(
			func(v View, run int) (felt.Felt, error) {
				if first && run == 0 {
					<-read1
				}
				return felt.One, v.Write(key(1), felt.FromUint64(7))
			},
			func(v View, run int) (felt.Felt, error) {
				x, err := v.Read(key(1))
				if err != nil {
					return x, err
				}
				if first && run == 0 {
					close(read1)
					<-release1
				}
				return x, v.Write(key(2), x.Add(felt.One))
			},
		)
	}
	want, _ := Sequential(mk(false), state.Map{})
	var sc *scheduler
	testHookStart = func(s *scheduler) { sc = s }
	defer func() { testHookStart = nil }()
	done := make(chan *Result[felt.Felt])
	go func() {
		r, err := Run(mk(true), state.Map{}, Options{Workers: 2, Scheduler: Dependents, Trace: true})
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	<-read1
	waitUntil(t, "tx1's abort request", func() bool { return sc.st[1].abortRequested(0) })
	close(release1)
	var got *Result[felt.Felt]
	select {
	case got = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("block never finished")
	}
	if err := Compare(want, got, nil); err != nil {
		t.Fatal(err)
	}
	if got.Metrics.EarlyAborts != 1 || got.Txs[1].Incarnations != 2 {
		t.Fatalf("early aborts %d, tx1 incarnations %d; want 1 and 2", got.Metrics.EarlyAborts, got.Txs[1].Incarnations)
	}
	var abort *Event
	for i := range got.Trace {
		if got.Trace[i].Kind == EventAbort && got.Trace[i].Tx == 1 {
			abort = &got.Trace[i]
		}
	}
	if abort == nil || abort.By != 0 || abort.Key != key(1) || abort.From != -1 {
		t.Fatalf("abort event %+v", abort)
	}
}

// TestEstimateWait: a reader meets the estimate of an aborted writer and
// waits until it has executed again, for both schedulers.
func TestEstimateWait(t *testing.T) {
	for _, sched := range []SchedulerKind{Classic, Dependents} {
		t.Run(sched.String(), func(t *testing.T) {
			var sc *scheduler
			testHookStart = func(s *scheduler) { sc = s }
			defer func() { testHookStart = nil }()
			release0 := make(chan struct{})
			release1 := make(chan struct{})
			started2 := make(chan struct{})
			go2 := make(chan struct{})
			ts := txs(
				func(v View, run int) (felt.Felt, error) { // tx0 writes k1, late
					if run == 0 {
						<-release0
					}
					return felt.Zero, v.Write(key(1), felt.FromUint64(5))
				},
				func(v View, run int) (felt.Felt, error) { // tx1: k2 = k1 + 1; slow second time
					x, err := v.Read(key(1))
					if err != nil {
						return x, err
					}
					if run == 1 {
						<-release1
					}
					return x, v.Write(key(2), x.Add(felt.One))
				},
				func(v View, run int) (felt.Felt, error) { // tx2 reads k2
					if run == 0 {
						close(started2)
						<-go2
					}
					return v.Read(key(2))
				},
			)
			done := make(chan *Result[felt.Felt])
			go func() {
				r, err := Run(ts, state.Map{}, Options{Workers: 2, Scheduler: sched})
				if err != nil {
					t.Error(err)
				}
				done <- r
			}()
			// One worker holds tx0; the other runs tx1 (reading k1 = 0) and
			// starts tx2. Releasing tx0 aborts tx1: k2 becomes an estimate,
			// and tx1's next execution holds on release1. tx2 then reads k2
			// and must wait for tx1.
			<-started2
			close(release0)
			waitUntil(t, "tx1 aborted", func() bool {
				st, inc, _ := sc.st[1].load()
				return inc == 1 && st == Executing
			})
			close(go2)
			waitUntil(t, "tx2 waiting for tx1", func() bool {
				return sc.room.waiters.Load() == 1
			})
			close(release1)
			var r *Result[felt.Felt]
			select {
			case r = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("block never finished: lost wake-up")
			}
			if r.Txs[2].Output != felt.FromUint64(6) || r.Metrics.Waits != 1 || r.Txs[2].Incarnations != 1 {
				t.Fatalf("tx2 read %s in %d incarnations, %d waits; want 6, 1, 1", r.Txs[2].Output, r.Txs[2].Incarnations, r.Metrics.Waits)
			}
		})
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// TestPanicsAndErrorsAreResults: a panic or an error reverts the
// transaction (its writes are dropped); the block goes on.
func TestPanicsAndErrorsAreResults(t *testing.T) {
	mk := func() []Tx[felt.Felt] {
		return txs(
			func(v View, _ int) (felt.Felt, error) { return felt.Zero, v.Write(key(1), felt.FromUint64(3)) },
			func(v View, _ int) (felt.Felt, error) {
				x, err := v.Read(key(1))
				if err != nil {
					return x, err
				}
				v.Write(key(2), felt.One)
				if x == felt.FromUint64(3) {
					panic("tx 1 panics on purpose")
				}
				return x, nil
			},
			func(v View, _ int) (felt.Felt, error) {
				v.Write(key(3), felt.One)
				return felt.Zero, errors.New("reverted on purpose")
			},
			func(v View, _ int) (felt.Felt, error) {
				a, _ := v.Read(key(2))
				b, err := v.Read(key(3))
				return a.Add(b), err
			},
		)
	}
	for _, s := range []SchedulerKind{Classic, Dependents} {
		for _, w := range []int{1, 2, 4} {
			r := checkAgainstSequential(t, mk, state.Map{}, Options{Workers: w, Scheduler: s})
			var pe *PanicError
			if !errors.As(r.Txs[1].Err, &pe) || len(r.Txs[1].Writes) != 0 {
				t.Fatalf("tx1: %v, writes %v", r.Txs[1].Err, r.Txs[1].Writes)
			}
			if r.Txs[2].Err == nil || r.Txs[3].Output != felt.Zero || len(r.Diff) != 1 {
				t.Fatalf("tx2 %v, tx3 %s, diff %v", r.Txs[2].Err, r.Txs[3].Output, r.Diff)
			}
		}
	}
}

// TestDeltas: deltas commute, are folded into later reads and the diff, and
// a transaction reads its own delta.
func TestDeltas(t *testing.T) {
	fee := key(9)
	mk := func() []Tx[felt.Felt] {
		var fs []func(View, int) (felt.Felt, error)
		for i := range 40 {
			fs = append(fs, func(v View, _ int) (felt.Felt, error) {
				if err := v.AddDelta(fee, felt.FromUint64(uint64(i))); err != nil {
					return felt.Zero, err
				}
				if i%10 == 9 {
					return v.Read(fee) // sees all deltas so far, its own included
				}
				if i == 20 {
					return felt.Zero, v.Write(fee, felt.FromUint64(1000))
				}
				return felt.Zero, nil
			})
		}
		return txs(fs...)
	}
	base := state.Map{fee: felt.FromUint64(5)}
	for _, s := range []SchedulerKind{Classic, Dependents} {
		for _, w := range []int{1, 2, 4, 8} {
			r := checkAgainstSequential(t, mk, base, Options{Workers: w, Scheduler: s})
			// 5 + 0..9 = 50; after tx20 writes 1000: 1000 + 21..39 = 1570.
			if r.Txs[9].Output != felt.FromUint64(50) || r.Diff[0].Value != felt.FromUint64(1570) {
				t.Fatalf("tx9 read %s, final %s", r.Txs[9].Output, r.Diff[0].Value)
			}
		}
	}
}

type failingBase struct{ bad state.Key }

func (f failingBase) Get(k state.Key) (felt.Felt, error) {
	if k == f.bad {
		return felt.Zero, errors.New("disk on fire")
	}
	return felt.Zero, nil
}

// TestBaseFailureHalts: a failing base state stops the block with an error,
// even while readers wait.
func TestBaseFailureHalts(t *testing.T) {
	mk := func() []Tx[felt.Felt] {
		var fs []func(View, int) (felt.Felt, error)
		for i := range 50 {
			fs = append(fs, func(v View, _ int) (felt.Felt, error) {
				x, err := v.Read(key(uint64(i % 3)))
				if err != nil {
					return x, err
				}
				if i == 30 {
					if _, err := v.Read(key(77)); err != nil {
						return x, err
					}
				}
				return x, v.Write(key(uint64((i+1)%3)), x.Add(felt.One))
			})
		}
		return txs(fs...)
	}
	for _, s := range []SchedulerKind{Classic, Dependents} {
		for _, w := range []int{1, 2, 4} {
			if _, err := Run(mk(), failingBase{key(77)}, Options{Workers: w, Scheduler: s}); err == nil {
				t.Fatal("no error from a failing base state")
			}
		}
	}
	if _, err := Sequential(mk(), failingBase{key(77)}); err == nil {
		t.Fatal("no error from a failing base state (sequential)")
	}
}

func TestEmptyBlock(t *testing.T) {
	r, err := Run[felt.Felt](nil, state.Map{}, Options{Workers: 4})
	if err != nil || len(r.Txs) != 0 || len(r.Diff) != 0 {
		t.Fatalf("%v %v", r, err)
	}
}

// TestFinalReads: a transaction that starts once every transaction below
// it has committed reads final values. With one worker every transaction
// does: classic runs no validation, and dependents registers no reader,
// while the result stays that of sequential execution.
func TestFinalReads(t *testing.T) {
	mk := func() []Tx[felt.Felt] {
		var fs []func(View, int) (felt.Felt, error)
		for i := range 30 {
			fs = append(fs, func(v View, _ int) (felt.Felt, error) {
				x, err := v.Read(key(uint64(i % 4)))
				if err != nil {
					return x, err
				}
				return x, v.Write(key(uint64((i+1)%4)), x.Add(felt.FromUint64(uint64(i))))
			})
		}
		return txs(fs...)
	}
	var sc *scheduler
	testHookStart = func(s *scheduler) { sc = s }
	defer func() { testHookStart = nil }()
	r := checkAgainstSequential(t, mk, state.Map{}, Options{Workers: 1, Scheduler: Classic})
	if r.Metrics.Validations != 0 || r.Metrics.Executions != 30 {
		t.Fatalf("classic, 1 worker: %d validations, %d executions; want 0 and 30", r.Metrics.Validations, r.Metrics.Executions)
	}
	checkAgainstSequential(t, mk, state.Map{}, Options{Workers: 1, Scheduler: Dependents})
	sc.mv.idx.each(func(e *entry) error {
		if len(e.baseReaders) != 0 || (e.more != nil && len(*e.more) != 0) {
			t.Fatalf("%s: readers registered", e.key)
		}
		for _, v := range e.vs {
			if v.nr != 0 {
				t.Fatalf("%s: readers registered on the version of tx %d", e.key, v.tx)
			}
		}
		return nil
	})
	// With several workers, transactions run ahead of the commit point
	// and register; the result is the same.
	for _, s := range []SchedulerKind{Classic, Dependents} {
		checkAgainstSequential(t, mk, state.Map{}, Options{Workers: 4, Scheduler: s})
	}
}
