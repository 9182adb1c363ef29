package hash

import (
	"sync"
	"sync/atomic"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash/internal/ifma"
)

// PedersenBatch computes many Pedersen hashes at once, for callers that have
// many independent ones (a trie level): the same sum as Pedersen, but the
// accumulators stay affine and the additions of all the hashes of a batch
// are done in lock step, so that one field inversion serves all of them
// (Montgomery's trick: k inversions cost one inversion and 3(k-1)
// multiplications). An affine addition then costs about 6 multiplications,
// against 10 for the XYZZ mixed addition of Pedersen.
//
// The scalars are cut into the same signed 12-bit digits as Pedersen's,
// from the same tables, which a batch builds all at once (in parallel) on
// its first call.
//
// The hashes of a chunk are laid out by their number of additions, most
// first, so that the ones still adding in a round are a prefix of every
// vector (no gathering of accumulators through an index), and the table
// points of the next round are prefetched while a round computes: the
// tables (5.5 MiB) do not fit in a core's cache, and waiting on those
// loads took a quarter of the batch's time.
//
// Where the processor has AVX-512 IFMA (and the build cgo), a round's
// field arithmetic runs in the kernels of internal/ifma instead of
// gnark-crypto's vector operations: the accumulators stay in radix 2^52
// across the rounds, where gnark-crypto converts both operands and the
// result of every vector product, and the reduction uses the sparse
// modulus; the points go to the kernels as addresses (termsAt). A batch
// of 16-bit-digit hashes then takes about 0.4 of the time.

// batchChunk is how many hashes share one inversion per addition round:
// large enough to make the inversion negligible, small enough to keep the
// working set in cache.
const batchChunk = 512

// batchMin is the smallest batch worth the lock-step additions: below it
// the per-round inversions cost more than they save, and the hashes are
// done one by one.
const batchMin = 16

// batchSteps is the most additions a hash takes.
const batchSteps = maxTerms

// PedersenBatch sets dst[i] = Pedersen(a[i], b[i]) for every i. The three
// slices must have the same length (it panics otherwise); dst may alias a
// or b. The result is always the one Pedersen returns, including for the
// inputs (with negligible probability for any given pair) where an affine
// addition would meet two points of equal x-coordinate: those are hashed by
// Pedersen.
func PedersenBatch(dst, a, b []felt.Felt) {
	if len(a) != len(dst) || len(b) != len(dst) {
		panic("hash: PedersenBatch: slices of different lengths")
	}
	if len(dst) < batchMin {
		for i := range dst {
			dst[i] = Pedersen(a[i], b[i])
		}
		return
	}
	batchWith(batchTables.pick(len(dst)), dst, a, b)
}

// batchWith is PedersenBatch with the tables t.
func batchWith(t *pedersenTables, dst, a, b []felt.Felt) {
	w := batchWorks.Get().(*batchWork)
	defer batchWorks.Put(w)
	w.batch(t, dst, a, b)
}

// batch is batchWith with the scratch space w.
func (w *batchWork) batch(t *pedersenTables, dst, a, b []felt.Felt) {
	t.buildAll()
	for lo := 0; lo < len(dst); lo += batchChunk {
		hi := min(lo+batchChunk, len(dst))
		w.run(t, dst[lo:hi], a[lo:hi], b[lo:hi])
	}
}

// tableSwitch chooses the tables of the batches of a process: those of
// Pedersen (12-bit digits, 5.5 MiB, 42 additions a hash at most) until the
// process has hashed after hashes in batches, then, once built in the
// background, larger ones (16-bit digits, 60 MiB, 32 additions at most:
// about a fifth faster). Building them costs as many additions as after
// hashes save with them, so a process that hashes little never pays for
// them and one that hashes much pays at most twice what the best choice
// would have (the ski-rental rule).
type tableSwitch struct {
	after  int64
	window int
	hashed atomic.Int64
	big    atomic.Pointer[pedersenTables]
	start  sync.Once
	ready  chan struct{} // closed once big is set
}

// batchTables is the process's choice (the tables are process-wide
// caches, as tables is).
var batchTables = newTableSwitch(batchWindow)

func newTableSwitch(window int) *tableSwitch {
	big := newLayout(window)
	saved := maxTerms - 2*big.windows // additions saved per hash
	return &tableSwitch{after: int64(big.points() / saved), window: window, ready: make(chan struct{})}
}

// PrepareBatchTables builds the larger tables that PedersenBatch moves to
// after many hashes (60 MiB, about 0.7 s of CPU) now, if they are not
// built yet, and returns once batches use them. A process that knows it
// will hash in bulk, such as a benchmark of block commits, pays for them
// up front instead of during its first blocks.
func PrepareBatchTables() { batchTables.prepare() }

// prepare builds the larger tables, or waits for the build under way.
func (s *tableSwitch) prepare() {
	s.start.Do(func() { go s.build() })
	<-s.ready
}

func (s *tableSwitch) build() {
	t := newPedersenTables(s.window)
	t.buildAll()
	s.big.Store(t)
	close(s.ready)
}

// pick returns the tables for a batch of n hashes.
func (s *tableSwitch) pick(n int) *pedersenTables {
	if t := s.big.Load(); t != nil {
		return t
	}
	if s.hashed.Add(int64(n)) >= s.after {
		s.start.Do(func() { go s.build() })
	}
	return tables()
}

// batchWorks keeps the scratch space of finished batches (about 1 MiB
// each) for the next: a block commit hashes its tries level by level in
// dozens of batches. run overwrites everything it reads.
var batchWorks = sync.Pool{New: func() any { return newBatchWork(batchChunk, ifma.Available()) }}

// batchWork is the scratch space of a chunk of up to n hashes. The lanes
// (one hash each) are ordered by their number of additions, most first:
// the lanes adding a point in round r are then the first live[r], and
// every vector below is indexed by that position c, without indirection.
type batchWork struct {
	order []int32 // order[c]: the hash (index into dst) at position c
	steps []uint8 // steps[j]: the number of points hash j adds
	live  [batchSteps + 1]int
	// lanePts[j*batchSteps+s] is the s-th point hash j adds (negated when
	// laneNeg[...]), laneAt[...] its address with the IFMA kernels;
	// pts[r*n+c] and neg[r*n+c] the same, by round and position.
	lanePts []*starkcurve.G1Affine
	laneAt  []uintptr
	laneNeg []bool
	pts     []*starkcurve.G1Affine
	neg     []bool
	// failed[c]: an addition of the lane at c met equal x-coordinates;
	// its hash is left to Pedersen.
	failed []bool
	// the accumulators (x, y) and their next values (nx, ny), swapped
	// after every round
	x, y, nx, ny fp.Vector
	// the operands of a round: the points' coordinates, the denominators
	// and their inverses, the slopes and a temporary
	qx, qy, dx, ic, lambda, t fp.Vector
	// the product tree of the denominators and its inverses (invert)
	tree, inv fp.Vector
	levels    [][2]int
	// With the AVX-512 IFMA kernels (lanes not nil), the rounds run there
	// instead, on the addresses of the points (at, by round and position
	// as pts); the vectors above are then not allocated.
	lanes *ifma.Lanes
	at    []uintptr
}

// newBatchWork returns the scratch space of chunks of up to n hashes, for
// the IFMA kernels when kernels is set (ifma.Available must hold).
func newBatchWork(n int, kernels bool) *batchWork {
	w := &batchWork{
		order:   make([]int32, n),
		steps:   make([]uint8, n),
		laneNeg: make([]bool, n*batchSteps),
		neg:     make([]bool, n*batchSteps),
		failed:  make([]bool, n),
	}
	if kernels {
		w.lanes = ifma.New(n, inverse)
		w.laneAt = make([]uintptr, n*batchSteps)
		w.at = make([]uintptr, n*batchSteps)
		return w
	}
	w.lanePts = make([]*starkcurve.G1Affine, n*batchSteps)
	w.pts = make([]*starkcurve.G1Affine, n*batchSteps)
	w.vectors(n)
	return w
}

// vectors allocates the vectors of the rounds in Go.
func (w *batchWork) vectors(n int) {
	for _, v := range []*fp.Vector{&w.x, &w.y, &w.nx, &w.ny, &w.qx, &w.qy, &w.dx, &w.ic, &w.lambda, &w.t} {
		*v = make(fp.Vector, n)
	}
	// the levels of a tree over n leaves hold at most 2n + log2(n)
	w.tree, w.inv = make(fp.Vector, 2*n+64), make(fp.Vector, 2*n+64)
}

// invert sets ic[i] = 1/dx[i] for i < n with one field inversion, and
// reports false when some dx[i] is zero (ic is then not set):
// Montgomery's trick laid out as a tree so that every multiplication is
// part of an element-wise vector product. Level 0 is dx; level k+1 holds
// the products of the two halves of level k (element i times element
// i+h), an odd last element carried up; the single element of the top
// level, zero exactly when some dx[i] is, is inverted, and each level's
// inverses follow from the one above: 1/a = b/(ab) and 1/b = a/(ab).
func (w *batchWork) invert(n int) bool {
	levels := w.levels[:0]
	copy(w.tree[:n], w.dx[:n])
	levels = append(levels, [2]int{0, n})
	off := n
	for m := n; m > 1; {
		lo := levels[len(levels)-1][0]
		h := m / 2
		up := w.tree[off : off+h+m%2]
		prod := up[:h]
		prod.Mul(w.tree[lo:lo+h], w.tree[lo+h:lo+2*h])
		if m%2 == 1 {
			up[h] = w.tree[lo+2*h]
		}
		m = h + m%2
		levels = append(levels, [2]int{off, m})
		off += m
	}
	w.levels = levels
	top := levels[len(levels)-1]
	if w.tree[top[0]].IsZero() {
		return false
	}
	inverse(&w.inv[top[0]], &w.tree[top[0]])
	for k := len(levels) - 2; k >= 0; k-- {
		lo, m := levels[k][0], levels[k][1]
		ulo := levels[k+1][0]
		h := m / 2
		iu := w.inv[ulo : ulo+h]
		left, right := w.inv[lo:lo+h], w.inv[lo+h:lo+2*h]
		left.Mul(iu, w.tree[lo+h:lo+2*h])
		right.Mul(iu, w.tree[lo:lo+h])
		if m%2 == 1 {
			w.inv[lo+2*h] = w.inv[ulo+h]
		}
	}
	copy(w.ic[:n], w.inv[:n])
	return true
}

func (w *batchWork) run(t *pedersenTables, dst, a, b []felt.Felt) {
	if w.lanes != nil {
		for j := range dst {
			base := j * batchSteps
			at, neg := w.laneAt[base:base+batchSteps], w.laneNeg[base:base+batchSteps]
			s := t.termsAt(at, neg, 0, 0, &a[j])
			w.steps[j] = uint8(t.termsAt(at, neg, s, 1, &b[j]))
		}
		w.sum(&t.shift, dst, a, b)
		return
	}
	for j := range dst {
		var ts [maxTerms]term
		s := t.terms(&ts, 0, 0, &a[j])
		s = t.terms(&ts, s, 1, &b[j])
		base := j * batchSteps
		for i, tm := range ts[:s] {
			w.lanePts[base+i], w.laneNeg[base+i] = tm.q, tm.neg
		}
		w.steps[j] = uint8(s)
	}
	w.sum(&t.shift, dst, a, b)
}

// sum sets dst[j] to the x coordinate of shift plus the points of hash j
// (lanePts or laneAt, laneNeg and steps), or to Pedersen(a[j], b[j]) when an
// affine addition of that sum meets equal x-coordinates.
func (w *batchWork) sum(shift *starkcurve.G1Affine, dst, a, b []felt.Felt) {
	n := len(dst)
	// The positions: hashes by number of additions, most first (a
	// counting sort).
	var count [batchSteps + 1]int
	for j := 0; j < n; j++ {
		count[w.steps[j]]++
	}
	var at [batchSteps + 1]int // the first position of the hashes of s additions
	for s, c := batchSteps, 0; s >= 0; s-- {
		at[s] = c
		c += count[s]
	}
	for j := 0; j < n; j++ {
		s := w.steps[j]
		w.order[at[s]] = int32(j)
		at[s]++
	}
	rounds := int(w.steps[w.order[0]])
	w.live[rounds] = 0 // live[r]: the hashes of more than r additions
	for r := rounds - 1; r >= 0; r-- {
		w.live[r] = w.live[r+1] + count[r+1]
	}
	if w.lanes != nil {
		w.sumKernels(shift, rounds, dst, a, b)
		return
	}
	for c := 0; c < n; c++ {
		j := int(w.order[c])
		for r := 0; r < int(w.steps[j]); r++ {
			w.pts[r*n+c], w.neg[r*n+c] = w.lanePts[j*batchSteps+r], w.laneNeg[j*batchSteps+r]
		}
		w.x[c], w.y[c], w.failed[c] = shift.X, shift.Y, false
	}

	for c := w.live[0]; c < n; c++ { // no point to add: the shift point
		w.finish(c, w.x[c], dst, a, b)
	}
	if rounds > 0 {
		prefetchPoints(w.pts[:w.live[0]])
	}
	for r := 0; r < rounds; r++ {
		m := w.live[r]
		pts, neg := w.pts[r*n:r*n+m], w.neg[r*n:r*n+m]
		qx, qy, dx := w.qx[:m], w.qy[:m], w.dx[:m]
		for c, q := range pts {
			qx[c] = q.X
			if neg[c] {
				qy[c].Neg(&q.Y)
			} else {
				qy[c] = q.Y
			}
		}
		// The next round's points, on their way to the cache while this
		// round computes.
		if r+1 < rounds {
			prefetchPoints(w.pts[(r+1)*n : (r+1)*n+w.live[r+1]])
		}
		x, y := w.x[:m], w.y[:m]
		dx.Sub(qx, x)
		if !w.invert(m) {
			// A zero denominator (equal x-coordinates, with negligible
			// odds) sends its lane to Pedersen; a stand-in denominator
			// keeps the lane in step.
			for c := range dx {
				if dx[c].IsZero() {
					w.failed[c] = true
					dx[c].SetOne()
				}
			}
			w.invert(m)
		}
		// The additions proper, as element-wise vector operations (which
		// gnark-crypto runs with AVX-512 IFMA where the processor has it):
		//	lambda = (qy - y) / dx,  x3 = lambda^2 - x - qx,
		//	y3 = lambda*(x - x3) - y.
		lambda, tmp, nx, ny := w.lambda[:m], w.t[:m], w.nx[:m], w.ny[:m]
		tmp.Sub(qy, y)
		lambda.Mul(tmp, w.ic[:m])
		nx.Mul(lambda, lambda)
		nx.Sub(nx, x)
		nx.Sub(nx, qx)
		tmp.Sub(x, nx)
		ny.Mul(tmp, lambda)
		ny.Sub(ny, y)
		// The lanes past the next round's live ones are done: their
		// results leave before the swap.
		for c := w.live[r+1]; c < m; c++ {
			w.finish(c, nx[c], dst, a, b)
		}
		w.x, w.nx = w.nx, w.x
		w.y, w.ny = w.ny, w.y
	}
}

// sumKernels is the rest of sum with the IFMA kernels: the same layout,
// the points by address, and each round's vector work done by the lanes.
func (w *batchWork) sumKernels(shift *starkcurve.G1Affine, rounds int, dst, a, b []felt.Felt) {
	n := len(dst)
	for c := 0; c < n; c++ {
		j := int(w.order[c])
		for r := 0; r < int(w.steps[j]); r++ {
			w.at[r*n+c], w.neg[r*n+c] = w.laneAt[j*batchSteps+r], w.laneNeg[j*batchSteps+r]
		}
		w.failed[c] = false
	}
	w.lanes.Start(w.live[0], shift)
	for c := w.live[0]; c < n; c++ { // no point to add: the shift point
		w.finish(c, shift.X, dst, a, b)
	}
	if rounds > 0 {
		ifma.Prefetch(w.at[:w.live[0]])
	}
	for r := 0; r < rounds; r++ {
		m := w.live[r]
		var next []uintptr
		if r+1 < rounds {
			next = w.at[(r+1)*n : (r+1)*n+w.live[r+1]]
		}
		w.lanes.Add(w.at[r*n:r*n+m], w.neg[r*n:r*n+m], w.failed[:m], next)
		for c := w.live[r+1]; c < m; c++ {
			w.finish(c, w.lanes.X(c), dst, a, b)
		}
	}
}

// finish writes the hash of the lane at position c, whose sum has x
// coordinate x.
func (w *batchWork) finish(c int, x fp.Element, dst, a, b []felt.Felt) {
	j := w.order[c]
	if w.failed[c] {
		dst[j] = Pedersen(a[j], b[j])
		return
	}
	dst[j] = felt.Felt(x)
}
