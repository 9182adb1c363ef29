package execution

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

const blockifierDir = "cairo0/contracts/sequencer/crates__blockifier_test_utils__resources__feature_contracts__cairo0__compiled__"

func loadClass(t testing.TB, name string) *contract.Class {
	t.Helper()
	c, err := contract.Load(shared.Fixture(t, blockifierDir+name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type syscallEnv struct {
	classes    *ClassMap
	st         *MemState
	cls, other *contract.Class
	a, b       felt.Felt
}

// newSyscallEnv declares blockifier's Cairo 0 test contract and deploys it
// at two addresses.
func newSyscallEnv(t testing.TB) *syscallEnv {
	t.Helper()
	e := &syscallEnv{classes: NewClassMap(), st: NewMemState(), a: felt.FromUint64(0xa11ce), b: felt.FromUint64(0xb0b)}
	e.cls = loadClass(t, "test_contract_compiled.json")
	e.other = loadClass(t, "test_contract2_compiled.json")
	e.classes.Declare(e.cls)
	e.classes.Declare(e.other)
	for _, addr := range []felt.Felt{e.a, e.b} {
		e.st.Write(state.ClassHashKey(addr), e.cls.Hash)
	}
	return e
}

func (e *syscallEnv) ctx() *Context {
	return &Context{
		Block:    BlockInfo{Number: 1234, Timestamp: 1700001234, SequencerAddress: felt.FromUint64(0x5e9)},
		Tx:       TxInfo{Version: felt.One, AccountAddress: felt.FromUint64(0xacc), MaxFee: felt.FromUint64(99), Hash: felt.FromUint64(0x7a5), ChainID: shortString("SN_GOERLI"), Nonce: felt.FromUint64(3), Signature: []felt.Felt{felt.FromUint64(5), felt.FromUint64(7)}},
		Classes:  e.classes,
		MaxSteps: 1_000_000,
	}
}

func (e *syscallEnv) call(ctx *Context, caller felt.Felt, name string, calldata ...felt.Felt) (*CallInfo, *Overlay, error) {
	o := NewOverlay(e.st)
	ci, err := Run(ctx, o, Entry{Contract: e.a, Caller: caller, Selector: contract.Selector(name), Calldata: calldata, Type: contract.External})
	return ci, o, err
}

func u(v uint64) felt.Felt { return felt.FromUint64(v) }

func TestSyscalls(t *testing.T) {
	e := newSyscallEnv(t)
	sel := contract.Selector
	tests := []struct {
		syscall  string
		fn       string
		caller   felt.Felt
		validate bool
		noSig    bool // the contract checks signature_len = 0
		calldata []felt.Felt
		wantErr  string
		check    func(t *testing.T, ci *CallInfo, o *Overlay)
	}{
		{syscall: "storage_read/storage_write", fn: "test_storage_read_write", calldata: []felt.Felt{u(0x10), u(0x11)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				wantRet(t, ci, u(0x11))
				wantWrite(t, o, state.StorageKey(e.a, u(0x10)), u(0x11))
				if !slices.Equal(ci.AccessedStorageKeys, []felt.Felt{u(0x10)}) {
					t.Errorf("accessed keys %v", ci.AccessedStorageKeys)
				}
			}},
		{syscall: "get_caller_address", fn: "test_get_caller_address", caller: u(0x123), calldata: []felt.Felt{u(0x123)}},
		{syscall: "get_caller_address (wrong)", fn: "test_get_caller_address", caller: u(0x124), calldata: []felt.Felt{u(0x123)}, wantErr: "Error at pc="},
		{syscall: "get_contract_address", fn: "test_get_contract_address", calldata: []felt.Felt{e.a}},
		{syscall: "get_block_number", fn: "test_get_block_number", calldata: []felt.Felt{u(1234)}},
		{syscall: "get_block_number (validate)", fn: "test_get_block_number", validate: true, calldata: []felt.Felt{u(1200)}},
		{syscall: "get_block_timestamp", fn: "test_get_block_timestamp", calldata: []felt.Felt{u(1700001234)}},
		{syscall: "get_block_timestamp (validate)", fn: "test_get_block_timestamp", validate: true, calldata: []felt.Felt{u(1700001234 / 3600 * 3600)}},
		{syscall: "get_sequencer_address", fn: "test_get_sequencer_address", calldata: []felt.Felt{u(0x5e9)}},
		{syscall: "get_sequencer_address (validate)", fn: "test_get_sequencer_address", validate: true, calldata: []felt.Felt{u(0x5e9)},
			wantErr: "Unauthorized syscall get_sequencer_address in execution mode VALIDATE."},
		{syscall: "get_tx_info", fn: "test_get_tx_info", noSig: true, calldata: []felt.Felt{felt.One, u(0xacc), u(99), u(0x7a5), shortString("SN_GOERLI"), u(3)}},
		{syscall: "get_tx_signature", fn: "add_signature_to_counters", calldata: []felt.Felt{u(2)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				var vals []felt.Felt
				for _, kv := range o.Writes() {
					vals = append(vals, kv.Value)
				}
				if !slices.Contains(vals, u(5)) || !slices.Contains(vals, u(7)) {
					t.Errorf("the signature [5, 7] is not among the written values %v", vals)
				}
			}},
		{syscall: "emit_event", fn: "test_emit_events", calldata: []felt.Felt{u(2), u(1), u(0xe1), u(2), u(8), u(9)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				if len(ci.Events) != 2 || ci.Events[1].Order != 1 || !slices.Equal(ci.Events[0].Keys, []felt.Felt{u(0xe1)}) ||
					!slices.Equal(ci.Events[0].Data, []felt.Felt{u(8), u(9)}) {
					t.Errorf("events %+v", ci.Events)
				}
			}},
		{syscall: "send_message_to_l1", fn: "send_message", calldata: []felt.Felt{u(0x55)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				if len(ci.Messages) != 1 || ci.Messages[0].To != u(0x55) || ci.Messages[0].Order != 0 {
					t.Errorf("messages %+v", ci.Messages)
				}
			}},
		{syscall: "call_contract", fn: "test_call_contract", calldata: []felt.Felt{e.b, sel("test_storage_read_write"), u(2), u(0x30), u(0x31)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				wantRet(t, ci, u(0x31))
				wantWrite(t, o, state.StorageKey(e.b, u(0x30)), u(0x31))
				wantInner(t, ci, e.b, e.a, Call, contract.External)
			}},
		{syscall: "call_contract (failing callee reverts)", fn: "test_call_contract", calldata: []felt.Felt{e.b, sel("fail"), u(0)},
			wantErr: "Error in the called contract (0xb0b)"},
		{syscall: "call_contract (unknown selector)", fn: "test_call_contract", calldata: []felt.Felt{e.b, sel("nope"), u(0)},
			wantErr: "not found in contract with class hash"},
		{syscall: "call_contract (undeployed)", fn: "test_call_contract", calldata: []felt.Felt{u(0xdead), sel("foo"), u(0)},
			wantErr: "Requested contract address 0xdead is not deployed."},
		{syscall: "call_contract (validate)", fn: "test_call_contract", validate: true, calldata: []felt.Felt{e.b, sel("foo"), u(0)},
			wantErr: "Unauthorized syscall call_contract in execution mode VALIDATE."},
		{syscall: "library_call", fn: "test_library_call", calldata: []felt.Felt{e.cls.Hash, sel("test_storage_read_write"), u(2), u(0x40), u(0x41)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				wantRet(t, ci, u(0x41))
				wantWrite(t, o, state.StorageKey(e.a, u(0x40)), u(0x41))
				wantInner(t, ci, e.a, felt.Zero, Delegate, contract.External)
			}},
		{syscall: "library_call (undeclared)", fn: "test_library_call", calldata: []felt.Felt{u(0x404), sel("foo"), u(0)},
			wantErr: "Class with hash 0x404 is not declared."},
		{syscall: "library_call_l1_handler", fn: "test_library_call_l1_handler", calldata: []felt.Felt{e.cls.Hash, sel("deposit"), u(2), u(0xf00), u(5)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				wantInner(t, ci, e.a, felt.Zero, Delegate, contract.L1Handler)
			}},
		{syscall: "delegate_call", fn: "test_delegate_call", calldata: []felt.Felt{e.b, sel("test_storage_read_write"), u(2), u(0x50), u(0x51)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				wantRet(t, ci, u(0x51))
				wantWrite(t, o, state.StorageKey(e.a, u(0x50)), u(0x51))
				wantInner(t, ci, e.a, felt.Zero, Delegate, contract.External)
			}},
		{syscall: "delegate_l1_handler", fn: "test_delegate_l1_handler", calldata: []felt.Felt{e.b, sel("deposit"), u(2), u(0xf00), u(5)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				wantInner(t, ci, e.a, felt.Zero, Delegate, contract.L1Handler)
			}},
		{syscall: "deploy", fn: "test_deploy", calldata: []felt.Felt{e.cls.Hash, u(0x5a17), u(2), u(0x60), u(0x61), u(0)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				addr := ContractAddress(u(0x5a17), e.cls.Hash, []felt.Felt{u(0x60), u(0x61)}, e.a)
				wantRet(t, ci, addr)
				wantWrite(t, o, state.ClassHashKey(addr), e.cls.Hash)
				wantWrite(t, o, state.StorageKey(addr, u(0x60)), u(0x61))
				wantInner(t, ci, addr, e.a, Call, contract.Constructor)
			}},
		{syscall: "deploy (from zero)", fn: "test_deploy", calldata: []felt.Felt{e.cls.Hash, u(0x5a17), u(2), u(0x60), u(0x61), u(1)},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				wantRet(t, ci, ContractAddress(u(0x5a17), e.cls.Hash, []felt.Felt{u(0x60), u(0x61)}, felt.Zero))
			}},
		{syscall: "deploy (bad deploy_from_zero)", fn: "test_deploy", calldata: []felt.Felt{e.cls.Hash, u(1), u(2), u(0x60), u(0x61), u(2)},
			wantErr: "deploy_from_zero field in the deploy system call must be 0 or 1"},
		{syscall: "replace_class", fn: "test_replace_class", calldata: []felt.Felt{e.other.Hash},
			check: func(t *testing.T, ci *CallInfo, o *Overlay) {
				wantWrite(t, o, state.ClassHashKey(e.a), e.other.Hash)
			}},
		{syscall: "replace_class (undeclared)", fn: "test_replace_class", calldata: []felt.Felt{u(0x404)},
			wantErr: "Class with hash 0x404 is not declared."},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.syscall, func(t *testing.T) {
			ctx := e.ctx()
			if tc.validate {
				ctx.Mode = Validate
			}
			if tc.noSig {
				ctx.Tx.Signature = nil
			}
			ci, o, err := e.call(ctx, tc.caller, tc.fn, tc.calldata...)
			if tc.wantErr != "" {
				var se *Error
				if !errors.As(err, &se) || !strings.Contains(se.Message, tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				if len(o.Writes()) != 0 {
					t.Errorf("the failed call left writes %v", o.Writes())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, ci, o)
			}
			covered[strings.Fields(tc.syscall)[0]] = true
		})
	}
	for _, name := range SyscallNames() {
		found := false
		for c := range covered {
			if strings.Contains(c, name) {
				found = true
			}
		}
		if !found {
			t.Errorf("syscall %s has no passing test", name)
		}
	}
}

func wantRet(t *testing.T, ci *CallInfo, want ...felt.Felt) {
	t.Helper()
	if !slices.Equal(ci.Retdata, want) {
		t.Errorf("retdata %v, want %v", ci.Retdata, want)
	}
}

func wantWrite(t *testing.T, o *Overlay, k state.Key, v felt.Felt) {
	t.Helper()
	got, _ := o.Read(k)
	if got != v {
		t.Errorf("%s = %s, want %s", k, got, v)
	}
}

func wantInner(t *testing.T, ci *CallInfo, contractAddr, caller felt.Felt, ct CallType, typ contract.EntryPointType) {
	t.Helper()
	if len(ci.Inner) != 1 {
		t.Fatalf("%d inner calls, want 1", len(ci.Inner))
	}
	in := ci.Inner[0]
	if in.Contract != contractAddr || in.Caller != caller || in.CallType != ct || in.Type != typ {
		t.Errorf("inner call contract %s caller %s %s %s, want %s %s %s %s", in.Contract, in.Caller, in.CallType, in.Type, contractAddr, caller, ct, typ)
	}
	if ci.Resources.Steps <= in.Resources.Steps {
		t.Errorf("outer steps %d do not include the inner call's %d", ci.Resources.Steps, in.Resources.Steps)
	}
}

func TestStepLimit(t *testing.T) {
	e := newSyscallEnv(t)
	ctx := e.ctx()
	ctx.MaxSteps = 10
	_, o, err := e.call(ctx, felt.Zero, "test_storage_read_write", u(1), u(2))
	var se *Error
	if !errors.As(err, &se) || se.Code != CodeOutOfResources {
		t.Fatalf("error %v, want %s", err, CodeOutOfResources)
	}
	if len(o.Writes()) != 0 {
		t.Errorf("writes left behind: %v", o.Writes())
	}
}
