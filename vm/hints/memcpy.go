package hints

import (
	"fmt"
	"math/big"
)

// memcpyHints are the hints of starkware.cairo.common.memcpy.
func memcpyHints() map[string]Func {
	return map[string]Func{
		"vm_enter_scope({'n': ids.len})":                   enterCountdownScope("len"),
		"n -= 1\nids.continue_copying = 1 if n > 0 else 0": countdownStep("continue_copying"),
	}
}

// memsetHints are the hints of starkware.cairo.common.memset.
func memsetHints() map[string]Func {
	return map[string]Func{
		"vm_enter_scope({'n': ids.n})":                  enterCountdownScope("n"),
		"n -= 1\nids.continue_loop = 1 if n > 0 else 0": countdownStep("continue_loop"),
	}
}

// scopeHints are the standalone scope hints that library functions end
// (or start) their loops with.
func scopeHints() map[string]Func {
	return map[string]Func{
		"vm_enter_scope()": func(c *Context) error {
			c.EnterScope(nil)
			return nil
		},
		"vm_exit_scope()": func(c *Context) error { return c.ExitScope() },
	}
}

// enterCountdownScope is vm_enter_scope({'n': ids.<name>}): a new scope
// whose n counts the loop iterations left.
func enterCountdownScope(name string) Func {
	return func(c *Context) error {
		n, err := pyInt(c, name)
		if err != nil {
			return err
		}
		c.EnterScope(Scope{"n": n})
		return nil
	}
}

// countdownStep is "n -= 1; ids.<flag> = 1 if n > 0 else 0". The scope's
// n is a *big.Int owned by the scope and decremented in place.
func countdownStep(flag string) Func {
	return func(c *Context) error {
		v, err := c.Get("n")
		if err != nil {
			return err
		}
		n, ok := v.(*big.Int)
		if !ok {
			m, isInt := pyScopeInt(v)
			if !isInt {
				return fmt.Errorf("unsupported operand type for -=: %T and int", v)
			}
			n = new(big.Int).Set(m)
			c.Set("n", n)
		}
		n.Sub(n, bigOne)
		return pySetBool(c, flag, n.Sign() > 0)
	}
}
