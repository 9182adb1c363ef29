package state

import (
	"math/big"
	"strings"
)

// mustBig parses what felt.FromString accepted, without reduction, so that
// a value of P or more is told apart from its residue.
func mustBig(s string) *big.Int {
	t := strings.TrimSpace(s)
	v := new(big.Int)
	if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
		v.SetString(t[2:], 16)
	} else {
		v.SetString(t, 10)
	}
	return v
}
