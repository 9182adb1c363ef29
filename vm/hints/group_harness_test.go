package hints

import (
	"math/big"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// cellCase is a table-driven hint test over fp-relative cells: refs name
// fp offsets, in sets cells before the hint, want checks cells after it
// (decimal values; "" means the cell must stay unset), and wantErr, when
// set, is a substring of the error the hint must return.
type cellCase struct {
	name    string
	code    string
	refs    map[string]string
	consts  map[string]string
	structs map[string]map[string]int
	in      map[int64]string
	want    map[int64]string
	wantErr string
	noRC    bool
	scope   Scope
	setup   func(e *hintEnv)
	check   func(t *testing.T, e *hintEnv)
}

func bigDec(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("bad decimal " + s)
	}
	return v
}

// feltRef is the reference expression of a felt at fp+off.
func feltRef(off int) string {
	return "[cast(fp + (" + itoa(off) + "), felt*)]"
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

func (e *hintEnv) setFPValue(off int64, v memory.Value) {
	e.t.Helper()
	a, err := e.VM.FP.AddInt(off)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.Mem.Set(a, v); err != nil {
		e.t.Fatal(err)
	}
}

func (e *hintEnv) setFPDec(off int64, dec string) {
	e.t.Helper()
	e.setFPValue(off, memory.FeltValue(felt.FromBigInt(bigDec(dec))))
}

// withRangeCheck gives the run a range_check builtin, so that hints see
// range_check_builtin.
func (e *hintEnv) withRangeCheck() *hintEnv {
	e.RT.Builtins = map[string]any{"range_check": struct{}{}}
	return e
}

func runCellCases(t *testing.T, cases []cellCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newHintEnv(t, tc.refs, tc.consts, tc.structs)
			if !tc.noRC {
				e.withRangeCheck()
			}
			for k, v := range tc.scope {
				e.RT.Scopes[len(e.RT.Scopes)-1][k] = v
			}
			if tc.setup != nil {
				tc.setup(e)
			}
			for off, v := range tc.in {
				e.setFPDec(off, v)
			}
			err := e.run(tc.code)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for off, want := range tc.want {
				got := e.getFP(off)
				if want == "" {
					if got.IsSet() {
						t.Fatalf("fp%+d = %v, want unset", off, got)
					}
					continue
				}
				w := memory.FeltValue(felt.FromBigInt(bigDec(want)))
				if got != w {
					t.Fatalf("fp%+d = %v, want %v", off, got, w)
				}
			}
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
}

// TestSetUnsetCells checks that hints can assign ids whose cells are not
// written yet: a felt reference and a member of a struct-typed reference.
func TestSetUnsetCells(t *testing.T) {
	e := newHintEnv(t,
		map[string]string{
			"x":    "[cast(fp + 2, felt*)]",
			"locs": "[cast(fp + 4, __main__.Locs*)]",
		}, nil,
		map[string]map[string]int{"Locs": {"bit": 0, "temp": 1}},
	)
	c := &Context{VM: e.VM, rt: e.RT, hint: &e.hint}
	if err := c.SetFelt("x", felt.FromUint64(9)); err != nil {
		t.Fatalf("ids.x = 9: %v", err)
	}
	if err := c.SetFelt("locs.temp", felt.FromUint64(5)); err != nil {
		t.Fatalf("ids.locs.temp = 5: %v", err)
	}
	if got := e.getFP(2); got != memory.Uint64Value(9) {
		t.Fatalf("fp+2 = %v, want 9", got)
	}
	if got := e.getFP(5); got != memory.Uint64Value(5) {
		t.Fatalf("fp+5 = %v, want 5", got)
	}
	if _, err := c.Felt("locs.bit"); err == nil {
		t.Fatal("reading the unset ids.locs.bit succeeded")
	}
}

// TestNoDuplicateHintCodes checks that no hint code (normalized) is
// registered by two modules: the registry would keep only one of them.
func TestNoDuplicateHintCodes(t *testing.T) {
	owner := map[string]string{}
	for _, m := range modules() {
		for code := range m.Hints() {
			n := NormalizeCode(code)
			if prev, ok := owner[n]; ok && prev != m.Name {
				t.Errorf("hint registered by both %s and %s:\n%s", prev, m.Name, code)
			}
			owner[n] = m.Name
		}
	}
}
