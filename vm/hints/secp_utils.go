package hints

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Big-integer helpers shared by the elliptic-curve and big-integer hints
// (cairo_secp, secp256r1, ec_bigint, ec_recover, vrf, uint384). They port
// starkware.cairo.common.cairo_secp.secp_utils and the parts of
// starkware.python.math_utils these hints call, with Python's integer
// semantics (floor division, modulo taking the divisor's sign, unbounded
// shifts).
//
// Values that hints share through execution scopes (value, x, slope,
// SECP_P, ...) are stored as *big.Int and never modified once stored.

func secpMustBig(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 0)
	if !ok {
		panic("hints: bad constant " + s)
	}
	return v
}

// Constants of secp_utils.py, secp256r1_utils.py and the ed25519 hints.
var (
	secpBase    = new(big.Int).Lsh(big.NewInt(1), 86)
	secpK1P     = secpMustBig("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	secpK1N     = secpMustBig("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	secpK1Alpha = big.NewInt(0)
	secpR1P     = secpMustBig("0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff")
	secpR1N     = secpMustBig("0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551")
	secpR1Alpha = secpMustBig("0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC")
	secpR1Beta  = secpMustBig("0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B")
	// secpEd25519P is 2**255 - 19, the field of the ed25519 hints of vrf.
	secpEd25519P = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	// secpEd25519Alpha is the short-Weierstrass alpha the vrf hints use.
	secpEd25519Alpha = secpMustBig("42204101795669822316448953119945047945709099015225996174933988943478124189485")
	secpFeltPrime    = felt.Prime()
	secpHalfPrime    = new(big.Int).Rsh(felt.Prime(), 1)
	secpMask128      = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
)

// secpCurve is the value of the Curve dataclass secp_utils.SECP256R1 when
// a hint imports it into the scope.
type secpCurve struct{ prime, alpha, beta, order *big.Int }

var secpR1Curve = &secpCurve{prime: secpR1P, alpha: secpR1Alpha, beta: secpR1Beta, order: secpR1N}

// secpAssertion is Python's AssertionError; msg is empty for a bare assert.
func secpAssertion(msg string) error {
	if msg == "" {
		return errors.New("AssertionError")
	}
	return errors.New("AssertionError: " + msg)
}

var errSecpZeroDivision = errors.New("ZeroDivisionError: integer division or modulo by zero")

// secpAsInt is math_utils.as_int: the lift of a field element to
// (-prime/2, prime/2), with values >= prime // 2 taken as negative.
func secpAsInt(f felt.Felt) *big.Int {
	v := f.BigInt()
	if v.Cmp(secpHalfPrime) >= 0 {
		v.Sub(v, secpFeltPrime)
	}
	return v
}

// secpPack is secp_utils.pack(ids.name, PRIME): the limbs d0, d1, d2 of an
// (unreduced) BigInt3, each lifted with as_int, in base 2**86.
func secpPack(c *Context, name string) (*big.Int, error) {
	l, err := secpLimbs(c, name, u384Limbs3)
	if err != nil {
		return nil, err
	}
	return secpPackLimbs(secpAsInt(l[0]), secpAsInt(l[1]), secpAsInt(l[2])), nil
}

// secpLimbs reads the felt members of the struct ids.name, resolving the
// reference once (ids.name.d0, ids.name.d1, ... one by one would resolve
// it for each member).
func secpLimbs(c *Context, name string, members []string) ([]felt.Felt, error) {
	base, t, err := c.valueType(name)
	if err != nil {
		return nil, err
	}
	if !base.IsReloc() || !t.isStruct() || t.ptr != 1 {
		return nil, fmt.Errorf("ids.%s is not a struct reference", name)
	}
	out := make([]felt.Felt, len(members))
	for i, m := range members {
		_, off, err := c.member(t, m)
		if err != nil {
			return nil, err
		}
		v, err := c.Mem().Read(base.Reloc().Add(uint64(off)))
		if err != nil {
			return nil, fmt.Errorf("ids.%s.%s: %w", name, m, err)
		}
		if !v.IsFelt() {
			return nil, fmt.Errorf("ids.%s.%s: expected a field element, found the address %s", name, m, v)
		}
		out[i] = v.Felt()
	}
	return out, nil
}

// secpPackLimbs returns d0 + d1*BASE + d2*BASE**2.
func secpPackLimbs(d0, d1, d2 *big.Int) *big.Int {
	r := new(big.Int).Lsh(d2, 86)
	r.Add(r, d1)
	r.Lsh(r, 86)
	return r.Add(r, d0)
}

// secpSplit is secp_utils.split: the canonical limbs of num in base 2**86;
// it fails, like the bare assert of the original, when num is negative or
// does not fit in three limbs.
func secpSplit(num *big.Int) ([3]*big.Int, error) {
	var out [3]*big.Int
	n := new(big.Int).Set(num)
	for i := range out {
		q, r := new(big.Int), new(big.Int)
		q.DivMod(n, secpBase, r) // Euclidean = floor for a positive base
		out[i] = r
		n = q
	}
	if n.Sign() != 0 {
		return out, secpAssertion("")
	}
	return out, nil
}

// secpPackUnsigned packs the limbs (as canonical integers in [0, P)) of
// ids.name.<member> with the given bit shift, like the 384-bit and vrf
// hints' local pack functions.
func secpPackUnsigned(c *Context, name string, members []string, shift uint) (*big.Int, error) {
	l, err := secpLimbs(c, name, members)
	if err != nil {
		return nil, err
	}
	r := new(big.Int)
	for i := len(l) - 1; i >= 0; i-- {
		r.Lsh(r, shift)
		r.Add(r, l[i].BigInt())
	}
	return r, nil
}

// secpSplitUnsigned is the hints' local split(num, num_bits_shift, length):
// length limbs num & (2**shift - 1), shifting num right (arithmetically)
// after each one; upper bits beyond length limbs are dropped.
func secpSplitUnsigned(num *big.Int, shift uint, length int) []*big.Int {
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), shift), big.NewInt(1))
	n := new(big.Int).Set(num)
	out := make([]*big.Int, length)
	for i := range out {
		out[i] = new(big.Int).And(n, mask)
		n.Rsh(n, shift)
	}
	return out
}

// secpSetLimbs writes limbs to ids.name.<members[i]>.
func secpSetLimbs(c *Context, name string, members []string, limbs []*big.Int) error {
	for i, m := range members {
		if err := secpSetInt(c, name+"."+m, limbs[i]); err != nil {
			return err
		}
	}
	return nil
}

// secpSetInt assigns a Python integer to ids.name; like cairo-lang's
// validated memory, the value is stored modulo the field prime.
func secpSetInt(c *Context, name string, v *big.Int) error {
	if err := c.SetFelt(name, felt.FromBigInt(v)); err != nil {
		return fmt.Errorf("ids.%s: %w", name, err)
	}
	return nil
}

// secpSetAP writes an integer, modulo the field prime, to memory[ap].
func secpSetAP(c *Context, v *big.Int) error {
	return c.Mem().Set(c.AP(), memory.FeltValue(felt.FromBigInt(v)))
}

// secpMod is Python's a % m: the result has the sign of m.
func secpMod(a, m *big.Int) (*big.Int, error) {
	if m.Sign() == 0 {
		return nil, errSecpZeroDivision
	}
	r := new(big.Int).Mod(a, m) // in [0, |m|)
	if m.Sign() < 0 && r.Sign() != 0 {
		r.Add(r, m)
	}
	return r, nil
}

// secpDivmod is Python's divmod(a, m): floor division and the remainder
// with the sign of m.
func secpDivmod(a, m *big.Int) (*big.Int, *big.Int, error) {
	if m.Sign() == 0 {
		return nil, nil, errSecpZeroDivision
	}
	q, r := new(big.Int).QuoRem(a, m, new(big.Int))
	if r.Sign() != 0 && r.Sign() != m.Sign() {
		q.Sub(q, big.NewInt(1))
		r.Add(r, m)
	}
	return q, r, nil
}

// secpDivMod is math_utils.div_mod(n, m, p): the x with (m * x) % p == n,
// computed as n * m^-1 % p; it fails (bare assert) when gcd(m, p) != 1.
func secpDivMod(n, m, p *big.Int) (*big.Int, error) {
	abs := new(big.Int).Abs(p)
	if abs.Sign() == 0 {
		// igcdex(m, 0) = (sign(m), 0, |m|): only m = ±1 passes the assert,
		// and then n * a % 0 divides by zero.
		if new(big.Int).Abs(m).Cmp(big.NewInt(1)) != 0 {
			return nil, secpAssertion("")
		}
		return nil, errSecpZeroDivision
	}
	if abs.Cmp(big.NewInt(1)) == 0 {
		// gcd(m, ±1) = 1 and everything is 0 modulo 1 (igcdex(0, 1) also
		// has gcd 1).
		return new(big.Int), nil
	}
	mm := new(big.Int).Mod(m, abs)
	inv := new(big.Int).ModInverse(mm, abs)
	if inv == nil {
		return nil, secpAssertion("")
	}
	return secpMod(inv.Mul(inv, n), p)
}

// secpSafeDiv is math_utils.safe_div.
func secpSafeDiv(x, y *big.Int) (*big.Int, error) {
	if y.Sign() == 0 {
		return nil, secpAssertion("")
	}
	q, r, err := secpDivmod(x, y)
	if err != nil {
		return nil, err
	}
	if r.Sign() != 0 {
		return nil, secpAssertion(fmt.Sprintf("%s is not divisible by %s.", x, y))
	}
	return q, nil
}

// secpPowMod is Python's pow(b, e, m) for e >= 0.
func secpPowMod(b, e, m *big.Int) (*big.Int, error) {
	if m.Sign() == 0 {
		return nil, errors.New("ValueError: pow() 3rd argument cannot be 0")
	}
	bb, _ := secpMod(b, new(big.Int).Abs(m))
	r := new(big.Int).Exp(bb, e, new(big.Int).Abs(m))
	return secpMod(r, m)
}

// secpEcDoubleSlope is math_utils.ec_double_slope.
func secpEcDoubleSlope(x, y, alpha, p *big.Int) (*big.Int, error) {
	ym, err := secpMod(y, p)
	if err != nil {
		return nil, err
	}
	if ym.Sign() == 0 {
		return nil, secpAssertion("")
	}
	n := new(big.Int).Mul(x, x)
	n.Mul(n, big.NewInt(3))
	n.Add(n, alpha)
	return secpDivMod(n, new(big.Int).Lsh(y, 1), p)
}

// secpLineSlope is math_utils.line_slope.
func secpLineSlope(x0, y0, x1, y1, p *big.Int) (*big.Int, error) {
	dx := new(big.Int).Sub(x0, x1)
	dxm, err := secpMod(dx, p)
	if err != nil {
		return nil, err
	}
	if dxm.Sign() == 0 {
		return nil, secpAssertion("")
	}
	return secpDivMod(new(big.Int).Sub(y0, y1), dx, p)
}

// secpIsqrt is math_utils.isqrt.
func secpIsqrt(n *big.Int) (*big.Int, error) {
	if n.Sign() < 0 {
		return nil, secpAssertion("")
	}
	return new(big.Int).Sqrt(n), nil
}

// secpIsQuadResidue is math_utils.is_quad_residue (sympy's) for the
// moduli the hints use: p must be positive, and a modulus of 3 or more
// must be prime.
func secpIsQuadResidue(a, p *big.Int) (bool, error) {
	if p.Sign() <= 0 {
		return false, errors.New("ValueError: p must be > 0")
	}
	am := new(big.Int).Mod(a, p)
	if am.Cmp(big.NewInt(2)) < 0 || p.Cmp(big.NewInt(3)) < 0 {
		return true, nil
	}
	if !secpIsPrime(p) {
		return false, fmt.Errorf("is_quad_residue: composite modulus %s is not supported", p)
	}
	e := new(big.Int).Rsh(new(big.Int).Sub(p, big.NewInt(1)), 1)
	return new(big.Int).Exp(am, e, p).Cmp(big.NewInt(1)) == 0, nil
}

// secpIsPrime reports whether p is prime, without a primality test for
// the field primes the hints use most.
func secpIsPrime(p *big.Int) bool {
	for _, q := range []*big.Int{secpFeltPrime, secpK1P, secpR1P, secpEd25519P} {
		if p.Cmp(q) == 0 {
			return true
		}
	}
	return p.ProbablyPrime(20)
}

// secpSqrtMod is math_utils.sqrt(n, p): the least nonnegative root of n
// modulo p, for a quadratic residue n and a prime p (as secpIsQuadResidue
// accepts it).
func secpSqrtMod(n, p *big.Int) (*big.Int, error) {
	if p.Sign() <= 0 {
		return nil, errors.New("ValueError: p must be > 0")
	}
	nm := new(big.Int).Mod(n, p)
	if p.Cmp(big.NewInt(2)) <= 0 {
		return nm, nil // modulo 1 the root is 0, modulo 2 it is n % 2
	}
	if nm.Sign() == 0 {
		return nm, nil
	}
	if !secpIsPrime(p) {
		return nil, fmt.Errorf("sqrt: composite modulus %s is not supported", p)
	}
	var r *big.Int
	if p.Cmp(secpFeltPrime) == 0 {
		// The field's own square root is much faster than Tonelli-Shanks
		// over P - 1 = 2**192 * odd.
		if f, ok := felt.FromBigInt(nm).Sqrt(); ok {
			r = f.BigInt()
		}
	} else {
		r = new(big.Int).ModSqrt(nm, p)
	}
	if r == nil {
		return nil, fmt.Errorf("sqrt: %s is not a square modulo %s", nm, p)
	}
	if o := new(big.Int).Sub(p, r); o.Cmp(r) < 0 {
		r = o
	}
	return r, nil
}

// Scope access ---------------------------------------------------------------

// secpScopeInt reads a Python integer from the current scope.
func secpScopeInt(c *Context, name string) (*big.Int, error) {
	v, err := c.Get(name)
	if err != nil {
		return nil, fmt.Errorf("NameError: %w", err)
	}
	switch x := v.(type) {
	case *big.Int:
		return x, nil
	case felt.Felt:
		return x.BigInt(), nil
	case int:
		return big.NewInt(int64(x)), nil
	case int64:
		return big.NewInt(x), nil
	case uint64:
		return new(big.Int).SetUint64(x), nil
	case bool:
		if x {
			return big.NewInt(1), nil
		}
		return big.NewInt(0), nil
	}
	return nil, fmt.Errorf("TypeError: scope variable '%s' is not an integer (%T)", name, v)
}

// secpSet stores Python integers in the current scope, as a hint's
// assignments do.
func secpSet(c *Context, kv ...any) {
	s := c.Scope()
	for i := 0; i+1 < len(kv); i += 2 {
		s[kv[i].(string)] = kv[i+1]
	}
}

// secpConst stores a copy of a module constant in the scope (a hint's
// "from ... import NAME") and returns it.
func secpConst(c *Context, name string, v *big.Int) *big.Int {
	cp := new(big.Int).Set(v)
	c.Scope()[name] = cp
	return cp
}

// secpIDInt reads ids.name as a Python integer in [0, P).
func secpIDInt(c *Context, name string) (*big.Int, error) {
	f, err := c.Felt(name)
	if err != nil {
		return nil, err
	}
	return f.BigInt(), nil
}

// secpBool is int(b).
func secpBool(b bool) *big.Int {
	if b {
		return big.NewInt(1)
	}
	return big.NewInt(0)
}

// secpPackMod is secpPack of ids.name reduced modulo m (pack(ids.x, PRIME)
// % N in the Python hints).
func secpPackMod(c *Context, name string, m *big.Int) (*big.Int, error) {
	v, err := secpPack(c, name)
	if err != nil {
		return nil, err
	}
	return secpMod(v, m)
}
