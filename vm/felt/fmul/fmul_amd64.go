//go:build !purego

package fmul

import (
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
	"github.com/consensys/gnark-crypto/utils/cpu"
)

// useADX selects the assembly. It is set once from the processor's
// features; tests turn it off to exercise the fallback. The assembly reads
// it and jumps to the generic function when it is false, so that callers
// make a single call either way.
var useADX = cpu.SupportADX

// The assembly's fallbacks, referenced here too so that tools which do not
// read assembly see them used.
var (
	_ = mulGeneric
	_ = squareGeneric
	_ = cubeGeneric
)

// Mul sets z = x * y mod P. x and y must be below P; z may alias either.
//
//go:noescape
func Mul(z, x, y *fp.Element)

// Square sets z = x^2 mod P. x must be below P; z may alias it.
//
//go:noescape
func Square(z, x *fp.Element)

// Cube sets z = x^3 mod P. x must be below P; z may alias it.
//
//go:noescape
func Cube(z, x *fp.Element)

// PoseidonPartialRounds runs the 83 partial rounds of the Poseidon
// permutation (vm/hash's partialRoundsGeneric) on s: c holds the folded
// partial-round constants plus 5P - 2^251, and a zero last row. s must be
// fully reduced on entry and is on return. It needs ADX and BMI2: callers
// check cpu.SupportADX.
//
//go:noescape
func PoseidonPartialRounds(s *[3]fp.Element, c *[84][4]uint64)

// PoseidonFullRounds runs four full rounds of the Poseidon permutation
// (vm/hash's fullRoundsGeneric) on s, c[r] being the constants added after
// round r. s must be fully reduced on entry and is on return. It needs ADX
// and BMI2: callers check cpu.SupportADX.
//
//go:noescape
func PoseidonFullRounds(s *[3]fp.Element, c *[4][3]fp.Element)
