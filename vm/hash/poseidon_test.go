package hash

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
	"github.com/consensys/gnark-crypto/utils/cpu"

	"github.com/kairo-dev/kairo/vm/felt"
)

// poseidonPaths lists the partial-round implementations this build can run:
// the Go rounds always, the assembly where the build has it and the
// processor has ADX and BMI2.
func poseidonPaths() []struct {
	name string
	adx  bool
} {
	paths := []struct {
		name string
		adx  bool
	}{{"go", false}}
	if poseidonAsm && cpu.SupportADX {
		paths = append(paths, struct {
			name string
			adx  bool
		}{"adx", true})
	}
	return paths
}

// withPoseidonPath runs f with poseidonADX set to adx, then restores it.
func withPoseidonPath(t testing.TB, adx bool, f func()) {
	t.Helper()
	saved := poseidonADX
	poseidonADX = adx
	defer func() { poseidonADX = saved }()
	f()
}

// permuteBoth runs the permutation on s with the Go partial rounds and, where
// available, with the assembly, and fails unless they agree. It returns the
// Go result.
func permuteBoth(t testing.TB, s [3]fp.Element) [3]fp.Element {
	t.Helper()
	var want [3]fp.Element
	for i, p := range poseidonPaths() {
		got := s
		withPoseidonPath(t, p.adx, func() { permute(&got) })
		if i == 0 {
			want = got
			continue
		}
		if got != want {
			t.Fatalf("permute(%v): %s path %v, go path %v", s, p.name, got, want)
		}
	}
	return want
}

// edgeStates are states made of values where the lazily reduced sums are at
// their extremes: 0, 1, P-1, P-2, values around 2^251 and (P-1)/2, as
// Montgomery forms of those integers and as raw limbs.
func edgeStates() [][3]fp.Element {
	vals := append(fieldEdges(),
		fp.Element{1, 0, 0, 0},
		fp.Element{0, 0, 0, p3},                                     // P-1
		fp.Element{^uint64(0), ^uint64(0), ^uint64(0), p3 - 1},      // P-2
		fp.Element{^uint64(0), ^uint64(0), ^uint64(0), 1<<59 - 1},   // 2^251-1
		fp.Element{0, 0, 0, 1 << 59},                                // 2^251
		fp.Element{^uint64(0), ^uint64(0), ^uint64(0), p3 - 1 - 16}, // just below 2^251 + 2^192
	)
	var out [][3]fp.Element
	for _, a := range vals {
		for _, b := range vals {
			for _, c := range []fp.Element{a, b, vals[3], {}} {
				out = append(out, [3]fp.Element{a, b, c}, [3]fp.Element{c, a, b})
			}
		}
	}
	return out
}

// TestPoseidonPathsAgree checks the assembly permutation against the Go one
// (and both against the textbook permutation from the unfolded constants)
// on random states and on states of edge values.
func TestPoseidonPathsAgree(t *testing.T) {
	if len(poseidonPaths()) < 2 {
		t.Skip("no assembly rounds in this build or on this processor")
	}
	ark := roundConstants()
	r := rand.New(rand.NewPCG(21, 22))
	states := edgeStates()
	for range 2000 {
		states = append(states, [3]fp.Element{fp.Element(randFelt(r)), fp.Element(randFelt(r)), fp.Element(randFelt(r))})
	}
	for i, s := range states {
		got := permuteBoth(t, s)
		if i%8 == 0 { // the reference is slow; the paths agree on all
			want := s
			referencePermute(ark, &want)
			if got != want {
				t.Fatalf("permute(%v) = %v, reference %v", s, got, want)
			}
		}
	}
}

// TestPoseidonPartialRounds runs the partial rounds alone on both paths,
// from states that the full rounds would not produce (edge values
// everywhere, including the last element), and checks that the results are
// fully reduced and equal.
func TestPoseidonPartialRounds(t *testing.T) {
	if len(poseidonPaths()) < 2 {
		t.Skip("no assembly rounds in this build or on this processor")
	}
	k := poseidonK()
	r := rand.New(rand.NewPCG(23, 24))
	states := edgeStates()
	for range 2000 {
		states = append(states, [3]fp.Element{fp.Element(randFelt(r)), fp.Element(randFelt(r)), fp.Element(randFelt(r))})
	}
	for _, s := range states {
		want, got := s, s
		partialRoundsGeneric(&want, k)
		withPoseidonPath(t, true, func() { partialRounds(&got, k) })
		for j := range got {
			if !reduced(got[j]) {
				t.Fatalf("partial rounds of %v: element %d = %v not reduced", s, j, got[j])
			}
		}
		if got != want {
			t.Fatalf("partial rounds of %v: adx %v, go %v", s, got, want)
		}
	}
}

// reduced reports whether the raw limbs of e are below P.
func reduced(e fp.Element) bool {
	p := [4]uint64{1, 0, 0, p3}
	for i := 3; i >= 0; i-- {
		if e[i] != p[i] {
			return e[i] < p[i]
		}
	}
	return false
}

// TestPoseidonFullRounds runs four full rounds alone on both paths, from
// edge and random states, with both halves' constants.
func TestPoseidonFullRounds(t *testing.T) {
	if len(poseidonPaths()) < 2 {
		t.Skip("no assembly rounds in this build or on this processor")
	}
	const half = poseidonFullRounds / 2
	k := poseidonK()
	r := rand.New(rand.NewPCG(27, 28))
	states := edgeStates()
	for range 1000 {
		states = append(states, [3]fp.Element{fp.Element(randFelt(r)), fp.Element(randFelt(r)), fp.Element(randFelt(r))})
	}
	for _, c := range []*[half][3]fp.Element{
		(*[half][3]fp.Element)(k.next[:half]),
		(*[half][3]fp.Element)(k.next[half:]),
	} {
		for _, s := range states {
			want, got := s, s
			fullRoundsGeneric(&want, c)
			withPoseidonPath(t, true, func() { fullRounds(&got, c) })
			for j := range got {
				if !reduced(got[j]) {
					t.Fatalf("full rounds of %v: element %d = %v not reduced", s, j, got[j])
				}
			}
			if got != want {
				t.Fatalf("full rounds of %v: adx %v, go %v", s, got, want)
			}
		}
	}
}

// TestPoseidonBiasedConstants checks the table the assembly adds: each row
// is the folded constant plus 5P - 2^251, and the padding row is zero.
func TestPoseidonBiasedConstants(t *testing.T) {
	k := poseidonK()
	bias := new(big.Int).Mul(fp.Modulus(), big.NewInt(5))
	bias.Sub(bias, new(big.Int).Lsh(big.NewInt(1), 251))
	limbs := func(l [4]uint64) *big.Int {
		v := new(big.Int)
		for i := 3; i >= 0; i-- {
			v.Lsh(v, 64)
			v.Or(v, new(big.Int).SetUint64(l[i]))
		}
		return v
	}
	for r, c := range k.partial {
		want := new(big.Int).Add(limbs(c), bias)
		if got := limbs(k.partialBiased[r]); got.Cmp(want) != 0 {
			t.Fatalf("partialBiased[%d] = %s, want %s", r, got, want)
		}
	}
	if k.partialBiased[poseidonPartialRounds] != [4]uint64{} {
		t.Errorf("padding row = %v, want zero", k.partialBiased[poseidonPartialRounds])
	}
}

// TestPoseidonADXDefault checks that the assembly is selected where it can
// run, so that the benchmarks and the other tests measure and test it.
func TestPoseidonADXDefault(t *testing.T) {
	if want := poseidonAsm && cpu.SupportADX; poseidonADX != want {
		t.Errorf("poseidonADX = %v, want %v", poseidonADX, want)
	}
}

// TestPoseidonHashesBothPaths runs the public hashes on both paths against
// values computed from the textbook permutation.
func TestPoseidonHashesBothPaths(t *testing.T) {
	ark := roundConstants()
	r := rand.New(rand.NewPCG(25, 26))
	for range 20 {
		a, b := randFelt(r), randFelt(r)
		want := [3]fp.Element{fp.Element(a), fp.Element(b), {}}
		want[2].SetUint64(2)
		referencePermute(ark, &want)
		for _, p := range poseidonPaths() {
			withPoseidonPath(t, p.adx, func() {
				if got := PoseidonHash(a, b); got != felt.Felt(want[0]) {
					t.Fatalf("%s: PoseidonHash(%s, %s) = %s, reference %s", p.name, a, b, got, felt.Felt(want[0]))
				}
			})
		}
	}
}

// FuzzPoseidonPaths feeds arbitrary states (96 bytes, each 32 reduced
// modulo P, so values near P and 2^251 occur) to both permutation paths and
// the textbook permutation.
func FuzzPoseidonPaths(f *testing.F) {
	f.Add([]byte{1, 2, 3})
	f.Add(make([]byte, 96))
	ff := make([]byte, 96)
	for i := range ff {
		ff[i] = 0xff
	}
	f.Add(ff)
	ark := roundConstants()
	f.Fuzz(func(t *testing.T, data []byte) {
		var buf [96]byte
		copy(buf[:], data)
		var s [3]fp.Element
		for j := range s {
			s[j].SetBytes(buf[32*j : 32*j+32])
		}
		got := permuteBoth(t, s)
		want := s
		referencePermute(ark, &want)
		if got != want {
			t.Fatalf("permute(%v) = %v, reference %v", s, got, want)
		}
	})
}

// BenchmarkPoseidonPartialRounds measures the 83 partial rounds alone (the
// dependent chain of 166 multiplications that sets a permutation's cost) on
// each path.
func BenchmarkPoseidonPartialRounds(b *testing.B) {
	k := poseidonK()
	for _, p := range poseidonPaths() {
		b.Run(p.name, func(b *testing.B) {
			a, c := benchInputs()
			s := [3]fp.Element{fp.Element(a), fp.Element(c), fp.Element(a)}
			withPoseidonPath(b, p.adx, func() {
				for b.Loop() {
					partialRounds(&s, k)
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/poseidonPartialRounds, "ns/round")
		})
	}
}

// BenchmarkPoseidonFullRounds measures four full rounds (twelve cubes, three
// at a time independent) on each path.
func BenchmarkPoseidonFullRounds(b *testing.B) {
	k := poseidonK()
	c := (*[poseidonFullRounds / 2][3]fp.Element)(k.next[:poseidonFullRounds/2])
	for _, p := range poseidonPaths() {
		b.Run(p.name, func(b *testing.B) {
			a, d := benchInputs()
			s := [3]fp.Element{fp.Element(a), fp.Element(d), fp.Element(a)}
			withPoseidonPath(b, p.adx, func() {
				for b.Loop() {
					fullRounds(&s, c)
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(poseidonFullRounds/2), "ns/round")
		})
	}
}
