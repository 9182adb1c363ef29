package hints

import (
	"math/big"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// TestCountdownLoops runs the memcpy and memset loop protocol: enter a
// scope with n = ids.len, decrement it once per iteration writing the
// continue flag at [ap], then leave the scope.
func TestCountdownLoops(t *testing.T) {
	for _, tc := range []struct {
		name, enter, step, lenName, flag string
		n                                int
	}{
		{"memcpy", "vm_enter_scope({'n': ids.len})", "n -= 1\nids.continue_copying = 1 if n > 0 else 0", "len", "continue_copying", 4},
		{"memcpy one", "vm_enter_scope({'n': ids.len})", "n -= 1\nids.continue_copying = 1 if n > 0 else 0", "len", "continue_copying", 1},
		{"memset", "vm_enter_scope({'n': ids.n})", "n -= 1\nids.continue_loop = 1 if n > 0 else 0", "n", "continue_loop", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newHintEnv(t, map[string]string{tc.lenName: feltRef(-3), tc.flag: "[cast(ap + 0, felt*)]"}, nil, nil)
			e.setFP(-3, uint64(tc.n))
			if err := e.run(tc.enter); err != nil {
				t.Fatal(err)
			}
			if len(e.RT.Scopes) != 2 {
				t.Fatalf("%d scopes after enter, want 2", len(e.RT.Scopes))
			}
			for i := 1; i <= tc.n; i++ {
				if err := e.run(tc.step); err != nil {
					t.Fatal(err)
				}
				want := uint64(0)
				if i < tc.n {
					want = 1
				}
				if got := e.Mem.Get(e.VM.AP); got != memory.Uint64Value(want) {
					t.Fatalf("iteration %d: %s = %v, want %d", i, tc.flag, got, want)
				}
				e.VM.AP = e.VM.AP.Add(3)
			}
			if err := e.run("vm_exit_scope()"); err != nil {
				t.Fatal(err)
			}
			if len(e.RT.Scopes) != 1 {
				t.Fatalf("%d scopes after exit, want 1", len(e.RT.Scopes))
			}
		})
	}
}

func TestScopeHints(t *testing.T) {
	e := newHintEnv(t, nil, nil, nil)
	if err := e.run("vm_exit_scope()"); err == nil {
		t.Fatal("exiting the main scope succeeded")
	}
	e.RT.Scopes[0]["outer"] = 1
	if err := e.run("vm_enter_scope()"); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.RT.Scopes[1]["outer"]; ok || len(e.RT.Scopes) != 2 {
		t.Fatalf("new scope is not empty: %v", e.RT.Scopes)
	}
	if err := e.run("vm_exit_scope()"); err != nil {
		t.Fatal(err)
	}
}

func TestCountdownErrors(t *testing.T) {
	e := newHintEnv(t, map[string]string{"len": feltRef(-3), "continue_copying": "[cast(ap + 0, felt*)]"}, nil, nil)
	if err := e.run("n -= 1\nids.continue_copying = 1 if n > 0 else 0"); err == nil || !strings.Contains(err.Error(), "name 'n' is not defined") {
		t.Fatalf("step without a scope: %v", err)
	}
	e.setFPValue(-3, memory.RelocValue(memory.Relocatable{Segment: 1, Offset: 0}))
	if err := e.run("vm_enter_scope({'n': ids.len})"); err == nil {
		t.Fatal("an address as the length was accepted")
	}
	e.RT.Scopes[0]["n"] = "three"
	if err := e.run("n -= 1\nids.continue_copying = 1 if n > 0 else 0"); err == nil {
		t.Fatal("a non-integer n was accepted")
	}
	// An int n set by other code is converted, not aliased.
	e.RT.Scopes[0]["n"] = 2
	if err := e.run("n -= 1\nids.continue_copying = 1 if n > 0 else 0"); err != nil {
		t.Fatal(err)
	}
	if n, ok := e.RT.Scopes[0]["n"].(*big.Int); !ok || n.Int64() != 1 {
		t.Fatalf("n = %v", e.RT.Scopes[0]["n"])
	}
	if got := e.Mem.Get(e.VM.AP); got != memory.FeltValue(felt.One) {
		t.Fatalf("continue_copying = %v", got)
	}
}
