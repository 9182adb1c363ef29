package hash

import (
	"sync"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
)

// The Pedersen hash of cairo-lang's fast_pedersen_hash.py:
//
//	H(a, b) = [S + a_low*P0 + a_high*P1 + b_low*P2 + b_high*P3].x
//
// where x_low is the low 248 bits of x and x_high its top 4 bits. The fixed
// bases make every scalar multiplication a sum of precomputed points: the
// 248-bit halves are cut into 31 bytes, each selecting one of 255 affine
// multiples of 2^(8i)*P, so a hash is at most 64 mixed additions and one
// inversion (gnark-crypto's own Pedersen does about 126 full Jacobian
// additions with 4-bit windows).

const (
	lowBytes = 31 // 248 bits
)

// pedersenPoints are cairo-lang's constant points (decimal coordinates).
var pedersenPoints = [5][2]string{
	{ // shift point S
		"2089986280348253421170679821480865132823066470938446095505822317253594081284",
		"1713931329540660377023406109199410414810705867260802078187082345529207694986",
	},
	{ // P0
		"996781205833008774514500082376783249102396023663454813447423147977397232763",
		"1668503676786377725805489344771023921079126552019160156920634619255970485781",
	},
	{ // P1
		"2251563274489750535117886426533222435294046428347329203627021249169616184184",
		"1798716007562728905295480679789526322175868328062420237419143593021674992973",
	},
	{ // P2
		"2138414695194151160943305727036575959195309218611738193261179310511854807447",
		"113410276730064486255102093846540133784865286929052426931474106396135072156",
	},
	{ // P3
		"2379962749567351885752724891227938183011949129833673362440656643086021394946",
		"776496453633298175483985398648758586525933812536653089401905292063708816422",
	},
}

// pedersenTables holds the precomputed multiples. low[k][i][j-1] is
// j*2^(8i)*P_{2k} and high[k][j-1] is j*P_{2k+1}.
type pedersenTables struct {
	shift starkcurve.G1Jac
	low   [2][lowBytes][255]starkcurve.G1Affine
	high  [2][15]starkcurve.G1Affine
}

var (
	pedersenOnce sync.Once
	pedersenTab  *pedersenTables
)

func tables() *pedersenTables {
	pedersenOnce.Do(func() { pedersenTab = buildPedersenTables() })
	return pedersenTab
}

func affinePoint(c [2]string) starkcurve.G1Affine {
	var p starkcurve.G1Affine
	if _, err := p.X.SetString(c[0]); err != nil {
		panic("hash: bad Pedersen constant: " + err.Error()) // constants are fixed
	}
	if _, err := p.Y.SetString(c[1]); err != nil {
		panic("hash: bad Pedersen constant: " + err.Error())
	}
	return p
}

// multiples returns j*base for j = 1..n as affine points.
func multiples(base starkcurve.G1Affine, n int) []starkcurve.G1Affine {
	jac := make([]starkcurve.G1Jac, n)
	jac[0].FromAffine(&base)
	for j := 1; j < n; j++ {
		jac[j] = jac[j-1]
		jac[j].AddMixed(&base)
	}
	return starkcurve.BatchJacobianToAffineG1(jac)
}

func buildPedersenTables() *pedersenTables {
	t := new(pedersenTables)
	s := affinePoint(pedersenPoints[0])
	t.shift.FromAffine(&s)
	for k := 0; k < 2; k++ {
		base := affinePoint(pedersenPoints[1+2*k])
		for i := 0; i < lowBytes; i++ {
			copy(t.low[k][i][:], multiples(base, 255))
			// base <- 256*base
			var b starkcurve.G1Jac
			b.FromAffine(&base)
			for d := 0; d < 8; d++ {
				b.DoubleAssign()
			}
			base.FromJacobian(&b)
		}
		copy(t.high[k][:], multiples(affinePoint(pedersenPoints[2+2*k]), 15))
	}
	return t
}

// accumulate adds x_low*P_{2k} + x_high*P_{2k+1} to acc, x given as 32
// big-endian bytes of a canonical value (< 2^252).
func (t *pedersenTables) accumulate(acc *starkcurve.G1Jac, k int, x *[32]byte) {
	low := &t.low[k]
	for i := 0; i < lowBytes; i++ {
		if v := x[31-i]; v != 0 {
			acc.AddMixed(&low[i][v-1])
		}
	}
	if v := x[0]; v != 0 {
		acc.AddMixed(&t.high[k][v-1])
	}
}

// Pedersen returns Starknet's Pedersen hash of a and b.
func Pedersen(a, b felt.Felt) felt.Felt {
	t := tables()
	acc := t.shift
	ab := (*fp.Element)(&a).Bytes()
	bb := (*fp.Element)(&b).Bytes()
	t.accumulate(&acc, 0, &ab)
	t.accumulate(&acc, 1, &bb)
	// affine x = X / Z^2
	var x fp.Element
	x.Inverse(&acc.Z)
	x.Square(&x)
	x.Mul(&x, &acc.X)
	return felt.Felt(x)
}

// PedersenArray is Starknet's compute_hash_on_elements: the elements folded
// from 0 with Pedersen, then hashed with their count.
func PedersenArray(elems ...felt.Felt) felt.Felt {
	var h felt.Felt
	for _, e := range elems {
		h = Pedersen(h, e)
	}
	return Pedersen(h, felt.FromUint64(uint64(len(elems))))
}
