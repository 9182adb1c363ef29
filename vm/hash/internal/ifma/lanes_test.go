package ifma

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
)

func randElement(r *rand.Rand) fp.Element {
	var e fp.Element
	e.SetUint64(r.Uint64())
	var f fp.Element
	f.SetUint64(r.Uint64())
	e.Mul(&e, &f)
	e.Square(&e)
	e.Add(&e, &f)
	return e
}

// fromDigits returns the integer of the little-endian digits ds of
// width bits each.
func fromDigits(ds []uint64, width uint) *big.Int {
	v := new(big.Int)
	for i := len(ds) - 1; i >= 0; i-- {
		v.Lsh(v, width)
		v.Add(v, new(big.Int).SetUint64(ds[i]))
	}
	return v
}

func fromLimbs(l [5]uint64) *big.Int { return fromDigits(l[:], 52) }

func fromWords(w [4]uint64) *big.Int { return fromDigits(w[:], 64) }

func TestRadix(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	p := fp.Modulus()
	for range 1000 {
		e := randElement(r)
		w := [4]uint64(e)
		l := limbs(w)
		for i, li := range l {
			if li >= 1<<52 {
				t.Fatalf("limbs(%x)[%d] = %x: not normalized", w, i, li)
			}
		}
		if fromLimbs(l).Cmp(fromWords(w)) != 0 {
			t.Fatalf("limbs(%x) = %x: another value", w, l)
		}
		// words reduces anything below 3p
		for k := range 3 {
			v := new(big.Int).Add(fromWords(w), new(big.Int).Mul(p, big.NewInt(int64(k))))
			var vl [5]uint64
			for i := range vl {
				vl[i] = new(big.Int).And(new(big.Int).Rsh(v, uint(52*i)), big.NewInt(mask52)).Uint64()
			}
			if got := words(vl); got != w {
				t.Fatalf("words(%x + %d*p) = %x", w, k, got)
			}
		}
		q := fromLimbs(quarter(w))
		if q.Cmp(p) >= 0 || new(big.Int).Mod(new(big.Int).Mul(q, big.NewInt(4)), p).Cmp(fromWords(w)) != 0 {
			t.Fatalf("quarter(%x) = %x: not w/4 below p", w, q)
		}
	}
}

// lane is one sum of the test: its points and signs, round by round.
type lane struct {
	pts []*starkcurve.G1Affine
	neg []bool
}

// runLanes sums the lanes (ordered by number of points, most first) from
// start with Lanes and returns each lane's x and whether it failed.
func runLanes(t *testing.T, start *starkcurve.G1Affine, ls []lane) ([]fp.Element, []bool) {
	t.Helper()
	n := len(ls)
	w := New(n, func(z, x *fp.Element) { z.Inverse(x) })
	w.Start(n, start)
	out := make([]fp.Element, n)
	failed := make([]bool, n)
	live := func(r int) int { // lanes with more than r points
		m := 0
		for m < n && len(ls[m].pts) > r {
			m++
		}
		return m
	}
	round := func(r int) ([]uintptr, []bool) {
		m := live(r)
		pts, neg := make([]uintptr, m), make([]bool, m)
		for c := range m {
			pts[c], neg[c] = uintptr(unsafe.Pointer(ls[c].pts[r])), ls[c].neg[r]
		}
		return pts, neg
	}
	for c := live(0); c < n; c++ {
		out[c] = w.X(c)
	}
	for r := 0; live(r) > 0; r++ {
		pts, neg := round(r)
		next, _ := round(r + 1)
		w.Add(pts, neg, failed, next)
		for c := live(r + 1); c < live(r); c++ {
			out[c] = w.X(c)
		}
	}
	return out, failed
}

// wantX sums a lane with gnark-crypto's Jacobian arithmetic, and reports
// whether an addition met two points of equal x-coordinates (where Lanes
// must report the lane failed).
func wantX(start *starkcurve.G1Affine, l lane) (fp.Element, bool) {
	var acc starkcurve.G1Jac
	acc.FromAffine(start)
	equalX := false
	for i, p := range l.pts {
		q := *p
		if l.neg[i] {
			q.Neg(&q)
		}
		var a starkcurve.G1Affine
		a.FromJacobian(&acc)
		equalX = equalX || a.X == q.X
		acc.AddMixed(&q)
	}
	var a starkcurve.G1Affine
	a.FromJacobian(&acc)
	return a.X, equalX
}

// checkLanes compares every lane's result with wantX's.
func checkLanes(t *testing.T, start *starkcurve.G1Affine, ls []lane) {
	t.Helper()
	got, failed := runLanes(t, start, ls)
	for c := range ls {
		want, equalX := wantX(start, ls[c])
		switch {
		case failed[c] != equalX:
			t.Fatalf("%d lanes: lane %d (%d points): failed %v, want %v", len(ls), c, len(ls[c].pts), failed[c], equalX)
		case !failed[c] && got[c] != want:
			t.Fatalf("%d lanes: lane %d (%d points): x = %s, want %s", len(ls), c, len(ls[c].pts), got[c].String(), want.String())
		}
	}
}

// randomPoints returns n random points of the curve.
func randomPoints(r *rand.Rand, n int) []starkcurve.G1Affine {
	gj, _ := starkcurve.Generators()
	pool := make([]starkcurve.G1Affine, n)
	for i := range pool {
		var j starkcurve.G1Jac
		j.ScalarMultiplication(&gj, new(big.Int).SetUint64(r.Uint64()))
		pool[i].FromJacobian(&j)
	}
	return pool
}

func TestLanes(t *testing.T) {
	if !Available() {
		t.Skip("ifma: no AVX-512 IFMA on this processor or no cgo in this build")
	}
	r := rand.New(rand.NewPCG(3, 4))
	pool := randomPoints(r, 64)
	for _, n := range []int{1, 7, 8, 9, 37, 512} {
		ls := make([]lane, n)
		for c := range ls {
			steps := 40 * (n - c) / n // most first, some with none
			for range steps {
				ls[c].pts = append(ls[c].pts, &pool[1+r.IntN(len(pool)-1)])
				ls[c].neg = append(ls[c].neg, r.IntN(2) == 1)
			}
		}
		checkLanes(t, &pool[0], ls)
	}
}

// TestLanesFailed: a lane that adds its own sum, or its negation, fails
// (the affine formula has no slope there); the others are exact.
func TestLanesFailed(t *testing.T) {
	if !Available() {
		t.Skip("ifma: no AVX-512 IFMA on this processor or no cgo in this build")
	}
	_, g := starkcurve.Generators()
	var twoG starkcurve.G1Affine
	twoG.Double(&g)
	ls := []lane{
		{pts: []*starkcurve.G1Affine{&g, &g}, neg: []bool{false, false}},      // G + G: doubling
		{pts: []*starkcurve.G1Affine{&twoG, &twoG}, neg: []bool{false, true}}, // 3G, then G: exact
		{pts: []*starkcurve.G1Affine{&twoG, &g}, neg: []bool{true, true}},     // G - 2G = -G, then -G - G: doubling
		{pts: []*starkcurve.G1Affine{&twoG}, neg: []bool{false}},
	}
	checkLanes(t, &g, ls)
	if _, failed := runLanes(t, &g, ls); !failed[0] || failed[1] || !failed[2] || failed[3] {
		t.Fatalf("failed lanes %v, want [true false true false]", failed)
	}
}

// FuzzLanes sums lanes laid out from the input (the number of lanes, then
// a byte per addition: the point, its sign and whether the lane goes on)
// and compares them with gnark-crypto's sums.
func FuzzLanes(f *testing.F) {
	if !Available() {
		f.Skip("ifma: no AVX-512 IFMA on this processor or no cgo in this build")
	}
	pool := randomPoints(rand.New(rand.NewPCG(7, 8)), 16)
	f.Add([]byte{9, 1, 2, 3, 0x84, 0x45, 6, 7, 8})
	f.Add([]byte{1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		n := 1 + int(data[0])%40
		ls := make([]lane, n)
		c := 0
		for _, b := range data[1:] {
			ls[c].pts = append(ls[c].pts, &pool[b&15])
			ls[c].neg = append(ls[c].neg, b&16 != 0)
			if b&32 != 0 {
				c = (c + 1) % n
			}
		}
		// most points first, as Lanes requires
		slices.SortStableFunc(ls, func(a, b lane) int { return len(b.pts) - len(a.pts) })
		checkLanes(t, &pool[0], ls)
	})
}

// BenchmarkAdd measures a round of 512 lanes on points in the caches:
// the kernels' arithmetic, without the misses of the table loads.
func BenchmarkAdd(b *testing.B) {
	if !Available() {
		b.Skip("ifma: no AVX-512 IFMA on this processor or no cgo in this build")
	}
	const n = 512
	r := rand.New(rand.NewPCG(5, 6))
	pool := randomPoints(r, 64)
	_, g := starkcurve.Generators()
	pts, neg, failed := make([]uintptr, n), make([]bool, n), make([]bool, n)
	for c := range pts {
		pts[c], neg[c] = uintptr(unsafe.Pointer(&pool[r.IntN(len(pool))])), r.IntN(2) == 1
	}
	w := New(n, func(z, x *fp.Element) { z.Inverse(x) })
	w.Start(n, &g)
	for b.Loop() {
		w.Add(pts, neg, failed, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/lane")
}
