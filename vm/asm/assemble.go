package asm

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/instruction"
)

// CompilerVersion is written as the compiled program's compiler_version.
const CompilerVersion = "kairo-asm"

// MainScope is the scope of every identifier the assembler defines.
const MainScope = "__main__"

// FullName returns the identifier name of a label: names without a dot live
// in __main__, dotted names are taken as already qualified.
func FullName(name string) string {
	if strings.Contains(name, ".") {
		return name
	}
	return MainScope + "." + name
}

type labelInfo struct {
	pc       int
	function bool
	pos      Pos
}

type item struct {
	pc  int
	b   built
	ref *labelRef
	st  stmt
}

// apTracker follows ap as cairo-compile's flow tracking does, simplified: a
// new group starts at every label, after calls, returns and unconditional
// jumps, and after ap += with a non-constant operand; ap++ and ap += imm move
// the offset.
type apTracker struct {
	group, offset, last int
}

func (t *apTracker) newGroup() {
	t.last++
	t.group, t.offset = t.last, 0
}

func (t *apTracker) after(b built) {
	if b.isData {
		return
	}
	in := b.ins
	switch {
	case in.Opcode == instruction.OpCall, in.Opcode == instruction.OpRet,
		in.PcUpdate == instruction.PcJump, in.PcUpdate == instruction.PcJumpRel:
		t.newGroup()
	case in.ApUpdate == instruction.ApAdd1:
		t.offset++
	case in.ApUpdate == instruction.ApAdd:
		if in.Op1Src == instruction.Op1Imm && in.Res == instruction.ResOp1 && b.imm != nil && b.imm.IsInt64() &&
			b.imm.Int64() > -offsetLimit && b.imm.Int64() < offsetLimit {
			t.offset += int(b.imm.Int64())
		} else {
			t.newGroup()
		}
	}
}

func (t *apTracker) data() FlowTrackingData {
	return FlowTrackingData{APTracking: APTracking{Group: t.group, Offset: t.offset}, ReferenceIDs: map[string]int{}}
}

func scopes(function string) []string {
	if function == "" {
		return []string{MainScope}
	}
	parent := MainScope
	if i := strings.LastIndexByte(function, '.'); i > 0 {
		parent = function[:i]
	}
	return []string{parent, function}
}

// Assemble assembles the source src of the file name into a compiled
// program. Errors in the source are *Error values.
func Assemble(name string, src []byte) (*Program, error) {
	p, err := assemble(name, string(src))
	if err != nil {
		var pe *posError
		if errors.As(err, &pe) {
			return nil, &Error{File: name, Pos: pe.pos, Msg: pe.msg}
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

func assemble(name, src string) (*Program, error) {
	stmts, err := parse(src)
	if err != nil {
		return nil, err
	}

	// Constants first, in order: a constant may use the ones above it.
	consts := map[string]*big.Int{}
	constPos := map[string]Pos{}
	lookup := func(n string) (*big.Int, bool) { v, ok := consts[n]; return v, ok }
	var constNames []string
	for _, s := range stmts {
		if s.kind != sConst {
			continue
		}
		if p, dup := constPos[s.name]; dup {
			return nil, errorf(s.pos, "constant %q is already defined at line %d", s.name, p.Line)
		}
		v, err := simplify(s.value, lookup)
		if err != nil {
			return nil, err
		}
		n, ok := v.(*numExpr)
		if !ok {
			if id, isID := v.(*identExpr); isID {
				return nil, errorf(id.p, "undefined constant %q (constants must be defined before they are used in another constant)", id.name)
			}
			return nil, errorf(s.value.at(), "the value of constant %q must be a constant expression", s.name)
		}
		consts[s.name] = n.v
		constPos[s.name] = s.pos
		constNames = append(constNames, s.name)
	}

	var (
		pc        int
		items     []item
		labels    = map[string]labelInfo{}
		builtins  []string
		seenBI    bool
		pending   []stmt
		function  string
		track     apTracker
		hints     = map[string][]Hint{}
		locations = map[string]InstructionLocation{}
	)
	loc := func(start, end Pos) Location {
		return Location{StartLine: start.Line, StartCol: start.Col, EndLine: end.Line, EndCol: end.Col, InputFile: InputFile{Filename: name}}
	}
	for _, s := range stmts {
		switch s.kind {
		case sLabel, sFunc:
			if prev, dup := labels[s.name]; dup {
				return nil, errorf(s.pos, "duplicate label %q (first defined at line %d)", s.name, prev.pos.Line)
			}
			if _, isConst := consts[s.name]; isConst {
				return nil, errorf(s.pos, "label %q is already defined as a constant", s.name)
			}
			fn := s.kind == sFunc || s.name == "main"
			labels[s.name] = labelInfo{pc: pc, function: fn, pos: s.pos}
			if fn {
				function = FullName(s.name)
			}
			track.newGroup()
		case sBuiltins:
			if s.names == nil {
				continue // %lang
			}
			if seenBI {
				return nil, errorf(s.pos, "duplicate %%builtins directive")
			}
			seenBI, builtins = true, s.names
		case sHint:
			pending = append(pending, s)
		case sInstr:
			b, ref, err := build(s.ins, lookup)
			if err != nil {
				return nil, err
			}
			key := strconv.Itoa(pc)
			il := InstructionLocation{
				AccessibleScopes: scopes(function),
				FlowTrackingData: track.data(),
				Hints:            []HintLocation{},
				Inst:             loc(s.pos, s.end),
			}
			for _, h := range pending {
				hints[key] = append(hints[key], Hint{AccessibleScopes: scopes(function), Code: h.hint.code, FlowTrackingData: track.data()})
				il.Hints = append(il.Hints, HintLocation{Location: loc(h.pos, h.end), NPrefixNewlines: h.hint.prefixNewlines})
			}
			pending = nil
			locations[key] = il
			items = append(items, item{pc: pc, b: b, ref: ref, st: s})
			pc += b.size()
			track.after(b)
		}
	}
	if len(pending) > 0 {
		return nil, errorf(pending[0].pos, "hint block is not followed by an instruction")
	}

	data := make([]string, 0, pc)
	for _, it := range items {
		if it.ref != nil {
			l, ok := labels[it.ref.name]
			if !ok {
				return nil, errorf(it.ref.pos, "undefined label %q", it.ref.name)
			}
			target := int64(l.pc)
			if it.ref.rel {
				target -= int64(it.pc)
			}
			it.b.imm = big.NewInt(target)
		}
		words, err := it.b.words()
		if err != nil {
			return nil, errorf(it.st.pos, "cannot encode instruction: %v", err)
		}
		for _, w := range words {
			data = append(data, felt.FromBigInt(w).String())
		}
	}

	idents := map[string]Identifier{}
	for n, l := range labels {
		pcv := l.pc
		id := Identifier{PC: &pcv, Type: "label"}
		if l.function {
			id.Type = "function"
			id.Decorators = &[]string{}
		}
		idents[FullName(n)] = id
	}
	for _, n := range constNames {
		raw := json.RawMessage(consts[n].String())
		idents[FullName(n)] = Identifier{Type: "const", Value: &raw}
	}
	if builtins == nil {
		builtins = []string{}
	}
	return &Program{
		Attributes:      []json.RawMessage{},
		Builtins:        builtins,
		CompilerVersion: CompilerVersion,
		Data:            data,
		DebugInfo: &DebugInfo{
			FileContents:         map[string]string{name: src},
			InstructionLocations: locations,
		},
		Hints:            hints,
		Identifiers:      idents,
		MainScope:        MainScope,
		Prime:            felt.PrimeHex,
		ReferenceManager: ReferenceManager{References: []json.RawMessage{}},
	}, nil
}
