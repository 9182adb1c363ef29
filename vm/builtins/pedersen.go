package builtins

import (
	"fmt"

	"github.com/kairo-dev/kairo/vm/hash"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Pedersen is the pedersen (hash) builtin: instances of x, y, H(x, y).
type Pedersen struct {
	simple
	order inputOrder
	// verified holds the output offsets whose hash was computed; the rule
	// computes each hash once (cairo-lang's verified_addresses), and the
	// set is the builtin's Cairo PIE additional data. It takes an entry
	// per hash, so the output cells are a bitset by instance; any other
	// offset (only Cairo PIE additional data can name one) goes to other.
	verified verifiedSet
}

// verifiedSet is a set of offsets of a builtin segment, dense for output
// cells (offset % cellsPerHash == 2).
type verifiedSet struct {
	outputs []uint64 // bit i: offset cellsPerHash*i + 2
	other   map[uint64]struct{}
}

func (v *verifiedSet) has(off uint64) bool {
	if off%cellsPerHash != 2 {
		_, ok := v.other[off]
		return ok
	}
	i := off / cellsPerHash
	return i/64 < uint64(len(v.outputs)) && v.outputs[i/64]&(1<<(i%64)) != 0
}

func (v *verifiedSet) add(off uint64) {
	if off%cellsPerHash != 2 {
		if v.other == nil {
			v.other = map[uint64]struct{}{}
		}
		v.other[off] = struct{}{}
		return
	}
	i := off / cellsPerHash
	for uint64(len(v.outputs)) <= i/64 {
		v.outputs = append(v.outputs, 0)
	}
	v.outputs[i/64] |= 1 << (i % 64)
}

// offsets returns the set's offsets in increasing order.
func (v *verifiedSet) offsets() []uint64 {
	var offs []uint64
	for w, bits := range v.outputs {
		for b := uint64(0); bits != 0; b, bits = b+1, bits>>1 {
			if bits&1 != 0 {
				offs = append(offs, cellsPerHash*(uint64(w)*64+b)+2)
			}
		}
	}
	for o := range v.other {
		offs = append(offs, o)
	}
	sortUint64(offs)
	return offs
}

// NewPedersen returns a pedersen runner for def.
func NewPedersen(def BuiltinDef, included bool) *Pedersen {
	return &Pedersen{simple: newSimple(def, included, cellsPerHash, 2)}
}

// AddValidationRules records the order of input writes (AIR private input).
func (p *Pedersen) AddValidationRules(m *memory.Memory) {
	m.SetValidationRule(p.base.Segment, func(m *memory.Memory, addr memory.Relocatable) error {
		if addr.Offset%cellsPerHash != 2 {
			p.order.record(addr.Offset)
		}
		return nil
	})
}

func (p *Pedersen) deduce(m *memory.Memory, addr memory.Relocatable) (memory.Value, bool, error) {
	if addr.Offset%cellsPerHash != 2 {
		return memory.Value{}, false, nil
	}
	if p.verified.has(addr.Offset) {
		return memory.Value{}, false, nil
	}
	xAddr := memory.Relocatable{Segment: addr.Segment, Offset: addr.Offset - 2}
	yAddr := memory.Relocatable{Segment: addr.Segment, Offset: addr.Offset - 1}
	x, y := m.Get(xAddr), m.Get(yAddr)
	if !x.IsSet() || !y.IsSet() {
		return memory.Value{}, false, nil
	}
	if !x.IsFelt() {
		return memory.Value{}, false, fmt.Errorf("%s builtin: Expected integer at address %s. Got: %s.", p.name, xAddr, pyStr(x))
	}
	if !y.IsFelt() {
		return memory.Value{}, false, fmt.Errorf("%s builtin: Expected integer at address %s. Got: %s.", p.name, yAddr, pyStr(y))
	}
	res := hash.Pedersen(x.Felt(), y.Felt())
	p.verified.add(addr.Offset)
	return memory.FeltValue(res), true, nil
}

func (p *Pedersen) AddAutoDeductionRules(m *memory.Memory) { m.SetDeducer(p.base.Segment, p.deduce) }

func (p *Pedersen) AirPrivateInput(env *Env) (map[string]any, error) {
	entries, err := inputEntries(env.Mem, &p.simple, &p.order, []string{"x", "y"},
		func(idx uint64, missing string) string {
			which := "first"
			if missing == "y" {
				which = "second"
			}
			return fmt.Sprintf("Missing %s input of %s instance %d.", which, p.name, idx)
		})
	if err != nil {
		return nil, err
	}
	return map[string]any{p.name: entries}, nil
}

// AdditionalData is the sorted list of verified output addresses, each as
// [segment, offset].
func (p *Pedersen) AdditionalData() any {
	offs := p.verified.offsets()
	out := make([][2]int64, len(offs))
	for i, o := range offs {
		out[i] = [2]int64{int64(p.base.Segment), int64(o)}
	}
	return out
}

// ExtendAdditionalData marks the addresses of trusted additional data as
// verified.
func (p *Pedersen) ExtendAdditionalData(data any, relocate func(memory.Relocatable) memory.Relocatable, trusted bool) error {
	if !trusted {
		return nil
	}
	list, ok := data.([]any)
	if !ok {
		return fmt.Errorf("invalid %s additional data: expected a list", p.name)
	}
	for _, item := range list {
		addr, err := addrFromJSON(item)
		if err != nil {
			return fmt.Errorf("invalid %s additional data: %w", p.name, err)
		}
		if relocate != nil {
			addr = relocate(addr)
		}
		if addr.Segment != p.base.Segment {
			return fmt.Errorf("invalid %s additional data: address %s is not in segment %d", p.name, addr, p.base.Segment)
		}
		p.verified.add(addr.Offset)
	}
	return nil
}

// addrFromJSON decodes a [segment, offset] pair.
func addrFromJSON(x any) (memory.Relocatable, error) {
	pair, ok := x.([]any)
	if !ok || len(pair) != 2 {
		return memory.Relocatable{}, fmt.Errorf("expected a [segment, offset] pair, found %v", x)
	}
	seg, ok1 := jsonInt(pair[0])
	off, ok2 := jsonUint(pair[1])
	if !ok1 || !ok2 {
		return memory.Relocatable{}, fmt.Errorf("expected a [segment, offset] pair, found %v", x)
	}
	return memory.Relocatable{Segment: int(seg), Offset: off}, nil
}

func jsonInt(x any) (int64, bool) {
	switch v := x.(type) {
	case float64:
		if v != float64(int64(v)) {
			return 0, false
		}
		return int64(v), true
	default:
		if u, ok := jsonUint(x); ok && u < 1<<62 {
			return int64(u), true
		}
	}
	return 0, false
}
