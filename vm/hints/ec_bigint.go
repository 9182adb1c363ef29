package hints

import "math/big"

// ecBigintHints are the hints of the ec_bigint whitelist (BigInt3 slopes
// over an arbitrary modulus ids.P, from a 5-limb product).
func ecBigintHints() map[string]Func {
	return map[string]Func{
		"from starkware.cairo.common.cairo_secp.secp_utils import pack\nfrom starkware.cairo.common.math_utils import as_int\nfrom starkware.python.math_utils import div_mod, safe_div\n\np = pack(ids.P, PRIME)\nx = pack(ids.x, PRIME) + as_int(ids.x.d3, PRIME) * ids.BASE ** 3 + as_int(ids.x.d4, PRIME) * ids.BASE ** 4\ny = pack(ids.y, PRIME)\n\nvalue = res = div_mod(x, y, p)": ecBigintDivMod,
		"k = safe_div(res * y - x, p)\nvalue = k if k > 0 else 0 - k\nids.flag = 1 if k > 0 else 0": ecBigintSafeDiv,
	}
}

// ecBigintDivMod: x = pack of the BigInt5 ids.x; value = res =
// div_mod(x, pack(ids.y), pack(ids.P)).
func ecBigintDivMod(c *Context) error {
	p, err := secpPack(c, "P")
	if err != nil {
		return err
	}
	c.Set("p", p)
	x, err := secpPack(c, "x")
	if err != nil {
		return err
	}
	d3, err := c.Felt("x.d3")
	if err != nil {
		return err
	}
	base, err := secpIDInt(c, "BASE")
	if err != nil {
		return err
	}
	d4, err := c.Felt("x.d4")
	if err != nil {
		return err
	}
	b3 := new(big.Int).Exp(base, big.NewInt(3), nil)
	x.Add(x, b3.Mul(b3, secpAsInt(d3)))
	b4 := new(big.Int).Exp(base, big.NewInt(4), nil)
	x.Add(x, b4.Mul(b4, secpAsInt(d4)))
	c.Set("x", x)
	y, err := secpPack(c, "y")
	if err != nil {
		return err
	}
	c.Set("y", y)
	res, err := secpDivMod(x, y, p)
	if err != nil {
		return err
	}
	secpSet(c, "value", res, "res", res)
	return nil
}

// ecBigintSafeDiv: k = safe_div(res * y - x, p); value = |k|;
// ids.flag = k > 0.
func ecBigintSafeDiv(c *Context) error {
	res, err := secpScopeInt(c, "res")
	if err != nil {
		return err
	}
	y, err := secpScopeInt(c, "y")
	if err != nil {
		return err
	}
	x, err := secpScopeInt(c, "x")
	if err != nil {
		return err
	}
	p, err := secpScopeInt(c, "p")
	if err != nil {
		return err
	}
	v := new(big.Int).Mul(res, y)
	k, err := secpSafeDiv(v.Sub(v, x), p)
	if err != nil {
		return err
	}
	c.Set("k", k)
	c.Set("value", new(big.Int).Abs(k))
	return secpSetInt(c, "flag", secpBool(k.Sign() > 0))
}
