package ifma

import (
	"unsafe"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
)

// The workspace regions, as ifma.h numbers them.
const (
	regionX    = 0 // and 2: the accumulators' x, by cur
	regionY    = 1 // and 3
	regionTree = 6
	regionInv  = 7
	regions    = 8
)

// Lanes holds up to n affine sums (lanes) and the scratch space of their
// additions.
type Lanes struct {
	n, stride int
	ws        []uint64
	cur       int // the accumulators are regions regionX+2*cur, regionY+2*cur
	invert    func(z, x *fp.Element)
	top       fp.Element // the inversion's operand (a local would escape through invert)
}

// New returns lanes for up to n sums. invert sets z = 1/x (x nonzero): one
// inversion serves a whole round.
func New(n int, invert func(z, x *fp.Element)) *Lanes {
	// the product tree over n leaves has fewer than 2n + 64 nodes
	stride := (2*n + 64 + 7) &^ 7
	return &Lanes{n: n, stride: stride, ws: make([]uint64, regions*5*stride), invert: invert}
}

func (l *Lanes) at(region, limb, lane int) *uint64 {
	return &l.ws[(region*5+limb)*l.stride+lane]
}

func (l *Lanes) get(region, lane int) [5]uint64 {
	var v [5]uint64
	for i := range v {
		v[i] = *l.at(region, i, lane)
	}
	return v
}

func (l *Lanes) set(region, lane int, v [5]uint64) {
	for i := range v {
		*l.at(region, i, lane) = v[i]
	}
}

// Start sets the sums of lanes [0, m) to p.
func (l *Lanes) Start(m int, p *starkcurve.G1Affine) {
	x, y := limbs([4]uint64(p.X)), quarter([4]uint64(p.Y))
	for c := range m {
		l.set(regionX+2*l.cur, c, x)
		l.set(regionY+2*l.cur, c, y)
	}
}

// Add adds to the sum of each lane c < len(pts) the point at address
// pts[c] (a *starkcurve.G1Affine the caller keeps alive), negated where
// neg[c]. Where the addition meets two points of equal x-coordinates,
// failed[c] is set and the lane's sum is from then on meaningless. next
// holds the points of the following round, fetched into the caches
// meanwhile. Lanes from len(pts) on are left behind for good: their sums
// are to be read (X) before this call.
func (l *Lanes) Add(pts []uintptr, neg, failed []bool, next []uintptr) {
	m := len(pts)
	if m == 0 {
		return
	}
	if m > l.n || len(neg) < m || len(failed) < m {
		panic("ifma: Add: more lanes than the workspace holds or flags than lanes")
	}
	top := up(l.ws, l.stride, l.cur, pts, neg, failed)
	e := &l.top
	*e = fp.Element(words(l.get(regionTree, top)))
	l.invert(e, e)
	e.Mul(e, &twoPow8) // the inverse with R = 2^260 from that with R = 2^256
	l.set(regionInv, top, limbs([4]uint64(*e)))
	down(l.ws, l.stride, l.cur, m, next)
	l.cur = 1 - l.cur
}

// twoPow8 is 256: a Montgomery product with it multiplies the words by 256.
var twoPow8 = fp.NewElement(256)

// X returns the x-coordinate of lane c's sum.
func (l *Lanes) X(c int) fp.Element {
	return fp.Element(words(l.get(regionX+2*l.cur, c)))
}

// Prefetch asks the processor to bring the points at pts into its caches.
func Prefetch(pts []uintptr) {
	if len(pts) > 0 {
		prefetch(pts)
	}
}

func bytesOf(b []bool) *uint8 { return (*uint8)(unsafe.Pointer(unsafe.SliceData(b))) }
