package hash

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/felt/fmul"
)

// The Pedersen hash of cairo-lang's fast_pedersen_hash.py:
//
//	H(a, b) = [S + a_low*P0 + a_high*P1 + b_low*P2 + b_high*P3].x
//
// where x_low is the low 248 bits of x and x_high its top 4 bits. The bases
// are fixed, so every scalar multiplication is a sum of precomputed points:
// each 248-bit half is cut into 21 signed 12-bit digits (window), the first
// 20 each selecting one of 2048 precomputed affine multiples of 2^(12i)*P
// (the negative ones by negating y, which is free); the last one (8 bits
// and a carry, 0..256) and the 4-bit high part together select one entry
// of a table of their 4,111 combinations. A hash of two random felts is at
// most 42 additions (31 bytes each way and gnark-crypto's 4-bit windows
// take 64 and 126); a small input takes one addition per 12 bits.
//
// Pedersen adds into an XYZZ accumulator (x = X/ZZ, y = Y/ZZZ): a mixed
// addition there costs 8 multiplications and 2 squarings, against 7+4 in
// Jacobian coordinates, and the first one, from the affine shift point,
// 4 and 2. The hash ends with one inversion (inverse.go), which is most of
// the cost when the inputs are small. PedersenBatch shares the tables and
// keeps its accumulators affine instead; a process that hashes in bulk
// moves its batches to tables of 16-bit digits (tableSwitch).

const (
	lowBits = 248 // bits in x_low
	// singleWindow is the digit size of the tables of Pedersen;
	// batchWindow that of the larger tables PedersenBatch moves to once a
	// process hashes in bulk (batchTablesAfter).
	singleWindow = 12
	batchWindow  = 16
	// maxWindows is the most digits of x_low (with the smaller window):
	// 248 bits plus the final carry.
	maxWindows = (lowBits + singleWindow) / singleWindow
	// maxTerms is the most points a hash adds: per input, one per digit,
	// the last one together with the high part.
	maxTerms = 2 * maxWindows
)

// layout is the cut of x_low into signed digits of window bits.
type layout struct {
	window int
	// windowHalf is the number of table entries per window: the
	// magnitudes 1..windowHalf of the digits.
	windowHalf int
	// windows is the number of digits: 248 bits plus the final carry.
	windows int
	// topWindow is the last digit's index; that digit is 0..topDigits-1
	// (8 bits and the carry of the digit below, for both windows).
	topWindow, topDigits int
}

func newLayout(window int) layout {
	n := (lowBits + window) / window
	return layout{window: window, windowHalf: 1 << (window - 1), windows: n, topWindow: n - 1,
		topDigits: 1<<(lowBits-window*(n-1)) + 1}
}

// points is the number of points of a full set of tables.
func (l layout) points() int { return 2 * (l.topWindow*l.windowHalf + 16*l.topDigits - 1) }

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

// windowTable holds m*2^(window*i)*P for m = 1..windowHalf at index m-1.
type windowTable []starkcurve.G1Affine

// topTable holds d*2^(window*topWindow)*P_{2k} + h*P_{2k+1} at index
// 16*d + h - 1 for the top digit d = 0..topDigits-1 and the high part
// h = 0..15, except (0, 0).
type topTable []starkcurve.G1Affine

// pedersenTables holds the precomputed multiples of the constant points for
// one layout. With 12-bit digits the window tables (128 KiB each, about 1
// ms each to build, and 257 KiB for the top ones; 5.5 MiB in all) are
// built on first use, one by one: a program that hashes small values only
// ever builds the first few. With 16-bit digits they take 60 MiB.
type pedersenTables struct {
	lay   layout
	shift starkcurve.G1Affine
	// high[k][m-1] is m*P_{2k+1}, m = 1..15.
	high [2][15]starkcurve.G1Affine
	// low[k][i] returns the table of 2^(window*i)*P_{2k}, i < topWindow.
	low [2][]func() *windowTable
	// top[k] returns the table of the top digit and high part of x.
	top [2]func() *topTable
	// lowBuilt and topBuilt hold the tables low and top returned once
	// built (nil before): a hash looks them up with one load instead of a
	// call (window, topOf).
	lowBuilt [2][]atomic.Pointer[windowTable]
	topBuilt [2]atomic.Pointer[topTable]
	// all builds every window table (buildAll) once, and then sets
	// lowAt and topAt: the address of each table's first point, for the
	// batches' IFMA kernels (the tables live as long as the process).
	all   sync.Once
	lowAt [2][]uintptr
	topAt [2]uintptr
}

// tables returns the process-wide tables of Pedersen, creating them (but
// not the window tables) on first use.
var tables = sync.OnceValue(func() *pedersenTables { return newPedersenTables(singleWindow) })

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

// multiples returns j*base for j = 1..n as affine points. It doubles the
// run of known multiples each round, adding m*base to each of 1..m times
// base (m*base to itself is a doubling) with affine additions that share
// one inversion per round: about 6 multiplications a point.
func multiples(base starkcurve.G1Affine, n int) []starkcurve.G1Affine {
	var curveA fp.Element // a in y^2 = x^3 + a*x + b
	curveA.SetOne()
	out := make([]starkcurve.G1Affine, 1, n)
	out[0] = base
	den := make([]fp.Element, 0, n)
	for len(out) < n {
		m := len(out)
		k := min(m, n-m) // new points this round: (m+1..m+k)*base
		p := out[m-1]    // m*base
		den = den[:0]
		for i := 0; i < k; i++ {
			var d fp.Element
			if i == m-1 { // m*base + m*base: the tangent's slope 3x^2+1 / 2y
				d.Double(&p.Y)
			} else {
				d.Sub(&out[i].X, &p.X)
			}
			den = append(den, d)
		}
		inv := fp.BatchInvert(den)
		for i := 0; i < k; i++ {
			q := &out[i]
			var lambda, t fp.Element
			if i == m-1 {
				lambda.Square(&p.X)
				t.Double(&lambda)
				lambda.Add(&lambda, &t)
				lambda.Add(&lambda, &curveA)
			} else {
				lambda.Sub(&q.Y, &p.Y)
			}
			lambda.Mul(&lambda, &inv[i])
			var r starkcurve.G1Affine
			addWithSlope(&r, &p, q, &lambda)
			out = append(out, r)
		}
	}
	return out[:n]
}

func newPedersenTables(window int) *pedersenTables {
	t := &pedersenTables{lay: newLayout(window)}
	lay := t.lay
	t.shift = affinePoint(pedersenPoints[0])
	for k := 0; k < 2; k++ {
		copy(t.high[k][:], multiples(affinePoint(pedersenPoints[2+2*k]), 15))
		var base starkcurve.G1Jac
		p := affinePoint(pedersenPoints[1+2*k])
		base.FromAffine(&p)
		t.low[k] = make([]func() *windowTable, lay.topWindow)
		t.lowBuilt[k] = make([]atomic.Pointer[windowTable], lay.topWindow)
		for i := 0; i < lay.topWindow; i++ {
			var b starkcurve.G1Affine
			b.FromJacobian(&base)
			t.low[k][i] = sync.OnceValue(func() *windowTable {
				w := windowTable(multiples(b, lay.windowHalf))
				return &w
			})
			for range lay.window {
				base.DoubleAssign()
			}
		}
		var b starkcurve.G1Affine
		b.FromJacobian(&base)
		high := &t.high[k]
		t.top[k] = sync.OnceValue(func() *topTable { return newTopTable(b, high, lay.topDigits) })
	}
	return t
}

// newTopTable returns the combinations d*b + h*high[h-1] of the top table.
func newTopTable(b starkcurve.G1Affine, high *[15]starkcurve.G1Affine, topDigits int) *topTable {
	tt := make(topTable, 16*topDigits-1)
	ds := multiples(b, topDigits-1) // ds[d-1] = d*b
	copy(tt[:15], high[:])          // d = 0
	// d*b + h*P for d >= 1, h >= 1, with one shared inversion
	var ps, qs []starkcurve.G1Affine
	for d := 1; d < topDigits; d++ {
		tt[16*d-1] = ds[d-1] // h = 0
		for h := 1; h < 16; h++ {
			ps, qs = append(ps, ds[d-1]), append(qs, high[h-1])
		}
	}
	sums := addAffine(ps, qs)
	i := 0
	for d := 1; d < topDigits; d++ {
		for h := 1; h < 16; h++ {
			tt[16*d+h-1] = sums[i]
			i++
		}
	}
	return &tt
}

// addAffine returns ps[i] + qs[i] for every i, the affine additions sharing
// one inversion; a pair with equal x coordinates goes through gnark-crypto's
// complete Jacobian addition.
func addAffine(ps, qs []starkcurve.G1Affine) []starkcurve.G1Affine {
	den := make([]fp.Element, len(ps))
	for i := range ps {
		den[i].Sub(&qs[i].X, &ps[i].X)
	}
	inv := fp.BatchInvert(den)
	out := make([]starkcurve.G1Affine, len(ps))
	for i := range ps {
		p, q, r := &ps[i], &qs[i], &out[i]
		if den[i].IsZero() {
			var j starkcurve.G1Jac
			j.FromAffine(p)
			j.AddMixed(q)
			r.FromJacobian(&j)
			continue
		}
		var lambda fp.Element
		lambda.Sub(&q.Y, &p.Y)
		lambda.Mul(&lambda, &inv[i])
		addWithSlope(r, p, q, &lambda)
	}
	return out
}

// addWithSlope sets r = p + q from the slope lambda of the line through
// them (the tangent when p = q): x = lambda^2 - p.x - q.x,
// y = lambda*(p.x - x) - p.y. r must not alias p or q.
func addWithSlope(r, p, q *starkcurve.G1Affine, lambda *fp.Element) {
	var t fp.Element
	r.X.Square(lambda)
	r.X.Sub(&r.X, &p.X)
	r.X.Sub(&r.X, &q.X)
	t.Sub(&p.X, &r.X)
	r.Y.Mul(lambda, &t)
	r.Y.Sub(&r.Y, &p.Y)
}

// buildAll builds every window table, in parallel, the first time it is
// called.
func (t *pedersenTables) buildAll() {
	t.all.Do(func() {
		var wg sync.WaitGroup
		for k := range t.low {
			for _, w := range t.low[k] {
				wg.Go(func() { w() })
			}
			wg.Go(func() { t.top[k]() })
		}
		wg.Wait()
		for k := range t.low {
			t.lowAt[k] = make([]uintptr, len(t.low[k]))
			for i := range t.low[k] {
				t.lowAt[k][i] = uintptr(unsafe.Pointer(&(*t.window(k, i))[0]))
			}
			t.topAt[k] = uintptr(unsafe.Pointer(&(*t.topOf(k))[0]))
		}
	})
}

// window returns the table of 2^(window*i)*P_{2k}, building it first if
// needed.
func (t *pedersenTables) window(k, i int) *windowTable { return built(&t.lowBuilt[k][i], t.low[k][i]) }

// topOf returns the top table of x_{2k}, building it first if needed.
func (t *pedersenTables) topOf(k int) *topTable { return built(&t.topBuilt[k], t.top[k]) }

// built returns the table p holds, or the one build returns (once for
// every caller), which it then keeps in p.
func built[T any](p *atomic.Pointer[T], build func() *T) *T {
	if v := p.Load(); v != nil {
		return v
	}
	v := build()
	p.Store(v)
	return v
}

// signedDigits cuts the low 248 bits of x (canonical limbs) into the
// signed digits of lay, d_i in [-windowHalf, windowHalf] with
// x_low = sum d_i*2^(window*i), and returns how many of them there are
// (the digits from there on are zero) and the high nibble (bits 248..251).
func signedDigits(l [4]uint64, d *[maxWindows]int32, lay *layout) (n int, high uint64) {
	window, windowHalf, windows := lay.window, uint64(lay.windowHalf), lay.windows
	high = l[3] >> 56
	l[3] &= 1<<56 - 1
	bitLen := 0
	for w := 3; w >= 0; w-- {
		if l[w] != 0 {
			bitLen = 64*w + bits.Len64(l[w])
			break
		}
	}
	carry := uint64(0)
	i := 0
	for ; i < windows && (i*window < bitLen || carry != 0); i++ {
		pos := uint(i * window)
		w, s := pos/64, pos%64
		v := l[w] >> s
		if int(s)+window > 64 && w+1 < 4 {
			v |= l[w+1] << (64 - s)
		}
		v &= 2*windowHalf - 1
		v += carry
		if v >= windowHalf {
			d[i] = int32(v) - int32(2*windowHalf)
			carry = 1
		} else {
			d[i] = int32(v)
			carry = 0
		}
	}
	return i, high
}

// term is one point of a hash's sum: q, or -q when neg.
// signedDigits16 is signedDigits for 16-bit digits (the batch tables),
// each a whole quarter of a word.
func signedDigits16(l [4]uint64, d *[maxWindows]int32) (n int, high uint64) {
	high = l[3] >> 56
	l[3] &= 1<<56 - 1
	carry := uint64(0)
	for i := range (lowBits + 16) / 16 {
		v := (l[i/4]>>(16*(i%4)))&0xffff + carry
		carry = (v + 1<<15) >> 16 // v is at most 2^16
		d[i] = int32(v) - int32(carry<<16)
		if d[i] != 0 {
			n = i + 1
		}
	}
	return n, high
}

// pointSize is the size of a table point: a digit's point is at its
// table's address plus (|digit| - 1) times it.
const pointSize = unsafe.Sizeof(starkcurve.G1Affine{})

// digits cuts x into t's signed digits (d is their space): those of the
// windows below the top one, zero past the returned slice, and the index
// in the top table of the top digit and the high part, -1 when both are
// zero.
func (t *pedersenTables) digits(x *felt.Felt, d *[maxWindows]int32) (low []int32, top int) {
	var nd int
	var high uint64
	if t.lay.window == 16 {
		nd, high = signedDigits16(x.Limbs(), d)
	} else {
		nd, high = signedDigits(x.Limbs(), d, &t.lay)
	}
	topWindow := t.lay.topWindow
	topDigit := 0 // the top digit is never negative
	if nd > topWindow {
		topDigit = int(d[topWindow])
	}
	return d[:min(nd, topWindow)], 16*topDigit + int(high) - 1
}

// termsAt is terms for the IFMA kernels: the points' addresses (from the
// built tables, buildAll) in at and their signs in neg, after the first
// n, and the new count.
func (t *pedersenTables) termsAt(at []uintptr, neg []bool, n int, k int, x *felt.Felt) int {
	var d [maxWindows]int32
	low, top := t.digits(x, &d)
	lowAt := t.lowAt[k]
	for i, di := range low {
		if di != 0 {
			m := di
			if di < 0 {
				m = -di
			}
			at[n], neg[n] = lowAt[i]+uintptr(m-1)*pointSize, di < 0
			n++
		}
	}
	if top >= 0 {
		at[n], neg[n] = t.topAt[k]+uintptr(top)*pointSize, false
		n++
	}
	return n
}

type term struct {
	q   *starkcurve.G1Affine
	neg bool
}

// terms lists the points x_low*P_{2k} + x_high*P_{2k+1} adds, after out[:n],
// and returns the new count.
func (t *pedersenTables) terms(out *[maxTerms]term, n int, k int, x *felt.Felt) int {
	var d [maxWindows]int32
	low, top := t.digits(x, &d)
	for i, di := range low {
		switch {
		case di > 0:
			out[n] = term{&(*t.window(k, i))[di-1], false}
			n++
		case di < 0:
			out[n] = term{&(*t.window(k, i))[-di-1], true}
			n++
		}
	}
	if top >= 0 {
		out[n] = term{&(*t.topOf(k))[top], false}
		n++
	}
	return n
}

// xyzz is a point in extended Jacobian coordinates: (X/ZZ, Y/ZZZ) with
// ZZ^3 = ZZZ^2.
type xyzz struct {
	x, y, zz, zzz fp.Element
}

// yOf returns q's y coordinate, negated when neg.
func yOf(q *starkcurve.G1Affine, neg bool) fp.Element {
	y := q.Y
	if neg {
		var zero fp.Element
		subMod(&y, &zero, &q.Y)
	}
	return y
}

// setSum sets p = a + (q or -q) for affine a and q (4 multiplications, 2
// squarings). It returns false, leaving p unchanged, when a and q have the
// same x coordinate (a doubling or the point at infinity).
func (p *xyzz) setSum(a, q *starkcurve.G1Affine, neg bool) bool {
	var pp, r, qq, t fp.Element
	subMod(&pp, &q.X, &a.X) // P
	if pp.IsZero() {
		return false
	}
	qy := yOf(q, neg)
	subMod(&r, &qy, &a.Y)        // R
	fmul.Square(&p.zz, &pp)      // PP
	fmul.Mul(&p.zzz, &pp, &p.zz) // PPP
	fmul.Mul(&qq, &a.X, &p.zz)   // Q = X1*PP
	// X3 = R^2 - PPP - 2Q
	fmul.Square(&p.x, &r)
	subMod(&p.x, &p.x, &p.zzz)
	addMod(&t, &qq, &qq)
	subMod(&p.x, &p.x, &t)
	// Y3 = R*(Q - X3) - Y1*PPP
	subMod(&t, &qq, &p.x)
	fmul.Mul(&p.y, &r, &t)
	fmul.Mul(&t, &a.Y, &p.zzz)
	subMod(&p.y, &p.y, &t)
	return true
}

// add sets p = p + (q or -q) (madd-2008-s: 8 multiplications, 2
// squarings). It returns false, leaving p unchanged, when p and q have the
// same x coordinate.
func (p *xyzz) add(q *starkcurve.G1Affine, neg bool) bool {
	var u, s, pp, r, ppp, qq, t fp.Element
	qy := yOf(q, neg)
	fmul.Mul(&u, &q.X, &p.zz) // U2
	fmul.Mul(&s, &qy, &p.zzz) // S2
	subMod(&pp, &u, &p.x)     // P
	if pp.IsZero() {
		return false
	}
	subMod(&r, &s, &p.y)    // R
	fmul.Square(&u, &pp)    // PP
	fmul.Mul(&ppp, &pp, &u) // PPP
	fmul.Mul(&qq, &p.x, &u) // Q = X1*PP
	fmul.Mul(&p.zz, &p.zz, &u)
	fmul.Mul(&p.zzz, &p.zzz, &ppp)
	// Y1*PPP, before X1 and Y1 are overwritten
	fmul.Mul(&s, &p.y, &ppp)
	// X3 = R^2 - PPP - 2Q
	fmul.Square(&p.x, &r)
	subMod(&p.x, &p.x, &ppp)
	addMod(&t, &qq, &qq)
	subMod(&p.x, &p.x, &t)
	// Y3 = R*(Q - X3) - Y1*PPP
	subMod(&t, &qq, &p.x)
	fmul.Mul(&p.y, &r, &t)
	subMod(&p.y, &p.y, &s)
	return true
}

// sum returns the x coordinate of shift + the terms, or false when an
// addition meets equal x coordinates (sumSlow handles those).
func sum(shift *starkcurve.G1Affine, ts []term) (fp.Element, bool) {
	if len(ts) == 0 {
		return shift.X, true
	}
	var acc xyzz
	if !acc.setSum(shift, ts[0].q, ts[0].neg) {
		return fp.Element{}, false
	}
	for _, tm := range ts[1:] {
		if !acc.add(tm.q, tm.neg) {
			return fp.Element{}, false
		}
	}
	var x fp.Element
	inverse(&x, &acc.zz)
	fmul.Mul(&x, &x, &acc.x)
	return x, true
}

// sumSlow is sum with gnark-crypto's complete Jacobian arithmetic, for the
// sums (which no hash of real data is expected to meet) where sum gives
// up. The point at infinity has x = 0, as in gnark-crypto's Pedersen.
func sumSlow(shift *starkcurve.G1Affine, ts []term) fp.Element {
	var acc starkcurve.G1Jac
	acc.FromAffine(shift)
	for _, tm := range ts {
		q := *tm.q
		if tm.neg {
			q.Neg(&q)
		}
		acc.AddMixed(&q)
	}
	var r starkcurve.G1Affine
	r.FromJacobian(&acc)
	return r.X
}

// Pedersen returns Starknet's Pedersen hash of a and b.
func Pedersen(a, b felt.Felt) felt.Felt { return tables().hash(a, b) }

func (t *pedersenTables) hash(a, b felt.Felt) felt.Felt {
	var ts [maxTerms]term
	n := t.terms(&ts, 0, 0, &a)
	n = t.terms(&ts, n, 1, &b)
	x, ok := sum(&t.shift, ts[:n])
	if !ok {
		x = sumSlow(&t.shift, ts[:n])
	}
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
