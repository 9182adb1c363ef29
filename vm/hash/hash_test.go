package hash

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
	"unsafe"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
	pedersenhash "github.com/consensys/gnark-crypto/ecc/stark-curve/pedersen-hash"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash/internal/ifma"
)

func randFelt(r *rand.Rand) felt.Felt {
	var b [32]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[0] &= 0x0f
	return felt.FromBytesBE(b[:])
}

// edgeFelts are values that exercise every byte and nibble of the windows.
func edgeFelts() []felt.Felt {
	pm1 := felt.FromInt64(-1)
	two248 := felt.FromBigInt(new(big.Int).Lsh(big.NewInt(1), 248))
	low := felt.FromBigInt(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 248), big.NewInt(1)))
	return []felt.Felt{felt.Zero, felt.One, pm1, two248, low, two248.Add(low), felt.FromUint64(0xff),
		// signed 12-bit digits at their extremes: 2047, 2048 (-2048 and a
		// carry), 4095 (-1 and a carry), a carry rippling through windows,
		// and the top window (bits 240..247) full with a carry into it
		felt.FromUint64(0x7ff), felt.FromUint64(0x800), felt.FromUint64(0xfff),
		felt.FromUint64(0x800fff800fff), felt.FromUint64(0xffffffffffffffff),
		felt.FromBigInt(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(0x1ff), 239), big.NewInt(1))),
		felt.FromUint64(123568), felt.FromUint64(5673940)}
}

func TestPedersenMatchesGnark(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	in := edgeFelts()
	for range 200 {
		in = append(in, randFelt(r))
	}
	for i, a := range in {
		b := in[(i*7+3)%len(in)]
		want := pedersenhash.Pedersen((*fp.Element)(&a), (*fp.Element)(&b))
		if got := Pedersen(a, b); got != felt.Felt(want) {
			t.Fatalf("Pedersen(%s, %s) = %s, gnark says %s", a, b, got, felt.Felt(want))
		}
	}
	for _, a := range edgeFelts() {
		for _, b := range edgeFelts() {
			want := pedersenhash.Pedersen((*fp.Element)(&a), (*fp.Element)(&b))
			if got := Pedersen(a, b); got != felt.Felt(want) {
				t.Fatalf("Pedersen(%s, %s) = %s, gnark says %s", a, b, got, felt.Felt(want))
			}
		}
	}
}

// TestPedersenSumFallback drives the XYZZ sum into the cases where two
// points have the same x coordinate (a doubling, and a point plus its
// negation) and checks that sum gives up and sumSlow gets them right, and
// that both agree on ordinary sums with negated terms.
func TestPedersenSumFallback(t *testing.T) {
	tb := tables()
	s := tb.shift
	q := tb.high[0][4]
	var sq starkcurve.G1Jac // S + q
	sq.FromAffine(&s)
	sq.AddMixed(&q)
	var sqA starkcurve.G1Affine
	sqA.FromJacobian(&sq)
	var twoS, twoSQ starkcurve.G1Jac
	twoS.FromAffine(&s)
	twoS.DoubleAssign()
	twoSQ.Double(&sq)
	affineX := func(p *starkcurve.G1Jac) fp.Element {
		var a starkcurve.G1Affine
		a.FromJacobian(p)
		return a.X
	}
	tests := []struct {
		name  string
		terms []term
		want  fp.Element
	}{
		{"S+S", []term{{&s, false}}, affineX(&twoS)},
		{"S-S", []term{{&s, true}}, fp.Element{}},
		{"(S+q)+(S+q)", []term{{&q, false}, {&sqA, false}}, affineX(&twoSQ)},
		{"(S+q)-(S+q)", []term{{&q, false}, {&sqA, true}}, fp.Element{}},
	}
	for _, tc := range tests {
		if _, ok := sum(&s, tc.terms); ok {
			t.Errorf("%s: sum did not detect equal x coordinates", tc.name)
		}
		if got := sumSlow(&s, tc.terms); got != tc.want {
			t.Errorf("%s: sumSlow = %s, want %s", tc.name, felt.Felt(got), felt.Felt(tc.want))
		}
	}
	r := rand.New(rand.NewPCG(13, 14))
	fast := 0
	for range 100 {
		var ts []term
		for range 1 + r.IntN(maxTerms) {
			ts = append(ts, term{&tb.high[r.IntN(2)][r.IntN(15)], r.IntN(2) == 1})
		}
		got, ok := sum(&s, ts)
		if !ok {
			continue
		}
		fast++
		if want := sumSlow(&s, ts); got != want {
			t.Fatalf("sum = %s, sumSlow = %s", felt.Felt(got), felt.Felt(want))
		}
	}
	if fast < 90 {
		t.Fatalf("sum gave up on %d of 100 random sums", 100-fast)
	}
}

// TestPedersenConcurrentFirstUse hashes from several goroutines with a
// fresh set of tables, so that they race to build the same windows (run
// under -race).
func TestPedersenConcurrentFirstUse(t *testing.T) {
	tb := newPedersenTables(singleWindow)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 99))
			for range 4 {
				a, b := randFelt(r), randFelt(r)
				want := pedersenhash.Pedersen((*fp.Element)(&a), (*fp.Element)(&b))
				if got := tb.hash(a, b); got != felt.Felt(want) {
					errs <- fmt.Sprintf("hash(%s, %s) = %s, gnark says %s", a, b, got, felt.Felt(want))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestTopTable checks entries of the tables of the top digit and high
// part against gnark-crypto's scalar multiplication.
func TestTopTable(t *testing.T) {
	for _, window := range []int{singleWindow, batchWindow} {
		testTopTable(t, newPedersenTables(window))
	}
}

func testTopTable(t *testing.T, tb *pedersenTables) {
	window, topWindow := tb.lay.window, tb.lay.topWindow
	for k := 0; k < 2; k++ {
		p, h := affinePoint(pedersenPoints[1+2*k]), affinePoint(pedersenPoints[2+2*k])
		top := *tb.top[k]()
		for _, d := range []int64{0, 1, 2, 3, 128, 255, 256} {
			for hi := int64(0); hi < 16; hi++ {
				if d == 0 && hi == 0 {
					continue
				}
				var a, b starkcurve.G1Affine
				a.ScalarMultiplication(&p, new(big.Int).Lsh(big.NewInt(d), uint(window*topWindow)))
				b.ScalarMultiplication(&h, big.NewInt(hi))
				var want starkcurve.G1Jac
				want.FromAffine(&a)
				want.AddMixed(&b)
				var wa starkcurve.G1Affine
				wa.FromJacobian(&want)
				if got := top[16*d+hi-1]; got != wa {
					t.Fatalf("%d-bit top[%d](%d, %d) = %v, want %v", window, k, d, hi, got, wa)
				}
			}
		}
	}
}

// TestAddAffine checks the batched affine additions, including pairs with
// equal x coordinates (a doubling and a point plus its negation).
func TestAddAffine(t *testing.T) {
	tb := tables()
	p, q := tb.high[0][0], tb.high[1][3]
	var np starkcurve.G1Affine
	np.Neg(&p)
	got := addAffine([]starkcurve.G1Affine{p, p, p}, []starkcurve.G1Affine{q, p, np})
	for i, pair := range [][2]starkcurve.G1Affine{{p, q}, {p, p}, {p, np}} {
		var want starkcurve.G1Jac
		want.FromAffine(&pair[0])
		want.AddMixed(&pair[1])
		var wa starkcurve.G1Affine
		wa.FromJacobian(&want)
		if got[i] != wa {
			t.Errorf("addAffine #%d = %v, want %v", i, got[i], wa)
		}
	}
}

// TestMultiples checks the table builder against gnark-crypto's scalar
// multiplication, for every entry of a window and for short runs.
func TestMultiples(t *testing.T) {
	base := affinePoint(pedersenPoints[1])
	for _, n := range []int{1, 2, 3, 4, 5, 15, 100, 1 << (singleWindow - 1)} {
		got := multiples(base, n)
		if len(got) != n {
			t.Fatalf("multiples(%d) has %d points", n, len(got))
		}
		for j := range got {
			var want starkcurve.G1Affine
			want.ScalarMultiplication(&base, big.NewInt(int64(j+1)))
			if got[j] != want {
				t.Fatalf("multiples(%d)[%d] = %v, want %v", n, j, got[j], want)
			}
		}
	}
}

func TestPedersenArray(t *testing.T) {
	tests := []struct {
		name string
		in   []felt.Felt
	}{
		{"empty", nil},
		{"one", []felt.Felt{felt.FromUint64(7)}},
		{"three", []felt.Felt{felt.FromUint64(1), felt.FromUint64(2), felt.FromInt64(-1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ptrs := make([]*fp.Element, len(tc.in))
			for i := range tc.in {
				ptrs[i] = (*fp.Element)(&tc.in[i])
			}
			want := felt.Felt(pedersenhash.PedersenArray(ptrs...))
			if got := PedersenArray(tc.in...); got != want {
				t.Errorf("PedersenArray = %s, want %s", got, want)
			}
		})
	}
	// compute_hash_on_elements([]) = H(0, 0)
	if got, want := PedersenArray(), Pedersen(felt.Zero, felt.Zero); got != want {
		t.Errorf("PedersenArray() = %s, want H(0,0) = %s", got, want)
	}
}

// TestPoseidonFolding checks the folded-constant permutation against the
// textbook one built from the unfolded constants.
// referencePermute is the textbook Hades permutation from the unfolded
// constants, with fp.Element's own arithmetic.
func referencePermute(ark *[poseidonRounds][3]fp.Element, s *[3]fp.Element) {
	for r := 0; r < poseidonRounds; r++ {
		for j := range 3 {
			s[j].Add(&s[j], &ark[r][j])
		}
		full := r < poseidonFullRounds/2 || r >= poseidonFullRounds/2+poseidonPartialRounds
		if full {
			cube(&s[0])
			cube(&s[1])
		}
		cube(&s[2])
		mds(s)
	}
}

func checkPermute(t *testing.T, ark *[poseidonRounds][3]fp.Element, in [3]felt.Felt) {
	t.Helper()
	want := [3]fp.Element{fp.Element(in[0]), fp.Element(in[1]), fp.Element(in[2])}
	referencePermute(ark, &want)
	got := in
	PoseidonPermute(&got)
	for j := range 3 {
		if got[j] != felt.Felt(want[j]) {
			t.Fatalf("permute(%v)[%d] = %s, reference %s", in, j, got[j], felt.Felt(want[j]))
		}
	}
}

// TestPoseidonFolding checks the folded-constant permutation against the
// textbook one built from the unfolded constants, on random states and on
// states of edge values (0, P-1, ... where the lazily reduced sums are at
// their largest or smallest).
func TestPoseidonFolding(t *testing.T) {
	ark := roundConstants()
	r := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		checkPermute(t, ark, [3]felt.Felt{randFelt(r), randFelt(r), randFelt(r)})
	}
	edges := fieldEdges()
	for _, a := range edges {
		for _, b := range edges {
			for _, c := range []fp.Element{a, b, edges[3]} {
				checkPermute(t, ark, [3]felt.Felt{felt.Felt(a), felt.Felt(b), felt.Felt(c)})
			}
		}
	}
	// The first constant is sha256("Hades0") mod P.
	if got, want := felt.Felt(ark[0][0]), f(t, "0x6861759ea556a2339dd92f9562a30b9e58e2ad98109ae4780b7fd8eac77fe6f"); got != want {
		t.Errorf("ark[0][0] = %s, want %s", got, want)
	}
}

func TestPoseidonHashShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20 {
		a, b, c := randFelt(r), randFelt(r), randFelt(r)
		// poseidon_hash(a, b) = hades([a, b, 2])[0]
		s := [3]felt.Felt{a, b, felt.FromUint64(2)}
		PoseidonPermute(&s)
		if got := PoseidonHash(a, b); got != s[0] {
			t.Fatalf("PoseidonHash = %s, hades = %s", got, s[0])
		}
		s = [3]felt.Felt{a, felt.Zero, felt.One}
		PoseidonPermute(&s)
		if got := PoseidonHashSingle(a); got != s[0] {
			t.Fatalf("PoseidonHashSingle = %s, hades = %s", got, s[0])
		}
		// hash_many of one element pads to [a, 1]
		s = [3]felt.Felt{a, felt.One, felt.Zero}
		PoseidonPermute(&s)
		if got := PoseidonHashMany([]felt.Felt{a}); got != s[0] {
			t.Fatalf("PoseidonHashMany([a]) = %s, sponge = %s", got, s[0])
		}
		// three elements: [a, b] then [c, 1]
		s = [3]felt.Felt{a, b, felt.Zero}
		PoseidonPermute(&s)
		s[0], s[1] = s[0].Add(c), s[1].Add(felt.One)
		PoseidonPermute(&s)
		if got := PoseidonHashMany([]felt.Felt{a, b, c}); got != s[0] {
			t.Fatalf("PoseidonHashMany([a,b,c]) = %s, sponge = %s", got, s[0])
		}
	}
}

func TestNoAllocations(t *testing.T) {
	a, b := felt.FromUint64(1), felt.FromUint64(2)
	big1, big2 := felt.FromInt64(-1), felt.FromInt64(-12345)
	state := [3]felt.Felt{a, b, big1}
	Pedersen(a, b) // build the tables outside the measurement
	Pedersen(big1, big2)
	vals := []felt.Felt{a, b, a, b, a}
	tests := []struct {
		name string
		fn   func()
	}{
		{"Pedersen", func() { Pedersen(a, b) }},
		{"PedersenRandom", func() { Pedersen(big1, big2) }},
		{"PoseidonPermute", func() { PoseidonPermute(&state) }},
		{"PoseidonHash", func() { PoseidonHash(a, b) }},
		{"PoseidonHashMany", func() { PoseidonHashMany(vals) }},
		{"Keccak256", func() { Keccak256([]byte("transfer")) }},
		{"StarknetKeccak", func() { StarknetKeccak([]byte("transfer")) }},
	}
	for _, tc := range tests {
		if n := testing.AllocsPerRun(20, tc.fn); n != 0 {
			t.Errorf("%s allocates %v times per call", tc.name, n)
		}
	}
}

func benchInputs() (felt.Felt, felt.Felt) {
	r := rand.New(rand.NewPCG(7, 8))
	return randFelt(r), randFelt(r)
}

func reportHashes(b *testing.B, perOp float64) {
	b.ReportMetric(perOp*float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}

func BenchmarkPedersen(b *testing.B) {
	a, c := benchInputs()
	Pedersen(a, c)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a = Pedersen(a, c)
	}
	reportHashes(b, 1)
}

// BenchmarkPedersenSmall hashes small values, as Cairo programs often do
// (counters, short strings, amounts): few additions, and the inversion
// dominates.
func BenchmarkPedersenSmall(b *testing.B) {
	a, c := felt.FromUint64(123568), felt.FromUint64(5673940)
	Pedersen(a, c)
	b.ReportAllocs()
	b.ResetTimer()
	var h felt.Felt
	for i := 0; i < b.N; i++ {
		h = Pedersen(a, c)
		a = a.Add(felt.One)
	}
	_ = h
	reportHashes(b, 1)
}

func BenchmarkPedersenGnark(b *testing.B) {
	a, c := benchInputs()
	x, y := fp.Element(a), fp.Element(c)
	pedersenhash.Pedersen(&x, &y)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x = pedersenhash.Pedersen(&x, &y)
	}
	reportHashes(b, 1)
}

func BenchmarkPoseidonHash(b *testing.B) {
	a, c := benchInputs()
	PoseidonHash(a, c) // fold the constants outside the measurement
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a = PoseidonHash(a, c)
	}
	reportHashes(b, 1)
}

func BenchmarkPoseidonPermute(b *testing.B) {
	a, c := benchInputs()
	s := [3]felt.Felt{a, c, a}
	PoseidonPermute(&s)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		PoseidonPermute(&s)
	}
	reportHashes(b, 1)
}

func BenchmarkPoseidonHashMany(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	vals := make([]felt.Felt, 16)
	for i := range vals {
		vals[i] = randFelt(r)
	}
	PoseidonHashMany(vals)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vals[0] = PoseidonHashMany(vals)
	}
	reportHashes(b, 1)
	b.ReportMetric(float64(len(vals))*float64(b.N)/b.Elapsed().Seconds(), "elements/s")
}

func TestPedersenBatchMatchesPedersen(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var a, b []felt.Felt
	edges := edgeFelts()
	for _, x := range edges {
		for _, y := range edges {
			a, b = append(a, x), append(b, y)
		}
	}
	// Sizes around the chunk boundary, values from random to sparse.
	for i := 0; i < 2*batchChunk+37; i++ {
		x, y := randFelt(r), randFelt(r)
		switch i % 4 {
		case 1:
			y = felt.FromUint64(r.Uint64())
		case 2:
			x = felt.FromUint64(uint64(i))
		}
		a, b = append(a, x), append(b, y)
	}
	for _, n := range []int{0, 1, 2, 3, 5, 7, batchMin - 1, batchMin, 37, 474, batchChunk - 1, batchChunk, len(a)} {
		dst := make([]felt.Felt, n)
		PedersenBatch(dst, a[:n], b[:n])
		for i := range dst {
			if want := Pedersen(a[i], b[i]); dst[i] != want {
				t.Fatalf("n=%d: PedersenBatch[%d](%s, %s) = %s, Pedersen says %s", n, i, a[i], b[i], dst[i], want)
			}
		}
	}
	// The same with the larger tables a process switches to, with the
	// rounds in Go and in the kernels.
	big := newPedersenTables(batchWindow)
	forKernels(t, func(t *testing.T, kernels bool) {
		for _, tb := range []*pedersenTables{tables(), big} {
			dst := make([]felt.Felt, len(a))
			newBatchWork(batchChunk, kernels).batch(tb, dst, a, b)
			for i := range dst {
				if want := Pedersen(a[i], b[i]); dst[i] != want {
					t.Fatalf("%d-bit tables: [%d](%s, %s) = %s, Pedersen says %s", tb.lay.window, i, a[i], b[i], dst[i], want)
				}
			}
		}
	})
	// dst aliasing a.
	want := make([]felt.Felt, len(a))
	for i := range a {
		want[i] = Pedersen(a[i], b[i])
	}
	alias := append([]felt.Felt(nil), a...)
	PedersenBatch(alias, alias, b)
	for i := range alias {
		if alias[i] != want[i] {
			t.Fatalf("aliased dst: [%d] = %s, want %s", i, alias[i], want[i])
		}
	}
}

// TestPedersenBatchEqualX drives lanes of a batch into affine additions of
// points with equal x-coordinates (the next point equal to the sum so far,
// or its negation), in the first round and in later ones, beside ordinary
// lanes with more and fewer additions: the failed lanes must get Pedersen
// of their inputs and the others their sums, whatever their positions.
func TestPedersenBatchEqualX(t *testing.T) {
	forKernels(t, testPedersenBatchEqualX)
}

func testPedersenBatchEqualX(t *testing.T, kernels bool) {
	tb := tables()
	tb.buildAll()
	r := rand.New(rand.NewPCG(9, 10))
	shift := tb.shift
	p := (*tb.window(0, 3))[17]
	var sp starkcurve.G1Jac // shift + p
	sp.FromAffine(&shift)
	sp.AddMixed(&p)
	var spA starkcurve.G1Affine
	spA.FromJacobian(&sp)

	const n = 40
	w := newBatchWork(n, kernels)
	a, b, dst := make([]felt.Felt, n), make([]felt.Felt, n), make([]felt.Felt, n)
	want := make([]felt.Felt, n)
	for j := 0; j < n; j++ {
		a[j], b[j] = randFelt(r), randFelt(r)
		var ts []term
		failed := true
		switch j % 5 {
		case 0: // the shift point itself first: a doubling
			ts = []term{{&shift, false}, {&p, false}}
		case 1: // minus the sum so far, in round 1
			ts = []term{{&p, false}, {&spA, true}, {&p, false}}
		case 2: // the sum so far again, in round 1
			ts = []term{{&p, false}, {&spA, false}}
		default: // ordinary sums of 0 to 30 table points
			failed = false
			for range r.IntN(31) {
				k, i, d := r.IntN(2), r.IntN(tb.lay.topWindow), r.IntN(tb.lay.windowHalf)
				ts = append(ts, term{&(*tb.window(k, i))[d], r.IntN(2) == 0})
			}
		}
		for i, tm := range ts {
			if kernels {
				w.laneAt[j*batchSteps+i] = uintptr(unsafe.Pointer(tm.q))
			} else {
				w.lanePts[j*batchSteps+i] = tm.q
			}
			w.laneNeg[j*batchSteps+i] = tm.neg
		}
		w.steps[j] = uint8(len(ts))
		if failed {
			want[j] = Pedersen(a[j], b[j])
		} else {
			want[j] = felt.Felt(sumSlow(&shift, ts))
		}
	}
	w.sum(&shift, dst, a, b)
	for j := range dst {
		if dst[j] != want[j] {
			t.Errorf("lane %d (case %d): %s, want %s", j, j%5, dst[j], want[j])
		}
	}
}

// forKernels runs test with the batch rounds in Go, then in the IFMA
// kernels where this processor and build have them.
func forKernels(t *testing.T, test func(t *testing.T, kernels bool)) {
	t.Run("go", func(t *testing.T) { test(t, false) })
	t.Run("ifma", func(t *testing.T) {
		if !ifma.Available() {
			t.Skip("no AVX-512 IFMA on this processor, or no cgo in this build")
		}
		test(t, true)
	})
}

func TestSignedDigits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	in := edgeFelts()
	for range 500 {
		in = append(in, randFelt(r), felt.FromUint64(r.Uint64()>>r.IntN(64)))
	}
	for _, window := range []int{singleWindow, batchWindow} {
		lay := newLayout(window)
		for _, x := range in {
			d := [maxWindows]int32{}
			for i := range d {
				d[i] = 1 << 20 // must be overwritten or ignored
			}
			n, high := signedDigits(x.Limbs(), &d, &lay)
			if n > lay.windows {
				t.Fatalf("%d bits, %s: %d digits, at most %d", window, x, n, lay.windows)
			}
			for i := n; i < maxWindows; i++ {
				d[i] = 0
			}
			if n > lay.topWindow && (d[lay.topWindow] < 0 || int(d[lay.topWindow]) >= lay.topDigits) {
				t.Fatalf("%d bits, %s: top digit %d out of range", window, x, d[lay.topWindow])
			}
			sum := new(big.Int).Lsh(new(big.Int).SetUint64(high), 248)
			for i := lay.windows - 1; i >= 0; i-- {
				if int(d[i]) < -lay.windowHalf || int(d[i]) > lay.windowHalf {
					t.Fatalf("%d bits, %s: digit %d = %d out of range", window, x, i, d[i])
				}
				sum.Add(sum, new(big.Int).Lsh(big.NewInt(int64(d[i])), uint(window*i)))
			}
			if sum.Cmp(x.BigInt()) != 0 {
				t.Fatalf("%d bits, %s: digits sum to %s", window, x, sum)
			}
			if window == 16 { // the same digits from the 16-bit special case
				var d16 [maxWindows]int32
				n16, high16 := signedDigits16(x.Limbs(), &d16)
				if n16 > n || high16 != high || d16 != d {
					t.Fatalf("%s: signedDigits16 gives %d digits %v and %d, signedDigits %d digits %v and %d", x, n16, d16, high16, n, d, high)
				}
			}
		}
	}
}

// TestTableSwitch checks that batches use the tables of Pedersen until the
// switch's count of hashes is reached and the larger tables are built, and
// then those.
func TestTableSwitch(t *testing.T) {
	if got := batchTables.after; got < 50_000 || got > 200_000 {
		t.Errorf("the process switches tables after %d hashes; the larger tables cost about 100,000 hashes' additions", got)
	}
	s := newTableSwitch(batchWindow)
	s.after = 100
	if got := s.pick(60); got != tables() {
		t.Fatal("first batch: not the tables of Pedersen")
	}
	if got := s.pick(60); got != tables() {
		t.Fatal("batch that reaches the count: not the tables of Pedersen while the others are built")
	}
	deadline := time.Now().Add(2 * time.Minute)
	for s.big.Load() == nil {
		if time.Now().After(deadline) {
			t.Fatal("larger tables not built after 2 minutes")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.pick(60); got.lay.window != batchWindow {
		t.Fatalf("after the build: tables of %d-bit digits, want %d", got.lay.window, batchWindow)
	}
	s.prepare() // built already: returns at once

	// prepare builds the tables before the count is reached.
	p := newTableSwitch(batchWindow)
	p.prepare()
	if got := p.pick(1); got.lay.window != batchWindow || p.hashed.Load() != 0 {
		t.Fatalf("after prepare: tables of %d-bit digits after %d hashes, want %d at once", got.lay.window, p.hashed.Load(), batchWindow)
	}
}

func BenchmarkPedersenBatch(b *testing.B) {
	r := rand.New(rand.NewPCG(11, 12))
	const n = 4096
	x, y, dst := make([]felt.Felt, n), make([]felt.Felt, n), make([]felt.Felt, n)
	for i := range x {
		x[i], y[i] = randFelt(r), randFelt(r)
	}
	kinds := []bool{false}
	if ifma.Available() {
		kinds = append(kinds, true)
	}
	for _, window := range []int{singleWindow, batchWindow} {
		tb := tables()
		if window != singleWindow {
			tb = newPedersenTables(window)
		}
		tb.buildAll()
		for _, kernels := range kinds {
			name := fmt.Sprintf("%d-bit/go", window)
			if kernels {
				name = fmt.Sprintf("%d-bit/ifma", window)
			}
			b.Run(name, func(b *testing.B) {
				w := newBatchWork(batchChunk, kernels)
				for b.Loop() {
					w.batch(tb, dst, x, y)
				}
				reportHashes(b, n)
			})
		}
	}
}

func FuzzPoseidonPermute(f *testing.F) {
	f.Add([]byte{1, 2, 3})
	f.Add(make([]byte, 96))
	ark := roundConstants()
	f.Fuzz(func(t *testing.T, data []byte) {
		var buf [96]byte
		copy(buf[:], data)
		var in [3]felt.Felt
		for j := range in {
			buf[32*j] &= 0x0f
			in[j] = felt.FromBytesBE(buf[32*j : 32*j+32])
		}
		checkPermute(t, ark, in)
	})
}

func FuzzPedersen(f *testing.F) {
	f.Add([]byte{1, 2, 3})
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, data []byte) {
		var buf [64]byte
		copy(buf[:], data)
		buf[0] &= 0x0f
		buf[32] &= 0x0f
		a, b := felt.FromBytesBE(buf[:32]), felt.FromBytesBE(buf[32:])
		want := pedersenhash.Pedersen((*fp.Element)(&a), (*fp.Element)(&b))
		if got := Pedersen(a, b); got != felt.Felt(want) {
			t.Fatalf("Pedersen(%s, %s) = %s, gnark says %s", a, b, got, felt.Felt(want))
		}
	})
}
