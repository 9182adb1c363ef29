//go:build !purego

package hash

import (
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
	"github.com/consensys/gnark-crypto/utils/cpu"
)

// poseidonADX selects the assembly partial rounds. It is set once from the
// processor's features (ADX and BMI2, as vm/felt/fmul requires); the tests
// turn it off to run the Go rounds.
var poseidonADX = cpu.SupportADX

// poseidonAsm reports whether this build has the assembly partial rounds.
const poseidonAsm = true

// partialRounds runs the 83 partial rounds (see partialRoundsGeneric).
func partialRounds(s *[3]fp.Element, k *poseidonConstants) {
	if poseidonADX {
		partialRoundsADX(s, &k.partialBiased)
		return
	}
	partialRoundsGeneric(s, k)
}

// partialRoundsADX is partialRoundsGeneric in assembly: c holds the folded
// partial-round constants plus 5P - 2^251 (poseidonConstants.partialBiased).
// s must be fully reduced on entry and is on return.
//
//go:noescape
func partialRoundsADX(s *[3]fp.Element, c *[poseidonPartialRounds + 1][4]uint64)
