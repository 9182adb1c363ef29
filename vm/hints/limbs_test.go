package hints

import (
	"math/big"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
)

// TestLimbArithmetic checks the hints' limb helpers against math/big.
func TestLimbArithmetic(t *testing.T) {
	half := new(big.Int).Rsh(felt.Prime(), 1)
	values := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(100),
		new(big.Int).Lsh(big.NewInt(1), 64),
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1)),
		new(big.Int).Sub(half, big.NewInt(1)), half, new(big.Int).Add(half, big.NewInt(1)),
		new(big.Int).Sub(felt.Prime(), big.NewInt(1)), new(big.Int).Sub(felt.Prime(), big.NewInt(12345)),
	}
	divisors := []uint64{1, 7, 1 << 32, 1<<64 - 59}
	for _, v := range values {
		f := felt.FromBigInt(v)
		l := f.Limbs()
		if got := feltFromLimbs(l); got != f {
			t.Errorf("feltFromLimbs(%s) = %s", v, got)
		}
		if got, want := isNegative(l), v.Cmp(half) >= 0; got != want {
			t.Errorf("isNegative(%s) = %v, want %v", v, got, want)
		}
		if v.Sign() > 0 {
			n := negLimbs(l)
			if got, want := feltFromLimbs(n).BigInt(), new(big.Int).Sub(felt.Prime(), v); got.Cmp(want) != 0 {
				t.Errorf("negLimbs(%s) = %s, want %s", v, got, want)
			}
		}
		for _, d := range divisors {
			q, r := divRemLimbs(l, d)
			wq, wr := new(big.Int).DivMod(v, new(big.Int).SetUint64(d), new(big.Int))
			if feltFromLimbs(q).BigInt().Cmp(wq) != 0 || r != wr.Uint64() {
				t.Errorf("divRemLimbs(%s, %d) = %s, %d; want %s, %s", v, d, feltFromLimbs(q).BigInt(), r, wq, wr)
			}
		}
	}
}
