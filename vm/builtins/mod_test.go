package builtins

import (
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// modCircuit builds add_mod and mul_mod runners over one memory with
// p = 7 and a values table holding a = 3 (offset 0) and b = 5 (offset 4).
func modCircuit(t *testing.T) (m *memory.Memory, add, mul *Mod, values, addOffs, mulOffs memory.Relocatable) {
	t.Helper()
	add = NewMod(mustDef(t, "all_cairo", "add_mod"), true)
	mul = NewMod(mustDef(t, "all_cairo", "mul_mod"), true)
	m = memory.New()
	m.AddSegment()
	m.AddSegment()
	for _, r := range []Runner{add, mul} {
		r.InitializeSegments(m)
	}
	zero := m.AddSegment()
	for i := uint64(0); i < add.NeededAllocatedZeros(); i++ {
		set(t, m, zero.Add(i), uv(0))
	}
	add.SetAllocatedZeros(zero)
	mul.SetAllocatedZeros(zero)
	for _, r := range []Runner{add, mul} {
		r.AddValidationRules(m)
		r.AddAutoDeductionRules(m)
	}
	values, addOffs, mulOffs = m.AddSegment(), m.AddSegment(), m.AddSegment()
	set(t, m, values, uv(3))
	set(t, m, values.Add(4), uv(5))
	for i := uint64(1); i < 4; i++ {
		set(t, m, values.Add(i), uv(0))
		set(t, m, values.Add(4+i), uv(0))
	}
	writeInstance := func(r *Mod, offs memory.Relocatable, n uint64) {
		for i, v := range []uint64{7, 0, 0, 0} {
			set(t, m, r.Base().Add(uint64(i)), uv(v))
		}
		set(t, m, r.Base().Add(4), memory.RelocValue(values))
		set(t, m, r.Base().Add(5), memory.RelocValue(offs))
		if n > 0 {
			set(t, m, r.Base().Add(6), uv(n))
		}
	}
	writeInstance(add, addOffs, 1)
	writeInstance(mul, mulOffs, 0)
	return
}

func TestModFillMemory(t *testing.T) {
	m, add, mul, values, addOffs, mulOffs := modCircuit(t)
	for i, o := range []uint64{0, 4, 8} { // c = a + b
		set(t, m, addOffs.Add(uint64(i)), uv(o))
	}
	for i, o := range []uint64{8, 4, 12, 16, 4, 8} { // [12] = c * b; [16] * b = c
		set(t, m, mulOffs.Add(uint64(i)), uv(o))
	}
	err := FillMemory(m, &ModFill{Ptr: add.Base(), Runner: add, N: felt.FromUint64(1)},
		&ModFill{Ptr: mul.Base(), Runner: mul, N: felt.FromUint64(2)})
	if err != nil {
		t.Fatal(err)
	}
	for off, want := range map[uint64]uint64{8: 1, 12: 5, 16: 3} {
		if got := m.Get(values.Add(off)); got != uv(want) {
			t.Fatalf("value at %d = %s, want %d", off, got, want)
		}
	}
	// mul_mod's n and its second instance were filled.
	if got := m.Get(mul.Base().Add(6)); got != uv(2) {
		t.Fatalf("mul n = %s", got)
	}
	if got := m.Get(mul.Base().Add(7 + 5)); got != memory.RelocValue(mulOffs.Add(3)) {
		t.Fatalf("second offsets_ptr = %s", got)
	}
	env := &Env{Mem: m}
	for _, r := range []*Mod{add, mul} {
		if err := r.RunSecurityChecks(env); err != nil {
			t.Fatalf("%s: %v", r.Name(), err)
		}
	}
	pi := mustJSON(t, must(add.AirPrivateInput(env)))
	bases := m.RelocationTable()
	if !strings.HasPrefix(pi, `{"add_mod":{"instances":[{"index":0,"batch":[{"a_offset":0,"a0":"0x3","a1":"0x0","a2":"0x0","a3":"0x0","b_offset":4,"b0":"0x5",`) ||
		!strings.Contains(pi, `"c_offset":8,"c0":"0x1",`) ||
		!strings.Contains(pi, `"p0":"0x7","p1":"0x0","p2":"0x0","p3":"0x0","values_ptr":`+felt.FromUint64(bases[values.Segment]).BigInt().String()) ||
		!strings.HasSuffix(pi, `,"n":1}],"zero_value_address":`+felt.FromUint64(bases[4]).BigInt().String()+`}}`) {
		t.Fatalf("private input %s", pi)
	}
	marked := map[memory.Relocatable]bool{}
	if err := mul.MemoryAccesses(env, func(a memory.Relocatable) { marked[a] = true }); err != nil {
		t.Fatal(err)
	}
	if !marked[values.Add(19)] || !marked[mulOffs.Add(5)] || !marked[mul.Base().Add(13)] || marked[values.Add(20)] {
		t.Fatalf("memory accesses %v", marked)
	}
}

func TestModSecurityErrors(t *testing.T) {
	m, add, _, values, addOffs, _ := modCircuit(t)
	for i, o := range []uint64{0, 4, 8} {
		set(t, m, addOffs.Add(uint64(i)), uv(o))
	}
	set(t, m, values.Add(8), uv(2))
	for i := uint64(1); i < 4; i++ {
		set(t, m, values.Add(8+i), uv(0))
	}
	err := add.RunSecurityChecks(&Env{Mem: m})
	wantErr(t, err, "add_mod builtin: Expected a <built-in function add> b == c (mod p). Got: instance=0, batch=0, "+
		"inputs={'values_ptr': RelocatableValue(segment_index=5, offset=0), 'offsets_ptr': RelocatableValue(segment_index=6, offset=0), 'n': 1, 'p': 7, 'p0': 7, 'p1': 0, 'p2': 0, 'p3': 0}, "+
		"values={'a_offset': 0, 'a': 3, 'a0': 3, 'a1': 0, 'a2': 0, 'a3': 0, 'b_offset': 4, 'b': 5, 'b0': 5, 'b1': 0, 'b2': 0, 'b3': 0, 'c_offset': 8, 'c': 2, 'c0': 2, 'c1': 0, 'c2': 0, 'c3': 0}.")

	m2, add2, mul2, _, addOffs2, _ := modCircuit(t)
	for i, o := range []uint64{0, 8, 12} { // b and c unknown
		set(t, m2, addOffs2.Add(uint64(i)), uv(o))
	}
	wantErr(t, FillMemory(m2, &ModFill{Ptr: add2.Base(), Runner: add2, N: felt.FromUint64(1)}, nil),
		"Could not fill the values table, add_mod_index=0, mul_mod_index=0")
	wantErr(t, FillMemory(m2, &ModFill{Ptr: add2.Base(), Runner: add2, N: felt.FromUint64(MaxModN + 1)}, nil),
		"add_mod builtin: n must be <= 100000")
	wantErr(t, FillMemory(m2, nil, nil), "At least one of add_mod and mul_mod must be given.")
	set(t, m2, mul2.Base().Add(7+4), uv(1))
	wantErr(t, mul2.RunSecurityChecks(&Env{Mem: m2}), "Missing memory cells for mul_mod.")
	if mul2.NeededAllocatedZeros() != 4 {
		t.Fatal("zeros")
	}
}

func TestMulModInverseFailure(t *testing.T) {
	m, _, mul, values, _, mulOffs := modCircuit(t)
	// p = 7 divides nothing here; use b = 0 so that a * 0 = c has no
	// solution: the gate gets a nullifier and n stops there.
	set(t, m, values.Add(12), uv(0))
	set(t, m, values.Add(8), uv(1))
	for i := uint64(1); i < 4; i++ {
		set(t, m, values.Add(12+i), uv(0))
		set(t, m, values.Add(8+i), uv(0))
	}
	for i, o := range []uint64{16, 12, 8} {
		set(t, m, mulOffs.Add(uint64(i)), uv(o))
	}
	if err := FillMemory(m, nil, &ModFill{Ptr: mul.Base(), Runner: mul, N: felt.FromUint64(1)}); err != nil {
		t.Fatal(err)
	}
	if got := m.Get(values.Add(16)); got != uv(1) {
		t.Fatalf("nullifier %s, want 1 (7 / gcd(0, 7))", got)
	}
	if got := m.Get(mul.Base().Add(6)); got != uv(0) {
		t.Fatalf("n = %s, want 0", got)
	}
}
