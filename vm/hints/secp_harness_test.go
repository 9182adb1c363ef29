package hints

import (
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/program"
)

// secpSlots is where each ids name of the elliptic-curve and big-integer
// hint tests lives, as an offset from fp. Names that hints spell
// differently for the same role (point/pt/point0/pt0) share a slot.
var secpSlots = map[string]int{
	"point": 0, "pt": 0, "point0": 0, "pt0": 0, "point1": 6, "pt1": 6,
	"slope": 12, "res": 15, "val": 18, "q": 21, "x": 22, "a": 28, "b": 34,
	"s": 40, "n": 43, "m": 46, "y": 49, "P": 52, "p": 55, "div": 58,
	"quotient": 61, "remainder": 67, "generator": 70, "sqrt_x": 73,
	"sqrt_gx": 76, "success_x": 79, "success_gx": 80, "root": 81, "low": 84,
	"high": 85, "carry_d0": 86, "carry_d1": 87, "carry_d2": 88, "flag": 89,
	"x_cube": 90, "v": 93, "is_on_curve": 94, "scalar": 95,
	"first_nibble": 97, "last_nibble": 98, "b_inverse_mod_p": 99,
	"x_inverse_mod_p": 102, "xx": 104, "carry_low": 106, "value": 107, "len": 108,
}

// secpStructs are the structs the tests use, by name: member names in
// offset order (all felts).
var secpStructs = map[string][]string{
	"BigInt3": {"d0", "d1", "d2"},
	"BigInt5": {"d0", "d1", "d2", "d3", "d4"},
	"Uint256": {"low", "high"},
	"Uint384": {"d0", "d1", "d2"},
	"Uint512": {"d0", "d1", "d2", "d3"},
	"Uint768": {"d0", "d1", "d2", "d3", "d4", "d5"},
	// StarkPoint is starkware.cairo.common.ec_point.EcPoint.
	"StarkPoint": {"x", "y"},
}

type secpEnv struct {
	*hintEnv
	t *testing.T
}

// newSecpEnv declares ids names of the given types ("felt", a struct of
// secpStructs, or "EcPoint") at their secpSlots, with the constants BASE,
// SHIFT, BETA and UPPER_BOUND.
func newSecpEnv(t *testing.T, types map[string]string) *secpEnv {
	t.Helper()
	refs := map[string]string{}
	for name, ty := range types {
		off, ok := secpSlots[name]
		if !ok {
			t.Fatalf("no slot for %s", name)
		}
		if !strings.HasPrefix(ty, "felt") {
			ty = "__main__." + ty
		}
		refs[name] = "[cast(fp + " + strconv.Itoa(off) + ", " + ty + "*)]"
	}
	consts := map[string]string{
		"BASE":        new(big.Int).Lsh(big.NewInt(1), 86).String(),
		"SHIFT":       new(big.Int).Lsh(big.NewInt(1), 128).String(),
		"BETA":        "7",
		"UPPER_BOUND": new(big.Int).Lsh(big.NewInt(1), 165).String(),
	}
	structs := map[string]map[string]int{}
	for name, members := range secpStructs {
		structs[name] = map[string]int{}
		for i, m := range members {
			structs[name][m] = i
		}
	}
	e := newHintEnv(t, refs, consts, structs)
	size := 6
	e.Prog.Identifiers["__main__.EcPoint"] = &program.Identifier{
		Type: "struct", FullName: "__main__.EcPoint", Size: &size,
		Members: map[string]program.Member{
			"x": {CairoType: "__main__.BigInt3", Offset: 0},
			"y": {CairoType: "__main__.BigInt3", Offset: 3},
		},
	}
	return &secpEnv{hintEnv: e, t: t}
}

func (e *secpEnv) addr(name string, i int) memory.Relocatable {
	return e.VM.FP.Add(uint64(secpSlots[name] + i))
}

// set writes integers (reduced modulo P) to consecutive cells of name.
func (e *secpEnv) set(name string, vals ...*big.Int) {
	e.t.Helper()
	for i, v := range vals {
		if err := e.Mem.Set(e.addr(name, i), memory.FeltValue(felt.FromBigInt(v))); err != nil {
			e.t.Fatal(err)
		}
	}
}

// setBigInt3 writes the canonical base-2**86 limbs of v.
func (e *secpEnv) setBigInt3(name string, v *big.Int) {
	e.t.Helper()
	e.set(name, secpTestSplit(v, 86, 3)...)
}

// setPoint writes an EcPoint.
func (e *secpEnv) setPoint(name string, x, y *big.Int) {
	e.t.Helper()
	e.set(name, append(secpTestSplit(x, 86, 3), secpTestSplit(y, 86, 3)...)...)
}

// get reads cell i of name as an integer in [0, P).
func (e *secpEnv) get(name string, i int) *big.Int {
	e.t.Helper()
	v := e.Mem.Get(e.addr(name, i))
	if !v.IsFelt() {
		e.t.Fatalf("%s[%d] = %v, want a felt", name, i, v)
	}
	return v.Felt().BigInt()
}

// getLimbs packs n cells of name with the given bit shift.
func (e *secpEnv) getLimbs(name string, n int, shift uint) *big.Int {
	e.t.Helper()
	r := new(big.Int)
	for i := n - 1; i >= 0; i-- {
		r.Lsh(r, shift).Add(r, e.get(name, i))
	}
	return r
}

// scope reads an integer scope variable.
func (e *secpEnv) scope(name string) *big.Int {
	e.t.Helper()
	v, ok := e.RT.Scopes[len(e.RT.Scopes)-1][name]
	if !ok {
		e.t.Fatalf("scope variable %s not set", name)
	}
	b, ok := v.(*big.Int)
	if !ok {
		e.t.Fatalf("scope variable %s = %T, want *big.Int", name, v)
	}
	return b
}

func (e *secpEnv) setScope(kv map[string]any) {
	for k, v := range kv {
		e.RT.Scopes[len(e.RT.Scopes)-1][k] = v
	}
}

// mustRun runs a hint and fails the test on error.
func (e *secpEnv) mustRun(code string) {
	e.t.Helper()
	if err := e.run(code); err != nil {
		e.t.Fatalf("%v\nhint:\n%s", err, code)
	}
}

// secpTestSplit splits a nonnegative v into n limbs of shift bits.
func secpTestSplit(v *big.Int, shift uint, n int) []*big.Int {
	out := make([]*big.Int, n)
	r := new(big.Int).Set(v)
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), shift), big.NewInt(1))
	for i := range out {
		out[i] = new(big.Int).And(r, mask)
		r.Rsh(r, shift)
	}
	return out
}

// secpCode returns the one code of a module's hints that contains every
// fragment.
func secpCode(t *testing.T, hints func() map[string]Func, fragments ...string) string {
	t.Helper()
	var found []string
	for code := range hints() {
		ok := true
		for _, f := range fragments {
			if !strings.Contains(code, f) {
				ok = false
				break
			}
		}
		if ok {
			found = append(found, code)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d hints contain %q", len(found), fragments)
	}
	return found[0]
}

func bigHex(s string) *big.Int {
	v, ok := new(big.Int).SetString(strings.TrimPrefix(s, "0x"), 16)
	if !ok {
		panic("bad hex " + s)
	}
	return v
}

func bigDecimal(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("bad decimal " + s)
	}
	return v
}

// TestSecpWhitelistCovered checks that every hint of the elliptic-curve and
// big-integer whitelists (cairo_secp, vrf, 384_bit_prime_field,
// ec_recover, ec_bigint) is registered. The common math hints these
// whitelists repeat (also in 0.6.0.json) belong to the math module.
func TestSecpWhitelistCovered(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "vectors", "cairo0-hint-whitelist.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("whitelist not available: %v", err)
	}
	var wl struct {
		Hints []struct {
			Code       string   `json:"code"`
			Whitelists []string `json:"whitelists"`
		} `json:"hints"`
	}
	if err := json.Unmarshal(data, &wl); err != nil {
		t.Fatal(err)
	}
	groups := map[string]bool{"cairo_secp.json": true, "vrf.json": true, "384_bit_prime_field.json": true, "ec_recover.json": true, "ec_bigint.json": true}
	reg := Registry()
	n := 0
	for _, h := range wl.Hints {
		mine, common := false, false
		for _, w := range h.Whitelists {
			mine = mine || groups[w]
			common = common || w == "0.6.0.json"
		}
		if !mine || common {
			continue
		}
		n++
		if _, ok := reg[NormalizeCode(h.Code)]; !ok {
			t.Errorf("not registered:\n%s", h.Code)
		}
	}
	if n < 60 {
		t.Fatalf("only %d hints in the groups", n)
	}
}

// setAt writes an integer (reduced modulo P) at an address.
func (e *secpEnv) setAt(a memory.Relocatable, v *big.Int) {
	e.t.Helper()
	if err := e.Mem.Set(a, memory.FeltValue(felt.FromBigInt(v))); err != nil {
		e.t.Fatal(err)
	}
}

func TestValueTypeOfStructMembers(t *testing.T) {
	e := newSecpEnv(t, map[string]string{"point": "EcPoint", "q": "felt"})
	e.setPoint("point", big.NewInt(1), big.NewInt(2))
	e.set("q", big.NewInt(9))
	c := &Context{VM: e.VM, rt: e.RT, hint: &e.hint}
	for _, tt := range []struct {
		name string
		typ  string
		addr int
	}{{"point", "__main__.EcPoint*", 0}, {"point.y", "__main__.BigInt3*", 3}} {
		v, ty, err := c.valueType(tt.name)
		if err != nil || ty.String() != tt.typ || !v.IsReloc() || v.Reloc() != e.addr("point", tt.addr) {
			t.Errorf("valueType(%s) = %v, %s, %v", tt.name, v, ty, err)
		}
	}
	v, ty, err := c.valueType("point.y.d0")
	if err != nil || ty.String() != "felt" || v.Felt().BigInt().Int64() != 2 {
		t.Errorf("valueType(point.y.d0) = %v, %s, %v", v, ty, err)
	}
	if _, err := secpLimbs(c, "q", u384Limbs3); err == nil {
		t.Error("limbs of a felt accepted")
	}
}
