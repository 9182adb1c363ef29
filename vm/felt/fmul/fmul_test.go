package fmul

import (
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
	"github.com/consensys/gnark-crypto/utils/cpu"
)

// implementations lists the code paths this build can run: the fallback
// always, the assembly where the processor has ADX and BMI2.
func implementations() []struct {
	name string
	adx  bool
} {
	impls := []struct {
		name string
		adx  bool
	}{{"fallback", false}}
	if cpu.SupportADX {
		impls = append(impls, struct {
			name string
			adx  bool
		}{"adx", true})
	}
	return impls
}

// withImpl runs f with useADX set to adx, then restores it.
func withImpl(t testing.TB, adx bool, f func()) {
	t.Helper()
	saved := useADX
	useADX = adx
	defer func() { useADX = saved }()
	f()
}

// below reports whether the raw limbs of e are below P.
func below(e fp.Element) bool {
	p := [4]uint64{1, 0, 0, 0x0800000000000011}
	for i := 3; i >= 0; i-- {
		if e[i] != p[i] {
			return e[i] < p[i]
		}
	}
	return false
}

// fromLimbs builds an element from its raw Montgomery limbs (no
// conversion), so that edge cases cover the representation the assembly
// sees.
func fromLimbs(l0, l1, l2, l3 uint64) fp.Element { return fp.Element{l0, l1, l2, l3} }

// fromBig returns v mod P in Montgomery form.
func fromBig(v *big.Int) fp.Element {
	var e fp.Element
	e.SetBigInt(v)
	return e
}

// edgeElements are values at the boundaries of the representation and of
// the carry chains, both as raw limbs and as integers.
func edgeElements() []fp.Element {
	p := fp.Modulus()
	one := big.NewInt(1)
	pow := func(k uint) *big.Int { return new(big.Int).Lsh(one, k) }
	sub := func(a *big.Int, k int64) *big.Int { return new(big.Int).Sub(a, big.NewInt(k)) }
	var rModP fp.Element
	rModP.SetOne() // Montgomery form of 1 is R mod P
	out := []fp.Element{
		{}, // 0
		fromLimbs(1, 0, 0, 0),
		fromLimbs(2, 0, 0, 0),
		fromLimbs(0, 0, 0, 0x0800000000000011), // P-1
		fromLimbs(0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0x0800000000000010), // P-2
		fromLimbs(0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0x07ffffffffffffff), // 2^251-1
		fromLimbs(0, 0, 0, 0x0800000000000000),                                                    // 2^251
		fromLimbs(0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0x0800000000000000),
		fromLimbs(0xffffffffffffffff, 0, 0, 0),
		fromLimbs(0, 0xffffffffffffffff, 0, 0),
		fromLimbs(0, 0, 0xffffffffffffffff, 0),
		fromLimbs(0, 0, 0, 1),
		fromLimbs(1, 0, 0, 0x0800000000000010),
		rModP,
		fromBig(big.NewInt(1)),
		fromBig(big.NewInt(2)),
		fromBig(sub(p, 1)),
		fromBig(sub(p, 2)),
		fromBig(pow(251)),
		fromBig(sub(pow(251), 1)),
		fromBig(pow(128)),
		fromBig(pow(192)),
	}
	for _, e := range out {
		if !below(e) {
			panic("edge element not below P")
		}
	}
	return out
}

// randElement returns a uniformly random element below P as raw limbs.
func randElement(r *rand.Rand) fp.Element {
	for {
		e := fp.Element{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64() >> 4}
		if below(e) {
			return e
		}
	}
}

// randSparse returns an element whose limbs are drawn from values that
// stress carries: 0, 1, all-ones, and random.
func randSparse(r *rand.Rand) fp.Element {
	pick := func() uint64 {
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return 1
		case 2:
			return ^uint64(0)
		default:
			return r.Uint64()
		}
	}
	for {
		e := fp.Element{pick(), pick(), pick(), pick() & 0x0fffffffffffffff}
		if below(e) {
			return e
		}
	}
}

func checkMul(t *testing.T, x, y fp.Element) {
	t.Helper()
	var want, got fp.Element
	want.Mul(&x, &y)
	Mul(&got, &x, &y)
	if got != want {
		t.Fatalf("Mul(%v, %v) = %v, want %v", x, y, got, want)
	}
}

func checkSquare(t *testing.T, x fp.Element) {
	t.Helper()
	var want, got fp.Element
	want.Square(&x)
	Square(&got, &x)
	if got != want {
		t.Fatalf("Square(%v) = %v, want %v", x, got, want)
	}
	want.Mul(&want, &x)
	Cube(&got, &x)
	if got != want {
		t.Fatalf("Cube(%v) = %v, want %v", x, got, want)
	}
}

func TestEdgeCases(t *testing.T) {
	edges := edgeElements()
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			withImpl(t, impl.adx, func() {
				for _, x := range edges {
					checkSquare(t, x)
					for _, y := range edges {
						checkMul(t, x, y)
					}
				}
			})
		})
	}
}

func TestRandom(t *testing.T) {
	n := 2_000_000
	if testing.Short() {
		n = 100_000
	}
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			withImpl(t, impl.adx, func() {
				for i := range n {
					var x, y fp.Element
					if i%4 == 3 {
						x, y = randSparse(r), randSparse(r)
					} else {
						x, y = randElement(r), randElement(r)
					}
					checkMul(t, x, y)
					checkSquare(t, x)
				}
			})
		})
	}
}

// TestAliasing checks every way the result may share memory with the
// inputs.
func TestAliasing(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			withImpl(t, impl.adx, func() {
				for range 1000 {
					x, y := randElement(r), randElement(r)
					var xy, xx, xxx fp.Element
					xy.Mul(&x, &y)
					xx.Square(&x)
					xxx.Mul(&xx, &x)
					tests := []struct {
						name string
						run  func() fp.Element
						want fp.Element
					}{
						{"z=x", func() fp.Element { z := x; Mul(&z, &z, &y); return z }, xy},
						{"z=y", func() fp.Element { z := y; Mul(&z, &x, &z); return z }, xy},
						{"z=x=y", func() fp.Element { z := x; Mul(&z, &z, &z); return z }, xx},
						{"x=y", func() fp.Element { var z fp.Element; Mul(&z, &x, &x); return z }, xx},
						{"square z=x", func() fp.Element { z := x; Square(&z, &z); return z }, xx},
						{"cube z=x", func() fp.Element { z := x; Cube(&z, &z); return z }, xxx},
					}
					for _, tc := range tests {
						if got := tc.run(); got != tc.want {
							t.Fatalf("%s: x=%v y=%v: got %v, want %v", tc.name, x, y, got, tc.want)
						}
					}
				}
			})
		})
	}
}

// TestChain runs a long dependent chain, as Poseidon does, and compares the
// end point with gnark's.
func TestChain(t *testing.T) {
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			withImpl(t, impl.adx, func() {
				var a, b fp.Element
				a.SetUint64(3)
				b.SetUint64(3)
				c := fromBig(big.NewInt(0x1234567))
				for i := range 10000 {
					Cube(&a, &a)
					Mul(&a, &a, &c)
					Square(&a, &a)
					var sq fp.Element
					sq.Square(&b)
					b.Mul(&b, &sq)
					b.Mul(&b, &c)
					b.Square(&b)
					if a != b {
						t.Fatalf("step %d: got %v, want %v", i, a, b)
					}
				}
			})
		})
	}
}

// elementFromBytes reduces 32 bytes (little-endian limbs) modulo P.
func elementFromBytes(b []byte) fp.Element {
	var buf [32]byte
	copy(buf[:], b)
	var v big.Int
	le := [4]uint64{
		binary.LittleEndian.Uint64(buf[0:]),
		binary.LittleEndian.Uint64(buf[8:]),
		binary.LittleEndian.Uint64(buf[16:]),
		binary.LittleEndian.Uint64(buf[24:]),
	}
	words := []big.Word{big.Word(le[0]), big.Word(le[1]), big.Word(le[2]), big.Word(le[3])}
	v.SetBits(words)
	v.Mod(&v, fp.Modulus())
	var e fp.Element
	// The raw limbs of v are used as the Montgomery representation.
	for i, w := range v.Bits() {
		e[i] = uint64(w)
	}
	return e
}

func FuzzMul(f *testing.F) {
	f.Add(make([]byte, 64))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0, 0, 0, 0, 0, 0, 0x08})
	ff := make([]byte, 64)
	for i := range ff {
		ff[i] = 0xff
	}
	f.Add(ff)
	f.Fuzz(func(t *testing.T, data []byte) {
		var a, b []byte
		if len(data) > 32 {
			a, b = data[:32], data[32:]
		} else {
			a, b = data, nil
		}
		x, y := elementFromBytes(a), elementFromBytes(b)
		for _, impl := range implementations() {
			withImpl(t, impl.adx, func() {
				checkMul(t, x, y)
				checkMul(t, y, x)
				checkSquare(t, x)
				checkSquare(t, y)
			})
		}
	})
}
