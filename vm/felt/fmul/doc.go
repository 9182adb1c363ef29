// Package fmul is Montgomery multiplication specialised to the Stark prime
// P = 2^251 + 17*2^192 + 1, on gnark-crypto's stark-curve fp.Element.
//
// Mul, Square and Cube return exactly what fp.Element's Mul and Square
// return (Montgomery form with R = 2^256, fully reduced below P) for inputs
// below P, and accept aliased arguments. On amd64 with ADX and BMI2 they run
// assembly that uses the shape of P: P = 1 mod 2^64, so the Montgomery
// factor -P^-1 mod 2^64 is 2^64-1, the quotient of the whole reduction
// follows from the low half of the product by complementing its words, and
// multiplying a quotient digit by P costs one 64x64 multiplication (by the
// top limb 0x0800000000000011) instead of four. Cube keeps x^2 in
// registers between its two products and leaves it partially reduced
// (below 2P, which a Montgomery product accepts because 4P < 2^256).
// Without ADX or BMI2 the assembly jumps to fp.Element's arithmetic; with
// the purego build tag, and off amd64, the functions are fp.Element's
// arithmetic.
//
// On amd64 the package also holds the Poseidon permutation's rounds
// (PoseidonPartialRounds, PoseidonFullRounds), built from the same
// assembly macros (mont_amd64.h); vm/hash calls them when the processor
// has ADX and BMI2 and runs its Go rounds otherwise.
//
// See docs/field-arithmetic.md for the derivation and measurements.
package fmul
