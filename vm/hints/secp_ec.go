package hints

import (
	"errors"
	"fmt"
	"math/big"
)

// secpLiteral is a modulus or curve parameter written as a literal in the
// hint (not stored in the scope).
func secpLiteral(v *big.Int) secpPrime {
	return func(*Context) (*big.Int, error) { return v, nil }
}

// secpECHints are the hints of cairo_secp/ec.cairo and secp256r1/ec.cairo,
// with the whitelisted variants (ed25519 and secp256r1 through the scope,
// the pt/pt0/pt1 spellings, the n-bit scalar helpers).
func secpECHints() map[string]Func {
	k1 := secpPrimeSet("SECP_P", secpK1P)
	ed := secpPrimeSet("SECP_P", secpEd25519P)
	scope := secpPrimeScope("SECP_P")
	r1 := secpPrimeSet("SECP256R1_P", secpR1P)
	r1Scope := secpPrimeScope("SECP256R1_P")
	const (
		pkgK1    = "from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\n"
		pkgPack  = "from starkware.cairo.common.cairo_secp.secp_utils import pack\n"
		pkgR1P   = "from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_P\n"
		negate   = "y = pack(ids.point.y, PRIME) % SECP_P\n# The modulo operation in python always returns a nonnegative number.\nvalue = (-y) % SECP_P"
		slope2   = "# Compute the slope.\nx = pack(ids.point.x, PRIME)\ny = pack(ids.point.y, PRIME)\n"
		slope01  = "# Compute the slope.\nx0 = pack(ids.point0.x, PRIME)\ny0 = pack(ids.point0.y, PRIME)\nx1 = pack(ids.point1.x, PRIME)\ny1 = pack(ids.point1.y, PRIME)\n"
		newX2    = "slope = pack(ids.slope, PRIME)\nx = pack(ids.point.x, PRIME)\ny = pack(ids.point.y, PRIME)\n\nvalue = new_x = (pow(slope, 2, SECP_P) - 2 * x) % SECP_P"
		newX01   = "slope = pack(ids.slope, PRIME)\nx0 = pack(ids.point0.x, PRIME)\nx1 = pack(ids.point1.x, PRIME)\ny0 = pack(ids.point0.y, PRIME)\n\nvalue = new_x = (pow(slope, 2, SECP_P) - x0 - x1) % SECP_P"
		lineP    = "value = slope = line_slope(point1=(x0, y0), point2=(x1, y1), p=SECP_P)"
		edAssign = "SECP_P = 2**255-19\n"
	)
	return map[string]Func{
		// ec_negate
		pkgK1 + "\n" + negate:              secpECNegate(k1),
		pkgPack + edAssign + "\n" + negate: secpECNegate(ed),

		// compute_doubling_slope
		pkgK1 + "from starkware.python.math_utils import ec_double_slope\n\n" + slope2 + "value = slope = ec_double_slope(point=(x, y), alpha=0, p=SECP_P)":                                                                                                                       secpDoublingSlope(k1, secpLiteral(secpK1Alpha), "point", true),
		pkgPack + "from starkware.python.math_utils import ec_double_slope\n\n" + slope2 + "value = slope = ec_double_slope(point=(x, y), alpha=ALPHA, p=SECP_P)":                                                                                                                 secpDoublingSlope(scope, secpPrimeScope("ALPHA"), "point", true),
		"from starkware.python.math_utils import ec_double_slope\n" + pkgPack + edAssign + "\n" + slope2 + "value = slope = ec_double_slope(point=(x, y), alpha=42204101795669822316448953119945047945709099015225996174933988943478124189485, p=SECP_P)":                         secpDoublingSlope(ed, secpLiteral(secpEd25519Alpha), "point", true),
		pkgK1 + "from starkware.python.math_utils import div_mod\n\n# Compute the slope.\nx = pack(ids.pt.x, PRIME)\ny = pack(ids.pt.y, PRIME)\nvalue = slope = div_mod(3 * x ** 2, 2 * y, SECP_P)":                                                                               secpDoublingSlope(k1, secpLiteral(secpK1Alpha), "pt", false),
		"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_ALPHA, SECP256R1_P\n" + pkgPack + "from starkware.python.math_utils import ec_double_slope\n\n" + slope2 + "value = slope = ec_double_slope(point=(x, y), alpha=SECP256R1_ALPHA, p=SECP256R1_P)": secpDoublingSlope(r1, secpPrimeSet("SECP256R1_ALPHA", secpR1Alpha), "point", true),

		// compute_slope
		pkgK1 + "from starkware.python.math_utils import line_slope\n\n" + slope01 + lineP:                                                                                                                                                                       secpComputeSlope(k1, "point0", "point1", true),
		pkgPack + "from starkware.python.math_utils import line_slope\n\n" + slope01 + lineP:                                                                                                                                                                     secpComputeSlope(scope, "point0", "point1", true),
		"from starkware.python.math_utils import line_slope\n" + pkgPack + edAssign + slope01 + lineP:                                                                                                                                                            secpComputeSlope(ed, "point0", "point1", true),
		pkgR1P + pkgPack + "from starkware.python.math_utils import line_slope\n\n" + slope01 + "value = slope = line_slope(point1=(x0, y0), point2=(x1, y1), p=SECP256R1_P)":                                                                                    secpComputeSlope(r1, "point0", "point1", true),
		pkgK1 + "from starkware.python.math_utils import div_mod\n\n# Compute the slope.\nx0 = pack(ids.pt0.x, PRIME)\ny0 = pack(ids.pt0.y, PRIME)\nx1 = pack(ids.pt1.x, PRIME)\ny1 = pack(ids.pt1.y, PRIME)\nvalue = slope = div_mod(y0 - y1, x0 - x1, SECP_P)": secpComputeSlope(k1, "pt0", "pt1", false),

		// ec_double: new_x
		pkgK1 + "\n" + newX2: secpDoubleNewX(k1, "point"),
		pkgK1 + "\nslope = pack(ids.slope, PRIME)\nx = pack(ids.pt.x, PRIME)\ny = pack(ids.pt.y, PRIME)\n\nvalue = new_x = (pow(slope, 2, SECP_P) - 2 * x) % SECP_P": secpDoubleNewX(k1, "pt"),
		pkgPack + "\n" + newX2:            secpDoubleNewX(scope, "point"),
		pkgPack + edAssign + "\n" + newX2: secpDoubleNewX(ed, "point"),
		pkgR1P + pkgPack + "\nslope = pack(ids.slope, PRIME)\nx = pack(ids.point.x, PRIME)\ny = pack(ids.point.y, PRIME)\n\nvalue = new_x = (pow(slope, 2, SECP256R1_P) - 2 * x) % SECP256R1_P": secpDoubleNewX(r1, "point"),

		// ec_double: new_y
		"value = new_y = (slope * (x - new_x) - y) % SECP_P":      secpNewY(scope, "x", "y"),
		"value = new_y = (slope * (x - new_x) - y) % SECP256R1_P": secpNewY(r1Scope, "x", "y"),

		// fast_ec_add: new_x, new_y
		pkgK1 + "\n" + newX01: secpAddNewX(k1, "point0", "point1"),
		pkgK1 + "\nslope = pack(ids.slope, PRIME)\nx0 = pack(ids.pt0.x, PRIME)\nx1 = pack(ids.pt1.x, PRIME)\ny0 = pack(ids.pt0.y, PRIME)\n\nvalue = new_x = (pow(slope, 2, SECP_P) - x0 - x1) % SECP_P": secpAddNewX(k1, "pt0", "pt1"),
		pkgPack + "\n" + newX01:                                secpAddNewX(scope, "point0", "point1"),
		pkgPack + edAssign + "\n" + newX01:                     secpAddNewX(ed, "point0", "point1"),
		"value = new_y = (slope * (x0 - new_x) - y0) % SECP_P": secpNewY(scope, "x0", "y0"),

		// ec_mul_inner
		"memory[ap] = (ids.scalar % PRIME) % 2": secpScalarParity,

		// ec_mul_by_uint256 (cairo-lang 0.14)
		"num = (ids.scalar.high << 128) + ids.scalar.low\nnibbles = [(num >> i) & 0xf for i in range(0, 256, 4)]\nids.first_nibble = nibbles.pop()\nids.last_nibble = nibbles[0]": secpNibbles,
		"memory[ap] = to_felt_or_relocatable(nibbles.pop())": secpNibblePop,

		// secp256r1 constants
		"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_ALPHA as ALPHA": secpImport("ALPHA", secpR1Alpha),
		"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_N as N":         secpImport("N", secpR1N),
		"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_P as SECP_P":    secpImport("SECP_P", secpR1P),
	}
}

// secpImport stores a module constant in the scope.
func secpImport(name string, v *big.Int) Func {
	return func(c *Context) error {
		secpConst(c, name, v)
		return nil
	}
}

// secpPackPoint packs ids.<pt>.x and ids.<pt>.y.
func secpPackPoint(c *Context, pt string) (x, y *big.Int, err error) {
	if x, err = secpPack(c, pt+".x"); err != nil {
		return nil, nil, err
	}
	if y, err = secpPack(c, pt+".y"); err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

// secpECNegate: y = pack(ids.point.y, PRIME) % P; value = (-y) % P.
func secpECNegate(prime secpPrime) Func {
	return func(c *Context) error {
		p, err := prime(c)
		if err != nil {
			return err
		}
		y, err := secpPackMod(c, "point.y", p)
		if err != nil {
			return err
		}
		value, err := secpMod(new(big.Int).Neg(y), p)
		if err != nil {
			return err
		}
		secpSet(c, "y", y, "value", value)
		return nil
	}
}

// secpDoublingSlope: x, y = pack(ids.<pt>); value = slope =
// ec_double_slope((x, y), alpha, P), or with checkY false the hint's own
// div_mod(3 * x ** 2, 2 * y, P).
func secpDoublingSlope(prime, alpha secpPrime, pt string, checkY bool) Func {
	return func(c *Context) error {
		p, err := prime(c)
		if err != nil {
			return err
		}
		a, err := alpha(c)
		if err != nil {
			return err
		}
		x, y, err := secpPackPoint(c, pt)
		if err != nil {
			return err
		}
		secpSet(c, "x", x, "y", y)
		var slope *big.Int
		if checkY {
			slope, err = secpEcDoubleSlope(x, y, a, p)
		} else {
			n := new(big.Int).Mul(x, x)
			slope, err = secpDivMod(n.Mul(n, big.NewInt(3)), new(big.Int).Lsh(y, 1), p)
		}
		if err != nil {
			return err
		}
		secpSet(c, "value", slope, "slope", slope)
		return nil
	}
}

// secpComputeSlope: value = slope = line_slope((x0, y0), (x1, y1), P), or
// with checkX false the hint's own div_mod(y0 - y1, x0 - x1, P).
func secpComputeSlope(prime secpPrime, pt0, pt1 string, checkX bool) Func {
	return func(c *Context) error {
		p, err := prime(c)
		if err != nil {
			return err
		}
		x0, y0, err := secpPackPoint(c, pt0)
		if err != nil {
			return err
		}
		x1, y1, err := secpPackPoint(c, pt1)
		if err != nil {
			return err
		}
		secpSet(c, "x0", x0, "y0", y0, "x1", x1, "y1", y1)
		var slope *big.Int
		if checkX {
			slope, err = secpLineSlope(x0, y0, x1, y1, p)
		} else {
			slope, err = secpDivMod(new(big.Int).Sub(y0, y1), new(big.Int).Sub(x0, x1), p)
		}
		if err != nil {
			return err
		}
		secpSet(c, "value", slope, "slope", slope)
		return nil
	}
}

// secpDoubleNewX: value = new_x = (slope**2 - 2 * x) % P.
func secpDoubleNewX(prime secpPrime, pt string) Func {
	return func(c *Context) error {
		p, err := prime(c)
		if err != nil {
			return err
		}
		slope, err := secpPack(c, "slope")
		if err != nil {
			return err
		}
		x, y, err := secpPackPoint(c, pt)
		if err != nil {
			return err
		}
		secpSet(c, "slope", slope, "x", x, "y", y)
		s2, err := secpPowMod(slope, big.NewInt(2), p)
		if err != nil {
			return err
		}
		newX, err := secpMod(s2.Sub(s2, new(big.Int).Lsh(x, 1)), p)
		if err != nil {
			return err
		}
		secpSet(c, "value", newX, "new_x", newX)
		return nil
	}
}

// secpAddNewX: value = new_x = (slope**2 - x0 - x1) % P.
func secpAddNewX(prime secpPrime, pt0, pt1 string) Func {
	return func(c *Context) error {
		p, err := prime(c)
		if err != nil {
			return err
		}
		slope, err := secpPack(c, "slope")
		if err != nil {
			return err
		}
		x0, err := secpPack(c, pt0+".x")
		if err != nil {
			return err
		}
		x1, err := secpPack(c, pt1+".x")
		if err != nil {
			return err
		}
		y0, err := secpPack(c, pt0+".y")
		if err != nil {
			return err
		}
		secpSet(c, "slope", slope, "x0", x0, "x1", x1, "y0", y0)
		s2, err := secpPowMod(slope, big.NewInt(2), p)
		if err != nil {
			return err
		}
		s2.Sub(s2, x0)
		newX, err := secpMod(s2.Sub(s2, x1), p)
		if err != nil {
			return err
		}
		secpSet(c, "value", newX, "new_x", newX)
		return nil
	}
}

// secpNewY: value = new_y = (slope * (<x> - new_x) - <y>) % P, all from
// the scope.
func secpNewY(prime secpPrime, xName, yName string) Func {
	return func(c *Context) error {
		slope, err := secpScopeInt(c, "slope")
		if err != nil {
			return err
		}
		x, err := secpScopeInt(c, xName)
		if err != nil {
			return err
		}
		newX, err := secpScopeInt(c, "new_x")
		if err != nil {
			return err
		}
		y, err := secpScopeInt(c, yName)
		if err != nil {
			return err
		}
		p, err := prime(c)
		if err != nil {
			return err
		}
		v := new(big.Int).Sub(x, newX)
		v.Mul(v, slope)
		newY, err := secpMod(v.Sub(v, y), p)
		if err != nil {
			return err
		}
		secpSet(c, "value", newY, "new_y", newY)
		return nil
	}
}

// secpScalarParity: memory[ap] = (ids.scalar % PRIME) % 2.
func secpScalarParity(c *Context) error {
	s, err := secpIDInt(c, "scalar")
	if err != nil {
		return err
	}
	return secpSetAP(c, big.NewInt(int64(s.Bit(0))))
}

// secpNibbleList is the Python list nibbles the ec_mul_by_uint256 hints
// share through the scope.
type secpNibbleList struct{ v []uint8 }

func secpNibbles(c *Context) error {
	high, err := secpIDInt(c, "scalar.high")
	if err != nil {
		return err
	}
	low, err := secpIDInt(c, "scalar.low")
	if err != nil {
		return err
	}
	num := high.Lsh(high, 128)
	num.Add(num, low)
	c.Set("num", num)
	l := &secpNibbleList{v: make([]uint8, 64)}
	for i := range l.v {
		l.v[i] = uint8(new(big.Int).Rsh(num, uint(4*i)).Uint64() & 0xf)
	}
	c.Set("nibbles", l)
	first := l.v[len(l.v)-1]
	l.v = l.v[:len(l.v)-1]
	if err := secpSetInt(c, "first_nibble", big.NewInt(int64(first))); err != nil {
		return err
	}
	return secpSetInt(c, "last_nibble", big.NewInt(int64(l.v[0])))
}

func secpNibblePop(c *Context) error {
	v, err := c.Get("nibbles")
	if err != nil {
		return fmt.Errorf("NameError: %w", err)
	}
	l, ok := v.(*secpNibbleList)
	if !ok {
		return fmt.Errorf("TypeError: nibbles is not a list (%T)", v)
	}
	if len(l.v) == 0 {
		return errors.New("IndexError: pop from empty list")
	}
	n := l.v[len(l.v)-1]
	l.v = l.v[:len(l.v)-1]
	return secpSetAP(c, big.NewInt(int64(n)))
}
