package hints

import (
	"fmt"
	"math/big"

	"github.com/kairo-dev/kairo/vm/memory"
)

// signatureAdder is what the signature hint needs from the ecdsa builtin
// runner: ecdsa_builtin.add_signature(addr, (r, s)).
type signatureAdder interface {
	AddSignature(addr memory.Value, r, s *big.Int) error
}

// signatureHints are the hints of starkware.cairo.common.signature.
func signatureHints() map[string]Func {
	return map[string]Func{
		"ecdsa_builtin.add_signature(ids.ecdsa_ptr.address_, (ids.signature_r, ids.signature_s))": hintAddSignature,
	}
}

func hintAddSignature(c *Context) error {
	b, ok := c.Builtin("ecdsa")
	if !ok {
		return fmt.Errorf("name 'ecdsa_builtin' is not defined")
	}
	adder, ok := b.(signatureAdder)
	if !ok {
		return fmt.Errorf("the ecdsa builtin runner (%T) cannot register signatures", b)
	}
	addr, err := c.Value("ecdsa_ptr")
	if err != nil {
		return err
	}
	r, err := pyInt(c, "signature_r")
	if err != nil {
		return err
	}
	s, err := pyInt(c, "signature_s")
	if err != nil {
		return err
	}
	return adder.AddSignature(addr, r, s)
}
