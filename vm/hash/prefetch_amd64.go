//go:build !purego

package hash

import starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"

// prefetchPoints asks the processor to bring the points of pts into its
// caches (PREFETCHT0 on each), without waiting for them: a batch of hashes
// reads its table points at random, and fetching a round's points while
// the previous round computes hides most of the misses.
//
//go:noescape
func prefetchPoints(pts []*starkcurve.G1Affine)
