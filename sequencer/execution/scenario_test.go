package execution

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

type refCall struct {
	ContractAddress    string            `json:"contract_address"`
	ClassHash          string            `json:"class_hash"`
	CallerAddress      string            `json:"caller_address"`
	CallType           string            `json:"call_type"`
	EntryPointType     string            `json:"entry_point_type"`
	EntryPointSelector string            `json:"entry_point_selector"`
	Calldata           []string          `json:"calldata"`
	Retdata            []string          `json:"retdata"`
	Events             []refEvent        `json:"events"`
	Messages           []json.RawMessage `json:"l2_to_l1_messages"`
	Resources          struct {
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
	Label               string   `json:"label"`
	TxType              string   `json:"tx_type"`
	TxHash              string   `json:"tx_hash"`
	Version             int      `json:"version"`
	ContractAddress     string   `json:"contract_address"`
	ClassHash           string   `json:"class_hash"`
	Salt                string   `json:"salt"`
	ConstructorCalldata []string `json:"constructor_calldata"`
	Selector            string   `json:"entry_point_selector"`
	EntryPoint          string   `json:"entry_point"`
	Calldata            []string `json:"calldata"`
	Status              string   `json:"status"`
	ErrorCode           string   `json:"error_code"`
	ErrorMessage        string   `json:"error_message"`
	Execute             *refCall `json:"execute_call_info"`
	StateDiff           struct {
		StorageWrites []struct{ Contract, Key, Value string } `json:"storage_writes"`
		Deployed      map[string]string                       `json:"deployed_contracts"`
	} `json:"state_diff"`
}

type refScenario struct {
	ClassFiles  map[string]string `json:"class_files"`
	Environment struct {
		ChainID          string `json:"chain_id"`
		SequencerAddress string `json:"sequencer_address"`
		MaxSteps         uint64 `json:"invoke_tx_max_n_steps"`
		BlockInfo        struct {
			Number    uint64 `json:"block_number"`
			Timestamp uint64 `json:"block_timestamp"`
		} `json:"block_info"`
	} `json:"environment"`
	Transactions []refTx `json:"transactions"`
}

func loadScenario(t *testing.T, name string) *refScenario {
	t.Helper()
	b := shared.ReadFixture(t, "starknet-reference", name)
	var s refScenario
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func f(s string) felt.Felt { return felt.MustFromString(s) }

func felts(ss []string) []felt.Felt {
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

// compareCall reports every difference between a call tree and the
// reference's.
func compareCall(t *testing.T, where string, got *CallInfo, want *refCall) {
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
	var evs []refEvent
	for _, e := range got.Events {
		evs = append(evs, refEvent{Order: e.Order, Keys: hexes(e.Keys), Data: hexes(e.Data)})
	}
	if evs == nil {
		evs = []refEvent{}
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

func TestScenarioERC20DirectV0(t *testing.T) {
	sc := loadScenario(t, "scenario_erc20_direct_v0.json")
	cls, err := contract.Load(shared.Fixture(t, strings.TrimPrefix(sc.ClassFiles["erc20"], "shared/fixtures/")))
	if err != nil {
		t.Fatal(err)
	}
	classes := NewClassMap()
	st := NewMemState()
	env := sc.Environment
	newCtx := func(tx refTx) *Context {
		return &Context{
			Block:    BlockInfo{Number: env.BlockInfo.Number, Timestamp: env.BlockInfo.Timestamp, SequencerAddress: f(env.SequencerAddress)},
			Tx:       TxInfo{Version: felt.FromUint64(uint64(tx.Version)), Hash: f(tx.TxHash), ChainID: f(env.ChainID)},
			Classes:  classes,
			MaxSteps: env.MaxSteps,
		}
	}
	matched := 0
	for _, tx := range sc.Transactions {
		t.Run(tx.Label, func(t *testing.T) {
			defer func() {
				if !t.Failed() {
					matched++
				}
			}()
			switch tx.TxType {
			case "DeprecatedInternalDeclare":
				if cls.Hash.String() != tx.ClassHash {
					t.Fatalf("class hash %s, want %s", cls.Hash, tx.ClassHash)
				}
				classes.Declare(cls)
			case "InternalDeploy":
				addr := ContractAddress(f(tx.Salt), f(tx.ClassHash), felts(tx.ConstructorCalldata), felt.Zero)
				if addr.String() != tx.ContractAddress {
					t.Fatalf("contract address %s, want %s", addr, tx.ContractAddress)
				}
				o := NewOverlay(st)
				if err := Deploy(newCtx(tx), o, addr, f(tx.ClassHash)); err != nil {
					t.Fatal(err)
				}
				ci, err := Run(newCtx(tx), o, Entry{Contract: addr, Selector: contract.ConstructorSelector,
					Calldata: felts(tx.ConstructorCalldata), Type: contract.Constructor})
				if err != nil {
					t.Fatal(err)
				}
				compareCall(t, tx.Label, ci, tx.Execute)
				compareWrites(t, o, tx)
				if err := o.Commit(); err != nil {
					t.Fatal(err)
				}
			case "DeprecatedInternalInvokeFunction":
				if contract.Selector(tx.EntryPoint).String() != tx.Selector {
					t.Fatalf("selector of %s: %s, want %s", tx.EntryPoint, contract.Selector(tx.EntryPoint), tx.Selector)
				}
				o := NewOverlay(st)
				ci, err := Run(newCtx(tx), o, Entry{Contract: f(tx.ContractAddress), Selector: f(tx.Selector),
					Calldata: felts(tx.Calldata), Type: contract.External})
				if tx.Status == "REJECTED" {
					checkRejection(t, err, tx)
					if len(o.Writes()) != 0 {
						t.Errorf("a rejected call left writes: %v", o.Writes())
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				compareCall(t, tx.Label, ci, tx.Execute)
				compareWrites(t, o, tx)
				if err := o.Commit(); err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatalf("unexpected transaction type %s", tx.TxType)
			}
		})
	}
	t.Logf("scenario transactions matched: %d/%d", matched, len(sc.Transactions))
}

func compareWrites(t *testing.T, o *Overlay, tx refTx) {
	t.Helper()
	var got, want []string
	for _, kv := range o.Writes() {
		switch kv.Key.Kind {
		case state.Storage:
			got = append(got, kv.Key.Contract.String()+" "+kv.Key.Slot.String()+" "+kv.Value.String())
		case state.ClassHash:
			got = append(got, "deploy "+kv.Key.Contract.String()+" "+kv.Value.String())
		}
	}
	for _, w := range tx.StateDiff.StorageWrites {
		want = append(want, w.Contract+" "+w.Key+" "+w.Value)
	}
	for a, c := range tx.StateDiff.Deployed {
		want = append(want, "deploy "+a+" "+c)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("state writes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// checkRejection compares a rejected call's error with the reference: the
// code, and the message up to the Python traceback of a failing hint
// (whose last line must name the same error).
func checkRejection(t *testing.T, err error, tx refTx) {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v (%T), want a rejection %s", err, err, tx.ErrorCode)
	}
	if "StarknetErrorCode."+e.Code != tx.ErrorCode {
		t.Errorf("code %s, want %s", e.Code, tx.ErrorCode)
	}
	want, got := tx.ErrorMessage, e.Message
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
