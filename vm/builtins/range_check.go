package builtins

import (
	"fmt"
	"math/bits"

	"github.com/kairo-dev/kairo/vm/memory"
)

// innerRCBound is the range of one range-check part (2^16).
const innerRCBoundBits = 16

// RangeCheck is the range_check builtin (8 parts: values in [0, 2^128)) and
// range_check96 (6 parts: [0, 2^96)), cairo-lang's RangeCheckBuiltinRunner.
type RangeCheck struct {
	simple
	nParts    uint64
	boundBits uint64 // the bound is 2^boundBits
}

// NewRangeCheck returns a range-check runner for def (range_check or
// range_check96).
func NewRangeCheck(def BuiltinDef, included bool) *RangeCheck {
	return &RangeCheck{
		simple:    newSimple(def, included, 1, 1),
		nParts:    def.NParts,
		boundBits: innerRCBoundBits * def.NParts,
	}
}

// Bound returns the bound as a decimal string (2^(16*n_parts)).
func (r *RangeCheck) boundString() string {
	return pow2Decimal(r.boundBits)
}

// inBound reports whether the canonical limbs are below 2^boundBits.
func (r *RangeCheck) inBound(l [4]uint64) bool {
	for i := 3; i >= 0; i-- {
		if l[i] != 0 {
			return uint64(i*64+bits.Len64(l[i])) <= r.boundBits
		}
	}
	return true
}

func (r *RangeCheck) AddValidationRules(m *memory.Memory) {
	m.SetValidationRule(r.base.Segment, func(m *memory.Memory, addr memory.Relocatable) error {
		v := m.Get(addr)
		if !v.IsFelt() {
			return fmt.Errorf("Range-check builtin: Expected value at address %s to be an integer. Got: %s.", addr, pyStr(v))
		}
		if !r.inBound(v.Felt().Limbs()) {
			return fmt.Errorf("Value %s, in range check builtin %d, is out of range [0, %s).",
				pyStr(v), addr.Offset-r.base.Offset, r.boundString())
		}
		return nil
	})
}

func (r *RangeCheck) AirPrivateInput(env *Env) (map[string]any, error) {
	out := []Object{}
	for i, v := range env.Mem.Cells(r.base.Segment) {
		if !v.IsFelt() {
			return nil, fmt.Errorf("%s builtin: expected an integer at %s, found %s", r.name, r.base.Add(i), pyStr(v))
		}
		out = append(out, Object{{"index", i}, {"value", v.Felt().String()}})
	}
	return map[string]any{r.name: out}, nil
}

// RangeCheckUsage returns the smallest and largest 16-bit part of the
// written values.
func (r *RangeCheck) RangeCheckUsage(env *Env) (uint64, uint64, bool) {
	minV, maxV := uint64(1<<16), uint64(0)
	found := false
	for _, v := range env.Mem.Cells(r.base.Segment) {
		if !v.IsFelt() {
			continue
		}
		found = true
		l := v.Felt().Limbs()
		for p := uint64(0); p < r.nParts; p++ {
			var part uint64
			if p < 16 {
				part = (l[p/4] >> (16 * (p % 4))) & 0xffff
			}
			minV = min(minV, part)
			maxV = max(maxV, part)
		}
	}
	if !found {
		return 0, 0, false
	}
	return minV, maxV, true
}

// UsedPermRangeCheckUnits is n_parts units per used cell.
func (r *RangeCheck) UsedPermRangeCheckUnits(env *Env) (uint64, error) {
	used, _, err := r.UsedCellsAndAllocatedSize(env)
	if err != nil {
		return 0, err
	}
	return used * r.nParts, nil
}

// pow2Decimal returns 2^n in decimal.
func pow2Decimal(n uint64) string {
	switch n {
	case 96:
		return "79228162514264337593543950336"
	case 128:
		return "340282366920938463463374607431768211456"
	}
	// Other layouts: compute with repeated doubling of a decimal string.
	digits := []byte{1}
	for i := uint64(0); i < n; i++ {
		carry := byte(0)
		for j := range digits {
			d := digits[j]*2 + carry
			digits[j] = d % 10
			carry = d / 10
		}
		if carry > 0 {
			digits = append(digits, carry)
		}
	}
	out := make([]byte, len(digits))
	for i, d := range digits {
		out[len(digits)-1-i] = '0' + d
	}
	return string(out)
}
