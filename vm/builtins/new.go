package builtins

import (
	"fmt"
	"strings"
)

// Config says which builtin runners a run needs (CairoRunner.__init__).
type Config struct {
	Layout Layout
	// ProgramBuiltins is the program's builtins list, in program order.
	ProgramBuiltins []string
	ProofMode       bool
	// AllowMissingBuiltins lets the program use builtins the layout lacks
	// (the runner passes 0 for them).
	AllowMissingBuiltins bool
	// SegmentArena adds the segment_arena builtin after the layout's
	// builtins, as Starknet's entry-point execution does.
	SegmentArena bool
}

// New creates the builtin runners of a run, in the layout's order: the
// builtins the program uses, and in proof mode every builtin of the layout
// (the unused ones not included). Errors are cairo-lang's: builtins missing
// from the layout and builtins out of the canonical order.
func New(cfg Config) ([]Runner, error) {
	layoutNames := cfg.Layout.BuiltinNames()
	supported := Names[:]
	if cfg.SegmentArena {
		layoutNames = append(layoutNames, NameSegmentArena)
		supported = append(append([]string(nil), Names[:]...), NameSegmentArena)
	}
	inLayout := map[string]bool{}
	for _, n := range layoutNames {
		inLayout[n] = true
	}
	inProgram := map[string]bool{}
	for _, n := range cfg.ProgramBuiltins {
		inProgram[n] = true
	}

	if !cfg.AllowMissingBuiltins {
		var missing []string
		seen := map[string]bool{}
		for _, n := range cfg.ProgramBuiltins {
			if !inLayout[n] && !seen[n] {
				seen[n] = true
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("Builtins %s are not present in layout %q", pySet(missing), cfg.Layout.Name)
		}
	}

	var runners []Runner
	for _, name := range layoutNames {
		included := inProgram[name]
		if !included && !cfg.ProofMode {
			continue
		}
		r, err := newRunner(&cfg.Layout, name, included)
		if err != nil {
			return nil, err
		}
		runners = append(runners, r)
	}

	if !isSubsequence(cfg.ProgramBuiltins, supported) {
		return nil, fmt.Errorf("The builtins specified by the %%builtins directive must be subsequence of %s. Got %s.",
			pyList(supported), pyList(cfg.ProgramBuiltins))
	}
	return runners, nil
}

func newRunner(l *Layout, name string, included bool) (Runner, error) {
	if name == NameSegmentArena {
		return NewSegmentArena(included), nil
	}
	if name == NameOutput {
		return NewOutput(included), nil
	}
	def, ok := l.Builtin(name)
	if !ok {
		return nil, fmt.Errorf("The %s builtin is not supported.", name)
	}
	switch name {
	case NamePedersen:
		return NewPedersen(*def, included), nil
	case NameRangeCheck, NameRangeCheck96:
		return NewRangeCheck(*def, included), nil
	case NameEcdsa:
		return NewEcdsa(*def, included), nil
	case NameBitwise:
		return NewBitwise(*def, included), nil
	case NameEcOp:
		return NewEcOp(*def, included), nil
	case NameKeccak:
		return NewKeccak(*def, included), nil
	case NamePoseidon:
		return NewPoseidon(*def, included), nil
	case NameAddMod, NameMulMod:
		return NewMod(*def, included), nil
	}
	return nil, fmt.Errorf("The %s builtin is not supported.", name)
}

func isSubsequence(sub, seq []string) bool {
	i := 0
	for _, s := range seq {
		if i == len(sub) {
			return true
		}
		if s == sub[i] {
			i++
		}
	}
	return i == len(sub)
}

// pyList formats names as a Python list repr: ['a', 'b'].
func pyList(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "'" + n + "'"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// pySet formats names as a Python set repr: {'a', 'b'}.
func pySet(names []string) string {
	l := pyList(names)
	return "{" + l[1:len(l)-1] + "}"
}

// Find returns the runner with the given name.
func Find(runners []Runner, name string) (Runner, bool) {
	for _, r := range runners {
		if r.Name() == name {
			return r, true
		}
	}
	return nil, false
}

var (
	_ Runner = (*Output)(nil)
	_ Runner = (*Pedersen)(nil)
	_ Runner = (*RangeCheck)(nil)
	_ Runner = (*Ecdsa)(nil)
	_ Runner = (*Bitwise)(nil)
	_ Runner = (*EcOp)(nil)
	_ Runner = (*Keccak)(nil)
	_ Runner = (*Poseidon)(nil)
	_ Runner = (*Mod)(nil)
	_ Runner = (*SegmentArena)(nil)
)
