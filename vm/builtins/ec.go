package builtins

import (
	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
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
	za.Square(&a.Z)
	zb.Square(&b.Z)
	l.Mul(&a.X, &zb)
	r.Mul(&b.X, &za)
	return l.Equal(&r)
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
			acc.AddAssign(&dbl)
		}
		dbl.DoubleAssign()
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
