package hash

import (
	"math/bits"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
)

// Branch-free addition and subtraction modulo the Stark prime
// P = 2^251 + 17*2^192 + 1 (limbs 1, 0, 0, p3), for the hash loops.
// fp.Element's Add and Sub branch on whether a reduction is needed; on the
// uniformly distributed values of a hash that branch goes either way with
// the same odds, and every misprediction also throws away the
// multiplication the processor was overlapping with it. Here the reduction
// is selected with a mask instead. Inputs and results are fully reduced
// (< P), as fp.Element's multiplication requires.

const p3 = 0x0800000000000011 // top limb of P; the others are 1, 0, 0

// addMod sets z = x + y mod P.
func addMod(z, x, y *fp.Element) {
	s0, c := bits.Add64(x[0], y[0], 0)
	s1, c := bits.Add64(x[1], y[1], c)
	s2, c := bits.Add64(x[2], y[2], c)
	s3, _ := bits.Add64(x[3], y[3], c) // x + y < 2P < 2^253: no carry out
	t0, b := bits.Sub64(s0, 1, 0)
	t1, b := bits.Sub64(s1, 0, b)
	t2, b := bits.Sub64(s2, 0, b)
	t3, b := bits.Sub64(s3, p3, b)
	// b = 1: the sum was below P, keep it; b = 0: keep the difference.
	m := -b
	z[0] = t0 ^ (t0^s0)&m
	z[1] = t1 ^ (t1^s1)&m
	z[2] = t2 ^ (t2^s2)&m
	z[3] = t3 ^ (t3^s3)&m
}

// subMod sets z = x - y mod P.
func subMod(z, x, y *fp.Element) {
	d0, b := bits.Sub64(x[0], y[0], 0)
	d1, b := bits.Sub64(x[1], y[1], b)
	d2, b := bits.Sub64(x[2], y[2], b)
	d3, b := bits.Sub64(x[3], y[3], b)
	// b = 1: the difference wrapped around 2^256; add P back.
	m := -b
	d0, c := bits.Add64(d0, 1&m, 0)
	d1, c = bits.Add64(d1, 0, c)
	d2, c = bits.Add64(d2, 0, c)
	d3, _ = bits.Add64(d3, p3&m, c)
	z[0], z[1], z[2], z[3] = d0, d1, d2, d3
}

// Lazy reduction for sums of a few field elements: the linear layers of
// Poseidon add up to six reduced values (with multiples of P to keep
// differences non-negative) as plain 256-bit integers below 2^255 and reduce
// the result once.

// add4 returns a + b as 256-bit integers (no carry out: callers keep the
// sums below 2^256).
func add4(a0, a1, a2, a3, b0, b1, b2, b3 uint64) (uint64, uint64, uint64, uint64) {
	s0, c := bits.Add64(a0, b0, 0)
	s1, c := bits.Add64(a1, b1, c)
	s2, c := bits.Add64(a2, b2, c)
	s3, _ := bits.Add64(a3, b3, c)
	return s0, s1, s2, s3
}

// sub4 returns a - b as 256-bit integers (callers ensure a >= b).
func sub4(a0, a1, a2, a3, b0, b1, b2, b3 uint64) (uint64, uint64, uint64, uint64) {
	d0, b := bits.Sub64(a0, b0, 0)
	d1, b := bits.Sub64(a1, b1, b)
	d2, b := bits.Sub64(a2, b2, b)
	d3, _ := bits.Sub64(a3, b3, b)
	return d0, d1, d2, d3
}

// reduceLazy sets z = v mod P for v < 2^255. With k = floor(v / 2^251),
// v - k*P lies in [-k*(P - 2^251), 2^251), so one conditional addition of P
// finishes the reduction.
func reduceLazy(z *fp.Element, v0, v1, v2, v3 uint64) {
	k := v3 >> 59
	d0, b := bits.Sub64(v0, k, 0)
	d1, b := bits.Sub64(v1, 0, b)
	d2, b := bits.Sub64(v2, 0, b)
	d3, b := bits.Sub64(v3, k*p3, b)
	m := -b
	d0, c := bits.Add64(d0, 1&m, 0)
	d1, c = bits.Add64(d1, 0, c)
	d2, c = bits.Add64(d2, 0, c)
	d3, _ = bits.Add64(d3, p3&m, c)
	z[0], z[1], z[2], z[3] = d0, d1, d2, d3
}
