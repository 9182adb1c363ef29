//go:build !purego

package hash

import (
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
	"github.com/consensys/gnark-crypto/utils/cpu"

	"github.com/kairo-dev/kairo/vm/felt/fmul"
)

// poseidonADX selects the assembly rounds (fmul.PoseidonPartialRounds and
// fmul.PoseidonFullRounds). It is set once from the processor's features
// (ADX and BMI2); the tests turn it off to run the Go rounds.
var poseidonADX = cpu.SupportADX

// poseidonAsm reports whether this build has the assembly rounds.
const poseidonAsm = true

// partialRounds runs the 83 partial rounds (see partialRoundsGeneric).
func partialRounds(s *[3]fp.Element, k *poseidonConstants) {
	if poseidonADX {
		fmul.PoseidonPartialRounds(s, &k.partialBiased)
		return
	}
	partialRoundsGeneric(s, k)
}

// fullRounds runs four full rounds (see fullRoundsGeneric).
func fullRounds(s *[3]fp.Element, c *[poseidonFullRounds / 2][3]fp.Element) {
	if poseidonADX {
		fmul.PoseidonFullRounds(s, c)
		return
	}
	fullRoundsGeneric(s, c)
}
