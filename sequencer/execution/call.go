package execution

import (
	"errors"
	"fmt"
	"sort"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/runner"
)

// CallType says whose code a call runs: its own (Call) or another class's
// code on the caller's storage (Delegate: delegate calls and library
// calls).
type CallType int

// The call types.
const (
	Call CallType = iota
	Delegate
)

func (t CallType) String() string {
	if t == Delegate {
		return "Delegate"
	}
	return "Call"
}

// Mode is the execution mode of a transaction's phase.
type Mode int

// The execution modes. In Validate, calls to other contracts and
// get_sequencer_address are refused, and the block number and timestamp
// are rounded down.
const (
	Execute Mode = iota
	Validate
)

// BlockInfo is what the block syscalls return.
type BlockInfo struct {
	Number, Timestamp uint64
	SequencerAddress  felt.Felt
}

// TxInfo is what get_tx_info and get_tx_signature return.
type TxInfo struct {
	Version        felt.Felt
	AccountAddress felt.Felt
	MaxFee         felt.Felt
	Signature      []felt.Felt
	Hash           felt.Felt
	ChainID        felt.Felt
	Nonce          felt.Felt
}

// Context is the execution context of one transaction: what the syscalls
// report, the execution mode, and the step budget and event and message
// counters that every call of the transaction shares.
type Context struct {
	Block   BlockInfo
	Tx      TxInfo
	Mode    Mode
	Classes Classes
	// MaxSteps is the transaction's step budget (0: no limit).
	MaxSteps uint64
	// Syscalls, when not nil, counts the syscalls made by name, as
	// cairo-lang's ExecutionResourcesManager does for the OS resources
	// of a transaction.
	Syscalls map[string]uint64

	stepsUsed uint64
	nEvents   int
	nMessages int
}

// Event is an event a call emitted; Order numbers the events of the
// transaction.
type Event struct {
	Order      int
	Keys, Data []felt.Felt
}

// Message is an L2-to-L1 message a call sent.
type Message struct {
	Order   int
	To      felt.Felt
	Payload []felt.Felt
}

// Resources are a call's execution resources, its inner calls' included.
type Resources struct {
	Steps       uint64
	MemoryHoles uint64
	// Builtins counts used instances by builtin name with the "_builtin"
	// suffix; zero counts are left out.
	Builtins map[string]uint64
}

// Add adds o to r.
func (r *Resources) Add(o Resources) {
	r.Steps += o.Steps
	r.MemoryHoles += o.MemoryHoles
	if r.Builtins == nil {
		r.Builtins = map[string]uint64{}
	}
	for k, v := range o.Builtins {
		r.Builtins[k] += v
	}
}

// Entry is a call to make: which contract, entry point and calldata.
type Entry struct {
	Contract felt.Felt
	// CodeAddress runs another contract's class on Contract's storage
	// (delegate_call); ClassHash runs a class directly (library_call).
	CodeAddress *felt.Felt
	ClassHash   *felt.Felt
	Caller      felt.Felt
	Selector    felt.Felt
	Calldata    []felt.Felt
	Type        contract.EntryPointType
	CallType    CallType
}

// CallInfo is the record of a call: the call tree node with what it
// returned, emitted, sent, read and used.
type CallInfo struct {
	Entry
	// ClassHash is the class whose code ran.
	ClassHash felt.Felt
	Retdata   []felt.Felt
	Events    []Event
	Messages  []Message
	Resources Resources
	// StorageReadValues are the values storage_read returned, in order;
	// AccessedStorageKeys the storage keys read or written, sorted by
	// their hex spelling as the reference lists them.
	StorageReadValues []felt.Felt
	// StorageReadKeys are the storage keys of StorageReadValues, in the
	// same order.
	StorageReadKeys     []felt.Felt
	AccessedStorageKeys []felt.Felt
	Inner               []*CallInfo
}

// Error is a failed call or transaction with Starknet's error code
// (StarknetErrorCode.NAME without the prefix) and message.
type Error struct {
	Code    string
	Message string
	// Contract is the address of the contract whose call failed.
	Contract felt.Felt
}

func (e *Error) Error() string { return e.Message }

// Starknet error codes used by contract execution.
const (
	CodeTransactionFailed       = "TRANSACTION_FAILED"
	CodeEntryPointNotFound      = "ENTRY_POINT_NOT_FOUND_IN_CONTRACT"
	CodeUninitializedContract   = "UNINITIALIZED_CONTRACT"
	CodeUndeclaredClass         = "UNDECLARED_CLASS"
	CodeSecurityError           = "SECURITY_ERROR"
	CodeOutOfResources          = "OUT_OF_RESOURCES"
	CodeInvalidReturnData       = "INVALID_RETURN_DATA"
	CodeAddressUnavailable      = "CONTRACT_ADDRESS_UNAVAILABLE"
	CodeUnauthorizedOnValidate  = "UNAUTHORIZED_ACTION_ON_VALIDATE"
	CodeUnexpectedFailure       = "UNEXPECTED_FAILURE"
	CodeInvalidContractClass    = "INVALID_CONTRACT_CLASS"
	CodeOutOfRangeContractAddr  = "OUT_OF_RANGE_CONTRACT_ADDRESS"
	CodeOutOfRangeEntryPointSel = "OUT_OF_RANGE_ENTRY_POINT_SELECTOR"
)

func fail(code string, contract felt.Felt, format string, args ...any) *Error {
	return &Error{Code: code, Contract: contract, Message: fmt.Sprintf(format, args...)}
}

// Layout is the layout contract runs use: one with every builtin (the
// instance counts matter, not the ratios, outside proof mode).
func Layout() (builtins.Layout, error) { return builtins.LayoutByName("all_cairo") }

// staticLocals are the hint limits Starknet sets for contract runs.
var staticLocals = map[string]any{
	"__find_element_max_size": int64(1 << 20),
	"__squash_dict_max_size":  int64(1 << 20),
	"__keccak_max_size":       int64(1 << 20),
	"__usort_max_size":        int64(1 << 20),
	"__chained_ec_op_max_len": int64(1000),
}

// Run executes a call on st and returns its call tree. On success the
// call's writes are in st; on failure st is unchanged and the error is an
// *Error.
func Run(ctx *Context, st State, e Entry) (*CallInfo, error) {
	o := NewOverlay(st)
	ci, err := run(ctx, o, e)
	if err != nil {
		return nil, err
	}
	if err := o.Commit(); err != nil {
		return nil, fmt.Errorf("commit call writes: %w", err)
	}
	return ci, nil
}

func classHashAt(st State, addr felt.Felt) (felt.Felt, error) {
	h, err := st.Read(state.ClassHashKey(addr))
	if err != nil {
		return h, err
	}
	if h.IsZero() {
		return h, fail(CodeUninitializedContract, addr, "Requested contract address %s is not deployed.", addr)
	}
	return h, nil
}

func lookupClass(ctx *Context, h, contractAddr felt.Felt) (*contract.Class, error) {
	if ctx.Classes == nil {
		return nil, fail(CodeUndeclaredClass, contractAddr, "Class with hash %s is not declared.", h)
	}
	c, err := ctx.Classes.Get(h)
	if err != nil {
		if errors.Is(err, ErrUndeclared) {
			return nil, fail(CodeUndeclaredClass, contractAddr, "Class with hash %s is not declared.", h)
		}
		return nil, err
	}
	return c, nil
}

// run executes e on st (the caller's overlay; the caller commits or drops
// it).
func run(ctx *Context, st State, e Entry) (*CallInfo, error) {
	if _, err := classHashAt(st, e.Contract); err != nil {
		return nil, err
	}
	var classHash felt.Felt
	switch {
	case e.ClassHash != nil:
		classHash = *e.ClassHash
	case e.CallType == Delegate && e.CodeAddress != nil:
		h, err := classHashAt(st, *e.CodeAddress)
		if err != nil {
			return nil, err
		}
		classHash = h
	default:
		h, err := classHashAt(st, e.Contract)
		if err != nil {
			return nil, err
		}
		classHash = h
	}
	cls, err := lookupClass(ctx, classHash, e.Contract)
	if err != nil {
		return nil, err
	}
	ep, ok := cls.EntryPoint(e.Type, e.Selector)
	if !ok {
		return nil, fail(CodeEntryPointNotFound, e.Contract,
			"Entry point %s not found in contract with class hash %s.", e.Selector, classHash)
	}
	layout, err := Layout()
	if err != nil {
		return nil, err
	}
	h := &handler{ctx: ctx, st: st, entry: e, storage: map[felt.Felt]bool{}}
	var osContext []memory.Value
	r, err := runner.NewFunction(cls.Program, runner.Function{
		Layout: layout,
		Entry:  ep.Offset,
		Args: func(r *runner.Runner) ([]memory.Value, error) {
			h.mem = r.Mem
			syscallPtr := r.Mem.AddSegment()
			h.syscallBase, h.expectedPtr = syscallPtr, syscallPtr
			osContext = append(osContext, memory.RelocValue(syscallPtr))
			for _, name := range cls.Program.Builtins {
				b := builtinByName(r.Builtins, name)
				if b == nil {
					return nil, fmt.Errorf("builtin %s is not in the layout", name)
				}
				osContext = append(osContext, b.InitialStack()...)
			}
			calldata, err := h.allocate(feltValues(e.Calldata))
			if err != nil {
				return nil, err
			}
			ctxPtr := r.Mem.AddSegment()
			if _, err := r.Mem.Load(ctxPtr, osContext); err != nil {
				return nil, err
			}
			return []memory.Value{
				memory.FeltValue(e.Selector),
				memory.RelocValue(ctxPtr),
				memory.Uint64Value(uint64(len(e.Calldata))),
				memory.RelocValue(calldata),
			}, nil
		},
		Hints:    SyscallHints(),
		Scope:    staticLocals,
		Extra:    map[string]any{handlerKey: h},
		Prepared: cls.Hints,
		Decoded:  cls.Decoded,
	})
	if err != nil {
		return nil, fail(CodeSecurityError, e.Contract, "%v", err)
	}
	var limit uint64
	if ctx.MaxSteps > 0 {
		if ctx.stepsUsed >= ctx.MaxSteps {
			return nil, fail(CodeOutOfResources, e.Contract, "Error: Execution ran out of resources.")
		}
		limit = ctx.MaxSteps - ctx.stepsUsed
	}
	if err := r.RunFunction(limit); err != nil {
		return nil, runError(r, e, err)
	}
	ctx.stepsUsed += r.VM.Step
	// The arguments are accessed by the real OS run.
	if fp, err := r.InitialFP().AddInt(-6); err == nil {
		r.MarkAccessed(fp, 4)
	}
	ret, err := readRetdata(r, e)
	if err != nil {
		return nil, err
	}
	if err := h.postRun(r, len(osContext)); err != nil {
		return nil, err
	}
	holes, err := r.MemoryHoles()
	if err != nil {
		return nil, fail(CodeSecurityError, e.Contract, "%v", err)
	}
	ci := &CallInfo{
		Entry:             e,
		ClassHash:         classHash,
		Retdata:           ret,
		Events:            h.events,
		Messages:          h.messages,
		StorageReadValues: h.readValues,
		StorageReadKeys:   h.readKeys,
		Inner:             h.inner,
		Resources:         Resources{Steps: r.VM.Step, MemoryHoles: holes, Builtins: r.UsedInstances()},
	}
	for _, in := range h.inner {
		ci.Resources.Add(in.Resources)
	}
	for k := range h.storage {
		ci.AccessedStorageKeys = append(ci.AccessedStorageKeys, k)
	}
	// The reference lists the keys sorted by their hex spelling.
	sort.Slice(ci.AccessedStorageKeys, func(i, j int) bool {
		return ci.AccessedStorageKeys[i].String() < ci.AccessedStorageKeys[j].String()
	})
	return ci, nil
}

func builtinByName(bs []builtins.Runner, name string) builtins.Runner {
	for _, b := range bs {
		if b.Name() == name {
			return b
		}
	}
	return nil
}

func feltValues(fs []felt.Felt) []memory.Value {
	out := make([]memory.Value, len(fs))
	for i, f := range fs {
		out[i] = memory.FeltValue(f)
	}
	return out
}

// readRetdata is get_call_result_for_version0_class.
func readRetdata(r *runner.Runner, e Entry) ([]felt.Felt, error) {
	vals, err := r.ReturnValues(2)
	if err != nil || !vals[0].IsFelt() || !vals[1].IsReloc() {
		return nil, fail(CodeInvalidReturnData, e.Contract, "Error extracting return data.")
	}
	n, ok := vals[0].Felt().Uint64()
	if !ok || n > 1<<24 {
		return nil, fail(CodeInvalidReturnData, e.Contract, "Error extracting return data.")
	}
	out := make([]felt.Felt, n)
	for i := range out {
		v := r.Mem.Get(vals[1].Reloc().Add(uint64(i)))
		if !v.IsSet() {
			return nil, fail(CodeInvalidReturnData, e.Contract, "Error extracting return data.")
		}
		if !v.IsFelt() {
			return nil, fail(CodeInvalidReturnData, e.Contract, "Return data expected to be non-relocatable.")
		}
		out[i] = v.Felt()
	}
	return out, nil
}

// runError turns a failed run into the *Error cairo-lang raises: the
// error code of a failed inner call propagates, with a note naming the
// called contract.
func runError(r *runner.Runner, e Entry, err error) error {
	if errors.Is(err, runner.ErrStepLimit) {
		return fail(CodeOutOfResources, e.Contract, "Error: Execution ran out of resources.")
	}
	var sec *runner.SecurityError
	if errors.As(err, &sec) {
		return fail(CodeSecurityError, e.Contract, "%s", sec.Msg)
	}
	var ve *vm.Error
	if !errors.As(err, &ve) {
		return fail(CodeTransactionFailed, e.Contract, "%v", err)
	}
	code := CodeTransactionFailed
	var inner *calledError
	if errors.As(err, &inner) {
		code = inner.err.Code
	}
	return &Error{Code: code, Contract: e.Contract, Message: r.FormatFunctionError(err)}
}
