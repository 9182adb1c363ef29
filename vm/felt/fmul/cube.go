package fmul

import "github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

// cubeGeneric sets z = x^3 with fp.Element's arithmetic.
func cubeGeneric(z, x *fp.Element) {
	var t fp.Element
	t.Square(x)
	z.Mul(&t, x)
}
