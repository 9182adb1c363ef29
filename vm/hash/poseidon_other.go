//go:build purego || !amd64

package hash

import "github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

// poseidonADX exists for the tests, which flip it on every build; there is
// no assembly in this one.
var poseidonADX = false

// poseidonAsm reports whether this build has the assembly rounds.
const poseidonAsm = false

// partialRounds runs the 83 partial rounds (see partialRoundsGeneric).
func partialRounds(s *[3]fp.Element, k *poseidonConstants) { partialRoundsGeneric(s, k) }

// fullRounds runs four full rounds (see fullRoundsGeneric).
func fullRounds(s *[3]fp.Element, c *[poseidonFullRounds / 2][3]fp.Element) { fullRoundsGeneric(s, c) }
