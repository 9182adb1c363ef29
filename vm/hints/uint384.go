package hints

import "math/big"

// Limb layouts of the 128-bit-limb structs: Uint256, Uint384, Uint512
// (d0..d3) and Uint768 (d0..d5).
var (
	u384LowHigh = []string{"low", "high"}
	u384Limbs3  = []string{"d0", "d1", "d2"}
	u384Limbs4  = []string{"d0", "d1", "d2", "d3"}
	u384Limbs6  = []string{"d0", "d1", "d2", "d3", "d4", "d5"}
)

// The local split/pack helpers the 384-bit hints define, spelled out as
// each hint does.
const (
	u384SplitDef = "def split(num: int, num_bits_shift: int, length: int):\n    a = []\n    for _ in range(length):\n        a.append( num & ((1 << num_bits_shift) - 1) )\n        num = num >> num_bits_shift\n    return tuple(a)\n\n"
	u384PackDef  = "def pack(z, num_bits_shift: int) -> int:\n    limbs = (z.d0, z.d1, z.d2)\n    return sum(limb << (num_bits_shift * i) for i, limb in enumerate(limbs))\n\n"
)

// uint384Hints are the hints of uint384.cairo, uint384_extension.cairo and
// field_arithmetic.cairo (the 384_bit_prime_field whitelist).
func uint384Hints() map[string]Func {
	return map[string]Func{
		// uint384_unsigned_div_rem
		u384SplitDef + u384PackDef + "a = pack(ids.a, num_bits_shift = 128)\ndiv = pack(ids.div, num_bits_shift = 128)\nquotient, remainder = divmod(a, div)\n\nquotient_split = split(quotient, num_bits_shift=128, length=3)\nassert len(quotient_split) == 3\n\nids.quotient.d0 = quotient_split[0]\nids.quotient.d1 = quotient_split[1]\nids.quotient.d2 = quotient_split[2]\n\nremainder_split = split(remainder, num_bits_shift=128, length=3)\nids.remainder.d0 = remainder_split[0]\nids.remainder.d1 = remainder_split[1]\nids.remainder.d2 = remainder_split[2]": u384DivRem("a", u384Limbs3, u384Limbs3, u384Limbs3, u384Limbs3),
		// unsigned_div_rem_uint768_by_uint384
		u384SplitDef + u384PackDef + "def pack_extended(z, num_bits_shift: int) -> int:\n    limbs = (z.d0, z.d1, z.d2, z.d3, z.d4, z.d5)\n    return sum(limb << (num_bits_shift * i) for i, limb in enumerate(limbs))\n\na = pack_extended(ids.a, num_bits_shift = 128)\ndiv = pack(ids.div, num_bits_shift = 128)\n\nquotient, remainder = divmod(a, div)\n\nquotient_split = split(quotient, num_bits_shift=128, length=6)\n\nids.quotient.d0 = quotient_split[0]\nids.quotient.d1 = quotient_split[1]\nids.quotient.d2 = quotient_split[2]\nids.quotient.d3 = quotient_split[3]\nids.quotient.d4 = quotient_split[4]\nids.quotient.d5 = quotient_split[5]\n\nremainder_split = split(remainder, num_bits_shift=128, length=3)\nids.remainder.d0 = remainder_split[0]\nids.remainder.d1 = remainder_split[1]\nids.remainder.d2 = remainder_split[2]": u384DivRem("a", u384Limbs6, u384Limbs3, u384Limbs6, u384Limbs3),
		// uint384_split_128
		"ids.low = ids.a & ((1<<128) - 1)\nids.high = ids.a >> 128": u384Split128,
		// add_no_uint384_check
		"sum_d0 = ids.a.d0 + ids.b.d0\nids.carry_d0 = 1 if sum_d0 >= ids.SHIFT else 0\nsum_d1 = ids.a.d1 + ids.b.d1 + ids.carry_d0\nids.carry_d1 = 1 if sum_d1 >= ids.SHIFT else 0\nsum_d2 = ids.a.d2 + ids.b.d2 + ids.carry_d1\nids.carry_d2 = 1 if sum_d2 >= ids.SHIFT else 0": u384AddCarries(u384Limbs3),
		// uint384_sqrt
		"from starkware.python.math_utils import isqrt\n\n" + u384SplitDef + u384PackDef + "a = pack(ids.a, num_bits_shift=128)\nroot = isqrt(a)\nassert 0 <= root < 2 ** 192\nroot_split = split(root, num_bits_shift=128, length=3)\nids.root.d0 = root_split[0]\nids.root.d1 = root_split[1]\nids.root.d2 = root_split[2]": u384Sqrt,
		// uint384_signed_nn
		"memory[ap] = 1 if 0 <= (ids.a.d2 % PRIME) < 2 ** 127 else 0": u384SignedNN,
		// sub_reduced_a_and_reduced_b
		u384SplitDef + u384PackDef + "a = pack(ids.a, num_bits_shift = 128)\nb = pack(ids.b, num_bits_shift = 128)\np = pack(ids.p, num_bits_shift = 128)\n\nres = (a - b) % p\n\n\nres_split = split(res, num_bits_shift=128, length=3)\n\nids.res.d0 = res_split[0]\nids.res.d1 = res_split[1]\nids.res.d2 = res_split[2]": u384SubReduced,
		// inv_mod_p (field_arithmetic)
		"from starkware.python.math_utils import div_mod\n\n" + u384SplitDef + u384PackDef + "a = pack(ids.a, num_bits_shift = 128)\nb = pack(ids.b, num_bits_shift = 128)\np = pack(ids.p, num_bits_shift = 128)\n# For python3.8 and above the modular inverse can be computed as follows:\n# b_inverse_mod_p = pow(b, -1, p)\n# Instead we use the python3.7-friendly function div_mod from starkware.python.math_utils\nb_inverse_mod_p = div_mod(1, b, p)\n\n\nb_inverse_mod_p_split = split(b_inverse_mod_p, num_bits_shift=128, length=3)\n\nids.b_inverse_mod_p.d0 = b_inverse_mod_p_split[0]\nids.b_inverse_mod_p.d1 = b_inverse_mod_p_split[1]\nids.b_inverse_mod_p.d2 = b_inverse_mod_p_split[2]": u384InvModP(u384Limbs3),
		// get_square_root (field_arithmetic)
		"from starkware.python.math_utils import is_quad_residue, sqrt\n\ndef split(num: int, num_bits_shift: int = 128, length: int = 3):\n    a = []\n    for _ in range(length):\n        a.append( num & ((1 << num_bits_shift) - 1) )\n        num = num >> num_bits_shift\n    return tuple(a)\n\ndef pack(z, num_bits_shift: int = 128) -> int:\n    limbs = (z.d0, z.d1, z.d2)\n    return sum(limb << (num_bits_shift * i) for i, limb in enumerate(limbs))\n\n\ngenerator = pack(ids.generator)\nx = pack(ids.x)\np = pack(ids.p)\n\nsuccess_x = is_quad_residue(x, p)\nroot_x = sqrt(x, p) if success_x else None\n\nsuccess_gx = is_quad_residue(generator*x, p)\nroot_gx = sqrt(generator*x, p) if success_gx else None\n\n# Check that one is 0 and the other is 1\nif x != 0:\n    assert success_x + success_gx ==1\n\n# `None` means that no root was found, but we need to transform these into a felt no matter what\nif root_x == None:\n    root_x = 0\nif root_gx == None:\n    root_gx = 0\nids.success_x = int(success_x)\nids.success_gx = int(success_gx)\nsplit_root_x = split(root_x)\nsplit_root_gx = split(root_gx)\nids.sqrt_x.d0 = split_root_x[0]\nids.sqrt_x.d1 = split_root_x[1]\nids.sqrt_x.d2 = split_root_x[2]\nids.sqrt_gx.d0 = split_root_gx[0]\nids.sqrt_gx.d1 = split_root_gx[1]\nids.sqrt_gx.d2 = split_root_gx[2]": u384GetSquareRoot(u384Limbs3),
	}
}

// u384DivRem: quotient, remainder = divmod(pack(ids.<a>), pack(ids.div)),
// split into the quotient's and remainder's limbs.
func u384DivRem(a string, aLimbs, divLimbs, qLimbs, rLimbs []string) Func {
	return func(c *Context) error {
		av, err := secpPackUnsigned(c, a, aLimbs, 128)
		if err != nil {
			return err
		}
		c.Set(a, av)
		div, err := secpPackUnsigned(c, "div", divLimbs, 128)
		if err != nil {
			return err
		}
		c.Set("div", div)
		q, r, err := secpDivmod(av, div)
		if err != nil {
			return err
		}
		secpSet(c, "quotient", q, "remainder", r)
		if err := secpSetLimbs(c, "quotient", qLimbs, secpSplitUnsigned(q, 128, len(qLimbs))); err != nil {
			return err
		}
		return secpSetLimbs(c, "remainder", rLimbs, secpSplitUnsigned(r, 128, len(rLimbs)))
	}
}

func u384Split128(c *Context) error {
	a, err := secpIDInt(c, "a")
	if err != nil {
		return err
	}
	if err := secpSetInt(c, "low", new(big.Int).And(a, secpMask128)); err != nil {
		return err
	}
	return secpSetInt(c, "high", a.Rsh(a, 128))
}

// u384AddCarries: the carries of a limb-wise a + b against ids.SHIFT.
func u384AddCarries(limbs []string) Func {
	return func(c *Context) error {
		shift, err := secpIDInt(c, "SHIFT")
		if err != nil {
			return err
		}
		carry := new(big.Int)
		for _, l := range limbs {
			a, err := secpIDInt(c, "a."+l)
			if err != nil {
				return err
			}
			b, err := secpIDInt(c, "b."+l)
			if err != nil {
				return err
			}
			sum := a.Add(a, b)
			sum.Add(sum, carry)
			c.Set("sum_"+l, sum)
			carry = secpBool(sum.Cmp(shift) >= 0)
			if err := secpSetInt(c, "carry_"+l, carry); err != nil {
				return err
			}
		}
		return nil
	}
}

var u384Bound192 = new(big.Int).Lsh(big.NewInt(1), 192)

func u384Sqrt(c *Context) error {
	a, err := secpPackUnsigned(c, "a", u384Limbs3, 128)
	if err != nil {
		return err
	}
	c.Set("a", a)
	root, err := secpIsqrt(a)
	if err != nil {
		return err
	}
	c.Set("root", root)
	if root.Cmp(u384Bound192) >= 0 {
		return secpAssertion("")
	}
	return secpSetLimbs(c, "root", u384Limbs3, secpSplitUnsigned(root, 128, 3))
}

var u384Bound127 = new(big.Int).Lsh(big.NewInt(1), 127)

func u384SignedNN(c *Context) error {
	d2, err := secpIDInt(c, "a.d2")
	if err != nil {
		return err
	}
	return secpSetAP(c, secpBool(d2.Cmp(u384Bound127) < 0))
}

func u384SubReduced(c *Context) error {
	a, err := secpPackUnsigned(c, "a", u384Limbs3, 128)
	if err != nil {
		return err
	}
	b, err := secpPackUnsigned(c, "b", u384Limbs3, 128)
	if err != nil {
		return err
	}
	p, err := secpPackUnsigned(c, "p", u384Limbs3, 128)
	if err != nil {
		return err
	}
	secpSet(c, "a", a, "b", b, "p", p)
	res, err := secpMod(new(big.Int).Sub(a, b), p)
	if err != nil {
		return err
	}
	c.Set("res", res)
	return secpSetLimbs(c, "res", u384Limbs3, secpSplitUnsigned(res, 128, 3))
}

// u384InvModP: b_inverse_mod_p = div_mod(1, pack(ids.b), pack(ids.p)),
// split into ids.b_inverse_mod_p.
func u384InvModP(limbs []string) Func {
	return func(c *Context) error {
		a, err := secpPackUnsigned(c, "a", limbs, 128)
		if err != nil {
			return err
		}
		b, err := secpPackUnsigned(c, "b", limbs, 128)
		if err != nil {
			return err
		}
		p, err := secpPackUnsigned(c, "p", limbs, 128)
		if err != nil {
			return err
		}
		secpSet(c, "a", a, "b", b, "p", p)
		inv, err := secpDivMod(big.NewInt(1), b, p)
		if err != nil {
			return err
		}
		c.Set("b_inverse_mod_p", inv)
		return secpSetLimbs(c, "b_inverse_mod_p", limbs, secpSplitUnsigned(inv, 128, len(limbs)))
	}
}

// u384GetSquareRoot finds the square root of x or of generator * x modulo
// p (exactly one exists for x != 0) and writes both, 0 where none exists.
func u384GetSquareRoot(limbs []string) Func {
	return func(c *Context) error {
		g, err := secpPackUnsigned(c, "generator", limbs, 128)
		if err != nil {
			return err
		}
		x, err := secpPackUnsigned(c, "x", limbs, 128)
		if err != nil {
			return err
		}
		p, err := secpPackUnsigned(c, "p", limbs, 128)
		if err != nil {
			return err
		}
		secpSet(c, "generator", g, "x", x, "p", p)
		successX, rootX, err := u384RootOrZero(x, p)
		if err != nil {
			return err
		}
		successGX, rootGX, err := u384RootOrZero(new(big.Int).Mul(g, x), p)
		if err != nil {
			return err
		}
		if x.Sign() != 0 && successX == successGX {
			return secpAssertion("")
		}
		secpSet(c, "success_x", successX, "success_gx", successGX, "root_x", rootX, "root_gx", rootGX)
		if err := secpSetInt(c, "success_x", secpBool(successX)); err != nil {
			return err
		}
		if err := secpSetInt(c, "success_gx", secpBool(successGX)); err != nil {
			return err
		}
		if err := secpSetLimbs(c, "sqrt_x", limbs, secpSplitUnsigned(rootX, 128, len(limbs))); err != nil {
			return err
		}
		return secpSetLimbs(c, "sqrt_gx", limbs, secpSplitUnsigned(rootGX, 128, len(limbs)))
	}
}

// u384RootOrZero is is_quad_residue(v, p) and sqrt(v, p) if so, else 0.
func u384RootOrZero(v, p *big.Int) (bool, *big.Int, error) {
	ok, err := secpIsQuadResidue(v, p)
	if err != nil {
		return false, nil, err
	}
	if !ok {
		return false, new(big.Int), nil
	}
	r, err := secpSqrtMod(v, p)
	if err != nil {
		return false, nil, err
	}
	return true, r, nil
}
