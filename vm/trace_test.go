package vm

import (
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/instruction"
	"github.com/kairo-dev/kairo/vm/memory"
)

func encode(t *testing.T, in instruction.Instruction) memory.Value {
	t.Helper()
	enc, err := in.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return memory.Uint64Value(enc)
}

// TestTraceLargeOffsets: entries whose offsets do not fit the compact
// trace entry are kept whole among the trace exceptions.
func TestTraceLargeOffsets(t *testing.T) {
	apAdd := instruction.Instruction{OffDst: -1, OffOp0: -1, OffOp1: 1, DstReg: instruction.FP, Op0Reg: instruction.FP,
		Op1Src: instruction.Op1Imm, Res: instruction.ResOp1, ApUpdate: instruction.ApAdd, Opcode: instruction.OpNop}
	store := instruction.Instruction{OffDst: 0, OffOp0: -1, OffOp1: 1, DstReg: instruction.AP, Op0Reg: instruction.FP,
		Op1Src: instruction.Op1Imm, Res: instruction.ResOp1, ApUpdate: instruction.ApAdd1, Opcode: instruction.OpAssertEq}
	mem := memory.New()
	prog, exec := mem.AddSegment(), mem.AddSegment()
	code := []memory.Value{encode(t, apAdd), memory.FeltValue(felt.FromUint64(1 << 32)), encode(t, store), memory.Uint64Value(5)}
	if _, err := mem.Load(prog, code); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Load(exec, []memory.Value{memory.Uint64Value(0), memory.Uint64Value(0)}); err != nil {
		t.Fatal(err)
	}
	v := New(mem, prog.Segment, exec.Segment)
	v.TraceEnabled = true
	v.PC, v.AP, v.FP = prog, exec.Add(2), exec.Add(2)
	for range 2 {
		if err := v.StepOnce(); err != nil {
			t.Fatal(err)
		}
	}
	if v.TraceLen() != 2 || !v.HasOddTrace() {
		t.Fatalf("trace length %d, odd entries %v; want 2, true", v.TraceLen(), v.HasOddTrace())
	}
	if _, odd := v.TraceOdd(0); odd {
		t.Error("entry 0 (ap = 1:2) listed as an exception")
	}
	pc, ap, fp := v.TraceRegisters(1)
	if want := exec.Add(1<<32 + 2); ap != want || pc != prog.Add(2) || fp != exec.Add(2) {
		t.Errorf("entry 1: pc %s ap %s fp %s, want pc %s ap %s fp %s", pc, ap, fp, prog.Add(2), want, exec.Add(2))
	}
	if got := mem.Get(exec.Add(1<<32 + 2)); got != memory.Uint64Value(5) {
		t.Errorf("[ap] = %s, want 5", got)
	}
}
