package runner

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/instruction"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/program"
)

const maxTracebackEntries = 20

// FormatError renders a run error the way cairo-run prints it: the
// with_attr error messages around the pc, the failing instruction's source
// location with the message and the source line marked, the Cairo
// traceback, and for hints the hint's code.
func (r *Runner) FormatError(err error) string {
	var ve *vm.Error
	if !errors.As(err, &ve) {
		return "Error: " + err.Error()
	}
	var b strings.Builder
	b.WriteString(r.errorAttrValue(ve.PC, ve.FP))
	msg := fmt.Sprintf("Error at pc=%s:\n%v", ve.PC, ve.Err)
	if loc := r.location(ve.PC); loc != nil {
		var parts []string
		l, m := loc, msg
		for l != nil {
			parts = append([]string{r.locationWithContent(l, m)}, parts...)
			if l.ParentLocation == nil {
				break
			}
			l, m = l.ParentLocation.Location, l.ParentLocation.Message
		}
		// cairo-lang prints the outermost location first.
		for _, p := range parts {
			b.WriteString(p)
			b.WriteString("\n")
		}
	} else {
		b.WriteString(msg + "\n")
	}
	if !ve.NoTraceback {
		if tb := r.traceback(); tb != "" {
			b.WriteString(tb + "\n")
		}
	}
	var he *vm.HintError
	if errors.As(err, &he) {
		b.WriteString("Hint code:\n" + indent(he.Code) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func indent(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = "    " + lines[i]
	}
	return strings.Join(lines, "\n")
}

func (r *Runner) location(pc memory.Relocatable) *program.Location {
	di := r.Program.DebugInfo()
	if di == nil || pc.Segment != r.programBase.Segment {
		return nil
	}
	if il, ok := di.InstructionLocations[pc.Offset]; ok {
		return &il.Inst
	}
	return nil
}

// locationWithContent is cairo-lang's Location.to_string_with_content.
func (r *Runner) locationWithContent(l *program.Location, message string) string {
	prefix := ""
	if message != "" {
		prefix = ": "
	}
	first := fmt.Sprintf("%s:%d:%d%s%s", l.InputFile.Filename, l.StartLine, l.StartCol, prefix, message)
	di := r.Program.DebugInfo()
	content, ok := di.FileContents[l.InputFile.Filename]
	if !ok {
		return first
	}
	lines := strings.Split(strings.ReplaceAll(content, "\r\n", "\n"), "\n")
	if l.StartLine-1 < 0 || l.StartLine-1 >= len(lines) {
		return first
	}
	line := lines[l.StartLine-1]
	endCol := l.EndCol
	if l.StartLine != l.EndLine {
		endCol = len(line) + 1
	}
	var marks string
	if endCol > l.StartCol+1 {
		marks = strings.Repeat(" ", max(l.StartCol-1, 0)) + "^" + strings.Repeat("*", endCol-l.StartCol-2) + "^"
	} else {
		marks = strings.Repeat(" ", max(l.StartCol-1, 0)) + "^"
	}
	return first + "\n" + line + "\n" + marks
}

// errorAttrValue returns the "Error message: ..." lines of the with_attr
// scopes around pc.
func (r *Runner) errorAttrValue(pc, fp memory.Relocatable) string {
	if pc.Segment != r.programBase.Segment {
		return ""
	}
	var b strings.Builder
	for i := range r.Program.Attributes {
		a := &r.Program.Attributes[i]
		if a.Name != "error_message" || pc.Offset < a.StartPC || pc.Offset >= a.EndPC {
			continue
		}
		msg := a.Value
		if r.Hints != nil {
			msg = r.Hints.SubstituteErrorMessage(a, r.Mem, fp)
		}
		fmt.Fprintf(&b, "Error message: %s\n", msg)
	}
	return b.String()
}

// traceback walks the frames through [fp - 2] and [fp - 1] as cairo-lang's
// get_traceback_entries does.
func (r *Runner) traceback() string {
	type entry struct{ fp, pc memory.Relocatable }
	var entries []entry
	fp := r.VM.FP
	for i := 0; i < maxTracebackEntries; i++ {
		fpm2, err1 := fp.AddInt(-2)
		fpm1, err2 := fp.AddInt(-1)
		if err1 != nil || err2 != nil {
			break
		}
		oldFP, retPC := r.Mem.Get(fpm2), r.Mem.Get(fpm1)
		if oldFP == memory.RelocValue(fp) {
			break
		}
		if !oldFP.IsReloc() || !retPC.IsReloc() {
			break
		}
		fp = oldFP.Reloc()
		ret := retPC.Reloc()
		var callPC memory.Relocatable
		i1, e1 := ret.AddInt(-1)
		i0, e0 := ret.AddInt(-2)
		switch {
		case e1 == nil && isCall(r.Mem.Get(i1), nil):
			callPC = i1
		case e0 == nil && e1 == nil && isCall(r.Mem.Get(i0), ptr(r.Mem.Get(i1))):
			callPC = i0
		default:
			i = maxTracebackEntries
			continue
		}
		entries = append(entries, entry{fp, callPC})
	}
	if len(entries) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Cairo traceback (most recent call last):\n")
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		b.WriteString(r.errorAttrValue(e.pc, e.fp))
		if loc := r.location(e.pc); loc != nil {
			b.WriteString(r.locationWithContent(loc, fmt.Sprintf("(pc=%s)", e.pc)) + "\n")
		} else {
			fmt.Fprintf(&b, "Unknown location (pc=%s)\n", e.pc)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func ptr(v memory.Value) *memory.Value { return &v }

// isCall is cairo-lang's is_call_instruction: the word (with imm as its
// immediate when given) decodes to a call.
func isCall(w memory.Value, imm *memory.Value) bool {
	if !w.IsFelt() {
		return false
	}
	enc, ok := w.Felt().Uint64()
	if !ok {
		return false
	}
	in, err := instruction.Decode(enc)
	if err != nil {
		return false
	}
	if in.Op1Src == instruction.Op1Imm && (imm == nil || !imm.IsFelt()) {
		return false
	}
	return in.Res == instruction.ResOp1 &&
		(in.PcUpdate == instruction.PcJump || in.PcUpdate == instruction.PcJumpRel) &&
		in.ApUpdate == instruction.ApAdd2 && in.FpUpdate == instruction.FpAPPlus2 &&
		in.Opcode == instruction.OpCall
}
