//go:build !purego

package fmul

import (
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
	"github.com/consensys/gnark-crypto/utils/cpu"
)

// useADX selects the assembly. It is set once from the processor's
// features; tests turn it off to exercise the fallback.
var useADX = cpu.SupportADX

//go:noescape
func mulADX(z, x, y *fp.Element)

//go:noescape
func squareADX(z, x *fp.Element)

//go:noescape
func cubeADX(z, x *fp.Element)

// Mul sets z = x * y mod P. x and y must be below P; z may alias either.
func Mul(z, x, y *fp.Element) {
	if useADX {
		mulADX(z, x, y)
		return
	}
	z.Mul(x, y)
}

// Square sets z = x^2 mod P. x must be below P; z may alias it.
func Square(z, x *fp.Element) {
	if useADX {
		squareADX(z, x)
		return
	}
	z.Square(x)
}

// Cube sets z = x^3 mod P. x must be below P; z may alias it.
func Cube(z, x *fp.Element) {
	if useADX {
		cubeADX(z, x)
		return
	}
	cubeGeneric(z, x)
}
