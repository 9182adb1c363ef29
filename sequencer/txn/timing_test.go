package txn

import (
	"testing"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// TestTimingSplit: every executed transaction records its phases, and
// comparisons of results leave the timings out.
func TestTimingSplit(t *testing.T) {
	blk := newERC20Block(t, 4, 6)
	opt := blockstm.Options{Workers: 2, Scheduler: blockstm.Dependents}
	seq, err := blk.exec.RunBlock(blk.txs, blk.gen.State, opt, true)
	if err != nil {
		t.Fatal(err)
	}
	par, err := blk.exec.RunBlock(blk.txs, blk.gen.State, opt, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, rc := range seq.Receipts {
		if rc == nil {
			t.Fatalf("transaction %d rejected: %v", i, seq.Errors[i])
		}
		tm := rc.Timing
		if tm.Validation <= 0 || tm.Execution <= 0 || tm.Fee <= 0 || tm.Commit <= 0 || tm.Total() != tm.Validation+tm.Execution+tm.Fee+tm.Commit {
			t.Errorf("transaction %d: timing %+v", i, tm)
		}
	}
	if d := SameResults(seq, par); d != "" {
		t.Fatalf("parallel differs: %s", d)
	}
	if seq.Engine == nil || len(seq.Engine.Txs) != len(blk.txs) {
		t.Fatal("no engine result")
	}
	// A different receipt is still told apart.
	par.Receipts[2].ActualFee = par.Receipts[2].ActualFee.Add(felt.One)
	if d := SameResults(seq, par); d != "transaction 2 differs" {
		t.Fatalf("SameResults = %q", d)
	}
}

// TestImpersonatedInvoke: an impersonated INVOKE calls the contract
// directly with the sender as caller: no validation, nonce or fee.
func TestImpersonatedInvoke(t *testing.T) {
	blk := newERC20Block(t, 2, 0)
	from, to := blk.gen.Accounts[0], blk.gen.Accounts[1]
	cfg := blk.exec.Config
	tx := &Tx{Type: Invoke, Version: 0, Impersonated: true, Sender: from.Address, Contract: cfg.FeeToken,
		EntryPointSelector: contract.Selector("transfer"), Calldata: []felt.Felt{to.Address, felt.FromUint64(5), felt.Zero}}
	o := execution.NewOverlay(memState(blk.gen.State))
	rc, err := blk.exec.Execute(o, tx)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Hash != tx.ImpersonatedHash(cfg.ChainID, cfg.Block.Number) || rc.Validate != nil || rc.FeeTransfer != nil || !rc.ActualFee.IsZero() {
		t.Fatalf("receipt %+v", rc)
	}
	bal, _ := o.Read(state.StorageKey(cfg.FeeToken, BalanceKey(to.Address)))
	if want := blk.gen.State[state.StorageKey(cfg.FeeToken, BalanceKey(to.Address))].Add(felt.FromUint64(5)); bal != want {
		t.Errorf("recipient balance %s, want %s", bal, want)
	}
	if n, _ := o.Read(state.NonceKey(from.Address)); !n.IsZero() {
		t.Errorf("nonce %s", n)
	}
	// The same call with a nonce is another transaction.
	tx2 := *tx
	tx2.Nonce = felt.One
	if tx2.ImpersonatedHash(cfg.ChainID, 1) == tx.ImpersonatedHash(cfg.ChainID, 1) {
		t.Error("the nonce does not change the hash")
	}
	// Only version 0 INVOKEs are impersonated.
	tx2.Version = 1
	if _, err := blk.exec.Execute(execution.NewOverlay(memState(blk.gen.State)), &tx2); err == nil {
		t.Error("an impersonated v1 INVOKE ran")
	}
}

// memState copies a state map into an execution state.
func memState(m state.Map) *execution.MemState {
	s := execution.NewMemState()
	for k, v := range m {
		s.Write(k, v)
	}
	return s
}
