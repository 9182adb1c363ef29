package hints

import (
	"errors"
	"math/big"
)

// vrfHints are the hints of the vrf whitelist that are not secp variants
// (those are registered with the cairo_secp hints): the ed25519 square
// root, Uint256/Uint512 modular arithmetic and the Uint256 square root.
func vrfHints() map[string]Func {
	return map[string]Func{
		"PRIME = 2**255 - 19\nII = pow(2, (PRIME - 1) // 4, PRIME)\n\nxx = ids.xx.low + (ids.xx.high<<128)\nx = pow(xx, (PRIME + 3) // 8, PRIME)\nif (x * x - xx) % PRIME != 0:\n    x = (x * II) % PRIME\nif x % 2 != 0:\n    x = PRIME - x\nids.x.low = x & ((1<<128)-1)\nids.x.high = x >> 128": vrfEd25519Sqrt,
		// inv_mod_p_uint512
		"def pack_512(u, num_bits_shift: int) -> int:\n    limbs = (u.d0, u.d1, u.d2, u.d3)\n    return sum(limb << (num_bits_shift * i) for i, limb in enumerate(limbs))\n\nx = pack_512(ids.x, num_bits_shift = 128)\np = ids.p.low + (ids.p.high << 128)\nx_inverse_mod_p = pow(x,-1, p)\n\nx_inverse_mod_p_split = (x_inverse_mod_p & ((1 << 128) - 1), x_inverse_mod_p >> 128)\n\nids.x_inverse_mod_p.low = x_inverse_mod_p_split[0]\nids.x_inverse_mod_p.high = x_inverse_mod_p_split[1]": vrfInvModPUint512,
		// unsigned_div_rem_uint512_by_uint256
		u384SplitDef + "def pack(z, num_bits_shift: int) -> int:\n    limbs = (z.low, z.high)\n    return sum(limb << (num_bits_shift * i) for i, limb in enumerate(limbs))\n\ndef pack_extended(z, num_bits_shift: int) -> int:\n    limbs = (z.d0, z.d1, z.d2, z.d3)\n    return sum(limb << (num_bits_shift * i) for i, limb in enumerate(limbs))\n\nx = pack_extended(ids.x, num_bits_shift = 128)\ndiv = pack(ids.div, num_bits_shift = 128)\n\nquotient, remainder = divmod(x, div)\n\nquotient_split = split(quotient, num_bits_shift=128, length=4)\n\nids.quotient.d0 = quotient_split[0]\nids.quotient.d1 = quotient_split[1]\nids.quotient.d2 = quotient_split[2]\nids.quotient.d3 = quotient_split[3]\n\nremainder_split = split(remainder, num_bits_shift=128, length=2)\nids.remainder.low = remainder_split[0]\nids.remainder.high = remainder_split[1]": u384DivRem("x", u384Limbs4, u384LowHigh, u384Limbs4, u384LowHigh),
		// uint256 inv_mod_p
		"from starkware.python.math_utils import div_mod\n\ndef split(a: int):\n    return (a & ((1 << 128) - 1), a >> 128)\n\ndef pack(z, num_bits_shift: int) -> int:\n    limbs = (z.low, z.high)\n    return sum(limb << (num_bits_shift * i) for i, limb in enumerate(limbs))\n\na = pack(ids.a, 128)\nb = pack(ids.b, 128)\np = pack(ids.p, 128)\n# For python3.8 and above the modular inverse can be computed as follows:\n# b_inverse_mod_p = pow(b, -1, p)\n# Instead we use the python3.7-friendly function div_mod from starkware.python.math_utils\nb_inverse_mod_p = div_mod(1, b, p)\n\nb_inverse_mod_p_split = split(b_inverse_mod_p)\n\nids.b_inverse_mod_p.low = b_inverse_mod_p_split[0]\nids.b_inverse_mod_p.high = b_inverse_mod_p_split[1]": u384InvModP(u384LowHigh),
		// uint256 get_square_root
		"from starkware.python.math_utils import is_quad_residue, sqrt\n\ndef split(a: int):\n    return (a & ((1 << 128) - 1), a >> 128)\n\ndef pack(z) -> int:\n    return z.low + (z.high << 128)\n\ngenerator = pack(ids.generator)\nx = pack(ids.x)\np = pack(ids.p)\n\nsuccess_x = is_quad_residue(x, p)\nroot_x = sqrt(x, p) if success_x else None\nsuccess_gx = is_quad_residue(generator*x, p)\nroot_gx = sqrt(generator*x, p) if success_gx else None\n\n# Check that one is 0 and the other is 1\nif x != 0:\n    assert success_x + success_gx == 1\n\n# `None` means that no root was found, but we need to transform these into a felt no matter what\nif root_x == None:\n    root_x = 0\nif root_gx == None:\n    root_gx = 0\nids.success_x = int(success_x)\nids.success_gx = int(success_gx)\nsplit_root_x = split(root_x)\n# print('split root x', split_root_x)\nsplit_root_gx = split(root_gx)\nids.sqrt_x.low = split_root_x[0]\nids.sqrt_x.high = split_root_x[1]\nids.sqrt_gx.low = split_root_gx[0]\nids.sqrt_gx.high = split_root_gx[1]": u384GetSquareRoot(u384LowHigh),
		// uint256 add: carry of the low limbs
		"sum_low = ids.a.low + ids.b.low\nids.carry_low = 1 if sum_low >= ids.SHIFT else 0": u384AddCarries([]string{"low"}),
	}
}

var (
	vrfEdExpII   = new(big.Int).Rsh(new(big.Int).Sub(secpEd25519P, big.NewInt(1)), 2)
	vrfEdExpRoot = new(big.Int).Rsh(new(big.Int).Add(secpEd25519P, big.NewInt(3)), 3)
)

// vrfEd25519Sqrt is the square root modulo 2**255 - 19 of ids.xx (the
// even one), written to ids.x.
func vrfEd25519Sqrt(c *Context) error {
	p := secpEd25519P
	ii := new(big.Int).Exp(big.NewInt(2), vrfEdExpII, p)
	xx, err := secpPackUnsigned(c, "xx", u384LowHigh, 128)
	if err != nil {
		return err
	}
	x := new(big.Int).Exp(xx, vrfEdExpRoot, p)
	d := new(big.Int).Mul(x, x)
	if d.Sub(d, xx).Mod(d, p).Sign() != 0 {
		x.Mul(x, ii).Mod(x, p)
	}
	if x.Bit(0) != 0 {
		x.Sub(p, x)
	}
	secpSet(c, "II", ii, "xx", xx, "x", x)
	return secpSetLimbs(c, "x", u384LowHigh, secpSplitUnsigned(x, 128, 2))
}

// vrfInvModPUint512: x_inverse_mod_p = pow(x, -1, p) for the Uint512 ids.x
// and the Uint256 ids.p.
func vrfInvModPUint512(c *Context) error {
	x, err := secpPackUnsigned(c, "x", u384Limbs4, 128)
	if err != nil {
		return err
	}
	p, err := secpPackUnsigned(c, "p", u384LowHigh, 128)
	if err != nil {
		return err
	}
	secpSet(c, "x", x, "p", p)
	var inv *big.Int
	switch {
	case p.Sign() == 0:
		return errors.New("ValueError: pow() 3rd argument cannot be 0")
	case p.Cmp(big.NewInt(1)) == 0:
		inv = new(big.Int)
	default:
		if inv = new(big.Int).ModInverse(x, p); inv == nil {
			return errors.New("ValueError: base is not invertible for the given modulus")
		}
	}
	c.Set("x_inverse_mod_p", inv)
	return secpSetLimbs(c, "x_inverse_mod_p", u384LowHigh, []*big.Int{
		new(big.Int).And(inv, secpMask128), new(big.Int).Rsh(inv, 128),
	})
}
