package builtins

import (
	"fmt"
	"math/bits"

	"github.com/kairo-dev/kairo/vm/memory"
)

// Bitwise is the bitwise builtin: instances of x, y, x&y, x^y, x|y.
type Bitwise struct {
	simple
	order inputOrder
	// The inputs of the instance deduced last and their canonical limbs:
	// a program usually reads two or three outputs of an instance.
	lastX, lastY   memory.Value
	lastXL, lastYL [4]uint64
}

// NewBitwise returns a bitwise runner for def.
func NewBitwise(def BuiltinDef, included bool) *Bitwise {
	return &Bitwise{simple: newSimple(def, included, cellsPerBitwise, 2)}
}

// AddValidationRules records the order in which inputs are written (for
// the AIR private input); the bitwise builtin validates nothing on write.
func (b *Bitwise) AddValidationRules(m *memory.Memory) {
	m.SetValidationRule(b.base.Segment, func(m *memory.Memory, addr memory.Relocatable) error {
		if (addr.Offset-b.base.Offset)%cellsPerBitwise < 2 {
			b.order.record(addr.Offset - b.base.Offset)
		}
		return nil
	})
}

func (b *Bitwise) checkInput(addr memory.Relocatable, v memory.Value) ([4]uint64, error) {
	if !v.IsFelt() {
		return [4]uint64{}, fmt.Errorf("%s builtin: Expected integer at address %s. Got: %s.", b.name, addr, pyStr(v))
	}
	l := v.FeltLimbs()
	if limbsBitLen(l) > int(b.def.TotalNBits) {
		return l, fmt.Errorf("%s builtin: Expected integer at address %s to be smaller than 2^%d. Got: %s.",
			b.name, addr, b.def.TotalNBits, pyStr(v))
	}
	return l, nil
}

func (b *Bitwise) deduce(m *memory.Memory, addr memory.Relocatable) (memory.Value, bool, error) {
	rel := addr.Offset - b.base.Offset
	index := rel % cellsPerBitwise
	if index < 2 {
		return memory.Value{}, false, nil
	}
	xAddr := memory.Relocatable{Segment: addr.Segment, Offset: addr.Offset - index}
	yAddr := xAddr.Add(1)
	xv, yv := m.Get(xAddr), m.Get(yAddr)
	if !xv.IsSet() || !yv.IsSet() {
		return memory.Value{}, false, nil
	}
	x, y := b.lastXL, b.lastYL
	if xv != b.lastX || yv != b.lastY {
		var err error
		if x, err = b.checkInput(xAddr, xv); err != nil {
			return memory.Value{}, false, err
		}
		if y, err = b.checkInput(yAddr, yv); err != nil {
			return memory.Value{}, false, err
		}
		b.lastX, b.lastY, b.lastXL, b.lastYL = xv, yv, x, y
	}
	var r [4]uint64
	for i := range r {
		switch index {
		case 2:
			r[i] = x[i] & y[i]
		case 3:
			r[i] = x[i] ^ y[i]
		case 4:
			r[i] = x[i] | y[i]
		}
	}
	return memory.FeltValueFromLimbs(r), true, nil
}

func (b *Bitwise) AddAutoDeductionRules(m *memory.Memory) { m.SetDeducer(b.base.Segment, b.deduce) }

func (b *Bitwise) AirPrivateInput(env *Env) (map[string]any, error) {
	entries, err := inputEntries(env.Mem, &b.simple, &b.order, []string{"x", "y"},
		func(idx uint64, missing string) string {
			if missing == "x" {
				return fmt.Sprintf("Missing first input of bitwise instance %d.", idx)
			}
			return fmt.Sprintf("Missing second input of bitwise instance %d.", idx)
		})
	if err != nil {
		return nil, err
	}
	return map[string]any{NameBitwise: entries}, nil
}

// UsedDilutedCheckUnits is the diluted units of one instance (the runner
// multiplies by the allocated instances).
func (b *Bitwise) UsedDilutedCheckUnits(spacing, nBits uint64) uint64 {
	return b.def.DilutedUnitsPerBuiltin(spacing, nBits)
}

// inputEntries builds the AIR private input entries of a builtin whose
// entries list its input cells ({"index": i, names[0]: hex, ...}), keys in
// the order the cells were written. missing formats the error for an
// instance that lacks an input.
func inputEntries(m *memory.Memory, s *simple, order *inputOrder, names []string,
	missing func(idx uint64, name string) string) ([]Object, error) {
	type entry struct {
		obj  Object
		seen uint64 // bitset of the names present
	}
	byIndex := map[uint64]*entry{}
	var indexes []uint64
	add := func(off uint64) error {
		idx, typ := off/s.cellsPerInstance, off%s.cellsPerInstance
		v := m.Get(memory.Relocatable{Segment: s.base.Segment, Offset: off})
		if typ >= uint64(len(names)) || !v.IsSet() {
			return nil
		}
		e := byIndex[idx]
		if e == nil {
			e = &entry{obj: Object{{"index", idx}}}
			byIndex[idx] = e
			indexes = append(indexes, idx)
		}
		if e.seen&(1<<typ) != 0 {
			return nil
		}
		if !v.IsFelt() {
			return fmt.Errorf("%s builtin: expected an integer at %s, found %s", s.name, s.base.Add(off), pyStr(v))
		}
		e.seen |= 1 << typ
		e.obj = append(e.obj, Field{names[typ], v.Felt().String()})
		return nil
	}
	// Cells in write order first, then any cell that was present before
	// the rules were installed, in address order.
	for _, off := range order.offsets {
		if err := add(off); err != nil {
			return nil, err
		}
	}
	for off := range m.Cells(s.base.Segment) {
		if err := add(off); err != nil {
			return nil, err
		}
	}
	sortUint64(indexes)
	out := make([]Object, len(indexes))
	full := uint64(1)<<len(names) - 1
	for i, idx := range indexes {
		e := byIndex[idx]
		if e.seen != full {
			for t, n := range names {
				if e.seen&(1<<t) == 0 {
					return nil, fmt.Errorf("%s", missing(idx, n))
				}
			}
		}
		out[i] = e.obj
	}
	return out, nil
}

// limbsBitLen returns the bit length of a value given as little-endian
// limbs.
func limbsBitLen(l [4]uint64) int {
	for i := 3; i >= 0; i-- {
		if l[i] != 0 {
			return 64*i + bits.Len64(l[i])
		}
	}
	return 0
}
