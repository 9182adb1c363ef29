// Package reference reads the Starknet reference scenarios that
// cairo-lang's own Starknet logic produced (../shared/fixtures/
// starknet-reference) and compares kairo's call trees and rejections with
// them. Tests of sequencer/execution and sequencer/txn share it.
package reference

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/vm/felt"
)

// Call is a call tree as the reference records it (CallInfo).
type Call struct {
	ContractAddress    string   `json:"contract_address"`
	ClassHash          string   `json:"class_hash"`
	CallerAddress      string   `json:"caller_address"`
	CallType           string   `json:"call_type"`
	EntryPointType     string   `json:"entry_point_type"`
	EntryPointSelector string   `json:"entry_point_selector"`
	Calldata           []string `json:"calldata"`
	Retdata            []string `json:"retdata"`
	Events             []Event  `json:"events"`
	Messages           []struct {
		To      string   `json:"to_address"`
		Payload []string `json:"payload"`
	} `json:"l2_to_l1_messages"`
	Resources struct {
		Steps    uint64            `json:"n_steps"`
		Holes    uint64            `json:"n_memory_holes"`
		Builtins map[string]uint64 `json:"builtin_instance_counter"`
	} `json:"execution_resources"`
	StorageReadValues   []string `json:"storage_read_values"`
	AccessedStorageKeys []string `json:"accessed_storage_keys"`
	InnerCalls          []*Call  `json:"inner_calls"`
}

// Event is an event of a call.
type Event struct {
	Order int      `json:"order"`
	Keys  []string `json:"keys"`
	Data  []string `json:"data"`
}

// Tx is one transaction of a scenario with what it did.
type Tx struct {
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
	EntryPoint          string            `json:"entry_point"`
	Calldata            []string          `json:"calldata"`
	Signature           []string          `json:"signature"`
	Nonce               *json.Number      `json:"nonce"`
	MaxFee              json.Number       `json:"max_fee"`
	Status              string            `json:"status"`
	ErrorCode           string            `json:"error_code"`
	ErrorMessage        string            `json:"error_message"`
	ActualFee           json.Number       `json:"actual_fee"`
	ActualResources     map[string]uint64 `json:"actual_resources"`
	Validate            *Call             `json:"validate_call_info"`
	Execute             *Call             `json:"execute_call_info"`
	FeeTransfer         *Call             `json:"fee_transfer_call_info"`
	StateDiff           struct {
		StorageWrites []struct{ Contract, Key, Value string } `json:"storage_writes"`
		Nonces        map[string]uint64                       `json:"nonces"`
		Deployed      map[string]string                       `json:"deployed_contracts"`
	} `json:"state_diff"`
}

// Scenario is a reference scenario: its classes, environment, setup and
// transactions.
type Scenario struct {
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
	Transactions []Tx `json:"transactions"`
}

// Load reads a scenario of the reference folder, skipping the test when
// the shared fixtures are absent. Numbers that may exceed 64 bits (fees)
// are kept as json.Number.
func Load(tb testing.TB, name string) *Scenario {
	tb.Helper()
	b := shared.ReadFixture(tb, "starknet-reference", name)
	var s Scenario
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&s); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return &s
}

// ClassFile is the path of one of the scenario's class files
// ("shared/fixtures/..." in the reference) under the fixtures folder.
func ClassFile(tb testing.TB, file string) string {
	tb.Helper()
	return shared.Fixture(tb, strings.TrimPrefix(file, "shared/fixtures/"))
}

// Felt parses a reference value (hex or decimal).
func Felt(s string) felt.Felt { return felt.MustFromString(s) }

// Felts parses a list of reference values.
func Felts(ss []string) []felt.Felt {
	out := make([]felt.Felt, len(ss))
	for i, s := range ss {
		out[i] = Felt(s)
	}
	return out
}

// Number parses a JSON number (zero when absent).
func Number(tb testing.TB, n json.Number) felt.Felt {
	tb.Helper()
	if n == "" {
		return felt.Zero
	}
	v, err := felt.FromString(n.String())
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// Hexes prints values as the reference does.
func Hexes(fs []felt.Felt) []string {
	out := make([]string, len(fs))
	for i, v := range fs {
		out[i] = v.String()
	}
	return out
}

// CompareCall reports every difference between a call tree and the
// reference's.
func CompareCall(tb testing.TB, where string, got *execution.CallInfo, want *Call) {
	tb.Helper()
	check := func(what string, g, w any) {
		tb.Helper()
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		if string(gj) != string(wj) {
			tb.Errorf("%s: %s = %s, want %s", where, what, gj, wj)
		}
	}
	check("contract", got.Contract.String(), want.ContractAddress)
	check("class hash", got.ClassHash.String(), want.ClassHash)
	check("caller", got.Caller.String(), want.CallerAddress)
	check("selector", got.Selector.String(), want.EntryPointSelector)
	check("entry point type", got.Type.String(), want.EntryPointType)
	check("call type", got.CallType.String(), want.CallType)
	check("calldata", Hexes(got.Calldata), want.Calldata)
	check("retdata", Hexes(got.Retdata), want.Retdata)
	evs := []Event{}
	for _, e := range got.Events {
		evs = append(evs, Event{Order: e.Order, Keys: Hexes(e.Keys), Data: Hexes(e.Data)})
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
	check("storage_read_values", Hexes(got.StorageReadValues), want.StorageReadValues)
	check("accessed_storage_keys", Hexes(got.AccessedStorageKeys), want.AccessedStorageKeys)
	if len(got.Inner) != len(want.InnerCalls) {
		tb.Errorf("%s: %d inner calls, want %d", where, len(got.Inner), len(want.InnerCalls))
		return
	}
	for i := range got.Inner {
		CompareCall(tb, where+"/inner", got.Inner[i], want.InnerCalls[i])
	}
}

// CheckRejection compares a rejection with the reference: the code, and
// the message up to the Python traceback of a failing hint (whose last
// line must name the same error).
func CheckRejection(tb testing.TB, err error, tx Tx) {
	tb.Helper()
	e, ok := err.(*execution.Error)
	if !ok {
		tb.Fatalf("error %v (%T), want a rejection %s", err, err, tx.ErrorCode)
	}
	if "StarknetErrorCode."+e.Code != tx.ErrorCode {
		tb.Errorf("code %s, want %s", e.Code, tx.ErrorCode)
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
			tb.Errorf("hint error %q, want %q", got, last)
		}
		if k >= 0 {
			got = got[:k]
		}
	}
	if got != want {
		tb.Errorf("message:\n%s\nwant:\n%s", got, want)
	}
}
