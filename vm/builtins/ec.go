package builtins

import (
	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/felt/fmul"
)

// Stark curve constants: y^2 = x^3 + alpha*x + beta with alpha = 1, and the
// points cairo-lang's ECDSA uses (signature.py).
var (
	curveBeta = func() felt.Felt { _, b := starkcurve.CurveCoefficients(); return felt.Felt(b) }()
	// shiftPoint is CONSTANT_POINTS[0] of the Pedersen parameters.
	shiftPoint = affine("0x49ee3eba8c1600700ee1b87eb599f16716b0b1022947733551fde4050ca6804",
		"0x3ca0cfe4b3bc6ddf346d49d06ea0ed34e621062c0e056c1d0405d266e10268a")
	minusShiftPoint = negAffine(shiftPoint)
	// ecGen is the curve generator (CONSTANT_POINTS[1]).
	ecGen = affine("0x1ef15c18599971b7beced415a40f0c7deacfd9b0d1819e03d723d8bc943cfca",
		"0x5668060aa49730b7be4801df46ec62de53ecd11abe43a32873000c36e8dc1f")
)

func affine(x, y string) starkcurve.G1Affine {
	return starkcurve.G1Affine{X: fp.Element(felt.MustFromString(x)), Y: fp.Element(felt.MustFromString(y))}
}

func negAffine(p starkcurve.G1Affine) starkcurve.G1Affine {
	var n starkcurve.G1Affine
	n.Neg(&p)
	return n
}

// onCurve reports whether (x, y) satisfies the curve equation.
func onCurve(x, y felt.Felt) bool {
	lhs := y.Square()
	rhs := x.Square().Mul(x).Add(x).Add(curveBeta)
	return lhs == rhs
}

// sameX reports whether two Jacobian points have the same affine x
// coordinate (X1*Z2^2 == X2*Z1^2).
func sameX(a, b *starkcurve.G1Jac) bool {
	var za, zb, l, r fp.Element
	fmul.Square(&za, &a.Z)
	fmul.Square(&zb, &b.Z)
	fmul.Mul(&l, &a.X, &zb)
	fmul.Mul(&r, &b.X, &za)
	return l.Equal(&r)
}

// jacAdd sets p = p + q. It is gnark-crypto's G1Jac.AddAssign
// (add-2007-bl, doubling when p = q), step for step and so with the same
// coordinates, on fmul's multiplication.
func jacAdd(p, q *starkcurve.G1Jac) {
	if p.Z.IsZero() {
		*p = *q
		return
	}
	if q.Z.IsZero() {
		return
	}
	var z1z1, z2z2, u1, u2, s1, s2, h, i, j, r, v fp.Element
	fmul.Square(&z1z1, &q.Z)
	fmul.Square(&z2z2, &p.Z)
	fmul.Mul(&u1, &q.X, &z2z2)
	fmul.Mul(&u2, &p.X, &z1z1)
	fmul.Mul(&s1, &q.Y, &p.Z)
	fmul.Mul(&s1, &s1, &z2z2)
	fmul.Mul(&s2, &p.Y, &q.Z)
	fmul.Mul(&s2, &s2, &z1z1)
	if u1.Equal(&u2) && s1.Equal(&s2) {
		jacDouble(p)
		return
	}
	h.Sub(&u2, &u1)
	i.Double(&h)
	fmul.Square(&i, &i)
	fmul.Mul(&j, &h, &i)
	r.Sub(&s2, &s1)
	r.Double(&r)
	fmul.Mul(&v, &u1, &i)
	fmul.Square(&p.X, &r)
	p.X.Sub(&p.X, &j)
	p.X.Sub(&p.X, &v)
	p.X.Sub(&p.X, &v)
	p.Y.Sub(&v, &p.X)
	fmul.Mul(&p.Y, &p.Y, &r)
	fmul.Mul(&s1, &s1, &j)
	s1.Double(&s1)
	p.Y.Sub(&p.Y, &s1)
	p.Z.Add(&p.Z, &q.Z)
	fmul.Square(&p.Z, &p.Z)
	p.Z.Sub(&p.Z, &z1z1)
	p.Z.Sub(&p.Z, &z2z2)
	fmul.Mul(&p.Z, &p.Z, &h)
}

// jacDouble sets p = 2p. It is gnark-crypto's G1Jac.DoubleAssign
// (dbl-2007-bl) on fmul's multiplication, with the curve's a = 1 making
// a*Z^4 just Z^4.
func jacDouble(p *starkcurve.G1Jac) {
	var a, b, c, d, e, f, t, z4 fp.Element
	fmul.Square(&a, &p.X)
	fmul.Square(&b, &p.Y)
	fmul.Square(&c, &b)
	d.Add(&p.X, &b)
	fmul.Square(&d, &d)
	d.Sub(&d, &a)
	d.Sub(&d, &c)
	d.Double(&d)
	e.Double(&a)
	e.Add(&e, &a) // 3*X^2
	fmul.Square(&z4, &p.Z)
	fmul.Square(&z4, &z4)
	e.Add(&e, &z4) // 3*X^2 + a*Z^4
	fmul.Square(&f, &e)
	t.Double(&d)
	fmul.Mul(&p.Z, &p.Y, &p.Z)
	p.Z.Double(&p.Z)
	p.X.Sub(&f, &t)
	p.Y.Sub(&d, &p.X)
	fmul.Mul(&p.Y, &p.Y, &e)
	t.Double(&c)
	t.Double(&t)
	t.Double(&t)
	p.Y.Sub(&p.Y, &t)
}

// airMul computes partial + m*point the way the builtins' AIR does:
// iterations rounds of "add point if the low bit of m is set, double
// point", failing (false) whenever the two points share an x coordinate at
// the start of a round (ec_op_impl and signature.mimic_ec_mult_air).
// m is little-endian limbs.
func airMul(partial, point starkcurve.G1Affine, m [4]uint64, iterations int) (starkcurve.G1Jac, bool) {
	var acc, dbl starkcurve.G1Jac
	acc.FromAffine(&partial)
	dbl.FromAffine(&point)
	for i := 0; i < iterations; i++ {
		if sameX(&acc, &dbl) {
			return acc, false
		}
		if i < 256 && m[i/64]>>(i%64)&1 != 0 {
			jacAdd(&acc, &dbl)
		}
		jacDouble(&dbl)
	}
	return acc, true
}

// addDistinct adds two affine points with different x coordinates
// (math_utils.ec_add); false when the x coordinates are equal.
func addDistinct(a, b starkcurve.G1Affine) (starkcurve.G1Affine, bool) {
	if a.X.Equal(&b.X) {
		return a, false
	}
	var j starkcurve.G1Jac
	j.FromAffine(&a)
	j.AddMixed(&b)
	var r starkcurve.G1Affine
	r.FromJacobian(&j)
	return r, true
}
