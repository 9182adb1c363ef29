package txn

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

type refCall struct {
	ContractAddress    string     `json:"contract_address"`
	ClassHash          string     `json:"class_hash"`
	CallerAddress      string     `json:"caller_address"`
	CallType           string     `json:"call_type"`
	EntryPointType     string     `json:"entry_point_type"`
	EntryPointSelector string     `json:"entry_point_selector"`
	Calldata           []string   `json:"calldata"`
	Retdata            []string   `json:"retdata"`
	Events             []refEvent `json:"events"`
	Messages           []struct {
		To      string   `json:"to_address"`
		Payload []string `json:"payload"`
	} `json:"l2_to_l1_messages"`
	Resources struct {
		Steps    uint64            `json:"n_steps"`
		Holes    uint64            `json:"n_memory_holes"`
		Builtins map[string]uint64 `json:"builtin_instance_counter"`
	} `json:"execution_resources"`
	StorageReadValues   []string   `json:"storage_read_values"`
	AccessedStorageKeys []string   `json:"accessed_storage_keys"`
	InnerCalls          []*refCall `json:"inner_calls"`
}

type refEvent struct {
	Order int      `json:"order"`
	Keys  []string `json:"keys"`
	Data  []string `json:"data"`
}

type refTx struct {
	Label               string            `json:"label"`
	TxType              string            `json:"tx_type"`
	TxHash              string            `json:"tx_hash"`
	Version             uint64            `json:"version"`
	SenderAddress       string            `json:"sender_address"`
	ContractAddress     string            `json:"contract_address"`
	ClassHash           string            `json:"class_hash"`
	Salt                string            `json:"salt"`
	ConstructorCalldata []string          `json:"constructor_calldata"`
	Selector            string            `json:"entry_point_selector"`
	Calldata            []string          `json:"calldata"`
	Signature           []string          `json:"signature"`
	Nonce               *json.Number      `json:"nonce"`
	MaxFee              json.Number       `json:"max_fee"`
	Status              string            `json:"status"`
	ErrorCode           string            `json:"error_code"`
	ErrorMessage        string            `json:"error_message"`
	ActualFee           json.Number       `json:"actual_fee"`
	ActualResources     map[string]uint64 `json:"actual_resources"`
	Validate            *refCall          `json:"validate_call_info"`
	Execute             *refCall          `json:"execute_call_info"`
	FeeTransfer         *refCall          `json:"fee_transfer_call_info"`
	StateDiff           struct {
		StorageWrites []struct{ Contract, Key, Value string } `json:"storage_writes"`
		Nonces        map[string]uint64                       `json:"nonces"`
		Deployed      map[string]string                       `json:"deployed_contracts"`
	} `json:"state_diff"`
}

type refScenario struct {
	ClassFiles  map[string]string `json:"class_files"`
	Environment struct {
		ChainID          string `json:"chain_id"`
		FeeToken         string `json:"deprecated_fee_token_address"`
		SequencerAddress string `json:"sequencer_address"`
		ValidateMaxSteps uint64 `json:"validate_max_n_steps"`
		MaxSteps         uint64 `json:"invoke_tx_max_n_steps"`
		BlockInfo        struct {
			Number     uint64                    `json:"block_number"`
			Timestamp  uint64                    `json:"block_timestamp"`
			L1GasPrice struct{ Wei, Fri uint64 } `json:"l1_gas_price"`
		} `json:"block_info"`
	} `json:"environment"`
	Setup struct {
		FeeToken          string                                  `json:"fee_token"`
		FeeTokenClassHash string                                  `json:"fee_token_class_hash"`
		Prefunded         []struct{ Contract, Key, Value string } `json:"prefunded_storage"`
	} `json:"setup"`
	Transactions []refTx `json:"transactions"`
}

func loadScenario(t testing.TB, name string) *refScenario {
	t.Helper()
	b := shared.ReadFixture(t, "starknet-reference", name)
	var s refScenario
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func strs(ss []string) []felt.Felt {
	out := make([]felt.Felt, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

func hexes(fs []felt.Felt) []string {
	out := make([]string, len(fs))
	for i, v := range fs {
		out[i] = v.String()
	}
	return out
}

func numFelt(t testing.TB, n json.Number) felt.Felt {
	t.Helper()
	if n == "" {
		return felt.Zero
	}
	v, err := felt.FromString(n.String())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// scenarioEnv is the executor and state of a reference scenario.
type scenarioEnv struct {
	exec    *Executor
	classes *execution.ClassMap
	byHash  map[felt.Felt]*contract.Class
}

func newScenarioEnv(t testing.TB, sc *refScenario, st execution.State) *scenarioEnv {
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
		cls, err := contract.Load(shared.Fixture(t, strings.TrimPrefix(file, "shared/fixtures/")))
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
func (s *scenarioEnv) tx(t testing.TB, r refTx) *Tx {
	t.Helper()
	tx := &Tx{Version: r.Version, Calldata: strs(r.Calldata), Signature: strs(r.Signature), MaxFee: numFelt(t, r.MaxFee)}
	if r.Nonce != nil {
		tx.Nonce = numFelt(t, *r.Nonce)
	}
	switch r.TxType {
	case "DeprecatedInternalDeclare":
		tx.Type, tx.Sender = Declare, f(r.SenderAddress)
		tx.Class = s.byHash[f(r.ClassHash)]
		if tx.Class == nil {
			t.Fatalf("no class with hash %s", r.ClassHash)
		}
	case "InternalDeploy":
		tx.Type, tx.ClassHash, tx.Salt, tx.Calldata = Deploy, f(r.ClassHash), f(r.Salt), strs(r.ConstructorCalldata)
	case "DeprecatedInternalDeployAccount":
		tx.Type, tx.ClassHash, tx.Salt, tx.Calldata = DeployAccount, f(r.ClassHash), f(r.Salt), strs(r.ConstructorCalldata)
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
	sc := loadScenario(t, name)
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
				checkRejection(t, err, r)
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

func compareReceipt(t *testing.T, rc *Receipt, r refTx) {
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

func compareOptCall(t *testing.T, where string, got *execution.CallInfo, want *refCall) {
	t.Helper()
	if (got == nil) != (want == nil) {
		t.Errorf("%s: call %v, want %v", where, got != nil, want != nil)
		return
	}
	if got != nil {
		compareCall(t, where, got, want)
	}
}

// compareCall reports every difference between a call tree and the
// reference's.
func compareCall(t *testing.T, where string, got *execution.CallInfo, want *refCall) {
	t.Helper()
	check := func(what string, g, w any) {
		t.Helper()
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		if string(gj) != string(wj) {
			t.Errorf("%s: %s = %s, want %s", where, what, gj, wj)
		}
	}
	check("contract", got.Contract.String(), want.ContractAddress)
	check("class hash", got.ClassHash.String(), want.ClassHash)
	check("caller", got.Caller.String(), want.CallerAddress)
	check("selector", got.Selector.String(), want.EntryPointSelector)
	check("entry point type", got.Type.String(), want.EntryPointType)
	check("call type", got.CallType.String(), want.CallType)
	check("calldata", hexes(got.Calldata), want.Calldata)
	check("retdata", hexes(got.Retdata), want.Retdata)
	evs := []refEvent{}
	for _, e := range got.Events {
		evs = append(evs, refEvent{Order: e.Order, Keys: hexes(e.Keys), Data: hexes(e.Data)})
	}
	check("events", evs, want.Events)
	check("messages", len(got.Messages), len(want.Messages))
	check("n_steps", got.Resources.Steps, want.Resources.Steps)
	check("n_memory_holes", got.Resources.MemoryHoles, want.Resources.Holes)
	gb := got.Resources.Builtins
	if gb == nil {
		gb = map[string]uint64{}
	}
	check("builtins", gb, want.Resources.Builtins)
	check("storage_read_values", hexes(got.StorageReadValues), want.StorageReadValues)
	check("accessed_storage_keys", hexes(got.AccessedStorageKeys), want.AccessedStorageKeys)
	if len(got.Inner) != len(want.InnerCalls) {
		t.Errorf("%s: %d inner calls, want %d", where, len(got.Inner), len(want.InnerCalls))
		return
	}
	for i := range got.Inner {
		compareCall(t, where+"/inner", got.Inner[i], want.InnerCalls[i])
	}
}

// checkRejection compares a rejection with the reference: the code, and
// the message up to the Python traceback of a failing hint (whose last
// line must name the same error).
func checkRejection(t *testing.T, err error, r refTx) {
	t.Helper()
	e, ok := err.(*execution.Error)
	if !ok {
		t.Fatalf("error %v (%T), want a rejection %s", err, err, r.ErrorCode)
	}
	if "StarknetErrorCode."+e.Code != r.ErrorCode {
		t.Errorf("code %s, want %s", e.Code, r.ErrorCode)
	}
	want, got := r.ErrorMessage, e.Message
	if i := strings.Index(want, "\n\nTraceback (most recent call last):"); i >= 0 {
		lines := strings.Split(want, "\n")
		last := lines[len(lines)-1]
		if j := strings.Index(last, ": "); j >= 0 {
			last = last[j+2:]
		}
		want = want[:i]
		k := strings.Index(got, "\n\n")
		if k < 0 || got[k+2:] != last {
			t.Errorf("hint error %q, want %q", got, last)
		}
		if k >= 0 {
			got = got[:k]
		}
	}
	if got != want {
		t.Errorf("message:\n%s\nwant:\n%s", got, want)
	}
}
