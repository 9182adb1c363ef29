package txn

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/sequencer/internal/reference"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// scenarioEnv is the executor and state of a reference scenario.
type scenarioEnv struct {
	exec    *Executor
	classes *execution.ClassMap
	byHash  map[felt.Felt]*contract.Class
}

func newScenarioEnv(t testing.TB, sc *reference.Scenario, st execution.State) *scenarioEnv {
	t.Helper()
	env := sc.Environment
	cfg := DefaultConfig()
	cfg.ChainID = f(env.ChainID)
	cfg.FeeToken = f(env.FeeToken)
	cfg.Block = execution.BlockInfo{Number: env.BlockInfo.Number, Timestamp: env.BlockInfo.Timestamp, SequencerAddress: f(env.SequencerAddress)}
	cfg.L1GasPriceWei = felt.FromUint64(env.BlockInfo.L1GasPrice.Wei)
	cfg.L1GasPriceFri = felt.FromUint64(env.BlockInfo.L1GasPrice.Fri)
	cfg.ValidateMaxSteps, cfg.InvokeMaxSteps = env.ValidateMaxSteps, env.MaxSteps
	s := &scenarioEnv{classes: execution.NewClassMap(), byHash: map[felt.Felt]*contract.Class{}}
	s.exec = &Executor{Config: cfg, Classes: s.classes}
	for _, file := range sc.ClassFiles {
		cls, err := contract.Load(reference.ClassFile(t, file))
		if err != nil {
			t.Fatal(err)
		}
		s.byHash[cls.Hash] = cls
	}
	if sc.Setup.FeeToken != "" {
		h := f(sc.Setup.FeeTokenClassHash)
		s.classes.Declare(s.byHash[h])
		if err := st.Write(state.ClassHashKey(f(sc.Setup.FeeToken)), h); err != nil {
			t.Fatal(err)
		}
		for _, w := range sc.Setup.Prefunded {
			if err := st.Write(state.StorageKey(f(w.Contract), f(w.Key)), f(w.Value)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

// tx builds the transaction of a reference row.
func (s *scenarioEnv) tx(t testing.TB, r reference.Tx) *Tx {
	t.Helper()
	tx := &Tx{Version: r.Version, Calldata: reference.Felts(r.Calldata), Signature: reference.Felts(r.Signature), MaxFee: reference.Number(t, r.MaxFee)}
	if r.Nonce != nil {
		tx.Nonce = reference.Number(t, *r.Nonce)
	}
	switch r.TxType {
	case "DeprecatedInternalDeclare":
		tx.Type, tx.Sender = Declare, f(r.SenderAddress)
		tx.Class = s.byHash[f(r.ClassHash)]
		if tx.Class == nil {
			t.Fatalf("no class with hash %s", r.ClassHash)
		}
	case "InternalDeploy":
		tx.Type, tx.ClassHash, tx.Salt, tx.Calldata = Deploy, f(r.ClassHash), f(r.Salt), reference.Felts(r.ConstructorCalldata)
	case "DeprecatedInternalDeployAccount":
		tx.Type, tx.ClassHash, tx.Salt, tx.Calldata = DeployAccount, f(r.ClassHash), f(r.Salt), reference.Felts(r.ConstructorCalldata)
	case "DeprecatedInternalInvokeFunction":
		tx.Type = Invoke
		if r.Version == 0 {
			tx.Sender, tx.EntryPointSelector = f(r.ContractAddress), f(r.Selector)
		} else {
			tx.Sender = f(r.SenderAddress)
		}
	default:
		t.Fatalf("unexpected transaction type %s", r.TxType)
	}
	return tx
}

// runScenario executes every transaction of a reference scenario and
// compares it with the reference.
func runScenario(t *testing.T, name string) {
	sc := reference.Load(t, name)
	st := execution.NewMemState()
	s := newScenarioEnv(t, sc, st)
	matched, hashes := 0, 0
	for _, r := range sc.Transactions {
		t.Run(r.Label, func(t *testing.T) {
			defer func() {
				if !t.Failed() {
					matched++
				}
			}()
			tx := s.tx(t, r)
			h, err := tx.Hash(s.exec.Config.ChainID)
			if err != nil {
				t.Fatal(err)
			}
			if h.String() != r.TxHash {
				t.Errorf("tx hash %s, want %s", h, r.TxHash)
			} else {
				hashes++
			}
			if r.ContractAddress != "" && tx.Type != Invoke && tx.Address().String() != r.ContractAddress {
				t.Errorf("address %s, want %s", tx.Address(), r.ContractAddress)
			}
			before := st.Diff()
			rc, err := s.exec.Execute(st, tx)
			if r.Status == "REJECTED" {
				reference.CheckRejection(t, err, r)
				if m := before.Mismatch(st.Diff()); m != "" {
					t.Errorf("a rejected transaction changed the state: %s", m)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rc.DeclaredClass != nil {
				s.classes.Declare(rc.DeclaredClass)
			}
			compareReceipt(t, rc, r)
		})
	}
	t.Logf("%s: transactions matched %d/%d, hashes %d/%d", name, matched, len(sc.Transactions), hashes, len(sc.Transactions))
}

func TestScenarioAccountERC20NoFee(t *testing.T) { runScenario(t, "scenario_account_erc20_nofee.json") }
func TestScenarioAccountERC20Fee(t *testing.T)   { runScenario(t, "scenario_account_erc20_fee.json") }
func TestScenarioERC20DirectV0(t *testing.T)     { runScenario(t, "scenario_erc20_direct_v0.json") }

func compareReceipt(t *testing.T, rc *Receipt, r reference.Tx) {
	t.Helper()
	if rc.Status != Accepted {
		t.Errorf("status %s, want ACCEPTED", rc.Status)
	}
	if got := rc.ActualFee.Decimal(); got != r.ActualFee.String() {
		t.Errorf("actual fee %s, want %s", got, r.ActualFee)
	}
	res := map[string]uint64{"l1_gas_usage": rc.Resources.L1Gas, "n_steps": rc.Resources.Steps}
	for k, v := range rc.Resources.Builtins {
		res[k] = v
	}
	gj, _ := json.Marshal(res)
	wj, _ := json.Marshal(r.ActualResources)
	if string(gj) != string(wj) {
		t.Errorf("actual resources %s, want %s", gj, wj)
	}
	compareOptCall(t, "validate", rc.Validate, r.Validate)
	compareOptCall(t, "execute", rc.Execute, r.Execute)
	compareOptCall(t, "fee transfer", rc.FeeTransfer, r.FeeTransfer)

	var got, want []string
	for _, kv := range rc.Writes {
		switch kv.Key.Kind {
		case state.Storage:
			got = append(got, kv.Key.Contract.String()+" "+kv.Key.Slot.String()+" "+kv.Value.String())
		case state.ClassHash:
			got = append(got, "deploy "+kv.Key.Contract.String()+" "+kv.Value.String())
		case state.Nonce:
			got = append(got, "nonce "+kv.Key.Contract.String()+" "+kv.Value.Decimal())
		}
	}
	for _, w := range r.StateDiff.StorageWrites {
		want = append(want, w.Contract+" "+w.Key+" "+w.Value)
	}
	for a, c := range r.StateDiff.Deployed {
		want = append(want, "deploy "+a+" "+c)
	}
	for a, n := range r.StateDiff.Nonces {
		want = append(want, "nonce "+a+" "+felt.FromUint64(n).Decimal())
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("state writes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func compareOptCall(t *testing.T, where string, got *execution.CallInfo, want *reference.Call) {
	t.Helper()
	if (got == nil) != (want == nil) {
		t.Errorf("%s: call %v, want %v", where, got != nil, want != nil)
		return
	}
	if got != nil {
		reference.CompareCall(t, where, got, want)
	}
}
