package vm

import (
	"github.com/kairo-dev/kairo/vm/instruction"
	"github.com/kairo-dev/kairo/vm/memory"
)

// shape classifies a decoded instruction for runFast: the instruction
// forms compilers emit for nearly every step, whose operands are read
// straight from memory pages and whose register updates need no general
// case analysis.
type shape uint8

const (
	shapeGeneric shape = iota
	// shapeAssert: assert_eq with res = op1, op0 + op1 or op0 * op1,
	// regular pc and fp, ap unchanged or ap++.
	shapeAssert
	// shapeCallRel: call rel imm (a small immediate).
	shapeCallRel
	// shapeRet: ret.
	shapeRet
	// shapeJnz: jmp rel imm if dst != 0, ap unchanged or ap++.
	shapeJnz
	// shapeJmpRel: jmp rel imm, ap unchanged or ap++.
	shapeJmpRel
	// shapeApAdd: ap += imm.
	shapeApAdd
)

// shapeOf returns the fast-path shape of a cached instruction.
func shapeOf(d *decodedInst) shape {
	in := &d.inst
	smallImm := in.Op1Src == instruction.Op1Imm && in.OffOp1 == 1 && d.immSmall
	apKeepOr1 := in.ApUpdate == instruction.ApRegular || in.ApUpdate == instruction.ApAdd1
	switch in.Opcode {
	case instruction.OpAssertEq:
		if in.Res != instruction.ResUnconstrained && in.PcUpdate == instruction.PcRegular &&
			apKeepOr1 && in.FpUpdate == instruction.FpRegular &&
			(in.Op1Src != instruction.Op1Imm || in.OffOp1 == 1) {
			return shapeAssert
		}
	case instruction.OpCall:
		if smallImm && in.Res == instruction.ResOp1 && in.PcUpdate == instruction.PcJumpRel &&
			in.ApUpdate == instruction.ApAdd2 && in.FpUpdate == instruction.FpAPPlus2 {
			return shapeCallRel
		}
	case instruction.OpRet:
		if in.Res == instruction.ResOp1 && in.PcUpdate == instruction.PcJump &&
			in.ApUpdate == instruction.ApRegular && in.FpUpdate == instruction.FpDst &&
			in.Op1Src != instruction.Op1Imm && in.Op1Src != instruction.Op1Op0 {
			return shapeRet
		}
	case instruction.OpNop:
		if !smallImm || in.FpUpdate != instruction.FpRegular {
			break
		}
		switch {
		case in.PcUpdate == instruction.PcJnz && apKeepOr1:
			return shapeJnz
		case in.PcUpdate == instruction.PcJumpRel && in.Res == instruction.ResOp1 && apKeepOr1:
			return shapeJmpRel
		case in.PcUpdate == instruction.PcRegular && in.Res == instruction.ResOp1 && in.ApUpdate == instruction.ApAdd:
			return shapeApAdd
		}
	}
	return shapeGeneric
}

// operandAddr returns base + off, or false when the offset would be
// negative (runGeneric reports that).
func operandAddr(base memory.Relocatable, off int16) (memory.Relocatable, bool) {
	if off < 0 && uint64(-int64(off)) > base.Offset {
		return memory.Relocatable{}, false
	}
	return memory.Relocatable{Segment: base.Segment, Offset: uint64(int64(base.Offset) + int64(off))}, true
}

// runFast executes an instruction of a fast shape when every operand it
// reads is already in memory (no deduction) and nothing fails; it reports
// false, having changed nothing, in every other case, and runGeneric then
// executes the instruction (and reports its errors). Its effects are
// exactly runGeneric's.
func (vm *VM) runFast(d *decodedInst) (bool, error) {
	mem := vm.Mem
	if mem.HasRelocationRules() {
		return false, nil
	}
	in := &d.inst
	dstBase, op0Base := vm.AP, vm.AP
	if in.DstReg == instruction.FP {
		dstBase = vm.FP
	}
	if in.Op0Reg == instruction.FP {
		op0Base = vm.FP
	}
	dstAddr, ok := operandAddr(dstBase, in.OffDst)
	if !ok {
		return false, nil
	}
	op0Addr, ok := operandAddr(op0Base, in.OffOp0)
	if !ok {
		return false, nil
	}
	dstP := mem.Ptr(dstAddr)
	op0P := mem.Ptr(op0Addr)
	if dstP == nil || op0P == nil {
		return false, nil
	}
	op0 := *op0P

	if d.shape == shapeCallRel {
		// dst and op0 are written (fp and the return pc); runGeneric
		// checks cells that already hold something.
		// A builtin segment's deducer would fill op0 first.
		if dstP.IsSet() || op0.IsSet() || (op0Addr.Segment != vm.execSeg && mem.HasDeducer(op0Addr.Segment)) {
			return false, nil
		}
		if d.immInt < 0 && uint64(-d.immInt) > vm.PC.Offset {
			return false, nil
		}
		newPC := memory.Relocatable{Segment: vm.PC.Segment, Offset: uint64(int64(vm.PC.Offset) + d.immInt)}
		fp := memory.RelocValue(vm.FP)
		ret := memory.RelocValue(memory.Relocatable{Segment: vm.PC.Segment, Offset: vm.PC.Offset + 2})
		if err := mem.Set(dstAddr, fp); err != nil {
			return true, err
		}
		if err := mem.Set(op0Addr, ret); err != nil {
			return true, err
		}
		vm.finishFast(dstAddr, op0Addr, vm.PC.Add(1))
		vm.FP = vm.AP.Add(2)
		vm.AP = vm.AP.Add(2)
		vm.PC = newPC
		vm.Step++
		return true, nil
	}

	if !op0.IsSet() && (d.shape != shapeAssert || in.Op1Src == instruction.Op1Op0) {
		return false, nil
	}
	var op1Addr memory.Relocatable
	var op1 memory.Value
	switch in.Op1Src {
	case instruction.Op1Imm:
		op1Addr = memory.Relocatable{Segment: vm.PC.Segment, Offset: vm.PC.Offset + 1}
		op1 = d.imm
	default:
		var base memory.Relocatable
		switch in.Op1Src {
		case instruction.Op1FP:
			base = vm.FP
		case instruction.Op1AP:
			base = vm.AP
		default: // Op1Op0
			if !op0.IsReloc() {
				return false, nil
			}
			base = op0.Reloc()
		}
		if op1Addr, ok = operandAddr(base, in.OffOp1); !ok {
			return false, nil
		}
		op1P := mem.Ptr(op1Addr)
		if op1P == nil {
			return false, nil
		}
		op1 = *op1P
		if !op1.IsSet() && (d.shape != shapeAssert || !op0.IsSet()) {
			return false, nil
		}
	}

	switch d.shape {
	case shapeAssert:
		if !op1.IsSet() && op0.IsSet() {
			// A builtin segment's deducer comes first, as in runGeneric.
			v, ok, err := mem.Deduce(op1Addr)
			if err != nil {
				return true, err
			}
			if ok {
				if err := mem.Set(op1Addr, v); err != nil {
					return true, err
				}
				op1 = v
			}
		}
		if !op0.IsSet() || !op1.IsSet() {
			return vm.assertDeduce(d, dstP, dstAddr, op0Addr, op1Addr, op0, op1)
		}
		var res memory.Value
		switch in.Res {
		case instruction.ResOp1:
			res = op1
		case instruction.ResAdd:
			if op0.IsFelt() && op1.IsFelt() {
				res = memory.AddFelts(&op0, &op1)
			} else {
				var err error
				if res, err = op0.Add(op1); err != nil {
					return false, nil
				}
			}
		default: // ResMul
			if !op0.IsFelt() || !op1.IsFelt() {
				return false, nil
			}
			res = memory.MulFelts(&op0, &op1)
		}
		if dstP.IsSet() {
			if *dstP != res {
				return false, nil
			}
		} else if err := mem.Set(dstAddr, res); err != nil {
			return true, err
		}
		vm.finishFast(dstAddr, op0Addr, op1Addr)
		if in.ApUpdate == instruction.ApAdd1 {
			vm.AP.Offset++
		}
		vm.PC.Offset += in.Size()
	case shapeRet:
		dst := *dstP
		if !dst.IsReloc() || !op1.IsReloc() {
			return false, nil
		}
		vm.finishFast(dstAddr, op0Addr, op1Addr)
		vm.FP = dst.Reloc()
		vm.PC = op1.Reloc()
	case shapeJnz:
		dst := *dstP
		var zero bool
		switch {
		case dst.IsFelt():
			zero = dst.Felt().IsZero()
		case dst.IsReloc():
		default:
			return false, nil
		}
		newPC := vm.PC
		if zero {
			newPC.Offset += 2
		} else {
			if d.immInt < 0 && uint64(-d.immInt) > vm.PC.Offset {
				return false, nil
			}
			newPC.Offset = uint64(int64(vm.PC.Offset) + d.immInt)
		}
		vm.finishFast(dstAddr, op0Addr, op1Addr)
		if in.ApUpdate == instruction.ApAdd1 {
			vm.AP.Offset++
		}
		vm.PC = newPC
	case shapeJmpRel:
		if !dstP.IsSet() {
			return false, nil
		}
		if d.immInt < 0 && uint64(-d.immInt) > vm.PC.Offset {
			return false, nil
		}
		vm.finishFast(dstAddr, op0Addr, op1Addr)
		if in.ApUpdate == instruction.ApAdd1 {
			vm.AP.Offset++
		}
		vm.PC.Offset = uint64(int64(vm.PC.Offset) + d.immInt)
	case shapeApAdd:
		if !dstP.IsSet() {
			return false, nil
		}
		if d.immInt < 0 && uint64(-d.immInt) > vm.AP.Offset {
			return false, nil
		}
		vm.finishFast(dstAddr, op0Addr, op1Addr)
		vm.AP.Offset = uint64(int64(vm.AP.Offset) + d.immInt)
		vm.PC.Offset += 2
	default:
		return false, nil
	}
	vm.Step++
	return true, nil
}

// finishFast records the trace entry and the accessed cells of a step,
// before its register updates, as runGeneric does.
func (vm *VM) finishFast(dstAddr, op0Addr, op1Addr memory.Relocatable) {
	if vm.TraceEnabled {
		vm.recordTrace()
	}
	if vm.TrackAccesses {
		mem := vm.Mem
		mem.MarkAccessed(dstAddr)
		mem.MarkAccessed(op0Addr)
		mem.MarkAccessed(op1Addr)
		mem.MarkAccessed(vm.PC)
	}
}

// assertDeduce executes an assert_eq whose dst is known and exactly one of
// op0 and op1 is not (op1's deducer already tried): op0's deducer fills
// it, or the assertion does (op0 = dst - op1, op1 = dst / op0, ...), as runGeneric
// does, with the same writes in the same order. Cases that runGeneric
// reports as errors are left to it (reporting false before any write, or
// after writes that runGeneric repeats identically).
func (vm *VM) assertDeduce(d *decodedInst, dstP *memory.Value, dstAddr, op0Addr, op1Addr memory.Relocatable, op0, op1 memory.Value) (bool, error) {
	mem := vm.Mem
	in := &d.inst
	dst := *dstP
	if !dst.IsSet() {
		return false, nil
	}
	if !op0.IsSet() {
		v, ok, err := mem.Deduce(op0Addr)
		if err != nil {
			return true, err
		}
		if !ok {
			switch {
			case in.Res == instruction.ResAdd:
				if v, err = dst.Sub(op1); err != nil {
					return false, nil
				}
			case in.Res == instruction.ResMul && dst.IsFelt() && op1.IsFelt() && !op1.Felt().IsZero():
				v = memory.FeltValue(dst.Felt().Div(op1.Felt()))
			default:
				return false, nil
			}
		}
		if err := mem.Set(op0Addr, v); err != nil {
			return true, err
		}
		if ok {
			// A deduced operand still has to satisfy the assertion.
			return false, nil
		}
	} else {
		// The deducer of op1's segment, if any, had nothing.
		var v memory.Value
		switch {
		case in.Res == instruction.ResOp1:
			v = dst
		case in.Res == instruction.ResAdd:
			var err error
			if v, err = dst.Sub(op0); err != nil {
				return false, nil
			}
		case in.Res == instruction.ResMul && dst.IsFelt() && op0.IsFelt() && !op0.Felt().IsZero():
			v = memory.FeltValue(dst.Felt().Div(op0.Felt()))
		default:
			return false, nil
		}
		if err := mem.Set(op1Addr, v); err != nil {
			return true, err
		}
	}
	vm.finishFast(dstAddr, op0Addr, op1Addr)
	if in.ApUpdate == instruction.ApAdd1 {
		vm.AP.Offset++
	}
	vm.PC.Offset += in.Size()
	vm.Step++
	return true, nil
}
