package execution

import (
	"fmt"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
	"github.com/kairo-dev/kairo/vm/hints"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/runner"
)

// handlerKey is where a run's syscall handler sits in the hint runtime's
// Extra map.
const handlerKey = "starknet.syscall_handler"

// syscall describes one deprecated syscall: the selector the request
// starts with (a Cairo short string) and the size of its request and
// response in the syscall segment.
type syscall struct {
	name     string
	selector felt.Felt
	size     uint64
}

func shortString(s string) felt.Felt { return felt.FromBytesBE([]byte(s)) }

// syscalls are the deprecated syscalls by hint name, with the struct sizes
// of starkware/starknet/common/syscalls.cairo.
var syscalls = []*syscall{
	{name: "call_contract", selector: shortString("CallContract"), size: 7},
	{name: "delegate_call", selector: shortString("DelegateCall"), size: 7},
	{name: "delegate_l1_handler", selector: shortString("DelegateL1Handler"), size: 7},
	{name: "library_call", selector: shortString("LibraryCall"), size: 7},
	{name: "library_call_l1_handler", selector: shortString("LibraryCallL1Handler"), size: 7},
	{name: "deploy", selector: shortString("Deploy"), size: 9},
	{name: "emit_event", selector: shortString("EmitEvent"), size: 5},
	{name: "get_block_number", selector: shortString("GetBlockNumber"), size: 2},
	{name: "get_block_timestamp", selector: shortString("GetBlockTimestamp"), size: 2},
	{name: "get_caller_address", selector: shortString("GetCallerAddress"), size: 2},
	{name: "get_contract_address", selector: shortString("GetContractAddress"), size: 2},
	{name: "get_sequencer_address", selector: shortString("GetSequencerAddress"), size: 2},
	{name: "get_tx_info", selector: shortString("GetTxInfo"), size: 2},
	{name: "get_tx_signature", selector: shortString("GetTxSignature"), size: 3},
	{name: "replace_class", selector: shortString("ReplaceClass"), size: 2},
	{name: "send_message_to_l1", selector: shortString("SendMessageToL1"), size: 4},
	{name: "storage_read", selector: shortString("StorageRead"), size: 3},
	{name: "storage_write", selector: shortString("StorageWrite"), size: 3},
}

// HintCode returns the code of the hint that performs a syscall.
func HintCode(name string) string {
	return "syscall_handler." + name + "(segments=segments, syscall_ptr=ids.syscall_ptr)"
}

// SyscallHints returns the syscall hint table of contract runs, kept apart
// from the common hint registry: each hint finds its call's handler in the
// hint runtime.
func SyscallHints() map[string]hints.Func {
	out := make(map[string]hints.Func, len(syscalls))
	for _, sc := range syscalls {
		out[HintCode(sc.name)] = func(c *hints.Context) error {
			h, ok := c.Runtime().Extra[handlerKey].(*handler)
			if !ok {
				return fmt.Errorf("name 'syscall_handler' is not defined")
			}
			ptr, err := c.Reloc("syscall_ptr")
			if err != nil {
				return err
			}
			return h.dispatch(ptr, sc)
		}
	}
	return out
}

// SyscallNames lists the implemented syscalls.
func SyscallNames() []string {
	out := make([]string, len(syscalls))
	for i, sc := range syscalls {
		out[i] = sc.name
	}
	return out
}

type roSegment struct {
	base memory.Relocatable
	size uint64
}

// handler is DeprecatedBlSyscallHandler: the syscall state of one call.
type handler struct {
	ctx   *Context
	st    State
	entry Entry
	mem   *memory.Memory

	syscallBase, expectedPtr memory.Relocatable
	readOnly                 []roSegment
	txInfoPtr                *memory.Relocatable

	events     []Event
	messages   []Message
	inner      []*CallInfo
	readValues []felt.Felt
	readKeys   []felt.Felt
	storage    map[felt.Felt]bool
}

// calledError is an inner call's failure, seen from the calling run.
type calledError struct{ err *Error }

// Error is what cairo-lang prints after the failing syscall's traceback.
func (e *calledError) Error() string {
	return fmt.Sprintf("Error in the called contract (%s):\n%s", e.err.Contract, e.err.Message)
}

// allocate writes data to a new read-only segment.
func (h *handler) allocate(data []memory.Value) (memory.Relocatable, error) {
	base := h.mem.AddSegment()
	if _, err := h.mem.Load(base, data); err != nil {
		return base, err
	}
	h.readOnly = append(h.readOnly, roSegment{base, uint64(len(data))})
	return base, nil
}

// request is _read_and_validate_syscall_request: the pointer must be the
// next expected one and the request must start with the syscall's
// selector.
func (h *handler) request(ptr memory.Relocatable, sc *syscall) error {
	if ptr != h.expectedPtr {
		return fmt.Errorf("Bad syscall_ptr, Expected %s, got %s.", h.expectedPtr, ptr)
	}
	h.expectedPtr = h.expectedPtr.Add(sc.size)
	v := h.mem.Get(ptr)
	if !v.IsFelt() {
		return fmt.Errorf("The selector argument to syscall %s is of unexpected type. Expected: int; got: %s.", sc.name, kindName(v))
	}
	if v.Felt() != sc.selector {
		return fmt.Errorf("Bad syscall selector, expected %s. Got: %s", sc.selector.BigInt(), v.Felt().BigInt())
	}
	return nil
}

func kindName(v memory.Value) string {
	switch {
	case v.IsReloc():
		return "RelocatableValue"
	case v.IsFelt():
		return "int"
	}
	return "NoneType"
}

func (h *handler) felt(ptr memory.Relocatable, off uint64, field string) (felt.Felt, error) {
	v := h.mem.Get(ptr.Add(off))
	if !v.IsFelt() {
		return felt.Zero, fmt.Errorf("Expected int for %s, got: %s.", field, kindName(v))
	}
	return v.Felt(), nil
}

func (h *handler) ptr(ptr memory.Relocatable, off uint64, field string) (memory.Relocatable, error) {
	v := h.mem.Get(ptr.Add(off))
	if !v.IsReloc() {
		return memory.Relocatable{}, fmt.Errorf("Expected RelocatableValue for %s, got: %s.", field, kindName(v))
	}
	return v.Reloc(), nil
}

// feltRange reads size felts from the address in the request's ptrOff
// field, the size being in its sizeOff field.
func (h *handler) feltRange(req memory.Relocatable, sizeOff, ptrOff uint64, field string) ([]felt.Felt, error) {
	n, err := h.felt(req, sizeOff, field+"_size")
	if err != nil {
		return nil, err
	}
	size, ok := n.Uint64()
	if !ok || size > 1<<24 {
		return nil, fmt.Errorf("invalid %s size %s", field, n)
	}
	p, err := h.ptr(req, ptrOff, field)
	if err != nil {
		return nil, err
	}
	out := make([]felt.Felt, size)
	for i := range out {
		v := h.mem.Get(p.Add(uint64(i)))
		if !v.IsFelt() {
			return nil, fmt.Errorf("Expected an integer at %s, found %s.", p.Add(uint64(i)), kindName(v))
		}
		out[i] = v.Felt()
	}
	return out, nil
}

func (h *handler) respond(ptr memory.Relocatable, off uint64, vals ...memory.Value) error {
	for i, v := range vals {
		if err := h.mem.Set(ptr.Add(off+uint64(i)), v); err != nil {
			return err
		}
	}
	return nil
}

// dispatch runs the syscall's handler.
func (h *handler) dispatch(ptr memory.Relocatable, sc *syscall) error {
	if h.ctx.Syscalls != nil {
		h.ctx.Syscalls[sc.name]++
	}
	switch sc.name {
	case "call_contract", "delegate_call", "delegate_l1_handler", "library_call", "library_call_l1_handler":
		return h.callContract(ptr, sc)
	case "deploy":
		return h.deploy(ptr, sc)
	case "emit_event":
		return h.emitEvent(ptr, sc)
	case "get_block_number":
		return h.getBlockNumber(ptr, sc)
	case "get_block_timestamp":
		return h.getBlockTimestamp(ptr, sc)
	case "get_caller_address":
		return h.simple(ptr, sc, h.entry.Caller)
	case "get_contract_address":
		return h.simple(ptr, sc, h.entry.Contract)
	case "get_sequencer_address":
		return h.getSequencerAddress(ptr, sc)
	case "get_tx_info":
		return h.getTxInfo(ptr, sc)
	case "get_tx_signature":
		return h.getTxSignature(ptr, sc)
	case "replace_class":
		return h.replaceClass(ptr, sc)
	case "send_message_to_l1":
		return h.sendMessageToL1(ptr, sc)
	case "storage_read":
		return h.storageRead(ptr, sc)
	case "storage_write":
		return h.storageWrite(ptr, sc)
	}
	return fmt.Errorf("unknown syscall %s", sc.name)
}

func (h *handler) validate() bool { return h.ctx.Mode == Validate }

func (h *handler) callContract(ptr memory.Relocatable, sc *syscall) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	target, err := h.felt(ptr, 1, "contract_address")
	if err != nil {
		return err
	}
	fsel, err := h.felt(ptr, 2, "function_selector")
	if err != nil {
		return err
	}
	calldata, err := h.feltRange(ptr, 3, 4, "calldata")
	if err != nil {
		return err
	}
	e := Entry{Selector: fsel, Calldata: calldata, Type: contract.External, CallType: Delegate,
		Contract: h.entry.Contract, Caller: h.entry.Caller}
	switch sc.name {
	case "call_contract":
		e.Contract, e.Caller, e.CallType = target, h.entry.Contract, Call
		e.CodeAddress = &target
	case "delegate_call":
		e.CodeAddress = &target
	case "delegate_l1_handler":
		e.CodeAddress = &target
		e.Type = contract.L1Handler
	case "library_call":
		e.ClassHash = &target
	case "library_call_l1_handler":
		e.ClassHash = &target
		e.Type = contract.L1Handler
	}
	if h.validate() && e.Contract != h.entry.Contract {
		return &calledError{fail(CodeUnauthorizedOnValidate, e.Contract,
			"Unauthorized syscall %s in execution mode VALIDATE.", sc.name)}
	}
	ci, err := h.call(e)
	if err != nil {
		return err
	}
	ret, err := h.allocate(feltValues(ci.Retdata))
	if err != nil {
		return err
	}
	return h.respond(ptr, 5, memory.Uint64Value(uint64(len(ci.Retdata))), memory.RelocValue(ret))
}

// call runs an inner call on a write buffer over this call's state and
// keeps its writes when it succeeds.
func (h *handler) call(e Entry) (*CallInfo, error) {
	o := NewOverlay(h.st)
	ci, err := run(h.ctx, o, e)
	if err != nil {
		se, ok := err.(*Error)
		if !ok {
			se = fail(CodeSecurityError, e.Contract, "%v", err)
		}
		se.Contract = e.Contract
		return nil, &calledError{se}
	}
	if err := o.Commit(); err != nil {
		return nil, err
	}
	h.inner = append(h.inner, ci)
	return ci, nil
}

// ContractAddress is calculate_contract_address_from_hash.
func ContractAddress(salt, classHash felt.Felt, calldata []felt.Felt, deployer felt.Felt) felt.Felt {
	raw := hash.PedersenArray(shortString("STARKNET_CONTRACT_ADDRESS"), deployer, salt, classHash,
		hash.PedersenArray(calldata...))
	// raw < P < 2 * (2**251 - 256): one subtraction reduces it.
	bound := felt.MustFromString("0x7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00")
	if raw.Cmp(bound) >= 0 {
		raw = raw.Sub(bound)
	}
	return raw
}

func (h *handler) deploy(ptr memory.Relocatable, sc *syscall) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	classHash, err := h.felt(ptr, 1, "class_hash")
	if err != nil {
		return err
	}
	salt, err := h.felt(ptr, 2, "contract_address_salt")
	if err != nil {
		return err
	}
	calldata, err := h.feltRange(ptr, 3, 4, "constructor_calldata")
	if err != nil {
		return err
	}
	fromZero, err := h.felt(ptr, 5, "deploy_from_zero")
	if err != nil {
		return err
	}
	if !fromZero.IsZero() && !fromZero.IsOne() {
		return fmt.Errorf("The deploy_from_zero field in the deploy system call must be 0 or 1.")
	}
	deployer := h.entry.Contract
	if fromZero.IsOne() {
		deployer = felt.Zero
	}
	addr := ContractAddress(salt, classHash, calldata, deployer)
	if err := Deploy(h.ctx, h.st, addr, classHash); err != nil {
		return err
	}
	ci, err := h.construct(addr, classHash, calldata)
	if err != nil {
		return err
	}
	if ci != nil {
		h.inner = append(h.inner, ci)
	}
	return h.respond(ptr, 6, memory.FeltValue(addr), memory.Uint64Value(0), memory.Uint64Value(0))
}

// Deploy sets the class of a new contract: the address must be free.
func Deploy(ctx *Context, st State, addr, classHash felt.Felt) error {
	cur, err := st.Read(state.ClassHashKey(addr))
	if err != nil {
		return err
	}
	if !cur.IsZero() {
		return fail(CodeAddressUnavailable, addr, "Requested contract address %s is unavailable for deployment.", addr)
	}
	return st.Write(state.ClassHashKey(addr), classHash)
}

// construct runs the constructor of a deployed contract (the empty
// constructor call when the class has none).
func (h *handler) construct(addr, classHash felt.Felt, calldata []felt.Felt) (*CallInfo, error) {
	cls, err := lookupClass(h.ctx, classHash, addr)
	if err != nil {
		return nil, err
	}
	if len(cls.EntryPoints[contract.Constructor]) == 0 {
		if len(calldata) != 0 {
			return nil, fmt.Errorf("Cannot pass calldata to a contract with no constructor.")
		}
		return &CallInfo{Entry: Entry{Contract: addr, Caller: h.entry.Contract, Selector: contract.ConstructorSelector,
			Type: contract.Constructor}, ClassHash: classHash}, nil
	}
	code := addr
	ci, err := h.call(Entry{Contract: addr, CodeAddress: &code, Caller: h.entry.Contract,
		Selector: contract.ConstructorSelector, Calldata: calldata, Type: contract.Constructor})
	if err != nil {
		return nil, err
	}
	// call already recorded it.
	h.inner = h.inner[:len(h.inner)-1]
	return ci, nil
}

func (h *handler) emitEvent(ptr memory.Relocatable, sc *syscall) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	keys, err := h.feltRange(ptr, 1, 2, "keys")
	if err != nil {
		return err
	}
	data, err := h.feltRange(ptr, 3, 4, "data")
	if err != nil {
		return err
	}
	h.events = append(h.events, Event{Order: h.ctx.nEvents, Keys: keys, Data: data})
	h.ctx.nEvents++
	return nil
}

func (h *handler) simple(ptr memory.Relocatable, sc *syscall, v felt.Felt) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	return h.respond(ptr, 1, memory.FeltValue(v))
}

func (h *handler) getBlockNumber(ptr memory.Relocatable, sc *syscall) error {
	n := h.ctx.Block.Number
	if h.validate() {
		n = n / 100 * 100
	}
	return h.simple(ptr, sc, felt.FromUint64(n))
}

func (h *handler) getBlockTimestamp(ptr memory.Relocatable, sc *syscall) error {
	t := h.ctx.Block.Timestamp
	if h.validate() {
		t = t / 3600 * 3600
	}
	return h.simple(ptr, sc, felt.FromUint64(t))
}

func (h *handler) getSequencerAddress(ptr memory.Relocatable, sc *syscall) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	if h.validate() {
		return fail(CodeUnauthorizedOnValidate, h.entry.Contract, "Unauthorized syscall get_sequencer_address in execution mode VALIDATE.")
	}
	return h.respond(ptr, 1, memory.FeltValue(h.ctx.Block.SequencerAddress))
}

// txInfo allocates the TxInfo struct once per call.
func (h *handler) txInfo() (memory.Relocatable, error) {
	if h.txInfoPtr != nil {
		return *h.txInfoPtr, nil
	}
	t := &h.ctx.Tx
	sig, err := h.allocate(feltValues(t.Signature))
	if err != nil {
		return sig, err
	}
	p, err := h.allocate([]memory.Value{
		memory.FeltValue(t.Version), memory.FeltValue(t.AccountAddress), memory.FeltValue(t.MaxFee),
		memory.Uint64Value(uint64(len(t.Signature))), memory.RelocValue(sig),
		memory.FeltValue(t.Hash), memory.FeltValue(t.ChainID), memory.FeltValue(t.Nonce),
	})
	if err != nil {
		return p, err
	}
	h.txInfoPtr = &p
	return p, nil
}

func (h *handler) getTxInfo(ptr memory.Relocatable, sc *syscall) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	p, err := h.txInfo()
	if err != nil {
		return err
	}
	return h.respond(ptr, 1, memory.RelocValue(p))
}

func (h *handler) getTxSignature(ptr memory.Relocatable, sc *syscall) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	p, err := h.txInfo()
	if err != nil {
		return err
	}
	return h.respond(ptr, 1, h.mem.Get(p.Add(3)), h.mem.Get(p.Add(4)))
}

func (h *handler) replaceClass(ptr memory.Relocatable, sc *syscall) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	classHash, err := h.felt(ptr, 1, "class_hash")
	if err != nil {
		return err
	}
	if _, err := lookupClass(h.ctx, classHash, h.entry.Contract); err != nil {
		return err
	}
	return h.st.Write(state.ClassHashKey(h.entry.Contract), classHash)
}

func (h *handler) sendMessageToL1(ptr memory.Relocatable, sc *syscall) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	to, err := h.felt(ptr, 1, "to_address")
	if err != nil {
		return err
	}
	payload, err := h.feltRange(ptr, 2, 3, "payload")
	if err != nil {
		return err
	}
	// An L1 address has 160 bits (OrderedL2ToL1Message's check).
	if to.BitLen() > 160 {
		return fmt.Errorf("Invalid L1 address %s.", to)
	}
	h.messages = append(h.messages, Message{Order: h.ctx.nMessages, To: to, Payload: payload})
	h.ctx.nMessages++
	return nil
}

func (h *handler) storageRead(ptr memory.Relocatable, sc *syscall) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	addr, err := h.felt(ptr, 1, "address")
	if err != nil {
		return err
	}
	v, err := h.st.Read(state.StorageKey(h.entry.Contract, addr))
	if err != nil {
		return err
	}
	h.readValues = append(h.readValues, v)
	h.readKeys = append(h.readKeys, addr)
	h.storage[addr] = true
	return h.respond(ptr, 2, memory.FeltValue(v))
}

func (h *handler) storageWrite(ptr memory.Relocatable, sc *syscall) error {
	if err := h.request(ptr, sc); err != nil {
		return err
	}
	addr, err := h.felt(ptr, 1, "address")
	if err != nil {
		return err
	}
	v, err := h.felt(ptr, 2, "value")
	if err != nil {
		return err
	}
	h.storage[addr] = true
	return h.st.Write(state.StorageKey(h.entry.Contract, addr), v)
}

// postRun is validate_and_process_os_context_for_version0_class and the
// handler's post_run: the returned builtins and syscall pointer must be
// the expected ones and the read-only segments untouched.
func (h *handler) postRun(r *runner.Runner, nOSContext int) error {
	c := h.entry.Contract
	end, err := r.VM.AP.AddInt(-2)
	if err != nil {
		return fail(CodeSecurityError, c, "%v", err)
	}
	start, err := r.ReadBuiltinStops(end)
	if err != nil {
		return fail(CodeSecurityError, c, "%v", err)
	}
	if start.Add(uint64(nOSContext-1)) != end {
		return fail(CodeSecurityError, c, "Bad returned builtins.")
	}
	stopAddr, err := end.AddInt(-int64(nOSContext))
	if err != nil {
		return fail(CodeSecurityError, c, "%v", err)
	}
	stop := r.Mem.Get(stopAddr)
	want := h.syscallBase.Add(r.Mem.UsedSize(h.syscallBase.Segment))
	if !stop.IsReloc() || stop.Reloc() != want {
		return fail(CodeSecurityError, c, "Invalid stop pointer for segment. Expected: %s, found: %s.", want, stop)
	}
	if stop.Reloc() != h.expectedPtr {
		return fail(CodeSecurityError, c, "Bad syscall_stop_ptr, Expected %s, got %s.", h.expectedPtr, stop)
	}
	for _, s := range h.readOnly {
		if r.Mem.UsedSize(s.base.Segment) != s.size {
			return fail(CodeSecurityError, c, "Out of bounds write to a read-only segment.")
		}
		r.MarkAccessed(s.base, s.size)
	}
	return nil
}
