package hash

import (
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
)

// fieldEdges are values where carries and reductions change: 0, 1, 2,
// P-1, P-2, (P-1)/2 and its neighbours, 2^251 - 1 and 2^192.
func fieldEdges() []fp.Element {
	var out []fp.Element
	p := fp.Modulus()
	half := new(big.Int).Rsh(p, 1)
	for _, v := range []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2),
		new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(p, big.NewInt(2)),
		half, new(big.Int).Add(half, big.NewInt(1)), new(big.Int).Sub(half, big.NewInt(1)),
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 251), big.NewInt(1)),
		new(big.Int).Lsh(big.NewInt(1), 192),
	} {
		var e fp.Element
		e.SetBigInt(v)
		out = append(out, e)
	}
	return out
}

func TestModulusLimbs(t *testing.T) {
	want := new(big.Int).Lsh(big.NewInt(p3), 192)
	want.Add(want, big.NewInt(1))
	if fp.Modulus().Cmp(want) != 0 {
		t.Fatalf("P = %s, the limbs here say %s", fp.Modulus(), want)
	}
}

// TestAddSubMod checks the branch-free addition and subtraction against
// fp.Element's on edge values (in Montgomery form, so every pair of raw
// limbs is exercised) and random ones.
func TestAddSubMod(t *testing.T) {
	vals := fieldEdges()
	r := rand.New(rand.NewPCG(21, 22))
	for range 200 {
		vals = append(vals, fp.Element(randFelt(r)))
	}
	// the raw limbs themselves as values: 0, 1, P-1 in the limb domain
	vals = append(vals, fp.Element{}, fp.Element{1, 0, 0, 0}, fp.Element{0, 0, 0, p3})
	for _, x := range vals {
		for _, y := range vals {
			var got, want fp.Element
			addMod(&got, &x, &y)
			want.Add(&x, &y)
			if got != want {
				t.Fatalf("addMod(%v, %v) = %v, want %v", x, y, got, want)
			}
			subMod(&got, &x, &y)
			want.Sub(&x, &y)
			if got != want {
				t.Fatalf("subMod(%v, %v) = %v, want %v", x, y, got, want)
			}
		}
	}
}

// TestReduceLazy checks reduceLazy on sums of up to 8 reduced values
// (below 2^255), including the largest ones.
func TestReduceLazy(t *testing.T) {
	p := fp.Modulus()
	pm1 := new(big.Int).Sub(p, big.NewInt(1))
	cases := []*big.Int{big.NewInt(0), big.NewInt(1), pm1, p, new(big.Int).Add(p, big.NewInt(1))}
	for k := int64(2); k <= 15; k++ {
		kp := new(big.Int).Mul(p, big.NewInt(k))
		cases = append(cases, kp, new(big.Int).Sub(kp, big.NewInt(1)), new(big.Int).Add(kp, big.NewInt(1)),
			new(big.Int).Lsh(big.NewInt(k), 251), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(k), 251), big.NewInt(1)))
	}
	cases = append(cases, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(1)))
	r := rand.New(rand.NewPCG(23, 24))
	limit := new(big.Int).Lsh(big.NewInt(1), 255)
	for range 1000 {
		v := new(big.Int).SetUint64(r.Uint64())
		for range 3 {
			v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(r.Uint64()))
		}
		cases = append(cases, v.Mod(v, limit))
	}
	for _, v := range cases {
		if v.Cmp(limit) >= 0 {
			continue
		}
		l := limbsOf(v)
		var got fp.Element
		reduceLazy(&got, l[0], l[1], l[2], l[3])
		want := new(big.Int).Mod(v, p)
		if [4]uint64(got) != limbsOf(want) {
			t.Fatalf("reduceLazy(%s) = %v, want %s", v, got, want)
		}
	}
}

// limbsOf returns v < 2^256 as little-endian 64-bit limbs.
func limbsOf(v *big.Int) [4]uint64 {
	var b [32]byte
	v.FillBytes(b[:])
	var l [4]uint64
	for i := range l {
		l[i] = binary.BigEndian.Uint64(b[24-8*i:])
	}
	return l
}
