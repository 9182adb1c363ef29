package hash

import (
	"sync"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
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

// batchLane is one hash of a chunk: its affine accumulator and the points
// still to add.
type batchLane struct {
	x, y   fp.Element
	failed bool // an addition hit equal x-coordinates: hashed by Pedersen instead
}

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
	t := tables()
	t.buildAll()
	w := batchWorks.Get().(*batchWork)
	defer batchWorks.Put(w)
	for lo := 0; lo < len(dst); lo += batchChunk {
		hi := min(lo+batchChunk, len(dst))
		w.run(t, dst[lo:hi], a[lo:hi], b[lo:hi])
	}
}

// batchWorks keeps the scratch space of finished batches (about 400 KiB
// each) for the next: a block commit hashes its tries level by level in
// dozens of batches. run overwrites everything it reads.
var batchWorks = sync.Pool{New: func() any { return newBatchWork(batchChunk) }}

// batchWork is the scratch space of a chunk of up to n hashes.
type batchWork struct {
	lanes []batchLane
	// pts[j*batchSteps+s] is the s-th point lane j adds, neg[...] whether
	// it is negated; lane j adds nsteps[j] points.
	pts    []*starkcurve.G1Affine
	neg    []bool
	nsteps []uint8
	// per addition round: the adding lanes, their denominators and the
	// running products of the denominators
	idx []int32
	dx  []fp.Element
	// the product tree of the denominators and its inverses (invert)
	tree, inv fp.Vector
	levels    [][2]int
	// the operands and results of the additions of a round, as vectors
	ic, qx, qy, x, y, lambda, t fp.Vector
}

func newBatchWork(n int) *batchWork {
	return &batchWork{
		lanes:  make([]batchLane, n),
		pts:    make([]*starkcurve.G1Affine, n*batchSteps),
		neg:    make([]bool, n*batchSteps),
		nsteps: make([]uint8, n),
		idx:    make([]int32, n),
		dx:     make([]fp.Element, n),
		// the levels of a tree over n leaves hold at most 2n + log2(n)
		tree:   make(fp.Vector, 2*n+64),
		inv:    make(fp.Vector, 2*n+64),
		ic:     make(fp.Vector, n),
		qx:     make(fp.Vector, n),
		qy:     make(fp.Vector, n),
		x:      make(fp.Vector, n),
		y:      make(fp.Vector, n),
		lambda: make(fp.Vector, n),
		t:      make(fp.Vector, n),
	}
}

// invert sets ic[i] = 1/dx[i] for i < n (all non-zero) with one field
// inversion: Montgomery's trick laid out as a tree so that every
// multiplication is part of an element-wise vector product. Level 0 is
// dx; level k+1 holds the products of the two halves of level k (element
// i times element i+h), an odd last element carried up; the single
// element of the top level is inverted, and each level's inverses follow
// from the one above: 1/a = b/(ab) and 1/b = a/(ab).
func (w *batchWork) invert(n int) {
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
	top := levels[len(levels)-1]
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
	w.levels = levels
}

func (w *batchWork) run(t *pedersenTables, dst, a, b []felt.Felt) {
	n := len(dst)
	rounds := 0
	for j := 0; j < n; j++ {
		l := &w.lanes[j]
		l.x, l.y, l.failed = t.shift.X, t.shift.Y, false
		var ts [maxTerms]term
		s := t.terms(&ts, 0, 0, &a[j])
		s = t.terms(&ts, s, 1, &b[j])
		base := j * batchSteps
		for i, tm := range ts[:s] {
			w.pts[base+i], w.neg[base+i] = tm.q, tm.neg
		}
		w.nsteps[j] = uint8(s)
		rounds = max(rounds, s)
	}

	for r := 0; r < rounds; r++ {
		// Gather the lanes adding a point this round with their
		// denominators: independent loads of table points, which the
		// processor overlaps (a dependent chain would wait for each).
		cnt := 0
		for j := 0; j < n; j++ {
			l := &w.lanes[j]
			if l.failed || int(w.nsteps[j]) <= r {
				continue
			}
			q := w.pts[j*batchSteps+r]
			w.dx[cnt].Sub(&q.X, &l.x)
			w.idx[cnt] = int32(j)
			cnt++
		}
		// A zero denominator (equal x-coordinates) sends its lane to
		// Pedersen.
		k := 0
		for c := 0; c < cnt; c++ {
			if w.dx[c].IsZero() {
				w.lanes[w.idx[c]].failed = true
				continue
			}
			w.dx[k], w.idx[k] = w.dx[c], w.idx[c]
			k++
		}
		cnt = k
		if cnt == 0 {
			continue
		}
		w.invert(cnt)
		// The additions proper, as element-wise vector operations (which
		// gnark-crypto runs with AVX-512 IFMA where the processor has it):
		//	lambda = (qy - y) / dx,  x3 = lambda^2 - x - qx,
		//	y3 = lambda*(x - x3) - y.
		qx, qy, x, y := w.qx[:cnt], w.qy[:cnt], w.x[:cnt], w.y[:cnt]
		lambda, t, ic := w.lambda[:cnt], w.t[:cnt], w.ic[:cnt]
		for c := 0; c < cnt; c++ {
			j := int(w.idx[c])
			q := w.pts[j*batchSteps+r]
			qx[c] = q.X
			if w.neg[j*batchSteps+r] {
				qy[c].Neg(&q.Y)
			} else {
				qy[c] = q.Y
			}
			x[c], y[c] = w.lanes[j].x, w.lanes[j].y
		}
		t.Sub(qy, y)
		lambda.Mul(t, ic)
		qy.Mul(lambda, lambda) // lambda^2
		qy.Sub(qy, x)
		qy.Sub(qy, qx) // x3
		t.Sub(x, qy)
		qx.Mul(t, lambda)
		qx.Sub(qx, y) // y3
		for c := 0; c < cnt; c++ {
			l := &w.lanes[w.idx[c]]
			l.x, l.y = qy[c], qx[c]
		}
	}

	for j := 0; j < n; j++ {
		l := &w.lanes[j]
		if l.failed {
			dst[j] = Pedersen(a[j], b[j])
			continue
		}
		dst[j] = felt.Felt(l.x)
	}
}
