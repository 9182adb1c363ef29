package fmul

import "github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

// The generic versions call fp.Element's arithmetic. They are the whole
// implementation without amd64 assembly, and the assembly jumps to them
// when the processor lacks ADX or BMI2.

// mulGeneric sets z = x * y.
func mulGeneric(z, x, y *fp.Element) { z.Mul(x, y) }

// squareGeneric sets z = x^2.
func squareGeneric(z, x *fp.Element) { z.Square(x) }

// cubeGeneric sets z = x^3.
func cubeGeneric(z, x *fp.Element) {
	var t fp.Element
	t.Square(x)
	z.Mul(&t, x)
}
