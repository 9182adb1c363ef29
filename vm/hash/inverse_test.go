package hash

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
)

func TestRCubed(t *testing.T) {
	p := fp.Modulus()
	want := new(big.Int).Lsh(big.NewInt(1), 768)
	want.Mod(want, p)
	if got := limbsOf(want); [4]uint64(rCubed) != got {
		t.Fatalf("rCubed = %x, want %x", [4]uint64(rCubed), got)
	}
	if fp.Modulus().Cmp(signed62ToBig(modulus62)) != 0 {
		t.Fatalf("modulus62 = %s, want %s", signed62ToBig(modulus62), fp.Modulus())
	}
}

func signed62ToBig(v signed62) *big.Int {
	out := new(big.Int)
	for i := 4; i >= 0; i-- {
		out.Lsh(out, 62)
		out.Add(out, big.NewInt(v[i]))
	}
	return out
}

// inverseInputs are values that stress the division steps: the smallest
// and largest, powers of two, and values with long runs of equal bits,
// both as field values (Montgomery form) and as raw limbs.
func inverseInputs() []fp.Element {
	var out []fp.Element
	out = append(out, fieldEdges()...)
	p := fp.Modulus()
	for k := 0; k < 252; k += 7 {
		v := new(big.Int).Lsh(big.NewInt(1), uint(k))
		var e fp.Element
		e.SetBigInt(v)
		out = append(out, e, fp.Element(limbsOf(v)))
		w := new(big.Int).Sub(p, v)
		e.SetBigInt(w)
		out = append(out, e, fp.Element(limbsOf(w)))
	}
	out = append(out, fp.Element{1, 0, 0, 0}, fp.Element{0, 0, 0, p3}, fp.Element{^uint64(0), ^uint64(0), ^uint64(0), p3 - 1})
	r := rand.New(rand.NewPCG(31, 32))
	for range 2000 {
		out = append(out, fp.Element(randFelt(r)))
		// sparse values: few set bits
		var e fp.Element
		e.SetUint64(r.Uint64() >> r.IntN(64))
		out = append(out, e)
	}
	return out
}

func TestInverseMatchesGnark(t *testing.T) {
	for _, x := range inverseInputs() {
		var got, want fp.Element
		inverse(&got, &x)
		want.Inverse(&x)
		if got != want {
			t.Fatalf("inverse(%v) = %v, fp says %v", x, got, want)
		}
	}
}

func FuzzInverse(f *testing.F) {
	f.Add(uint64(1), uint64(0), uint64(0), uint64(0))
	f.Add(^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0))
	f.Fuzz(func(t *testing.T, a, b, c, d uint64) {
		// any value below P, as raw limbs
		v := new(big.Int).SetUint64(d)
		for _, w := range []uint64{c, b, a} {
			v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(w))
		}
		x := fp.Element(limbsOf(v.Mod(v, fp.Modulus())))
		var got, want fp.Element
		inverse(&got, &x)
		want.Inverse(&x)
		if got != want {
			t.Fatalf("inverse(%v) = %v, fp says %v", x, got, want)
		}
	})
}
