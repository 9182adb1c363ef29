package hints

import (
	"fmt"
	"math/big"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// secpPrime yields the modulus a hint works with. It performs the hint's
// own import or assignment of it (SECP_P = ..., which lands in the scope),
// or reads it from the scope where an earlier hint put it.
type secpPrime func(c *Context) (*big.Int, error)

// secpPrimeSet is a hint that imports or assigns the modulus as name.
func secpPrimeSet(name string, v *big.Int) secpPrime {
	return func(c *Context) (*big.Int, error) { return secpConst(c, name, v), nil }
}

// secpPrimeScope is a hint that uses the modulus name from the scope.
func secpPrimeScope(name string) secpPrime {
	return func(c *Context) (*big.Int, error) { return secpScopeInt(c, name) }
}

// secpBigintHints are the hints of cairo_secp/bigint.cairo and
// secp256r1/bigint.cairo.
func secpBigintHints() map[string]Func {
	return map[string]Func{
		// nondet_bigint3
		"from starkware.cairo.common.cairo_secp.secp_utils import split\n\nsegments.write_arg(ids.res.address_, split(value))": secpNondetBigint3,
		"from starkware.cairo.common.cairo_secp.secp_utils import split\nsegments.write_arg(ids.res.address_, split(value))":   secpNondetBigint3,
		// bigint_to_uint256
		"ids.low = (ids.x.d0 + ids.x.d1 * ids.BASE) & ((1 << 128) - 1)": secpBigintToUint256,
	}
}

// secpNondetBigint3 writes split(value) to ids.res.
func secpNondetBigint3(c *Context) error {
	v, err := secpScopeInt(c, "value")
	if err != nil {
		return err
	}
	limbs, err := secpSplit(v)
	if err != nil {
		return err
	}
	res, err := c.Reloc("res")
	if err != nil {
		return err
	}
	for i, l := range limbs {
		if err := c.Mem().Set(res.Add(uint64(i)), memory.FeltValue(felt.FromBigInt(l))); err != nil {
			return fmt.Errorf("write res.d%d: %w", i, err)
		}
	}
	return nil
}

func secpBigintToUint256(c *Context) error {
	d0, err := secpIDInt(c, "x.d0")
	if err != nil {
		return err
	}
	d1, err := secpIDInt(c, "x.d1")
	if err != nil {
		return err
	}
	base, err := secpIDInt(c, "BASE")
	if err != nil {
		return err
	}
	v := d1.Mul(d1, base)
	v.Add(v, d0)
	return secpSetInt(c, "low", v.And(v, secpMask128))
}

// secpFieldHints are the hints of cairo_secp/field.cairo and
// secp256r1/field.cairo, with the variants of the whitelists and of
// programs compiled against other library versions.
func secpFieldHints() map[string]Func {
	k1 := secpPrimeSet("SECP_P", secpK1P)
	ed := secpPrimeSet("SECP_P", secpEd25519P)
	scope := secpPrimeScope("SECP_P")
	r1 := secpPrimeSet("SECP256R1_P", secpR1P)
	return map[string]Func{
		// verify_zero
		"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\n\nq, r = divmod(pack(ids.val, PRIME), SECP_P)\nassert r == 0, f\"verify_zero: Invalid input {ids.val.d0, ids.val.d1, ids.val.d2}.\"\nids.q = q % PRIME":                                                                         secpVerifyZero(k1, false),
		"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P\nq, r = divmod(pack(ids.val, PRIME), SECP_P)\nassert r == 0, f\"verify_zero: Invalid input {ids.val.d0, ids.val.d1, ids.val.d2}.\"\nids.q = q % PRIME":                                                                                 secpVerifyZero(k1, false),
		"from starkware.cairo.common.cairo_secp.secp_utils import pack\n\nq, r = divmod(pack(ids.val, PRIME), SECP_P)\nassert r == 0, f\"verify_zero: Invalid input {ids.val.d0, ids.val.d1, ids.val.d2}.\"\nids.q = q % PRIME":                                                                                 secpVerifyZero(scope, false),
		"from starkware.cairo.common.cairo_secp.secp_utils import pack\nSECP_P = 2**255-19\nto_assert = pack(ids.val, PRIME)\nq, r = divmod(pack(ids.val, PRIME), SECP_P)\nassert r == 0, f\"verify_zero: Invalid input {ids.val.d0, ids.val.d1, ids.val.d2}.\"\nids.q = q % PRIME":                             secpVerifyZero(ed, true),
		"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_P\nfrom starkware.cairo.common.cairo_secp.secp_utils import pack\n\nq, r = divmod(pack(ids.val, PRIME), SECP256R1_P)\nassert r == 0, f\"verify_zero: Invalid input {ids.val.d0, ids.val.d1, ids.val.d2}.\"\nids.q = q % PRIME": secpVerifyZero(r1, false),

		// reduce
		"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\n\nvalue = pack(ids.x, PRIME) % SECP_P":                                                                       secpReduce(k1, "value"),
		"from starkware.cairo.common.cairo_secp.secp_utils import pack\nvalue = pack(ids.x, PRIME) % SECP_P":                                                                                 secpReduce(scope, "value"),
		"from starkware.cairo.common.cairo_secp.secp_utils import pack\nSECP_P=2**255-19\n\nvalue = pack(ids.x, PRIME) % SECP_P":                                                             secpReduce(ed, "value"),
		"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_P\nfrom starkware.cairo.common.cairo_secp.secp_utils import pack\nvalue = pack(ids.x, PRIME) % SECP256R1_P": secpReduce(r1, "value"),

		// is_zero: pack
		"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\n\nx = pack(ids.x, PRIME) % SECP_P":                                                                         secpReduce(k1, "x"),
		"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\nx = pack(ids.x, PRIME) % SECP_P":                                                                           secpReduce(k1, "x"),
		"from starkware.cairo.common.cairo_secp.secp_utils import pack\nx = pack(ids.x, PRIME) % SECP_P":                                                                                   secpReduce(scope, "x"),
		"from starkware.cairo.common.cairo_secp.secp_utils import pack\n\nx = pack(ids.x, PRIME) % SECP_P":                                                                                 secpReduce(scope, "x"),
		"from starkware.cairo.common.cairo_secp.secp_utils import pack\nSECP_P=2**255-19\n\nx = pack(ids.x, PRIME) % SECP_P":                                                               secpReduce(ed, "x"),
		"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_P\nfrom starkware.cairo.common.cairo_secp.secp_utils import pack\n\nx = pack(ids.x, PRIME) % SECP256R1_P": secpReduce(r1, "x"),

		// is_zero: nondet x == 0
		"memory[ap] = to_felt_or_relocatable(x == 0)": secpIsZeroNondet,
		"memory[ap] = int(x == 0)":                    secpIsZeroNondet,

		// is_zero: inverse
		"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P\nfrom starkware.python.math_utils import div_mod\n\nvalue = x_inv = div_mod(1, x, SECP_P)": secpIsZeroInverse(k1, true),
		"from starkware.python.math_utils import div_mod\n\nvalue = x_inv = div_mod(1, x, SECP_P)":                                                                  secpIsZeroInverse(scope, true),
		"SECP_P=2**255-19\nfrom starkware.python.math_utils import div_mod\n\nvalue = x_inv = div_mod(1, x, SECP_P)":                                                secpIsZeroInverse(ed, true),
		"from starkware.python.math_utils import div_mod\n\nvalue = div_mod(1, x, SECP256R1_P)":                                                                     secpIsZeroInverse(secpPrimeScope("SECP256R1_P"), false),

		// secp256r1/field.cairo assert_165_bit
		"from starkware.cairo.common.math_utils import as_int\n\n# Correctness check.\nvalue = as_int(ids.value, PRIME) % PRIME\nassert value < ids.UPPER_BOUND, f'{value} is outside of the range [0, 2**165).'\n\n# Calculation for the assertion.\nids.high, ids.low = divmod(ids.value, ids.SHIFT)": secpAssert165Bit,
	}
}

// secpVerifyZero: q, r = divmod(pack(ids.val, PRIME), P); assert r == 0;
// ids.q = q % PRIME.
func secpVerifyZero(prime secpPrime, toAssert bool) Func {
	return func(c *Context) error {
		p, err := prime(c)
		if err != nil {
			return err
		}
		v, err := secpPack(c, "val")
		if err != nil {
			return err
		}
		if toAssert {
			c.Set("to_assert", v)
		}
		q, r, err := secpDivmod(v, p)
		if err != nil {
			return err
		}
		secpSet(c, "q", q, "r", r)
		if r.Sign() != 0 {
			var d [3]*big.Int
			for i := range d {
				if d[i], err = secpIDInt(c, fmt.Sprintf("val.d%d", i)); err != nil {
					return err
				}
			}
			return secpAssertion(fmt.Sprintf("verify_zero: Invalid input (%s, %s, %s).", d[0], d[1], d[2]))
		}
		return secpSetInt(c, "q", new(big.Int).Mod(q, secpFeltPrime))
	}
}

// secpReduce: <dst> = pack(ids.x, PRIME) % P.
func secpReduce(prime secpPrime, dst string) Func {
	return func(c *Context) error {
		p, err := prime(c)
		if err != nil {
			return err
		}
		r, err := secpPackMod(c, "x", p)
		if err != nil {
			return err
		}
		c.Set(dst, r)
		return nil
	}
}

// secpIsZeroNondet: memory[ap] = x == 0.
func secpIsZeroNondet(c *Context) error {
	v, err := c.Get("x")
	if err != nil {
		return fmt.Errorf("NameError: %w", err)
	}
	zero := false
	switch x := v.(type) {
	case *big.Int:
		zero = x.Sign() == 0
	default:
		if n, err := secpScopeInt(c, "x"); err == nil {
			zero = n.Sign() == 0
		}
	}
	return secpSetAP(c, secpBool(zero))
}

// secpIsZeroInverse: value = x_inv = div_mod(1, x, P).
func secpIsZeroInverse(prime secpPrime, setXInv bool) Func {
	return func(c *Context) error {
		p, err := prime(c)
		if err != nil {
			return err
		}
		x, err := secpScopeInt(c, "x")
		if err != nil {
			return err
		}
		inv, err := secpDivMod(big.NewInt(1), x, p)
		if err != nil {
			return err
		}
		c.Set("value", inv)
		if setXInv {
			c.Set("x_inv", inv)
		}
		return nil
	}
}

// secpAssert165Bit is the hint of secp256r1/field.cairo's assert_165_bit.
func secpAssert165Bit(c *Context) error {
	f, err := c.Felt("value")
	if err != nil {
		return err
	}
	value := new(big.Int).Mod(secpAsInt(f), secpFeltPrime)
	c.Set("value", value)
	bound, err := secpIDInt(c, "UPPER_BOUND")
	if err != nil {
		return err
	}
	if value.Cmp(bound) >= 0 {
		return secpAssertion(fmt.Sprintf("%s is outside of the range [0, 2**165).", value))
	}
	shift, err := secpIDInt(c, "SHIFT")
	if err != nil {
		return err
	}
	high, low, err := secpDivmod(f.BigInt(), shift)
	if err != nil {
		return err
	}
	if err := secpSetInt(c, "high", high); err != nil {
		return err
	}
	return secpSetInt(c, "low", low)
}
