// Package instruction decodes and encodes Cairo instructions.
//
// An instruction is a field element below 2^63: three 16-bit offsets biased
// by 2^15 (dst, op0, op1, from the lowest bits up) followed by 15 flag bits.
// Decoding validates every field as cairo-lang's decode_instruction does;
// the VM decodes each pc once and caches the result.
package instruction

import (
	"errors"
	"fmt"
)

// Register is the base register of a memory operand.
type Register uint8

// Registers.
const (
	AP Register = iota
	FP
)

func (r Register) String() string {
	if r == FP {
		return "fp"
	}
	return "ap"
}

// Op1Src says where op1 is read from.
type Op1Src uint8

// Op1 sources.
const (
	Op1Op0 Op1Src = iota // [op0 + off_op1]
	Op1Imm               // [pc + off_op1], the immediate following the instruction
	Op1FP                // [fp + off_op1]
	Op1AP                // [ap + off_op1]
)

// ResLogic says how res is computed from op0 and op1.
type ResLogic uint8

// Res logics.
const (
	ResOp1 ResLogic = iota
	ResAdd
	ResMul
	ResUnconstrained // jnz: res is not used
)

// PcUpdate says how pc changes.
type PcUpdate uint8

// Pc updates.
const (
	PcRegular PcUpdate = iota // pc += size
	PcJump                    // pc = res
	PcJumpRel                 // pc += res
	PcJnz                     // pc += dst != 0 ? op1 : size
)

// ApUpdate says how ap changes.
type ApUpdate uint8

// Ap updates.
const (
	ApRegular ApUpdate = iota
	ApAdd              // ap += res
	ApAdd1             // ap += 1
	ApAdd2             // ap += 2 (call)
)

// FpUpdate says how fp changes; it follows from the opcode.
type FpUpdate uint8

// Fp updates.
const (
	FpRegular FpUpdate = iota
	FpAPPlus2          // call: fp = ap + 2
	FpDst              // ret: fp = dst
)

// Opcode is the instruction's assertion/control kind.
type Opcode uint8

// Opcodes.
const (
	OpNop Opcode = iota
	OpCall
	OpRet
	OpAssertEq
)

// Instruction is a decoded Cairo instruction.
type Instruction struct {
	OffDst, OffOp0, OffOp1 int16
	DstReg, Op0Reg         Register
	Op1Src                 Op1Src
	Res                    ResLogic
	PcUpdate               PcUpdate
	ApUpdate               ApUpdate
	FpUpdate               FpUpdate
	Opcode                 Opcode
}

// Flag bit positions, counted from bit 48 of the encoding.
const (
	bitDstReg = iota
	bitOp0Reg
	bitOp1Imm
	bitOp1FP
	bitOp1AP
	bitResAdd
	bitResMul
	bitPcJumpAbs
	bitPcJumpRel
	bitPcJnz
	bitApAdd
	bitApAdd1
	bitOpCall
	bitOpRet
	bitOpAssertEq
)

const (
	offsetBits = 16
	offsetBias = 1 << (offsetBits - 1)
	flagsShift = 3 * offsetBits
	// MaxEncoding is the exclusive upper bound of a valid encoding.
	MaxEncoding = uint64(1) << 63
)

// ErrUnsupported is wrapped by every decoding error.
var ErrUnsupported = errors.New("unsupported instruction")

// Decode decodes an instruction encoding. It rejects encodings of 2^63 or
// more and every invalid flag combination.
func Decode(enc uint64) (Instruction, error) {
	if enc >= MaxEncoding {
		return Instruction{}, fmt.Errorf("%w: encoding %#x has the high bit set", ErrUnsupported, enc)
	}
	var in Instruction
	in.OffDst = int16(int32(enc&0xffff) - offsetBias)
	in.OffOp0 = int16(int32((enc>>16)&0xffff) - offsetBias)
	in.OffOp1 = int16(int32((enc>>32)&0xffff) - offsetBias)
	f := enc >> flagsShift
	bit := func(b uint) uint64 { return (f >> b) & 1 }

	in.DstReg = Register(bit(bitDstReg))
	in.Op0Reg = Register(bit(bitOp0Reg))

	switch bit(bitOp1Imm) | bit(bitOp1FP)<<1 | bit(bitOp1AP)<<2 {
	case 0:
		in.Op1Src = Op1Op0
	case 1:
		in.Op1Src = Op1Imm
	case 2:
		in.Op1Src = Op1FP
	case 4:
		in.Op1Src = Op1AP
	default:
		return Instruction{}, fmt.Errorf("%w: invalid op1 source in encoding %#x", ErrUnsupported, enc)
	}

	switch bit(bitPcJumpAbs) | bit(bitPcJumpRel)<<1 | bit(bitPcJnz)<<2 {
	case 0:
		in.PcUpdate = PcRegular
	case 1:
		in.PcUpdate = PcJump
	case 2:
		in.PcUpdate = PcJumpRel
	case 4:
		in.PcUpdate = PcJnz
	default:
		return Instruction{}, fmt.Errorf("%w: invalid pc update in encoding %#x", ErrUnsupported, enc)
	}

	switch bit(bitResAdd) | bit(bitResMul)<<1 {
	case 0:
		if in.PcUpdate == PcJnz {
			in.Res = ResUnconstrained
		} else {
			in.Res = ResOp1
		}
	case 1:
		in.Res = ResAdd
	case 2:
		in.Res = ResMul
	default:
		return Instruction{}, fmt.Errorf("%w: invalid res logic in encoding %#x", ErrUnsupported, enc)
	}
	if in.PcUpdate == PcJnz && in.Res != ResUnconstrained {
		return Instruction{}, fmt.Errorf("%w: jnz with a constrained res in encoding %#x", ErrUnsupported, enc)
	}

	switch bit(bitApAdd) | bit(bitApAdd1)<<1 {
	case 0:
		in.ApUpdate = ApRegular
	case 1:
		in.ApUpdate = ApAdd
	case 2:
		in.ApUpdate = ApAdd1
	default:
		return Instruction{}, fmt.Errorf("%w: invalid ap update in encoding %#x", ErrUnsupported, enc)
	}

	switch bit(bitOpCall) | bit(bitOpRet)<<1 | bit(bitOpAssertEq)<<2 {
	case 0:
		in.Opcode = OpNop
	case 1:
		in.Opcode = OpCall
	case 2:
		in.Opcode = OpRet
	case 4:
		in.Opcode = OpAssertEq
	default:
		return Instruction{}, fmt.Errorf("%w: invalid opcode in encoding %#x", ErrUnsupported, enc)
	}

	switch in.Opcode {
	case OpCall:
		if in.ApUpdate != ApRegular {
			return Instruction{}, fmt.Errorf("%w: call must not update ap explicitly (encoding %#x)", ErrUnsupported, enc)
		}
		in.ApUpdate = ApAdd2
		in.FpUpdate = FpAPPlus2
	case OpRet:
		in.FpUpdate = FpDst
	}
	return in, nil
}

// Size is the number of memory cells the instruction occupies: 2 with an
// immediate, 1 otherwise.
func (in Instruction) Size() uint64 {
	if in.Op1Src == Op1Imm {
		return 2
	}
	return 1
}

// Encode returns the encoding of in. It is the inverse of Decode and rejects
// instructions that Decode would not produce.
func (in Instruction) Encode() (uint64, error) {
	var f uint64
	set := func(b uint) { f |= 1 << b }
	if in.DstReg == FP {
		set(bitDstReg)
	}
	if in.Op0Reg == FP {
		set(bitOp0Reg)
	}
	switch in.Op1Src {
	case Op1Op0:
	case Op1Imm:
		set(bitOp1Imm)
	case Op1FP:
		set(bitOp1FP)
	case Op1AP:
		set(bitOp1AP)
	default:
		return 0, fmt.Errorf("encode: invalid op1 source %d", in.Op1Src)
	}
	switch in.Res {
	case ResOp1:
		if in.PcUpdate == PcJnz {
			return 0, errors.New("encode: jnz requires an unconstrained res")
		}
	case ResUnconstrained:
		if in.PcUpdate != PcJnz {
			return 0, errors.New("encode: unconstrained res is only valid with jnz")
		}
	case ResAdd:
		set(bitResAdd)
	case ResMul:
		set(bitResMul)
	default:
		return 0, fmt.Errorf("encode: invalid res logic %d", in.Res)
	}
	if in.PcUpdate == PcJnz && in.Res != ResUnconstrained {
		return 0, errors.New("encode: jnz requires an unconstrained res")
	}
	switch in.PcUpdate {
	case PcRegular:
	case PcJump:
		set(bitPcJumpAbs)
	case PcJumpRel:
		set(bitPcJumpRel)
	case PcJnz:
		set(bitPcJnz)
	default:
		return 0, fmt.Errorf("encode: invalid pc update %d", in.PcUpdate)
	}
	switch in.Opcode {
	case OpNop:
	case OpCall:
		set(bitOpCall)
	case OpRet:
		set(bitOpRet)
	case OpAssertEq:
		set(bitOpAssertEq)
	default:
		return 0, fmt.Errorf("encode: invalid opcode %d", in.Opcode)
	}
	switch in.ApUpdate {
	case ApRegular:
	case ApAdd:
		set(bitApAdd)
	case ApAdd1:
		set(bitApAdd1)
	case ApAdd2:
		if in.Opcode != OpCall {
			return 0, errors.New("encode: ap += 2 is implied by call only")
		}
	default:
		return 0, fmt.Errorf("encode: invalid ap update %d", in.ApUpdate)
	}
	if in.Opcode == OpCall && in.ApUpdate != ApAdd2 {
		return 0, errors.New("encode: call always updates ap by 2")
	}
	want := FpRegular
	switch in.Opcode {
	case OpCall:
		want = FpAPPlus2
	case OpRet:
		want = FpDst
	}
	if in.FpUpdate != want {
		return 0, errors.New("encode: fp update does not follow from the opcode")
	}
	enc := uint64(uint16(int32(in.OffDst)+offsetBias)) |
		uint64(uint16(int32(in.OffOp0)+offsetBias))<<16 |
		uint64(uint16(int32(in.OffOp1)+offsetBias))<<32 |
		f<<flagsShift
	return enc, nil
}
