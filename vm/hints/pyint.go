package hints

import (
	"errors"
	"fmt"
	"math/big"

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
	p := felt.Prime()
	half := new(big.Int).Rsh(p, 1)
	if v.Cmp(half) >= 0 {
		v.Sub(v, p)
	}
	return v
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
