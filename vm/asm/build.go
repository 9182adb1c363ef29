package asm

import (
	"fmt"
	"math/big"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/instruction"
)

// prime is the Stark prime; constants are folded below it.
var prime = felt.Prime()

// offsetLimit bounds instruction offsets: [-2^15, 2^15).
const offsetLimit = 1 << 15

// resolver gives the value of a named constant.
type resolver func(name string) (*big.Int, bool)

// simplify folds constant sub-expressions (named constants included) and
// normalises the shapes cairo-lang's preprocessor produces: "x - c" becomes
// "x + (-c)", "c + x" becomes "x + c", and "(reg + c1) + c2" becomes
// "reg + (c1 + c2)".
func simplify(e expr, consts resolver) (expr, error) {
	switch e := e.(type) {
	case *numExpr, *regExpr:
		return e, nil
	case *identExpr:
		if v, ok := consts(e.name); ok {
			return &numExpr{v: new(big.Int).Set(v), p: e.p}, nil
		}
		return e, nil
	case *derefExpr:
		a, err := simplify(e.addr, consts)
		if err != nil {
			return nil, err
		}
		return &derefExpr{addr: a, p: e.p}, nil
	case *negExpr:
		x, err := simplify(e.x, consts)
		if err != nil {
			return nil, err
		}
		if n, ok := x.(*numExpr); ok {
			return &numExpr{v: new(big.Int).Neg(n.v), p: e.p}, nil
		}
		return &negExpr{x: x, p: e.p}, nil
	case *binExpr:
		a, err := simplify(e.a, consts)
		if err != nil {
			return nil, err
		}
		b, err := simplify(e.b, consts)
		if err != nil {
			return nil, err
		}
		na, aConst := a.(*numExpr)
		nb, bConst := b.(*numExpr)
		if aConst && bConst {
			v := new(big.Int)
			switch e.op {
			case '+':
				v.Add(na.v, nb.v)
			case '-':
				v.Sub(na.v, nb.v)
			case '*':
				v.Mul(na.v, nb.v)
			default:
				return nil, errorf(e.p, "division of constants is not supported")
			}
			if v.CmpAbs(prime) >= 0 {
				v.Mod(v, prime)
			}
			return &numExpr{v: v, p: e.p}, nil
		}
		op := e.op
		if op == '-' && bConst {
			op, b = '+', &numExpr{v: new(big.Int).Neg(nb.v), p: nb.p}
		}
		if aConst && (op == '+' || op == '*') {
			a, b = b, a
			bConst = true
		}
		if inner, ok := a.(*binExpr); ok && op == '+' && bConst && inner.op == '+' {
			if _, isReg := inner.a.(*regExpr); isReg {
				if c, ok := inner.b.(*numExpr); ok {
					sum := new(big.Int).Add(c.v, b.(*numExpr).v)
					return &binExpr{op: '+', a: inner.a, b: &numExpr{v: sum, p: c.p}, p: e.p}, nil
				}
			}
		}
		return &binExpr{op: op, a: a, b: b, p: e.p}, nil
	}
	return nil, fmt.Errorf("unknown expression %T", e)
}

// built is an instruction or data word with its optional immediate.
type built struct {
	ins    instruction.Instruction
	imm    *big.Int // nil without an immediate
	isData bool     // dw: the word is imm
}

// size is the number of words of b.
func (b built) size() int {
	if b.isData || b.imm == nil {
		return 1
	}
	return 2
}

// words returns b's encoding.
func (b built) words() ([]*big.Int, error) {
	if b.isData {
		return []*big.Int{reduce(b.imm)}, nil
	}
	enc, err := b.ins.Encode()
	if err != nil {
		return nil, err
	}
	w := []*big.Int{new(big.Int).SetUint64(enc)}
	if b.imm != nil {
		w = append(w, reduce(b.imm))
	}
	return w, nil
}

func reduce(v *big.Int) *big.Int { return new(big.Int).Mod(v, prime) }

// resDesc is cairo-lang's ResDescription: what describes res.
type resDesc struct {
	off1, off2 int16
	imm        *big.Int
	op0Reg     instruction.Register
	op1        instruction.Op1Src
	res        instruction.ResLogic
}

func register(e *regExpr) instruction.Register {
	if e.fp {
		return instruction.FP
	}
	return instruction.AP
}

func op1FromReg(r instruction.Register) instruction.Op1Src {
	if r == instruction.FP {
		return instruction.Op1FP
	}
	return instruction.Op1AP
}

func describe(e expr) string {
	switch e := e.(type) {
	case *numExpr:
		return e.v.String()
	case *regExpr:
		if e.fp {
			return "fp"
		}
		return "ap"
	case *identExpr:
		return e.name
	case *derefExpr:
		return "[" + describe(e.addr) + "]"
	case *negExpr:
		return "-" + describe(e.x)
	case *binExpr:
		return describe(e.a) + " " + string(e.op) + " " + describe(e.b)
	}
	return "?"
}

// parseOffset splits "val + off" or "val - off" into val and off.
func parseOffset(e expr) (expr, int16, error) {
	b, ok := e.(*binExpr)
	if !ok {
		return e, 0, nil
	}
	sign := int64(1)
	switch b.op {
	case '+':
	case '-':
		sign = -1
	default:
		return nil, 0, errorf(b.p, "expected '+' or '-' in an address, found '%c'", b.op)
	}
	n, ok := b.b.(*numExpr)
	if !ok {
		return nil, 0, errorf(b.b.at(), "expected a constant offset in the range [-2^15, 2^15), found %s", describe(b.b))
	}
	if !n.v.IsInt64() || sign*n.v.Int64() < -offsetLimit || sign*n.v.Int64() >= offsetLimit {
		return nil, 0, errorf(n.p, "offset %s is out of the range [-2^15, 2^15)", new(big.Int).Mul(n.v, big.NewInt(sign)))
	}
	return b.a, int16(sign * n.v.Int64()), nil
}

func parseRegisterOffset(e expr) (instruction.Register, int16, error) {
	base, off, err := parseOffset(e)
	if err != nil {
		return 0, 0, err
	}
	r, ok := base.(*regExpr)
	if !ok {
		return 0, 0, errorf(base.at(), "expected a register (ap or fp), found %s", describe(base))
	}
	return register(r), off, nil
}

func parseDereference(e expr) (expr, error) {
	d, ok := e.(*derefExpr)
	if !ok {
		return nil, errorf(e.at(), "expected a memory operand [reg + offset], found %s", describe(e))
	}
	return d.addr, nil
}

// parseMemOperand parses [reg + offset] into its register and offset.
func parseMemOperand(e expr) (instruction.Register, int16, error) {
	addr, err := parseDereference(e)
	if err != nil {
		return 0, 0, err
	}
	return parseRegisterOffset(addr)
}

func parseRes(e expr) (resDesc, error) {
	switch e := e.(type) {
	case *derefExpr:
		return parseResDeref(e.addr)
	case *numExpr:
		return resDesc{off1: -1, off2: 1, imm: e.v, op0Reg: instruction.FP, op1: instruction.Op1Imm, res: instruction.ResOp1}, nil
	case *binExpr:
		return parseResOperator(e)
	case *identExpr:
		return resDesc{}, errorf(e.p, "undefined constant %q", e.name)
	}
	return resDesc{}, errorf(e.at(), "invalid right-hand side %s", describe(e))
}

func parseResDeref(addr expr) (resDesc, error) {
	_, isDeref := addr.(*derefExpr)
	if b, ok := addr.(*binExpr); ok {
		_, isDeref = b.a.(*derefExpr)
	}
	if isDeref {
		inner, off2, err := parseOffset(addr)
		if err != nil {
			return resDesc{}, err
		}
		reg, off1, err := parseMemOperand(inner)
		if err != nil {
			return resDesc{}, err
		}
		return resDesc{off1: off1, off2: off2, op0Reg: reg, op1: instruction.Op1Op0, res: instruction.ResOp1}, nil
	}
	reg, off2, err := parseRegisterOffset(addr)
	if err != nil {
		return resDesc{}, err
	}
	return resDesc{off1: -1, off2: off2, op0Reg: instruction.FP, op1: op1FromReg(reg), res: instruction.ResOp1}, nil
}

func parseResOperator(e *binExpr) (resDesc, error) {
	var d resDesc
	switch e.op {
	case '+':
		d.res = instruction.ResAdd
	case '*':
		d.res = instruction.ResMul
	default:
		return resDesc{}, errorf(e.p, "expected '+' or '*', found '%c'", e.op)
	}
	var err error
	if d.op0Reg, d.off1, err = parseMemOperand(e.a); err != nil {
		return resDesc{}, err
	}
	switch b := e.b.(type) {
	case *numExpr:
		d.off2, d.op1, d.imm = 1, instruction.Op1Imm, b.v
	case *derefExpr:
		reg, off, err := parseRegisterOffset(b.addr)
		if err != nil {
			return resDesc{}, err
		}
		d.off2, d.op1 = off, op1FromReg(reg)
	case *identExpr:
		return resDesc{}, errorf(b.p, "undefined constant %q", b.name)
	default:
		return resDesc{}, errorf(b.at(), "expected a constant or a memory operand, found %s", describe(b))
	}
	return d, nil
}

func apUpdate(incAP bool) instruction.ApUpdate {
	if incAP {
		return instruction.ApAdd1
	}
	return instruction.ApRegular
}

// inverseSugar rewrites "a = b - c" as "b = a + c" and "a = b / c" as
// "b = a * c".
func inverseSugar(a, b expr) (expr, expr, error) {
	op, ok := b.(*binExpr)
	if !ok {
		return a, b, nil
	}
	for _, pair := range [][2]byte{{'+', '-'}, {'*', '/'}} {
		if op.op == pair[1] {
			if _, isNum := op.b.(*numExpr); isNum {
				return nil, nil, errorf(op.b.at(), "division is not supported for immediates")
			}
			return op.a, &binExpr{op: pair[0], a: a, b: op.b, p: op.p}, nil
		}
	}
	return a, b, nil
}

func buildAssertEq(a, b expr, incAP bool) (built, error) {
	first, err := buildAssertEqInner(a, b, incAP)
	if err == nil {
		return first, nil
	}
	if swapped, err2 := buildAssertEqInner(b, a, incAP); err2 == nil {
		return swapped, nil
	}
	return built{}, err
}

func buildAssertEqInner(a, b expr, incAP bool) (built, error) {
	a, b, err := inverseSugar(a, b)
	if err != nil {
		return built{}, err
	}
	dstReg, off0, err := parseMemOperand(a)
	if err != nil {
		return built{}, err
	}
	d, err := parseRes(b)
	if err != nil {
		return built{}, err
	}
	return built{ins: instruction.Instruction{
		OffDst: off0, OffOp0: d.off1, OffOp1: d.off2,
		DstReg: dstReg, Op0Reg: d.op0Reg, Op1Src: d.op1, Res: d.res,
		PcUpdate: instruction.PcRegular, ApUpdate: apUpdate(incAP),
		FpUpdate: instruction.FpRegular, Opcode: instruction.OpAssertEq,
	}, imm: d.imm}, nil
}

func buildJump(target expr, rel, incAP bool) (built, error) {
	d, err := parseRes(target)
	if err != nil {
		return built{}, err
	}
	pc := instruction.PcJump
	if rel {
		pc = instruction.PcJumpRel
	}
	return built{ins: instruction.Instruction{
		OffDst: -1, OffOp0: d.off1, OffOp1: d.off2,
		DstReg: instruction.FP, Op0Reg: d.op0Reg, Op1Src: d.op1, Res: d.res,
		PcUpdate: pc, ApUpdate: apUpdate(incAP),
		FpUpdate: instruction.FpRegular, Opcode: instruction.OpNop,
	}, imm: d.imm}, nil
}

// jumpOperand parses the op1 of jnz and call: an immediate or [reg + off].
func jumpOperand(e expr, what string) (instruction.Op1Src, int16, *big.Int, error) {
	switch e := e.(type) {
	case *derefExpr:
		reg, off, err := parseRegisterOffset(e.addr)
		if err != nil {
			return 0, 0, nil, err
		}
		return op1FromReg(reg), off, nil, nil
	case *numExpr:
		return instruction.Op1Imm, 1, e.v, nil
	case *identExpr:
		return 0, 0, nil, errorf(e.p, "undefined label or constant %q", e.name)
	}
	return 0, 0, nil, errorf(e.at(), "invalid %s: expected a constant or [reg + offset], found %s", what, describe(e))
}

func buildJnz(offset, cond expr, incAP bool) (built, error) {
	dstReg, off0, err := parseMemOperand(cond)
	if err != nil {
		return built{}, err
	}
	op1, off2, imm, err := jumpOperand(offset, "jump offset")
	if err != nil {
		return built{}, err
	}
	return built{ins: instruction.Instruction{
		OffDst: off0, OffOp0: -1, OffOp1: off2,
		DstReg: dstReg, Op0Reg: instruction.FP, Op1Src: op1, Res: instruction.ResUnconstrained,
		PcUpdate: instruction.PcJnz, ApUpdate: apUpdate(incAP),
		FpUpdate: instruction.FpRegular, Opcode: instruction.OpNop,
	}, imm: imm}, nil
}

func buildCall(target expr, rel bool) (built, error) {
	op1, off2, imm, err := jumpOperand(target, "call target")
	if err != nil {
		return built{}, err
	}
	pc := instruction.PcJump
	if rel {
		pc = instruction.PcJumpRel
	}
	return built{ins: instruction.Instruction{
		OffDst: 0, OffOp0: 1, OffOp1: off2,
		DstReg: instruction.AP, Op0Reg: instruction.AP, Op1Src: op1, Res: instruction.ResOp1,
		PcUpdate: pc, ApUpdate: instruction.ApAdd2,
		FpUpdate: instruction.FpAPPlus2, Opcode: instruction.OpCall,
	}, imm: imm}, nil
}

var retInstruction = instruction.Instruction{
	OffDst: -2, OffOp0: -1, OffOp1: -1,
	DstReg: instruction.FP, Op0Reg: instruction.FP, Op1Src: instruction.Op1FP, Res: instruction.ResOp1,
	PcUpdate: instruction.PcJump, ApUpdate: instruction.ApRegular,
	FpUpdate: instruction.FpDst, Opcode: instruction.OpRet,
}

func buildAddAP(e expr) (built, error) {
	d, err := parseRes(e)
	if err != nil {
		return built{}, err
	}
	return built{ins: instruction.Instruction{
		OffDst: -1, OffOp0: d.off1, OffOp1: d.off2,
		DstReg: instruction.FP, Op0Reg: d.op0Reg, Op1Src: d.op1, Res: d.res,
		PcUpdate: instruction.PcRegular, ApUpdate: instruction.ApAdd,
		FpUpdate: instruction.FpRegular, Opcode: instruction.OpNop,
	}, imm: d.imm}, nil
}

// labelRef is a jump or call target that names a label, resolved once every
// label's pc is known.
type labelRef struct {
	name string
	pos  Pos
	rel  bool
}

// build encodes one instruction. A target naming something other than a
// constant is returned as a label reference with a zero placeholder
// immediate.
func build(ins *instrAST, consts resolver) (built, *labelRef, error) {
	simp := func(e expr) (expr, error) { return simplify(e, consts) }
	noIncAP := func(what string) error {
		if ins.incAP {
			return errorf(ins.pos, "ap++ may not be used with %s", what)
		}
		return nil
	}
	switch ins.kind {
	case iRet:
		if err := noIncAP("ret"); err != nil {
			return built{}, nil, err
		}
		return built{ins: retInstruction}, nil, nil
	case iDw:
		if err := noIncAP("dw"); err != nil {
			return built{}, nil, err
		}
		v, err := simp(ins.b)
		if err != nil {
			return built{}, nil, err
		}
		n, ok := v.(*numExpr)
		if !ok {
			if id, isID := v.(*identExpr); isID {
				return built{}, nil, errorf(id.p, "undefined constant %q", id.name)
			}
			return built{}, nil, errorf(ins.b.at(), "dw must be followed by a constant expression")
		}
		return built{imm: n.v, isData: true}, nil, nil
	case iAddAP:
		if err := noIncAP("ap +="); err != nil {
			return built{}, nil, err
		}
		v, err := simp(ins.b)
		if err != nil {
			return built{}, nil, err
		}
		b, err := buildAddAP(v)
		return b, nil, err
	case iAssertEq:
		a, err := simp(ins.a)
		if err != nil {
			return built{}, nil, err
		}
		b, err := simp(ins.b)
		if err != nil {
			return built{}, nil, err
		}
		out, err := buildAssertEq(a, b, ins.incAP)
		return out, nil, err
	}

	// Jumps and calls: the target may name a label.
	target, err := simp(ins.b)
	if err != nil {
		return built{}, nil, err
	}
	var ref *labelRef
	if id, ok := target.(*identExpr); ok {
		ref = &labelRef{name: id.name, pos: id.p, rel: ins.rel}
		target = &numExpr{v: new(big.Int), p: id.p}
	} else if ins.kind == iJmpLabel || ins.kind == iCallLabel {
		return built{}, nil, errorf(ins.b.at(), "%q is a constant, not a label: use rel or abs", ins.label)
	}
	var out built
	switch ins.kind {
	case iJmp:
		out, err = buildJump(target, ins.rel, ins.incAP)
	case iJmpLabel, iJnz:
		if ins.a == nil {
			out, err = buildJump(target, true, ins.incAP)
			break
		}
		var cond expr
		if cond, err = simp(ins.a); err == nil {
			out, err = buildJnz(target, cond, ins.incAP)
		}
	case iCall, iCallLabel:
		if err = noIncAP("call"); err == nil {
			out, err = buildCall(target, ins.rel)
		}
	default:
		err = errorf(ins.pos, "unknown instruction kind %d", ins.kind)
	}
	if err != nil {
		return built{}, nil, err
	}
	return out, ref, nil
}
