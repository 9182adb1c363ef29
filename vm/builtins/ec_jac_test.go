package builtins

import (
	"math/big"
	"math/rand/v2"
	"testing"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
)

// randJac returns k*ecGen for a random k in Jacobian coordinates with a
// non-trivial Z (a doubling and additions away from affine).
func randJac(r *rand.Rand) starkcurve.G1Jac {
	var k big.Int
	k.SetUint64(r.Uint64())
	k.Lsh(&k, 64)
	k.Or(&k, new(big.Int).SetUint64(r.Uint64()))
	var p starkcurve.G1Jac
	p.ScalarMultiplication(new(starkcurve.G1Jac).FromAffine(&ecGen), &k)
	return p
}

// TestJacobianMatchesGnark checks jacAdd and jacDouble against
// gnark-crypto's AddAssign and DoubleAssign coordinate for coordinate,
// including the doubling, inverse and infinity cases of the addition.
func TestJacobianMatchesGnark(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var inf starkcurve.G1Jac
	inf.Set(&starkcurve.G1Jac{})
	inf.X.SetOne()
	inf.Y.SetOne()
	for n := range 2000 {
		p, q := randJac(r), randJac(r)
		var negP starkcurve.G1Jac
		negP.Neg(&p)
		tests := []struct {
			name string
			a, b starkcurve.G1Jac
		}{
			{"distinct", p, q},
			{"equal", p, p},
			{"inverse", p, negP},
			{"p at infinity", inf, q},
			{"q at infinity", p, inf},
		}
		for _, tc := range tests {
			want, got := tc.a, tc.a
			want.AddAssign(&tc.b)
			jacAdd(&got, &tc.b)
			if got != want {
				t.Fatalf("%d %s: jacAdd = %v, want %v", n, tc.name, got, want)
			}
		}
		want, got := p, p
		want.DoubleAssign()
		jacDouble(&got)
		if got != want {
			t.Fatalf("%d: jacDouble = %v, want %v", n, got, want)
		}
	}
}
