//go:build purego || !amd64

package hash

import starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"

// prefetchPoints does nothing in this build (see prefetch_amd64.go).
func prefetchPoints([]*starkcurve.G1Affine) {}
