package hints

import (
	"github.com/kairo-dev/kairo/vm/felt"
)

// mathCmpHints are the hints of starkware.cairo.common.math_cmp.
func mathCmpHints() map[string]Func {
	return map[string]Func{
		"memory[ap] = 0 if 0 <= (ids.a % PRIME) < range_check_builtin.bound else 1": func(c *Context) error {
			a, err := pyInt(c, "a")
			if err != nil {
				return err
			}
			bound, err := pyRangeCheckBound(c)
			if err != nil {
				return err
			}
			return c.Mem().Set(c.AP(), pyBoolValue(a.Cmp(bound) >= 0))
		},
		"memory[ap] = 0 if 0 <= ((-ids.a - 1) % PRIME) < range_check_builtin.bound else 1": func(c *Context) error {
			a, err := c.Value("a")
			if err != nil {
				return err
			}
			if !a.IsFelt() {
				return errBadOperandNeg
			}
			bound, err := pyRangeCheckBound(c)
			if err != nil {
				return err
			}
			// (-a - 1) % PRIME computed in the field.
			v := a.Felt().Neg().Sub(felt.One).BigInt()
			return c.Mem().Set(c.AP(), pyBoolValue(v.Cmp(bound) >= 0))
		},
		"memory[ap] = 0 if (ids.a % PRIME) <= (ids.b % PRIME) else 1": func(c *Context) error {
			a, b, err := feltPair(c)
			if err != nil {
				return err
			}
			return c.Mem().Set(c.AP(), pyBoolValue(a.Cmp(b) > 0))
		},
	}
}

// powHints are the hints of starkware.cairo.common.pow.
func powHints() map[string]Func {
	return map[string]Func{
		"ids.locs.bit = (ids.prev_locs.exp % PRIME) & 1": func(c *Context) error {
			exp, err := pyInt(c, "prev_locs.exp")
			if err != nil {
				return err
			}
			return c.SetFelt("locs.bit", felt.FromUint64(uint64(exp.Bit(0))))
		},
		`assert ids.base != 0, "Cannot raise 0 to a negative power."`: func(c *Context) error {
			base, err := c.Value("base")
			if err != nil {
				return err
			}
			if base.IsFelt() && base.Felt().IsZero() {
				return errZeroNegativePower
			}
			return nil
		},
	}
}
