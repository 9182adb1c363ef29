package txn

import (
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// The Block-STM view can credit the sequencer by deltas.
var _ DeltaState = blockstm.View(nil)

const (
	erc20File   = "cairo0/contracts/starknet-devnet-rs/crates__starknet-devnet-core__contracts__system_artifacts__ERC20_Mintable_OZ_0.2.0.json"
	accountFile = "cairo0/contracts/starknet-devnet-rs/contracts__test_artifacts__cairo0__account.json"
)

func loadClass(t testing.TB, rel string) *contract.Class {
	t.Helper()
	c, err := contract.Load(shared.Fixture(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// erc20Block is a genesis with funded accounts and a block of signed
// fee-token transfers between them.
type erc20Block struct {
	exec *Executor
	gen  *Genesis
	txs  []*Tx
}

// newERC20Block builds n transfers among accounts: with many accounts
// each sender sends once; with few, senders repeat with rising nonces.
func newERC20Block(t testing.TB, accounts, n int) *erc20Block {
	t.Helper()
	cfg := DefaultConfig()
	gen, err := NewGenesis(GenesisOptions{Config: cfg, AccountClass: loadClass(t, accountFile), TokenClass: loadClass(t, erc20File),
		Accounts: accounts, Seed: 42, Balance: felt.FromUint64(1_000_000_000_000_000_000)})
	if err != nil {
		t.Fatal(err)
	}
	b := &erc20Block{exec: &Executor{Config: cfg, Classes: gen.Classes}, gen: gen}
	if b.txs, err = TransferBlock(cfg, gen, n); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenesisStorageVariables(t *testing.T) {
	// The reference scenario's keys of these variables.
	if got := StorageVarAddress("Account_public_key"); got != f("0x1379ac0624b939ceb9dede92211d7db5ee174fe28be72245b0a1a2abd81c98f") {
		t.Errorf("Account_public_key at %s", got)
	}
	if got := StorageVarAddress("ERC20_total_supply"); got != f("0x110e2f729c9c2b988559994a3daccd838cf52faf88e18101373e67dd061455a") {
		t.Errorf("ERC20_total_supply at %s", got)
	}
	if got := BalanceKey(f("0xe89b022e2ee90c7a52035ff621ff912c6fe799365d467ae1a46ddc2f0c09a2")); got != f("0x63cf8e47451585b0b233a01ba75a172d05fd38094855559f197e2c587a62d34") {
		t.Errorf("ERC20_balances(account) at %s", got)
	}
	if _, err := NewGenesis(GenesisOptions{}); err == nil {
		t.Error("a genesis without classes was accepted")
	}
}

// TestERC20BlockParallel executes a block of signed transfers
// sequentially and with 1, 2 and 4 workers under both schedulers, and
// checks both against executing the transactions directly on a plain
// state (where the fee transfer reads and writes the sequencer's balance).
// TestERC20BlockParallel runs signed transfers among 10,000 accounts and
// between 2 accounts sequentially and with 1, 2 and 4 workers under both
// schedulers. make conformance (KAIRO_CONFORMANCE_LONG=1) runs the full
// block of 1,000 transfers.
func TestERC20BlockParallel(t *testing.T) {
	long := os.Getenv("KAIRO_CONFORMANCE_LONG") != ""
	for _, tc := range []struct{ accounts, n int }{{10000, 200}, {2, 30}} {
		switch {
		case long && tc.accounts == 10000:
			tc.n = 1000
		case testing.Short():
			tc.n /= 5
		}
		t.Run(fmt.Sprintf("accounts=%d", tc.accounts), func(t *testing.T) {
			b := newERC20Block(t, tc.accounts, tc.n)
			seq, err := b.exec.RunBlock(b.txs, b.gen.State, blockstm.Options{}, true)
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstPlain(t, b, seq)
			for _, sched := range []blockstm.SchedulerKind{blockstm.Classic, blockstm.Dependents} {
				for _, w := range []int{1, 2, 4} {
					par, err := b.exec.RunBlock(b.txs, b.gen.State, blockstm.Options{Workers: w, Scheduler: sched}, false)
					if err != nil {
						t.Fatal(err)
					}
					if m := SameResults(seq, par); m != "" {
						t.Errorf("%s, %d workers: differs from sequential: %s", sched, w, m)
					}
				}
			}
		})
	}
}

// checkAgainstPlain executes the block's transactions one by one on a
// plain state and compares the receipts' fee transfers and the state.
func checkAgainstPlain(t *testing.T, b *erc20Block, res *BlockResult) {
	t.Helper()
	st := execution.NewMemState()
	for k, v := range b.gen.State {
		if err := st.Write(k, v); err != nil {
			t.Fatal(err)
		}
	}
	var fees felt.Felt
	for i, tx := range b.txs {
		rc, err := b.exec.Execute(st, tx)
		if err != nil || res.Errors[i] != nil {
			t.Fatalf("transaction %d: %v / %v", i, err, res.Errors[i])
		}
		got := res.Receipts[i]
		if got.ActualFee != rc.ActualFee || !reflect.DeepEqual(got.Execute, rc.Execute) || !reflect.DeepEqual(got.Validate, rc.Validate) {
			t.Fatalf("transaction %d: receipt differs from plain execution", i)
		}
		if !reflect.DeepEqual(got.FeeTransfer, rc.FeeTransfer) {
			t.Fatalf("transaction %d: fee transfer %+v, plain %+v", i, got.FeeTransfer, rc.FeeTransfer)
		}
		if len(got.Deltas) == 0 {
			t.Fatalf("transaction %d: the fee was not credited by a delta", i)
		}
		fees = fees.Add(rc.ActualFee)
	}
	plain := st.Diff()
	inPlain := map[state.Key]felt.Felt{}
	for _, kv := range plain {
		inPlain[kv.Key] = kv.Value
	}
	for _, kv := range res.Diff {
		if inPlain[kv.Key] != kv.Value {
			t.Errorf("%s = %s, plain execution %s", kv.Key, kv.Value, inPlain[kv.Key])
		}
	}
	inBlock := map[state.Key]bool{}
	for _, kv := range res.Diff {
		inBlock[kv.Key] = true
	}
	for _, kv := range plain {
		if b.gen.State[kv.Key] != kv.Value && !inBlock[kv.Key] {
			t.Errorf("%s changed in plain execution only", kv.Key)
		}
	}
	seqBal := state.StorageKey(b.exec.Config.FeeToken, BalanceKey(b.exec.Config.Block.SequencerAddress))
	if inPlain[seqBal] != fees || fees.IsZero() {
		t.Errorf("sequencer balance %s, want the fees %s", inPlain[seqBal], fees)
	}
}

// TestRejectionsInBlock: a bad nonce and a bad signature are rejected in
// a block and change nothing; the other transactions still execute.
func TestRejectionsInBlock(t *testing.T) {
	b := newERC20Block(t, 4, 4)
	bad := *b.txs[1]
	bad.Nonce = felt.FromUint64(7)
	if err := bad.Sign(b.exec.Config.ChainID, b.gen.Accounts[1].PrivateKey); err != nil {
		t.Fatal(err)
	}
	badSig := *b.txs[2]
	badSig.Signature = []felt.Felt{felt.One, felt.One}
	txs := []*Tx{b.txs[0], &bad, &badSig, b.txs[3]}
	res, err := b.exec.RunBlock(txs, b.gen.State, blockstm.Options{Workers: 2}, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, wantCode := range []string{"", CodeInvalidNonce, execution.CodeTransactionFailed, ""} {
		var code string
		if e, ok := res.Errors[i].(*execution.Error); ok {
			code = e.Code
		} else if res.Errors[i] != nil {
			t.Fatalf("transaction %d: %v", i, res.Errors[i])
		}
		if code != wantCode {
			t.Errorf("transaction %d: code %q, want %q", i, code, wantCode)
		}
	}
	for _, kv := range res.Diff {
		if kv.Key.Kind == state.Nonce && (kv.Key.Contract == bad.Sender || kv.Key.Contract == badSig.Sender) {
			t.Errorf("a rejected transaction bumped the nonce of %s", kv.Key.Contract)
		}
	}
}

// BenchmarkERC20Transfers measures blocks of signed fee-token transfers
// (1,000 transactions) sequentially and with 2 Block-STM workers, among
// 10,000 accounts (few conflicts) and 2 accounts (every transaction
// conflicts): tx/s, Cairo steps/s, and the average microseconds per
// transaction of each phase (validation, execution, fee, commit; the
// final execution of each transaction).
func BenchmarkERC20Transfers(b *testing.B) {
	for _, accounts := range []int{10000, 2} {
		blk := newERC20Block(b, accounts, 1000)
		for _, mode := range []struct {
			name       string
			workers    int
			sequential bool
		}{{"sequential", 1, true}, {"workers=2", 2, false}} {
			b.Run(fmt.Sprintf("accounts=%d/%s", accounts, mode.name), func(b *testing.B) {
				var steps uint64
				var split Timing
				for i := 0; i < b.N; i++ {
					res, err := blk.exec.RunBlock(blk.txs, blk.gen.State, blockstm.Options{Workers: mode.workers, Scheduler: blockstm.Dependents}, mode.sequential)
					if err != nil {
						b.Fatal(err)
					}
					for j, rc := range res.Receipts {
						if rc == nil {
							b.Fatalf("transaction %d rejected: %v", j, res.Errors[j])
						}
						for _, c := range rc.Calls() {
							steps += c.Resources.Steps
						}
						split.Add(rc.Timing)
					}
				}
				s := b.Elapsed().Seconds()
				n := float64(b.N * len(blk.txs))
				b.ReportMetric(n/s, "tx/s")
				b.ReportMetric(float64(steps)/s, "steps/s")
				us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / n }
				b.ReportMetric(us(split.Validation), "validation-us/tx")
				b.ReportMetric(us(split.Execution), "execution-us/tx")
				b.ReportMetric(us(split.Fee), "fee-us/tx")
				b.ReportMetric(us(split.Commit), "commit-us/tx")
			})
		}
	}
}
