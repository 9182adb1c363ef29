package vm

import (
	"errors"
	"fmt"

	"github.com/kairo-dev/kairo/vm/instruction"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Hint is code run before the instruction at a pc.
type Hint interface {
	Execute(vm *VM) error
}

// TraceEntry is the register state before one step, in 12 bytes. Offsets
// only: pc is in the program segment and ap and fp in the execution
// segment, all below 2^32, unless the entry is listed in the VM's trace
// exceptions (TraceOdd).
type TraceEntry struct {
	PC, AP, FP uint32
}

// VM is the machine state of one run.
type VM struct {
	Mem        *memory.Memory
	PC, AP, FP memory.Relocatable
	Step       uint64

	// Hints are indexed by pc offset in the program segment; nil where
	// there is none.
	Hints [][]Hint
	// SkipInstruction, set by a hint, skips the current instruction.
	SkipInstruction bool

	// TraceEnabled records register states (see TraceLen, TraceAt).
	TraceEnabled bool
	// TrackAccesses records which cells instructions access, for memory
	// holes (proof mode, Cairo PIEs, contract execution resources).
	TrackAccesses bool
	// trace holds the full chunks of entries and traceCur the chunk being
	// filled, so recording never copies what is already recorded.
	trace    [][]TraceEntry
	traceCur []TraceEntry
	// traceOdd holds the full registers of entries whose pc is not in the
	// program segment or whose ap/fp are not in the execution segment;
	// curOdd says whether traceCur has such an entry.
	traceOdd map[int][3]memory.Relocatable
	curOdd   bool
	// OnTraceChunk, when set, receives each full chunk of trace entries as
	// soon as it is recorded, with the index of its first entry and whether
	// an entry of it is listed by TraceOdd; the entries are never modified
	// afterwards, so another goroutine may read them (to write the trace
	// file while the program runs).
	OnTraceChunk func(first int, entries []TraceEntry, odd bool)
	// TraceChunkSupply, when set, offers empty chunks (capacity TraceChunkLen)
	// for the trace to fill, so that another goroutine can allocate them
	// and take the page faults of their first writes; when none is ready
	// the VM allocates one itself.
	TraceChunkSupply <-chan []TraceEntry

	progSeg int
	execSeg int
	decoded []decodedInst
	// sharedDecode marks decoded as a DecodeTable shared with other runs:
	// it is only read, and misses are decoded without caching.
	sharedDecode bool
	// genericOnly turns the fast path off (differential tests).
	genericOnly bool
}

// DecodeTable is the decoded instructions of a program, built once and
// shared read-only by every run of it (contract calls of one class run
// concurrently under Block-STM).
type DecodeTable struct {
	entries []decodedInst
}

// NewDecodeTable decodes every word of a program's data that is a valid
// instruction, with its immediate.
func NewDecodeTable(data []memory.Value) *DecodeTable {
	t := &DecodeTable{entries: make([]decodedInst, len(data))}
	for pc, w := range data {
		if !w.IsFelt() {
			continue
		}
		enc, ok := w.Felt().Uint64()
		if !ok || enc >= instruction.MaxEncoding {
			continue
		}
		inst, err := instruction.Decode(enc)
		if err != nil {
			continue
		}
		d := decodedInst{inst: inst, ok: true}
		if inst.Op1Src == instruction.Op1Imm {
			if pc+1 >= len(data) {
				continue
			}
			d.imm = data[pc+1]
			d.immSmall, d.immInt = smallImmediate(d.imm)
		}
		d.shape = shapeOf(&d)
		t.entries[pc] = d
	}
	return t
}

// UseDecodeTable makes the VM read decoded instructions from a shared
// table built from the program it runs.
func (vm *VM) UseDecodeTable(t *DecodeTable) {
	vm.decoded = t.entries
	vm.sharedDecode = true
}

type decodedInst struct {
	inst instruction.Instruction
	ok   bool
	// imm is the immediate at pc+1 when the instruction has one (the
	// program segment is write-once, so it never changes); immSmall says
	// whether it is a small signed integer immInt, which jumps and ap
	// updates use without leaving Montgomery form.
	imm      memory.Value
	immSmall bool
	immInt   int64
	// shape selects runFast's path for the instruction (shapeGeneric: none).
	shape shape
}

// New returns a VM over mem whose program is in segment progSeg and whose
// stack is in segment execSeg.
func New(mem *memory.Memory, progSeg, execSeg int) *VM {
	return &VM{Mem: mem, progSeg: progSeg, execSeg: execSeg}
}

// ProgramSegment and ExecutionSegment return the segments the VM was made
// with.
func (vm *VM) ProgramSegment() int   { return vm.progSeg }
func (vm *VM) ExecutionSegment() int { return vm.execSeg }

const traceChunkBits = 16

// TraceChunkLen is the number of entries of a trace chunk.
const TraceChunkLen = 1 << traceChunkBits

// TraceLen returns the number of recorded trace entries.
func (vm *VM) TraceLen() int { return len(vm.trace)<<traceChunkBits + len(vm.traceCur) }

// TraceAt returns trace entry i (offsets only; see TraceRegisters).
func (vm *VM) TraceAt(i int) TraceEntry {
	if c := i >> traceChunkBits; c < len(vm.trace) {
		return vm.trace[c][i&(1<<traceChunkBits-1)]
	}
	return vm.traceCur[i&(1<<traceChunkBits-1)]
}

// TraceChunks iterates over the recorded entries in order, a chunk at a
// time, with the index of each chunk's first entry.
func (vm *VM) TraceChunks(fn func(first int, entries []TraceEntry) error) error {
	for i, c := range vm.trace {
		if err := fn(i<<traceChunkBits, c); err != nil {
			return err
		}
	}
	if len(vm.traceCur) > 0 {
		return fn(len(vm.trace)<<traceChunkBits, vm.traceCur)
	}
	return nil
}

// HasOddTrace reports whether any trace entry has registers outside the
// program and execution segments (see TraceOdd).
func (vm *VM) HasOddTrace() bool { return len(vm.traceOdd) != 0 }

func (vm *VM) recordTrace() {
	if len(vm.traceCur) == cap(vm.traceCur) {
		vm.newTraceChunk()
	}
	if vm.PC.Segment != vm.progSeg || vm.AP.Segment != vm.execSeg || vm.FP.Segment != vm.execSeg ||
		(vm.PC.Offset|vm.AP.Offset|vm.FP.Offset)>>32 != 0 {
		vm.recordOdd()
	}
	vm.traceCur = append(vm.traceCur, TraceEntry{PC: uint32(vm.PC.Offset), AP: uint32(vm.AP.Offset), FP: uint32(vm.FP.Offset)})
}

func (vm *VM) newTraceChunk() {
	if vm.traceCur != nil {
		vm.trace = append(vm.trace, vm.traceCur)
		if vm.OnTraceChunk != nil {
			vm.OnTraceChunk((len(vm.trace)-1)<<traceChunkBits, vm.traceCur, vm.curOdd)
		}
	}
	select {
	case c := <-vm.TraceChunkSupply:
		if cap(c) == TraceChunkLen {
			vm.traceCur = c[:0]
			break
		}
		vm.traceCur = make([]TraceEntry, 0, TraceChunkLen)
	default:
		vm.traceCur = make([]TraceEntry, 0, TraceChunkLen)
	}
	vm.curOdd = false
}

func (vm *VM) recordOdd() {
	vm.curOdd = true
	if vm.traceOdd == nil {
		vm.traceOdd = map[int][3]memory.Relocatable{}
	}
	vm.traceOdd[vm.TraceLen()] = [3]memory.Relocatable{vm.PC, vm.AP, vm.FP}
}

// TraceRegisters returns the full registers of trace entry i.
func (vm *VM) TraceRegisters(i int) (pc, ap, fp memory.Relocatable) {
	if r, ok := vm.traceOdd[i]; ok {
		return r[0], r[1], r[2]
	}
	e := vm.TraceAt(i)
	return memory.Relocatable{Segment: vm.progSeg, Offset: uint64(e.PC)},
		memory.Relocatable{Segment: vm.execSeg, Offset: uint64(e.AP)},
		memory.Relocatable{Segment: vm.execSeg, Offset: uint64(e.FP)}
}

// TraceOdd reports whether trace entry i has registers outside the program
// and execution segments (or offsets from 2^32), and returns them.
func (vm *VM) TraceOdd(i int) ([3]memory.Relocatable, bool) {
	r, ok := vm.traceOdd[i]
	return r, ok
}

// Error is a failure at a pc, with the hint index when a hint failed.
type Error struct {
	PC        memory.Relocatable
	FP        memory.Relocatable
	HintIndex int // -1 when the instruction failed
	Err       error
	// NoTraceback marks errors reported without a Cairo traceback (end of
	// program not reached, execution past the end).
	NoTraceback bool
}

func (e *Error) Error() string { return fmt.Sprintf("Error at pc=%s:\n%v", e.PC, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

func (vm *VM) fail(err error, hint int) error {
	return &Error{PC: vm.PC, FP: vm.FP, HintIndex: hint, Err: err}
}

// HintError wraps an error raised by a hint.
type HintError struct {
	Code string
	Err  error
}

func (e *HintError) Error() string {
	return fmt.Sprintf("Got an exception while executing a hint: %v", e.Err)
}
func (e *HintError) Unwrap() error { return e.Err }

// UnknownHintError is returned for a hint that kairo does not implement.
type UnknownHintError struct{ Code string }

func (e *UnknownHintError) Error() string {
	return "Unknown hint (not implemented by kairo):\n" + e.Code
}

// StepOnce runs the hints at pc and then one instruction.
func (vm *VM) StepOnce() error {
	vm.SkipInstruction = false
	if vm.PC.Segment == vm.progSeg && vm.PC.Offset < uint64(len(vm.Hints)) {
		if hs := vm.Hints[vm.PC.Offset]; hs != nil {
			for i, h := range hs {
				if err := h.Execute(vm); err != nil {
					return vm.fail(err, i)
				}
				if vm.SkipInstruction {
					return nil
				}
			}
		}
	}
	d, err := vm.decode()
	if err != nil {
		return vm.fail(err, -1)
	}
	if err := vm.run(d); err != nil {
		return vm.fail(err, -1)
	}
	return nil
}

func (vm *VM) decode() (*decodedInst, error) {
	pc := vm.PC
	if pc.Segment == vm.progSeg && pc.Offset < uint64(len(vm.decoded)) {
		if d := &vm.decoded[pc.Offset]; d.ok {
			return d, nil
		}
	}
	v := vm.Mem.Get(pc)
	if !v.IsSet() {
		return nil, fmt.Errorf("%w at address %s.", memory.ErrUnknownValue, pc)
	}
	if !v.IsFelt() {
		return nil, fmt.Errorf("Instruction should be an int. Found: %s", v)
	}
	enc, ok := v.Felt().Uint64()
	if !ok || enc >= instruction.MaxEncoding {
		return nil, fmt.Errorf("Unsupported instruction: %s.", v.Felt())
	}
	inst, err := instruction.Decode(enc)
	if err != nil {
		return nil, err
	}
	d := decodedInst{inst: inst}
	if pc.Segment != vm.progSeg || pc.Offset > 1<<32 || vm.sharedDecode {
		return &d, nil
	}
	if inst.Op1Src == instruction.Op1Imm {
		d.imm = vm.Mem.Get(pc.Add(1))
		if !d.imm.IsSet() {
			// Not cacheable yet: the immediate may be deduced later.
			return &d, nil
		}
		d.immSmall, d.immInt = smallImmediate(d.imm)
	}
	d.ok = true
	d.shape = shapeOf(&d)
	if pc.Offset >= uint64(len(vm.decoded)) {
		n := uint64(len(vm.decoded)) * 2
		if n <= pc.Offset {
			n = pc.Offset + 1
		}
		nd := make([]decodedInst, n)
		copy(nd, vm.decoded)
		vm.decoded = nd
	}
	vm.decoded[pc.Offset] = d
	return &vm.decoded[pc.Offset], nil
}

// smallImmediate reports whether an immediate is a small signed integer.
func smallImmediate(v memory.Value) (bool, int64) {
	if !v.IsFelt() {
		return false, 0
	}
	f := v.Felt()
	if u, ok := f.Uint64(); ok && u < 1<<62 {
		return true, int64(u)
	}
	if u, ok := f.Neg().Uint64(); ok && u < 1<<62 {
		return true, -int64(u)
	}
	return false, 0
}

// addSmall moves r by a small signed amount.
func addSmall(r memory.Relocatable, n int64) (memory.Relocatable, error) {
	if n < 0 && uint64(-n) > r.Offset {
		return memory.Relocatable{}, fmt.Errorf("address %s%+d has a negative offset", r, n)
	}
	return memory.Relocatable{Segment: r.Segment, Offset: uint64(int64(r.Offset) + n)}, nil
}

// PrepareDecodeCache sizes the decode cache for a program of n words.
func (vm *VM) PrepareDecodeCache(n int) {
	if len(vm.decoded) < n {
		vm.decoded = make([]decodedInst, n)
	}
}

func addOffset(base memory.Relocatable, off int16) (memory.Relocatable, error) {
	if off >= 0 {
		return memory.Relocatable{Segment: base.Segment, Offset: base.Offset + uint64(off)}, nil
	}
	d := uint64(-int64(off))
	if d > base.Offset {
		return memory.Relocatable{}, fmt.Errorf("The offset of a relocatable value must be nonnegative. Found: %d:%d.", base.Segment, int64(base.Offset)-int64(d))
	}
	return memory.Relocatable{Segment: base.Segment, Offset: base.Offset - d}, nil
}

var errUnconstrainedAssert = errors.New("Res.UNCONSTRAINED cannot be used with Opcode.ASSERT_EQ")

// run executes one decoded instruction: the fast path of its shape when it
// applies, the general one otherwise.
func (vm *VM) run(d *decodedInst) error {
	if d.shape != shapeGeneric && !vm.genericOnly {
		if done, err := vm.runFast(d); done {
			return err
		}
	}
	return vm.runGeneric(d)
}

// runGeneric executes one decoded instruction: operands with deduction,
// opcode assertions, trace, register updates.
func (vm *VM) runGeneric(d *decodedInst) error {
	in := &d.inst
	mem := vm.Mem
	// Operand addresses.
	dstBase := vm.AP
	if in.DstReg == instruction.FP {
		dstBase = vm.FP
	}
	dstAddr, err := addOffset(dstBase, in.OffDst)
	if err != nil {
		return err
	}
	op0Base := vm.AP
	if in.Op0Reg == instruction.FP {
		op0Base = vm.FP
	}
	op0Addr, err := addOffset(op0Base, in.OffOp0)
	if err != nil {
		return err
	}
	dst := mem.Get(dstAddr)
	op0 := mem.Get(op0Addr)

	var op1Base memory.Relocatable
	switch in.Op1Src {
	case instruction.Op1FP:
		op1Base = vm.FP
	case instruction.Op1AP:
		op1Base = vm.AP
	case instruction.Op1Imm:
		if in.OffOp1 != 1 {
			return errors.New("In immediate mode, off2 should be 1.")
		}
		op1Base = vm.PC
	case instruction.Op1Op0:
		if !op0.IsSet() {
			return errors.New("op0 must be known in double dereference.")
		}
		if !op0.IsReloc() {
			return fmt.Errorf("%w at address %s.", memory.ErrUnknownValue, op0)
		}
		op1Base = op0.Reloc()
	}
	op1Addr, err := addOffset(op1Base, in.OffOp1)
	if err != nil {
		return err
	}
	var op1 memory.Value
	if d.ok && in.Op1Src == instruction.Op1Imm {
		op1 = d.imm
	} else {
		op1 = mem.Get(op1Addr)
	}

	var res memory.Value
	// Auto-deduction by builtins.
	if !op0.IsSet() {
		if d, ok, err := mem.Deduce(op0Addr); err != nil {
			return err
		} else if ok {
			if err := mem.Set(op0Addr, d); err != nil {
				return err
			}
			op0 = d
		}
	}
	if !op1.IsSet() {
		if d, ok, err := mem.Deduce(op1Addr); err != nil {
			return err
		} else if ok {
			if err := mem.Set(op1Addr, d); err != nil {
				return err
			}
			op1 = d
		}
	}
	updDst, updOp0, updOp1 := !dst.IsSet(), !op0.IsSet(), !op1.IsSet()

	if !op0.IsSet() {
		var r memory.Value
		op0, r, err = vm.deduceOp0(in, dst, op1)
		if err != nil {
			return err
		}
		if !res.IsSet() {
			res = r
		}
	}
	if !op1.IsSet() {
		var r memory.Value
		op1, r, err = deduceOp1(in, dst, op0)
		if err != nil {
			return err
		}
		if !res.IsSet() {
			res = r
		}
	}
	if !op0.IsSet() {
		return fmt.Errorf("%w at address %s.", memory.ErrUnknownValue, op0Addr)
	}
	if !op1.IsSet() {
		return fmt.Errorf("%w at address %s.", memory.ErrUnknownValue, op1Addr)
	}
	if !res.IsSet() {
		switch in.Res {
		case instruction.ResOp1:
			res = op1
		case instruction.ResAdd:
			if op0.IsFelt() && op1.IsFelt() {
				res = memory.AddFelts(&op0, &op1)
			} else if res, err = op0.Add(op1); err != nil {
				return err
			}
		case instruction.ResMul:
			if !op0.IsFelt() || !op1.IsFelt() {
				return fmt.Errorf("Could not complete computation * of non pure values: (%s, %s).", op0, op1)
			}
			res = memory.MulFelts(&op0, &op1)
		}
	}
	if !dst.IsSet() {
		switch {
		case in.Opcode == instruction.OpAssertEq && res.IsSet():
			dst = res
		case in.Opcode == instruction.OpCall:
			dst = memory.RelocValue(vm.FP)
		}
	}
	if !dst.IsSet() {
		return fmt.Errorf("%w at address %s.", memory.ErrUnknownValue, dstAddr)
	}
	if updDst {
		if err := mem.Set(dstAddr, dst); err != nil {
			return err
		}
	}
	if updOp0 {
		if err := mem.Set(op0Addr, op0); err != nil {
			return err
		}
	}
	if updOp1 {
		if err := mem.Set(op1Addr, op1); err != nil {
			return err
		}
	}

	// Opcode assertions.
	switch in.Opcode {
	case instruction.OpAssertEq:
		if !res.IsSet() {
			return errUnconstrainedAssert
		}
		if dst != res {
			return fmt.Errorf("An ASSERT_EQ instruction failed: %s != %s.", dst, res)
		}
	case instruction.OpCall:
		ret := memory.RelocValue(vm.PC.Add(in.Size()))
		if op0 != ret {
			return fmt.Errorf("Call failed to write return-pc (inconsistent op0): %s != %s. Did you forget to increment ap?", op0, ret)
		}
		if fp := memory.RelocValue(vm.FP); dst != fp {
			return fmt.Errorf("Call failed to write return-fp (inconsistent dst): %s != %s. Did you forget to increment ap?", dst, fp)
		}
	}

	if vm.TraceEnabled {
		vm.recordTrace()
	}
	if vm.TrackAccesses {
		mem.MarkAccessed(dstAddr)
		mem.MarkAccessed(op0Addr)
		mem.MarkAccessed(op1Addr)
		mem.MarkAccessed(vm.PC)
	}

	// Register updates: fp, then ap, then pc.
	newFP := vm.FP
	switch in.FpUpdate {
	case instruction.FpAPPlus2:
		newFP = vm.AP.Add(2)
	case instruction.FpDst:
		if !dst.IsReloc() {
			return fmt.Errorf("ret: fp must be an address, found %s", dst)
		}
		newFP = dst.Reloc()
	}
	newAP := vm.AP
	switch in.ApUpdate {
	case instruction.ApAdd:
		if !res.IsSet() {
			return errors.New("Res.UNCONSTRAINED cannot be used with ApUpdate.ADD")
		}
		if !res.IsFelt() {
			return fmt.Errorf("cannot add two addresses (%s + %s)", vm.AP, res)
		}
		if d.immSmall && in.Res == instruction.ResOp1 {
			newAP, err = addSmall(vm.AP, d.immInt)
		} else {
			newAP, err = vm.AP.AddFelt(res.Felt())
		}
		if err != nil {
			return err
		}
	case instruction.ApAdd1:
		newAP = vm.AP.Add(1)
	case instruction.ApAdd2:
		newAP = vm.AP.Add(2)
	}
	vm.FP = newFP
	vm.AP = newAP
	switch in.PcUpdate {
	case instruction.PcRegular:
		vm.PC = vm.PC.Add(in.Size())
	case instruction.PcJump:
		if !res.IsSet() {
			return errors.New("Res.UNCONSTRAINED cannot be used with PcUpdate.JUMP")
		}
		if !res.IsReloc() {
			return fmt.Errorf("jmp abs: the target must be an address, found %s", res)
		}
		vm.PC = res.Reloc()
	case instruction.PcJumpRel:
		if !res.IsSet() {
			return errors.New("Res.UNCONSTRAINED cannot be used with PcUpdate.JUMP_REL")
		}
		if !res.IsFelt() {
			return fmt.Errorf("Could not complete computation jmp rel of non pure value: %s.", res)
		}
		if d.immSmall && in.Res == instruction.ResOp1 {
			vm.PC, err = addSmall(vm.PC, d.immInt)
		} else {
			vm.PC, err = vm.PC.AddFelt(res.Felt())
		}
		if err != nil {
			return err
		}
	case instruction.PcJnz:
		zero := false
		switch {
		case dst.IsFelt():
			zero = dst.Felt().IsZero()
		case dst.IsReloc():
		default:
			return fmt.Errorf("Could not complete computation jmp != 0 of non pure value: %s.", dst)
		}
		if zero {
			vm.PC = vm.PC.Add(in.Size())
		} else {
			if !op1.IsFelt() {
				return fmt.Errorf("cannot add two addresses (%s + %s)", vm.PC, op1)
			}
			if d.immSmall {
				vm.PC, err = addSmall(vm.PC, d.immInt)
			} else {
				vm.PC, err = vm.PC.AddFelt(op1.Felt())
			}
			if err != nil {
				return err
			}
		}
	}
	vm.Step++
	return nil
}

func (vm *VM) deduceOp0(in *instruction.Instruction, dst, op1 memory.Value) (op0, res memory.Value, err error) {
	switch in.Opcode {
	case instruction.OpCall:
		return memory.RelocValue(vm.PC.Add(in.Size())), memory.Value{}, nil
	case instruction.OpAssertEq:
		switch {
		case in.Res == instruction.ResAdd && dst.IsSet() && op1.IsSet():
			v, err := dst.Sub(op1)
			if err != nil {
				return v, memory.Value{}, err
			}
			return v, dst, nil
		case in.Res == instruction.ResMul && dst.IsFelt() && op1.IsFelt():
			if op1.Felt().IsZero() {
				return memory.Value{}, memory.Value{}, fmt.Errorf("Cannot deduce operand in '0 = ? * %s' (possibly due to division by 0).", dst)
			}
			return memory.FeltValue(dst.Felt().Div(op1.Felt())), dst, nil
		}
	}
	return memory.Value{}, memory.Value{}, nil
}

func deduceOp1(in *instruction.Instruction, dst, op0 memory.Value) (op1, res memory.Value, err error) {
	if in.Opcode != instruction.OpAssertEq {
		return memory.Value{}, memory.Value{}, nil
	}
	switch {
	case in.Res == instruction.ResOp1 && dst.IsSet():
		return dst, dst, nil
	case in.Res == instruction.ResAdd && dst.IsSet() && op0.IsSet():
		v, err := dst.Sub(op0)
		if err != nil {
			return v, memory.Value{}, err
		}
		return v, dst, nil
	case in.Res == instruction.ResMul && dst.IsFelt() && op0.IsFelt() && !op0.Felt().IsZero():
		return memory.FeltValue(dst.Felt().Div(op0.Felt())), dst, nil
	}
	return memory.Value{}, memory.Value{}, nil
}
