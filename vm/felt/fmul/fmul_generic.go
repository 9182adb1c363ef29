//go:build purego || !amd64

package fmul

import "github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

// useADX exists for the tests, which flip it on every architecture; there
// is no assembly in this build.
var useADX = false

// Mul sets z = x * y mod P. x and y must be below P; z may alias either.
func Mul(z, x, y *fp.Element) { mulGeneric(z, x, y) }

// Square sets z = x^2 mod P. x must be below P; z may alias it.
func Square(z, x *fp.Element) { squareGeneric(z, x) }

// Cube sets z = x^3 mod P. x must be below P; z may alias it.
func Cube(z, x *fp.Element) { cubeGeneric(z, x) }
