// Package ifma adds Stark-curve points in affine coordinates for many
// independent sums at once, eight lanes a vector instruction, with the
// AVX-512 IFMA multiply-add (52-bit limbs) where the processor has it and
// the build uses cgo: the rounds of hash.PedersenBatch.
//
// A field element is five 52-bit limbs in Montgomery form with R = 2^260,
// not gnark-crypto's R = 2^256. The kernels do not convert: the lanes work
// on the image of the curve under (x, y) -> (x/16, y/64), an isomorphism
// onto another short Weierstrass curve (u = 1/4 in (u^2 x, u^3 y)), under
// which the affine addition formulas are the same. The representation of
// x/16 with R = 2^260 is x*2^256 mod p: gnark-crypto's words of x, only cut
// into limbs. That of y/64 is y*2^254, a quarter of gnark-crypto's words of
// y, which is (w + k*p)/4 with k = -w mod 4 (p = 1 mod 4). A sum's x
// coordinate therefore comes out as gnark-crypto's words of the sum's x on
// the Stark curve, once reduced below p.
//
// p = 2^251 + 17*2^192 + 1 is 1 mod 2^52, so a Montgomery step's
// multiplier is -t mod 2^52, without a product, and its product with p
// four multiply-adds: 70 a field product in all. The accumulators stay
// below 2p; a difference a - b is a + 4p - b, left as it is where only a
// product uses it (below 6p, and products accept anything below 2^255)
// and folded below 2^252 with 2^251 = -(17*2^192 + 1) where it is kept.
//
// A round is two calls: the first gathers the points, forms the
// denominators and multiplies them up a product tree; the caller inverts
// its top in Go; the second comes down the tree and finishes the
// additions, in passes whose iterations are independent (one addition's
// products form a single chain, too long for the processor to overlap
// with the next lanes' otherwise).
//
// The point tables are read through their addresses (uintptr): the caller
// keeps them alive, and Go's heap does not move objects.
package ifma
