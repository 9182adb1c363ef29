package hints

import (
	"fmt"
	"math/big"
)

// secpSignatureHints are the hints of cairo_secp/signature.cairo and
// secp256r1's get_point_from_x, with the whitelisted variants.
func secpSignatureHints() map[string]Func {
	const (
		divModImports = "from starkware.python.math_utils import div_mod, safe_div\n\n"
		getPointBody  = "x_cube_int = pack(ids.x_cube, PRIME) % SECP_P\ny_square_int = (x_cube_int + ids.BETA) % SECP_P\ny = pow(y_square_int, (SECP_P + 1) // 4, SECP_P)\n\n# We need to decide whether to take y or SECP_P - y.\nif ids.v % 2 == y % 2:\n    value = y\nelse:\n    value = (-y) % SECP_P"
	)
	return map[string]Func{
		// div_mod_n
		"from starkware.cairo.common.cairo_secp.secp_utils import N, pack\n" + divModImports + "a = pack(ids.a, PRIME)\nb = pack(ids.b, PRIME)\nvalue = res = div_mod(a, b, N)": secpDivModN(secpPrimeSet("N", secpK1N)),
		"from starkware.cairo.common.cairo_secp.secp_utils import pack\n" + divModImports + "a = pack(ids.a, PRIME)\nb = pack(ids.b, PRIME)\nvalue = res = div_mod(a, b, N)":    secpDivModN(secpPrimeScope("N")),
		"value = k = safe_div(res * b - a, N)":              secpSafeDivK("b", "a", "k", 0),
		"value = k_plus_one = safe_div(res * b - a, N) + 1": secpSafeDivK("b", "a", "k_plus_one", 1),

		// mul_s_inv
		"from starkware.cairo.common.cairo_secp.secp_utils import pack\n" + divModImports + "N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141\nx = pack(ids.x, PRIME) % N\ns = pack(ids.s, PRIME) % N\nvalue = res = div_mod(x, s, N)": secpMulSInv(false),
		"value = k = safe_div(res * s - x, N)": secpSafeDivK("s", "x", "k", 0),

		// get_point_from_x
		"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\n\n" + getPointBody: secpGetPointFromX,
		"ids.is_on_curve = (y * y) % SECP_P == y_square_int":                                       secpIsOnCurve(secpPrimeScope("SECP_P")),
		"from starkware.cairo.common.cairo_secp.secp_utils import SECP256R1, pack\nfrom starkware.python.math_utils import y_squared_from_x\n\ny_square_int = y_squared_from_x(\n    x=pack(ids.x, PRIME),\n    alpha=SECP256R1.alpha,\n    beta=SECP256R1.beta,\n    field_prime=SECP256R1.prime,\n)\n\n# Note that (y_square_int ** ((SECP256R1.prime + 1) / 4)) ** 2 =\n#   = y_square_int ** ((SECP256R1.prime + 1) / 2) =\n#   = y_square_int ** ((SECP256R1.prime - 1) / 2 + 1) =\n#   = y_square_int * y_square_int ** ((SECP256R1.prime - 1) / 2) = y_square_int * {+/-}1.\ny = pow(y_square_int, (SECP256R1.prime + 1) // 4, SECP256R1.prime)\n\n# We need to decide whether to take y or prime - y.\nif ids.v % 2 == y % 2:\n    value = y\nelse:\n    value = (-y) % SECP256R1.prime": secpR1GetPointFromX,
		"ids.is_on_curve = (y * y) % SECP256R1.prime == y_square_int": secpIsOnCurve(secpScopeCurvePrime("SECP256R1")),
	}
}

// secpRecoverHints are the hints of the ec_recover whitelist.
func secpRecoverHints() map[string]Func {
	const imports = "from starkware.cairo.common.cairo_secp.secp_utils import pack\nfrom starkware.python.math_utils import div_mod, safe_div\n\n"
	return map[string]Func{
		imports + "N = pack(ids.n, PRIME)\nx = pack(ids.x, PRIME) % N\ns = pack(ids.s, PRIME) % N\nvalue = res = div_mod(x, s, N)":       secpMulSInv(true),
		imports + "a = pack(ids.a, PRIME)\nb = pack(ids.b, PRIME)\n\nvalue = res = a - b":                                                secpRecoverSub,
		imports + "a = pack(ids.a, PRIME)\nb = pack(ids.b, PRIME)\nproduct = a * b\nm = pack(ids.m, PRIME)\n\nvalue = res = product % m": secpRecoverProductMod,
		"value = k = product // m": secpRecoverProductDiv,
	}
}

// secpDivModN: a, b = pack(ids.a), pack(ids.b); value = res = div_mod(a, b, N).
func secpDivModN(n secpPrime) Func {
	return func(c *Context) error {
		N, err := n(c)
		if err != nil {
			return err
		}
		a, err := secpPack(c, "a")
		if err != nil {
			return err
		}
		b, err := secpPack(c, "b")
		if err != nil {
			return err
		}
		secpSet(c, "a", a, "b", b)
		res, err := secpDivMod(a, b, N)
		if err != nil {
			return err
		}
		secpSet(c, "value", res, "res", res)
		return nil
	}
}

// secpSafeDivK: value = <dst> = safe_div(res * <mul> - <sub>, N) + plus.
func secpSafeDivK(mul, sub, dst string, plus int64) Func {
	return func(c *Context) error {
		res, err := secpScopeInt(c, "res")
		if err != nil {
			return err
		}
		m, err := secpScopeInt(c, mul)
		if err != nil {
			return err
		}
		s, err := secpScopeInt(c, sub)
		if err != nil {
			return err
		}
		N, err := secpScopeInt(c, "N")
		if err != nil {
			return err
		}
		v := new(big.Int).Mul(res, m)
		k, err := secpSafeDiv(v.Sub(v, s), N)
		if err != nil {
			return err
		}
		k.Add(k, big.NewInt(plus))
		secpSet(c, "value", k, dst, k)
		return nil
	}
}

// secpMulSInv: N = <secp256k1 order> or pack(ids.n); x = pack(ids.x) % N;
// s = pack(ids.s) % N; value = res = div_mod(x, s, N).
func secpMulSInv(packedN bool) Func {
	return func(c *Context) error {
		var N *big.Int
		if packedN {
			var err error
			if N, err = secpPack(c, "n"); err != nil {
				return err
			}
			c.Set("N", N)
		} else {
			N = secpConst(c, "N", secpK1N)
		}
		x, err := secpPackMod(c, "x", N)
		if err != nil {
			return err
		}
		c.Set("x", x)
		s, err := secpPackMod(c, "s", N)
		if err != nil {
			return err
		}
		c.Set("s", s)
		res, err := secpDivMod(x, s, N)
		if err != nil {
			return err
		}
		secpSet(c, "value", res, "res", res)
		return nil
	}
}

// secpChooseY picks y or -y (mod p) by the parity of ids.v.
func secpChooseY(c *Context, y, p *big.Int) error {
	v, err := secpIDInt(c, "v")
	if err != nil {
		return err
	}
	value := y
	if v.Bit(0) != y.Bit(0) {
		if value, err = secpMod(new(big.Int).Neg(y), p); err != nil {
			return err
		}
	}
	c.Set("value", value)
	return nil
}

func secpGetPointFromX(c *Context) error {
	p := secpConst(c, "SECP_P", secpK1P)
	xCube, err := secpPackMod(c, "x_cube", p)
	if err != nil {
		return err
	}
	c.Set("x_cube_int", xCube)
	beta, err := secpIDInt(c, "BETA")
	if err != nil {
		return err
	}
	ySquare, err := secpMod(new(big.Int).Add(xCube, beta), p)
	if err != nil {
		return err
	}
	c.Set("y_square_int", ySquare)
	e := new(big.Int).Add(p, big.NewInt(1))
	y, err := secpPowMod(ySquare, e.Rsh(e, 2), p)
	if err != nil {
		return err
	}
	c.Set("y", y)
	return secpChooseY(c, y, p)
}

func secpR1GetPointFromX(c *Context) error {
	curve := secpR1Curve
	c.Set("SECP256R1", curve)
	x, err := secpPack(c, "x")
	if err != nil {
		return err
	}
	p := curve.prime
	// y_squared_from_x: (x**3 + alpha * x + beta) % p.
	ySquare := new(big.Int).Exp(new(big.Int).Mod(x, p), big.NewInt(3), p)
	ySquare.Add(ySquare, new(big.Int).Mul(curve.alpha, x))
	ySquare.Add(ySquare, curve.beta)
	ySquare.Mod(ySquare, p)
	c.Set("y_square_int", ySquare)
	e := new(big.Int).Add(p, big.NewInt(1))
	y := new(big.Int).Exp(ySquare, e.Rsh(e, 2), p)
	c.Set("y", y)
	return secpChooseY(c, y, p)
}

// secpScopeCurvePrime reads <name>.prime of a curve in the scope.
func secpScopeCurvePrime(name string) secpPrime {
	return func(c *Context) (*big.Int, error) {
		v, err := c.Get(name)
		if err != nil {
			return nil, fmt.Errorf("NameError: %w", err)
		}
		curve, ok := v.(*secpCurve)
		if !ok {
			return nil, fmt.Errorf("AttributeError: %s has no attribute 'prime' (%T)", name, v)
		}
		return curve.prime, nil
	}
}

// secpIsOnCurve: ids.is_on_curve = (y * y) % P == y_square_int.
func secpIsOnCurve(prime secpPrime) Func {
	return func(c *Context) error {
		y, err := secpScopeInt(c, "y")
		if err != nil {
			return err
		}
		p, err := prime(c)
		if err != nil {
			return err
		}
		ys, err := secpScopeInt(c, "y_square_int")
		if err != nil {
			return err
		}
		y2, err := secpMod(new(big.Int).Mul(y, y), p)
		if err != nil {
			return err
		}
		return secpSetInt(c, "is_on_curve", secpBool(y2.Cmp(ys) == 0))
	}
}

func secpRecoverSub(c *Context) error {
	a, err := secpPack(c, "a")
	if err != nil {
		return err
	}
	b, err := secpPack(c, "b")
	if err != nil {
		return err
	}
	res := new(big.Int).Sub(a, b)
	secpSet(c, "a", a, "b", b, "value", res, "res", res)
	return nil
}

func secpRecoverProductMod(c *Context) error {
	a, err := secpPack(c, "a")
	if err != nil {
		return err
	}
	b, err := secpPack(c, "b")
	if err != nil {
		return err
	}
	product := new(big.Int).Mul(a, b)
	secpSet(c, "a", a, "b", b, "product", product)
	m, err := secpPack(c, "m")
	if err != nil {
		return err
	}
	c.Set("m", m)
	res, err := secpMod(product, m)
	if err != nil {
		return err
	}
	secpSet(c, "value", res, "res", res)
	return nil
}

func secpRecoverProductDiv(c *Context) error {
	product, err := secpScopeInt(c, "product")
	if err != nil {
		return err
	}
	m, err := secpScopeInt(c, "m")
	if err != nil {
		return err
	}
	k, _, err := secpDivmod(product, m)
	if err != nil {
		return err
	}
	secpSet(c, "value", k, "k", k)
	return nil
}
