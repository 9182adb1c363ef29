//go:build !purego

package hash

import (
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
	"github.com/consensys/gnark-crypto/utils/cpu"
)

// poseidonADX selects the assembly rounds. It is set once from the
// processor's features (ADX and BMI2, as vm/felt/fmul requires); the tests
// turn it off to run the Go rounds.
var poseidonADX = cpu.SupportADX

// poseidonAsm reports whether this build has the assembly rounds.
const poseidonAsm = true

// partialRounds runs the 83 partial rounds (see partialRoundsGeneric).
func partialRounds(s *[3]fp.Element, k *poseidonConstants) {
	if poseidonADX {
		partialRoundsADX(s, &k.partialBiased)
		return
	}
	partialRoundsGeneric(s, k)
}

// fullRounds runs four full rounds (see fullRoundsGeneric).
func fullRounds(s *[3]fp.Element, c *[poseidonFullRounds / 2][3]fp.Element) {
	if poseidonADX {
		fullRoundsADX(s, c)
		return
	}
	fullRoundsGeneric(s, c)
}

// fullRoundsADX is fullRoundsGeneric in assembly. s must be fully reduced
// on entry and is on return.
//
//go:noescape
func fullRoundsADX(s *[3]fp.Element, c *[poseidonFullRounds / 2][3]fp.Element)

// partialRoundsADX is partialRoundsGeneric in assembly: c holds the folded
// partial-round constants plus 5P - 2^251 (poseidonConstants.partialBiased).
// s must be fully reduced on entry and is on return.
//
//go:noescape
func partialRoundsADX(s *[3]fp.Element, c *[poseidonPartialRounds + 1][4]uint64)
