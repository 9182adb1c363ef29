package hints

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Helpers that mirror the Python integer semantics of cairo-lang's hints:
// ids.x reads as a Python int in [0, PRIME), writes through ids.x or
// memory[...] are reduced modulo PRIME, and memory[...] of an unset cell
// raises UnknownMemoryError.

// rangeCheckBound is range_check_builtin.bound: 2^128 (8 parts of 16 bits)
// in every layout that has the builtin. It is never modified.
var rangeCheckBound = new(big.Int).Lsh(big.NewInt(1), 128)

// pyRangeCheckBound returns range_check_builtin.bound; like the Python
// name, it exists only when the layout has a range_check builtin.
func pyRangeCheckBound(c *Context) (*big.Int, error) {
	if _, ok := c.Builtin("range_check"); !ok {
		return nil, fmt.Errorf("name 'range_check_builtin' is not defined")
	}
	return rangeCheckBound, nil
}

// pyInt returns ids.name as an integer; an address is an error, as
// assert_integer raises it.
func pyInt(c *Context, name string) (*big.Int, error) {
	v, err := c.Value(name)
	if err != nil {
		return nil, err
	}
	if !v.IsFelt() {
		return nil, fmt.Errorf("Expected integer, found: %s.", v)
	}
	return v.Felt().BigInt(), nil
}

// pyFelt returns ids.name as a field element; an address is an error, as
// in pyInt.
func pyFelt(c *Context, name string) (felt.Felt, error) {
	v, err := c.Value(name)
	if err != nil {
		return felt.Zero, err
	}
	if !v.IsFelt() {
		return felt.Zero, fmt.Errorf("Expected integer, found: %s.", v)
	}
	return v.Felt(), nil
}

// pyInt64 returns ids.name as an integer that must fit in 63 bits (a
// length, a size, an index); what does not fit is reported with what.
func pyInt64(c *Context, name, what string) (int64, error) {
	v, err := c.Value(name)
	if err != nil {
		return 0, err
	}
	if !v.IsFelt() {
		return 0, fmt.Errorf("Invalid value for %s. Got: %s.", what, v)
	}
	u, ok := v.Felt().Uint64()
	if !ok || u > 1<<62 {
		return 0, fmt.Errorf("Invalid value for %s. Got: %s.", what, v)
	}
	return int64(u), nil
}

// pySetInt writes an integer to ids.name, reduced modulo PRIME as the
// validated memory does.
func pySetInt(c *Context, name string, v *big.Int) error {
	return c.SetFelt(name, felt.FromBigInt(v))
}

// pySetBool writes 1 or 0 to ids.name.
func pySetBool(c *Context, name string, b bool) error {
	if b {
		return c.SetFelt(name, felt.One)
	}
	return c.SetFelt(name, felt.Zero)
}

// pyBoolValue is 1 or 0 as a memory value.
func pyBoolValue(b bool) memory.Value {
	if b {
		return memory.FeltValue(felt.One)
	}
	return memory.FeltValue(felt.Zero)
}

// pyRead returns memory[addr], failing as cairo-lang does on an unset cell.
func pyRead(c *Context, addr memory.Relocatable) (memory.Value, error) {
	v := c.Mem().Get(addr)
	if !v.IsSet() {
		return v, fmt.Errorf("Unknown value for memory cell at address %s.", addr)
	}
	return v, nil
}

// pyAsInt is as_int(val, PRIME): the lift of a field element to
// (-PRIME/2, PRIME/2), with val < PRIME // 2 kept as is.
func pyAsInt(f felt.Felt) *big.Int {
	v := f.BigInt()
	if v.Cmp(halfPrime) >= 0 {
		v.Sub(v, primeInt)
	}
	return v
}

// primeInt and halfPrime are PRIME and PRIME // 2; they are never
// modified.
var (
	primeInt  = felt.Prime()
	halfPrime = new(big.Int).Rsh(primeInt, 1)
)

// Limb arithmetic for the hints' common case of small integers, without
// math/big: a felt's canonical value is four little-endian 64-bit limbs.

// feltFromLimbs returns the felt of a value below PRIME given as limbs.
func feltFromLimbs(l [4]uint64) felt.Felt {
	if l[1]|l[2]|l[3] == 0 {
		return felt.FromUint64(l[0])
	}
	return memory.FeltValueFromLimbs(l).Felt()
}

// divRemLimbs divides a 256-bit value by a non-zero 64-bit divisor.
func divRemLimbs(l [4]uint64, d uint64) (q [4]uint64, r uint64) {
	for i := 3; i >= 0; i-- {
		q[i], r = bits.Div64(r, l[i], d)
	}
	return q, r
}

// negLimbs returns PRIME - l for 0 < l < PRIME.
func negLimbs(l [4]uint64) [4]uint64 {
	var n [4]uint64
	var b uint64
	n[0], b = bits.Sub64(1, l[0], 0)
	n[1], b = bits.Sub64(0, l[1], b)
	n[2], b = bits.Sub64(0, l[2], b)
	n[3], _ = bits.Sub64(primeTop, l[3], b)
	return n
}

// primeTop is the top limb of PRIME = 2^251 + 17*2^192 + 1.
const primeTop = 0x0800000000000011

// isNegative reports whether a felt's limbs lift to a negative integer in
// as_int (value >= PRIME // 2).
func isNegative(l [4]uint64) bool {
	// PRIME // 2 = 2^250 + 17*2^191, limbs {0, 0, 2^63, 0x0400000000000008}.
	const h3, h2 = 0x0400000000000008, 1 << 63
	switch {
	case l[3] != h3:
		return l[3] > h3
	case l[2] != h2:
		return l[2] > h2
	}
	return true
}

// pyScopeInt converts a scope variable that holds a Python int.
func pyScopeInt(v any) (*big.Int, bool) {
	switch x := v.(type) {
	case *big.Int:
		return x, x != nil
	case int:
		return big.NewInt(int64(x)), true
	case int64:
		return big.NewInt(x), true
	case uint64:
		return new(big.Int).SetUint64(x), true
	case felt.Felt:
		return x.BigInt(), true
	case memory.Value:
		if x.IsFelt() {
			return x.Felt().BigInt(), true
		}
	}
	return nil, false
}

// pyScopeLimit reads an optional size limit such as
// __find_element_max_size from the current scope: ok is false when the
// variable is absent.
func pyScopeLimit(c *Context, name string) (limit *big.Int, ok bool, err error) {
	v, present := c.Scope()[name]
	if !present {
		return nil, false, nil
	}
	n, isInt := pyScopeInt(v)
	if !isInt {
		return nil, false, fmt.Errorf("%s must be an integer, found %T", name, v)
	}
	return n, true, nil
}

// pyHex formats an integer as Python's hex() does.
func pyHex(v *big.Int) string {
	if v.Sign() < 0 {
		return "-0x" + new(big.Int).Neg(v).Text(16)
	}
	return "0x" + v.Text(16)
}

// bigOne is the integer 1; it is never modified.
var bigOne = big.NewInt(1)

var (
	errBadOperandNeg     = errors.New("bad operand type for unary -: 'RelocatableValue'")
	errZeroNegativePower = errors.New("Cannot raise 0 to a negative power.")
)
