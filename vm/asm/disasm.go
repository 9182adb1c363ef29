package asm

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/instruction"
)

// inputProgram is what the disassembler reads of a compiled program.
type inputProgram struct {
	Data     *[]json.RawMessage `json:"data"`
	Builtins []string           `json:"builtins"`
	Hints    map[string][]struct {
		Code string `json:"code"`
	} `json:"hints"`
	Identifiers map[string]struct {
		Type string          `json:"type"`
		PC   json.RawMessage `json:"pc"`
	} `json:"identifiers"`
	MainScope string `json:"main_scope"`
	Prime     string `json:"prime"`
}

// dItem is one line of the disassembly: an instruction or a data word.
type dItem struct {
	pc    int
	size  int
	text  string // rendered with numeric targets
	label func(target string) string
	// target is the pc a relative immediate jumps to, -1 if none.
	target int
}

// Disassemble turns a compiled program (the JSON text of the file name) into
// assembly that Assemble turns back into the same data. Words that are not
// instructions, or whose encoding the assembler would not produce, become dw
// lines; jump and call targets and the program's labels become labels; hints
// are written as %{ %} blocks before their instruction.
func Disassemble(name string, src []byte) (string, error) {
	var in inputProgram
	if err := json.Unmarshal(src, &in); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := offsetPos(src, int(se.Offset))
			return "", fmt.Errorf("%s:%d:%d: invalid JSON: %v", name, line, col, err)
		}
		return "", fmt.Errorf("%s: not a compiled Cairo program: %w", name, err)
	}
	if in.Data == nil {
		return "", fmt.Errorf("%s: no \"data\" array: not a compiled Cairo 0 program", name)
	}
	if in.Prime != "" && !strings.EqualFold(in.Prime, felt.PrimeHex) {
		return "", fmt.Errorf("%s: program prime %s is not the Stark prime %s", name, in.Prime, felt.PrimeHex)
	}
	words := make([]*big.Int, len(*in.Data))
	for i, raw := range *in.Data {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%s: data[%d] = %s is not a string", name, i, truncate(string(raw)))
		}
		v, ok := parseHexWord(s)
		if !ok {
			return "", fmt.Errorf("%s: data[%d] = %q is not a hexadecimal word", name, i, truncate(s))
		}
		if v.Cmp(prime) >= 0 {
			return "", fmt.Errorf("%s: data[%d] = %s is not below the prime", name, i, truncate(s))
		}
		words[i] = v
	}
	n := len(words)
	mainScope := in.MainScope
	if mainScope == "" {
		mainScope = MainScope
	}

	// Hints and labels must start an instruction: an instruction whose
	// immediate would cover one is written as data words.
	boundary := map[int]bool{}
	hintsAt := map[int][]string{}
	for key, hs := range in.Hints {
		pc, err := strconv.Atoi(key)
		if err != nil || pc < 0 || pc >= n {
			return "", fmt.Errorf("%s: hint at pc %q is outside the program (%d words)", name, key, n)
		}
		for _, h := range hs {
			if strings.Contains(h.Code, "%}") {
				return "", fmt.Errorf("%s: hint at pc %d contains \"%%}\" and cannot be written as a hint block", name, pc)
			}
			hintsAt[pc] = append(hintsAt[pc], h.Code)
		}
		boundary[pc] = true
	}
	type namedLabel struct {
		name     string
		function bool
	}
	idLabels := map[int][]namedLabel{}
	for full, id := range in.Identifiers {
		if id.Type != "function" && id.Type != "label" {
			continue
		}
		pc, err := strconv.Atoi(string(id.PC))
		if err != nil || pc < 0 || pc > n {
			continue
		}
		short := full
		if rest, ok := strings.CutPrefix(full, mainScope+"."); ok && !strings.Contains(rest, ".") {
			short = rest
		}
		if !validLabel(short) {
			continue
		}
		idLabels[pc] = append(idLabels[pc], namedLabel{short, id.Type == "function"})
		boundary[pc] = true
	}

	// Linear sweep.
	var items []dItem
	starts := map[int]bool{}
	for pc := 0; pc < n; {
		it := decodeAt(words, pc, boundary)
		items = append(items, it)
		starts[pc] = true
		pc += it.size
	}

	// Labels: the program's own, then one per jump or call target.
	labelsAt := map[int][]namedLabel{}
	used := map[string]bool{}
	for pc, ls := range idLabels {
		if pc < n && !starts[pc] {
			continue
		}
		sort.Slice(ls, func(i, j int) bool {
			if ls[i].function != ls[j].function {
				return ls[i].function
			}
			return ls[i].name < ls[j].name
		})
		for _, l := range ls {
			if !used[l.name] {
				used[l.name] = true
				labelsAt[pc] = append(labelsAt[pc], l)
			}
		}
	}
	for _, it := range items {
		t := it.target
		if t < 0 || (t < n && !starts[t]) || t > n || len(labelsAt[t]) > 0 {
			continue
		}
		l := fmt.Sprintf("L%d", t)
		for k := 1; used[l]; k++ {
			l = fmt.Sprintf("L%d_%d", t, k)
		}
		used[l] = true
		labelsAt[t] = []namedLabel{{name: l}}
	}

	var sb strings.Builder
	fmt.Fprintf(&sb, "// Disassembly of %s (%d words).\n", name, n)
	if len(in.Builtins) > 0 {
		fmt.Fprintf(&sb, "%%builtins %s\n", strings.Join(in.Builtins, " "))
	}
	writeLabels := func(pc int) {
		for _, l := range labelsAt[pc] {
			if l.function {
				fmt.Fprintf(&sb, "\nfunc %s:\n", l.name)
			} else {
				fmt.Fprintf(&sb, "%s:\n", l.name)
			}
		}
	}
	for _, it := range items {
		writeLabels(it.pc)
		for _, code := range hintsAt[it.pc] {
			sb.WriteString(hintBlock(code, "    "))
		}
		text := it.text
		if it.label != nil && it.target >= 0 && len(labelsAt[it.target]) > 0 {
			text = it.label(labelsAt[it.target][0].name)
		}
		sb.WriteString("    " + text + "\n")
	}
	writeLabels(n)
	return sb.String(), nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

func offsetPos(src []byte, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	line, col = 1, 1
	for _, c := range src[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func parseHexWord(s string) (*big.Int, bool) {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return nil, false
	}
	for _, c := range s[2:] {
		if !isHex(c) {
			return nil, false
		}
	}
	return new(big.Int).SetString(s[2:], 16)
}

func validLabel(s string) bool {
	if keywords[s] || s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || !isIdentStart(rune(part[0])) {
			return false
		}
		for _, c := range part {
			if !isIdentRune(c) {
				return false
			}
		}
	}
	return true
}

// hintBlock renders a hint's code as a %{ %} block that parses back to the
// same code.
func hintBlock(code, indent string) string {
	if code == "" {
		return indent + "%{\n" + indent + "%}\n"
	}
	if !strings.Contains(code, "\n") {
		return indent + "%{ " + code + " %}\n"
	}
	var sb strings.Builder
	sb.WriteString(indent + "%{\n")
	for _, l := range strings.Split(code, "\n") {
		if l != "" {
			sb.WriteString(indent + "    " + l)
		}
		sb.WriteString("\n")
	}
	sb.WriteString(indent + "%}\n")
	return sb.String()
}

func dataItem(pc int, w *big.Int) dItem {
	return dItem{pc: pc, size: 1, text: "dw " + felt.FromBigInt(w).String(), target: -1}
}

// decodeAt disassembles the word at pc, and its immediate if it has one.
func decodeAt(words []*big.Int, pc int, boundary map[int]bool) dItem {
	w := words[pc]
	if !w.IsUint64() {
		return dataItem(pc, w)
	}
	ins, err := instruction.Decode(w.Uint64())
	if err != nil {
		return dataItem(pc, w)
	}
	var imm *big.Int
	if ins.Size() == 2 {
		if pc+1 >= len(words) || boundary[pc+1] {
			return dataItem(pc, w)
		}
		imm = words[pc+1]
	}
	text, ok := render(ins, imm)
	if !ok || !reassembles(text, w, imm) {
		return dataItem(pc, w)
	}
	it := dItem{pc: pc, size: int(ins.Size()), text: text, target: -1}
	// Relative jumps and calls to an immediate offset get a label.
	if imm != nil && ins.Res != instruction.ResAdd && ins.Res != instruction.ResMul &&
		(ins.PcUpdate == instruction.PcJumpRel || ins.PcUpdate == instruction.PcJnz) {
		off := signed(imm)
		if off.IsInt64() {
			t := int64(pc) + off.Int64()
			if t >= 0 && t <= int64(len(words)) {
				it.target = int(t)
				suffix := ""
				if ins.ApUpdate == instruction.ApAdd1 {
					suffix = ", ap++"
				}
				switch {
				case ins.Opcode == instruction.OpCall:
					it.label = func(l string) string { return "call " + l }
				case ins.PcUpdate == instruction.PcJnz:
					cond := memOp(ins.DstReg, ins.OffDst)
					it.label = func(l string) string { return "jmp " + l + " if " + cond + " != 0" + suffix }
				default:
					it.label = func(l string) string { return "jmp " + l + suffix }
				}
			}
		}
	}
	return it
}

// reassembles reports whether text assembles to exactly w (and imm).
func reassembles(text string, w, imm *big.Int) bool {
	stmts, err := parse(text)
	if err != nil || len(stmts) != 1 || stmts[0].kind != sInstr {
		return false
	}
	b, ref, err := build(stmts[0].ins, func(string) (*big.Int, bool) { return nil, false })
	if err != nil || ref != nil {
		return false
	}
	got, err := b.words()
	if err != nil || len(got) != 1+boolInt(imm != nil) {
		return false
	}
	return got[0].Cmp(w) == 0 && (imm == nil || got[1].Cmp(imm) == 0)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var halfPrime = new(big.Int).Rsh(prime, 1)

// signed returns v as a signed value in (-P/2, P/2].
func signed(v *big.Int) *big.Int {
	if v.Cmp(halfPrime) > 0 {
		return new(big.Int).Sub(v, prime)
	}
	return v
}

// immText writes an immediate: signed decimal when small, hex otherwise.
func immText(v *big.Int) string {
	s := signed(v)
	if s.IsInt64() {
		return s.String()
	}
	return felt.FromBigInt(v).String()
}

func memOp(r instruction.Register, off int16) string {
	switch {
	case off == 0:
		return "[" + r.String() + "]"
	case off < 0:
		return fmt.Sprintf("[%s + (%d)]", r, off)
	}
	return fmt.Sprintf("[%s + %d]", r, off)
}

func op1Text(ins instruction.Instruction, imm *big.Int, inSum bool) string {
	switch ins.Op1Src {
	case instruction.Op1Imm:
		s := immText(imm)
		if inSum && strings.HasPrefix(s, "-") {
			return "(" + s + ")"
		}
		return s
	case instruction.Op1FP:
		return memOp(instruction.FP, ins.OffOp1)
	case instruction.Op1AP:
		return memOp(instruction.AP, ins.OffOp1)
	}
	inner := memOp(ins.Op0Reg, ins.OffOp0)
	switch {
	case ins.OffOp1 == 0:
		return "[" + inner + "]"
	case ins.OffOp1 < 0:
		return fmt.Sprintf("[%s + (%d)]", inner, ins.OffOp1)
	}
	return fmt.Sprintf("[%s + %d]", inner, ins.OffOp1)
}

func resText(ins instruction.Instruction, imm *big.Int) string {
	switch ins.Res {
	case instruction.ResAdd:
		return memOp(ins.Op0Reg, ins.OffOp0) + " + " + op1Text(ins, imm, true)
	case instruction.ResMul:
		return memOp(ins.Op0Reg, ins.OffOp0) + " * " + op1Text(ins, imm, true)
	}
	return op1Text(ins, imm, false)
}

// render writes ins in assembly; false if no assembly form has its flags.
func render(ins instruction.Instruction, imm *big.Int) (string, bool) {
	suffix := ""
	switch ins.ApUpdate {
	case instruction.ApAdd1:
		suffix = ", ap++"
	case instruction.ApRegular, instruction.ApAdd2:
	default:
		if !(ins.Opcode == instruction.OpNop && ins.PcUpdate == instruction.PcRegular) {
			return "", false
		}
	}
	switch ins.Opcode {
	case instruction.OpAssertEq:
		if ins.PcUpdate != instruction.PcRegular {
			return "", false
		}
		return memOp(ins.DstReg, ins.OffDst) + " = " + resText(ins, imm) + suffix, true
	case instruction.OpNop:
		switch ins.PcUpdate {
		case instruction.PcRegular:
			if ins.ApUpdate != instruction.ApAdd {
				return "", false
			}
			return "ap += " + resText(ins, imm), true
		case instruction.PcJump:
			return "jmp abs " + resText(ins, imm) + suffix, true
		case instruction.PcJumpRel:
			return "jmp rel " + resText(ins, imm) + suffix, true
		case instruction.PcJnz:
			return "jmp rel " + op1Text(ins, imm, false) + " if " + memOp(ins.DstReg, ins.OffDst) + " != 0" + suffix, true
		}
	case instruction.OpCall:
		switch ins.PcUpdate {
		case instruction.PcJump:
			return "call abs " + op1Text(ins, imm, false), true
		case instruction.PcJumpRel:
			return "call rel " + op1Text(ins, imm, false), true
		}
	case instruction.OpRet:
		return "ret", true
	}
	return "", false
}
