package execution

import (
	"testing"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// The Block-STM engine's view is a State: contract calls run as Block-STM
// transactions.
var _ State = blockstm.View(nil)

// callTx is a contract call as a Block-STM transaction.
type callTx struct {
	classes Classes
	entry   Entry
}

func (c *callTx) Execute(v blockstm.View) (*CallInfo, error) {
	ctx := &Context{Classes: c.classes, MaxSteps: 1_000_000}
	return Run(ctx, v, c.entry)
}

// TestBlockSTMContractCalls runs a block of conflicting contract calls in
// parallel and checks it against sequential execution and the expected
// counters.
func TestBlockSTMContractCalls(t *testing.T) {
	e := newSyscallEnv(t)
	base := state.Map{state.ClassHashKey(e.a): e.cls.Hash, state.ClassHashKey(e.b): e.cls.Hash}
	const n, keys = 40, 3
	mk := func() []blockstm.Tx[*CallInfo] {
		txs := make([]blockstm.Tx[*CallInfo], n)
		for i := range txs {
			en := Entry{Contract: e.a, Selector: contract.Selector("increase_value"), Calldata: []felt.Felt{u(uint64(i % keys))}, Type: contract.External}
			if i%7 == 6 {
				en.Selector = contract.Selector("fail")
				en.Calldata = nil
			}
			txs[i] = &callTx{classes: e.classes, entry: en}
		}
		return txs
	}
	seq, err := blockstm.Sequential(mk(), base)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]uint64{}
	for i := 0; i < n; i++ {
		if i%7 != 6 {
			want[uint64(i%keys)]++
		}
	}
	for k, cnt := range want {
		var got felt.Felt
		for _, kv := range seq.Diff {
			if kv.Key == state.StorageKey(e.a, u(k)) {
				got = kv.Value
			}
		}
		if got != u(cnt) {
			t.Errorf("sequential: counter %d = %s, want %d", k, got, cnt)
		}
	}
	for i, r := range seq.Txs {
		if (i%7 == 6) != (r.Err != nil) {
			t.Errorf("tx %d: error %v", i, r.Err)
		}
	}
	for _, sched := range []blockstm.SchedulerKind{blockstm.SchedulerKind(0), blockstm.SchedulerKind(1)} {
		for _, w := range []int{1, 2, 4} {
			par, err := blockstm.Run(mk(), base, blockstm.Options{Workers: w, Scheduler: sched})
			if err != nil {
				t.Fatal(err)
			}
			if m := seq.Diff.Mismatch(par.Diff); m != "" {
				t.Errorf("%s, %d workers: diff differs from sequential: %s", sched, w, m)
			}
			for i := range par.Txs {
				if (par.Txs[i].Err == nil) != (seq.Txs[i].Err == nil) {
					t.Errorf("%s, %d workers: tx %d error %v, sequential %v", sched, w, i, par.Txs[i].Err, seq.Txs[i].Err)
				}
			}
		}
	}
}
