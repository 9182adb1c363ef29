package asm

import (
	"errors"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/instruction"
)

func assembleString(t *testing.T, src string) *Program {
	t.Helper()
	p, err := Assemble("test.casm", []byte(src))
	if err != nil {
		t.Fatalf("Assemble(%q): %v", src, err)
	}
	return p
}

// TestEncodeKnownInstructions checks the assembler against words taken from
// programs compiled by cairo-compile (the file each comes from is named).
func TestEncodeKnownInstructions(t *testing.T) {
	tests := []struct {
		src  string
		want []string
		from string
	}{
		{"ap += 1", []string{"0x40780017fff7fff", "0x1"}, "blockifier array_sum"},
		{"ap += 0", []string{"0x40780017fff7fff", "0x0"}, "cairo-vm-go simple"},
		{"call rel 4", []string{"0x1104800180018000", "0x4"}, "cairo-vm-go simple"},
		{"jmp rel 0", []string{"0x10780017fff7fff", "0x0"}, "cairo-vm-go simple"},
		{"jmp rel 9", []string{"0x10780017fff7fff", "0x9"}, "cairo-vm hint"},
		{"ret", []string{"0x208b7fff7fff7ffe"}, "every program"},
		{"[ap] = 5, ap++", []string{"0x480680017fff8000", "0x5"}, "cairo-vm-go simple"},
		{"[ap + 0] = 6", []string{"0x400680017fff8000", "0x6"}, "cairo-vm-go simple"},
		{"[ap - 1] = 5000", []string{"0x400680017fff7fff", "0x1388"}, "cairo-vm linear_search"},
		{"[ap - 1] = [[ap - 2]]", []string{"0x400080007ffe7fff"}, "blockifier array_sum"},
		{"[ap + (-1)] = [[ap + (-3)] + 1]", []string{"0x400080017ffd7fff"}, "blockifier array_sum"},
		{"[ap + -1] = [[ap] + 2], ap++", []string{"0x4800800280007fff"}, "dict_squash"},
		{"[ap - 1] = [[fp - 4]]", []string{"0x400280007ffc7fff"}, "blockifier simple_contract_program"},
		{"[ap - 1] = [[fp + 1] + 23]", []string{"0x4002801780017fff"}, "cairo_keccak_finalize"},
		{"[ap - 1] = [ap - 11] * [ap - 7]", []string{"0x40507ff97ff57fff"}, "blake_finalize_v2"},
		{"[ap - 1] = [ap - 14] + 1", []string{"0x402480017ff27fff", "0x1"}, "apollo_storage program"},
		{"[ap - 1] = [ap - 3] + (-1)", []string{"0x402480017ffd7fff", "0x800000000000011000000000000000000000000000000000000000000000000"}, "blake_finalize_v3"},
		{"[ap - 1] = [ap - 3] - 1", []string{"0x402480017ffd7fff", "0x800000000000011000000000000000000000000000000000000000000000000"}, "blake_finalize_v3"},
		{"[ap - 1] = [ap - 6] * [ap - 5], ap++", []string{"0x48507ffb7ffa7fff"}, "blake_finalize_v3"},
		{"[ap - 1] = [ap - 6], ap++", []string{"0x48127ffa7fff7fff"}, "blake_finalize_v3"},
		{"[ap - 1] = [fp - 3]", []string{"0x400a7ffd7fff7fff"}, "apollo_storage program"},
		{"[ap - 1] = [fp + (-3)] + 100", []string{"0x402680017ffd7fff", "0x64"}, "apollo_storage program"},
		{"[ap - 1] = [fp - 4] + [fp - 3]", []string{"0x402a7ffd7ffc7fff"}, "blockifier simple_contract"},
		{"[fp - 4] = [ap - 1] - [fp - 3]", []string{"0x402a7ffd7ffc7fff"}, "blockifier simple_contract (subtraction sugar)"},
		{"[fp - 4] + [fp - 3] = [ap - 1]", []string{"0x402a7ffd7ffc7fff"}, "blockifier simple_contract (operands swapped)"},
		{"[ap - 10] = [ap - 1] * (-1)", []string{"0x404480017fff7ff6", "0x800000000000011000000000000000000000000000000000000000000000000"}, "math_integration_benchmark"},
		{"[fp - 3] = 25", []string{"0x400780017fff7ffd", "0x19"}, "blockifier simple_contract"},
		{"[fp - 3] = 0x19", []string{"0x400780017fff7ffd", "0x19"}, "blockifier simple_contract"},
		{"[fp - 3] = [ap - 1] * [ap - 3]", []string{"0x40517ffd7fff7ffd"}, "cairo-vm-go compiled"},
		{"[fp + 4] = [fp + 4] * [fp + 4]", []string{"0x404b800480048004"}, "field_arithmetic_get_square_benchmark"},
		{"[fp] = [ap] + [ap - 1], ap++", []string{"0x48317fff80008000"}, "blake_finalize_v2"},
		{"[fp] = [ap + (-14)] + [ap + (-1)]", []string{"0x40317fff7ff28000"}, "uint256_improvements"},
		{"jmp rel 5 if [fp - 3] != 0", []string{"0x20780017fff7ffd", "0x5"}, "blockifier array_sum"},
		{"jmp rel 3 if [ap + (-1)] != 0", []string{"0x20680017fff7fff", "0x3"}, "cairo-vm linear_search"},
		{"jmp rel 4 if [fp] != 0", []string{"0x20780017fff8000", "0x4"}, "cairo-vm hint"},
		{"[ap] = -1", []string{"0x400680017fff8000", "0x800000000000011000000000000000000000000000000000000000000000000"}, "negative immediate"},
		{"const K = 7\n[ap] = K * 3 + 1", []string{"0x400680017fff8000", "0x16"}, "constant expression"},
		{"dw 0x1234", []string{"0x1234"}, "data word"},
		{"dw -1", []string{"0x800000000000011000000000000000000000000000000000000000000000000"}, "negative data word"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p := assembleString(t, tt.src)
			if strings.Join(p.Data, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("%q (%s) assembled to %v, want %v", tt.src, tt.from, p.Data, tt.want)
			}
		})
	}
}

// TestEncodeForms checks each syntax form against the same form written
// another way, and the flag families cairo-compile does not emit often.
func TestEncodeForms(t *testing.T) {
	tests := []struct{ a, b string }{
		{"[ap] = [fp + (-3)] + 1", "[ap] = [fp - 3] + 1"},
		{"[ap] = [fp + -3] + 1", "[ap] = [fp - 3] + 1"},
		{"[ap] = [fp + 1 + 2]", "[ap] = [fp + 3]"},
		{"[ap] = 1 + [fp]", "[ap] = [fp] + 1"},
		{"jmp l\nl: ret", "jmp rel 2\nret"},
		{"jmp rel l\nl: ret", "jmp rel 2\nret"},
		{"l: jmp l if [ap - 1] != 0, ap++", "jmp rel 0 if [ap - 1] != 0, ap++"},
		{"ret\ncall f\nf: ret", "ret\ncall rel 2\nret"},
		{"ret\njmp abs f\nf: ret", "ret\njmp abs 3\nret"},
	}
	for _, tt := range tests {
		a := assembleString(t, tt.a)
		b := assembleString(t, tt.b)
		if strings.Join(a.Data, " ") != strings.Join(b.Data, " ") {
			t.Errorf("%q = %v, but %q = %v", tt.a, a.Data, tt.b, b.Data)
		}
	}
}

// TestEncodeFamilies checks the flag families that compiled programs rarely
// contain against the instruction cairo-lang's instruction builder makes:
// unused operands default to [fp - 1], call uses [ap] and [ap + 1].
func TestEncodeFamilies(t *testing.T) {
	const (
		ap = instruction.AP
		fp = instruction.FP
	)
	type I = instruction.Instruction
	tests := []struct {
		src string
		ins I
	}{
		{"jmp abs [fp + 1]", I{OffDst: -1, OffOp0: -1, OffOp1: 1, DstReg: fp, Op0Reg: fp, Op1Src: instruction.Op1FP, PcUpdate: instruction.PcJump}},
		{"jmp rel [ap - 1]", I{OffDst: -1, OffOp0: -1, OffOp1: -1, DstReg: fp, Op0Reg: fp, Op1Src: instruction.Op1AP, PcUpdate: instruction.PcJumpRel}},
		{"jmp rel [ap + 2] + [fp], ap++", I{OffDst: -1, OffOp0: 2, OffOp1: 0, DstReg: fp, Op0Reg: ap, Op1Src: instruction.Op1FP, Res: instruction.ResAdd, PcUpdate: instruction.PcJumpRel, ApUpdate: instruction.ApAdd1}},
		{"jmp rel [fp] if [ap] != 0", I{OffDst: 0, OffOp0: -1, OffOp1: 0, DstReg: ap, Op0Reg: fp, Op1Src: instruction.Op1FP, Res: instruction.ResUnconstrained, PcUpdate: instruction.PcJnz}},
		{"call abs [fp - 2]", I{OffDst: 0, OffOp0: 1, OffOp1: -2, DstReg: ap, Op0Reg: ap, Op1Src: instruction.Op1FP, PcUpdate: instruction.PcJump, ApUpdate: instruction.ApAdd2, FpUpdate: instruction.FpAPPlus2, Opcode: instruction.OpCall}},
		{"call rel [ap - 1]", I{OffDst: 0, OffOp0: 1, OffOp1: -1, DstReg: ap, Op0Reg: ap, Op1Src: instruction.Op1AP, PcUpdate: instruction.PcJumpRel, ApUpdate: instruction.ApAdd2, FpUpdate: instruction.FpAPPlus2, Opcode: instruction.OpCall}},
		{"ap += [fp - 1]", I{OffDst: -1, OffOp0: -1, OffOp1: -1, DstReg: fp, Op0Reg: fp, Op1Src: instruction.Op1FP, ApUpdate: instruction.ApAdd}},
		{"ap += [fp] * [ap + 1]", I{OffDst: -1, OffOp0: 0, OffOp1: 1, DstReg: fp, Op0Reg: fp, Op1Src: instruction.Op1AP, Res: instruction.ResMul, ApUpdate: instruction.ApAdd}},
		{"[ap + 2] = [[fp + 1] + 3]", I{OffDst: 2, OffOp0: 1, OffOp1: 3, DstReg: ap, Op0Reg: fp, Op1Src: instruction.Op1Op0, Opcode: instruction.OpAssertEq}},
		{"[ap] = [fp], ap++", I{OffDst: 0, OffOp0: -1, OffOp1: 0, DstReg: ap, Op0Reg: fp, Op1Src: instruction.Op1FP, ApUpdate: instruction.ApAdd1, Opcode: instruction.OpAssertEq}},
		{"[ap] = [ap - 1] + [fp]", I{OffDst: 0, OffOp0: -1, OffOp1: 0, DstReg: ap, Op0Reg: ap, Op1Src: instruction.Op1FP, Res: instruction.ResAdd, Opcode: instruction.OpAssertEq}},
		{"[ap - 32768] = [fp + 32767]", I{OffDst: -32768, OffOp0: -1, OffOp1: 32767, DstReg: ap, Op0Reg: fp, Op1Src: instruction.Op1FP, Opcode: instruction.OpAssertEq}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			enc, err := tt.ins.Encode()
			if err != nil {
				t.Fatalf("expected instruction does not encode: %v", err)
			}
			p := assembleString(t, tt.src)
			if len(p.Data) != 1 || p.Data[0] != felt.FromUint64(enc).String() {
				t.Fatalf("%q assembled to %v, want [%#x]", tt.src, p.Data, enc)
			}
		})
	}
}

func TestProgramJSON(t *testing.T) {
	src := `%builtins output range_check
const N = 3
__start__:
    ap += 2
    call main
__end__:
    jmp rel 0

func main:
    %{ memory[ap] = 1 %}
    [ap] = N, ap++
loop:
    %{
        x = 1
          y = 2
    %}
    [ap] = [ap - 1] + (-1), ap++
    jmp loop if [ap - 1] != 0
    [ap] = [fp - 4], ap++
    [ap] = [fp - 3], ap++
    ret
`
	p := assembleString(t, src)
	if got := strings.Join(p.Builtins, ","); got != "output,range_check" {
		t.Errorf("builtins = %s", got)
	}
	checkID := func(name, typ string, pc int) {
		t.Helper()
		id, ok := p.Identifiers[name]
		if !ok {
			t.Fatalf("identifier %s missing: %v", name, p.Identifiers)
		}
		if id.Type != typ || id.PC == nil || *id.PC != pc {
			t.Errorf("identifier %s = %+v, want type %s pc %d", name, id, typ, pc)
		}
		if typ == "function" && (id.Decorators == nil || len(*id.Decorators) != 0) {
			t.Errorf("function %s has decorators %v, want []", name, id.Decorators)
		}
	}
	checkID("__main__.__start__", "label", 0)
	checkID("__main__.__end__", "label", 4)
	checkID("__main__.main", "function", 6)
	checkID("__main__.loop", "label", 8)
	if c := p.Identifiers["__main__.N"]; c.Type != "const" || c.Value == nil || string(*c.Value) != "3" {
		t.Errorf("const N = %+v", c)
	}
	h := p.Hints["6"]
	if len(h) != 1 || h[0].Code != "memory[ap] = 1" || strings.Join(h[0].AccessibleScopes, ",") != "__main__,__main__.main" {
		t.Errorf("hint at 6 = %+v", h)
	}
	h = p.Hints["8"]
	if len(h) != 1 || h[0].Code != "x = 1\n  y = 2" {
		t.Errorf("hint at 8 = %+v", h)
	}
	loc := p.DebugInfo.InstructionLocations["8"]
	if loc.Inst.StartLine != 17 || loc.Inst.StartCol != 5 || loc.Inst.EndCol != 33 {
		t.Errorf("location of pc 8 = %+v", loc.Inst)
	}
	if len(loc.Hints) != 1 || loc.Hints[0].NPrefixNewlines != 1 || loc.Hints[0].Location.StartLine != 13 || loc.Hints[0].Location.EndLine != 16 {
		t.Errorf("hint location of pc 8 = %+v", loc.Hints)
	}
	if p.DebugInfo.FileContents["test.casm"] != src {
		t.Error("file_contents does not hold the source")
	}
	if p.Prime != "0x800000000000011000000000000000000000000000000000000000000000001" || p.MainScope != "__main__" {
		t.Errorf("prime %s main_scope %s", p.Prime, p.MainScope)
	}
	out, err := p.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"attributes": []`, `"reference_manager": {`, `"references": []`, `"compiler_version": "kairo-asm"`, `"reference_ids": {}`} {
		if !strings.Contains(string(out), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown mnemonic", "jump rel 3", `test.casm:1:1: unknown instruction "jump"`},
		{"bad offset", "[ap + fp] = 1", "test.casm:1:7: expected a constant offset"},
		{"offset too large", "[ap + 32768] = 1", "test.casm:1:7: offset 32768 is out of the range [-2^15, 2^15)"},
		{"offset too small", "[ap] = [fp - 32769]", "test.casm:1:14: offset -32769 is out of the range"},
		{"undefined label", "ret\ncall nowhere", `test.casm:2:6: undefined label "nowhere"`},
		{"duplicate label", "a:\n  ret\na:\n  ret", `test.casm:3:1: duplicate label "a" (first defined at line 1)`},
		{"unterminated hint", "ret\n  %{ x = 1\nret", "test.casm:2:3: unterminated hint block"},
		{"hint at end", "ret\n%{ x %}\n", "test.casm:2:1: hint block is not followed by an instruction"},
		{"ap++ with call", "call rel 3, ap++", "test.casm:1:1: ap++ may not be used with call"},
		{"ap++ with ret", "ret, ap++", "ap++ may not be used with ret"},
		{"ap++ with ap +=", "ap += 1, ap++", "ap++ may not be used with ap +="},
		{"absolute jnz", "jmp abs 3 if [ap] != 0", "test.casm:1:11: conditional jumps are relative"},
		{"jnz not zero", "jmp rel 3 if [ap] != 1", `test.casm:1:22: invalid condition: expected "!= 0"`},
		{"division", "[ap] = [ap - 1] / 3", "division is not supported for immediates"},
		{"bad op1", "[ap] = [ap] + [fp] * 2", "expected a constant or a memory operand"},
		{"bad character", "[ap] = 3 $", `test.casm:1:10: unexpected character '$'`},
		{"duplicate builtins", "%builtins output\n%builtins range_check", "test.casm:2:1: duplicate %builtins directive"},
		{"undefined constant", "[ap] = X", `test.casm:1:8: undefined constant "X"`},
		{"undefined constant in const", "const A = B", `undefined constant "B"`},
		{"reserved label", "ret:\n", `"ret" is a reserved word`},
		{"trailing tokens", "[ap] = 1 2", `test.casm:1:10: unexpected "2" after the instruction`},
		{"bad hex", "dw 0x", "invalid hexadecimal number"},
		{"dw not constant", "dw [ap]", "dw must be followed by a constant expression"},
		{"missing ap++", "[ap] = 1, fp++", `expected "ap++"`},
		{"unknown directive", "%lang starknet\n%foo", "unknown directive %foo"},
		{"label and constant", "const a = 1\na: ret", `label "a" is already defined as a constant`},
		{"jmp to constant", "const a = 1\njmp a", `"a" is a constant, not a label`},
		{"double deref dst with imm", "[[ap]] = 1", "expected a register"},
		{"deep nesting", "[ap] = " + strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200), "nested too deeply"},
		{"invalid utf8", "ret\n\xff", "test.casm:2:1: source is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Assemble("test.casm", []byte(tt.src))
			if err == nil {
				t.Fatalf("Assemble(%q) succeeded, want error %q", tt.src, tt.want)
			}
			var ae *Error
			if !errors.As(err, &ae) {
				t.Errorf("error %v is %T, want *Error", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Assemble(%q) error\n %v\nwant it to contain\n %s", tt.src, err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func FuzzAssemble(f *testing.F) {
	seeds := []string{
		"[ap] = [fp + (-3)] + 1, ap++",
		"func main:\n  %{ x %}\n  jmp main if [ap - 1] != 0\n  ret",
		"%builtins output\nconst N = -0x10\n[ap] = N * N - 1\ndw N",
		"l: call l\njmp abs [fp + 1]\nap += [fp]\n[ap] = [[fp] + 3]",
		"%{\n  a\n   b\n%}\nret # comment\n// comment",
		"[fp - 4] = [ap - 1] - [fp - 3]",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Assemble("fuzz.casm", []byte(src))
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is %T, want *Error", err, err)
			}
			return
		}
		// What assembles must disassemble and assemble to the same data.
		out, err := p.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		text, err := Disassemble("fuzz.json", out)
		if err != nil {
			t.Fatalf("disassemble: %v", err)
		}
		q, err := Assemble("fuzz2.casm", []byte(text))
		if err != nil {
			t.Fatalf("reassemble %q: %v", text, err)
		}
		if strings.Join(p.Data, " ") != strings.Join(q.Data, " ") {
			t.Fatalf("round trip of %q changed the data:\n%v\n%v", src, p.Data, q.Data)
		}
	})
}
