package builtins

import (
	"strings"
	"testing"
)

func names(rs []Runner) string {
	var out []string
	for _, r := range rs {
		n := r.Name()
		if !r.Included() {
			n += "(excluded)"
		}
		out = append(out, n)
	}
	return strings.Join(out, ",")
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		want    string
		wantErr string
	}{
		{"exec uses program builtins in layout order", Config{Layout: mustLayout(t, "small"),
			ProgramBuiltins: []string{"output", "pedersen", "range_check"}}, "output,pedersen,range_check", ""},
		{"proof mode adds the layout's others", Config{Layout: mustLayout(t, "small"),
			ProgramBuiltins: []string{"output", "range_check"}, ProofMode: true},
			"output,pedersen(excluded),range_check,ecdsa(excluded)", ""},
		{"plain with no builtins", Config{Layout: mustLayout(t, "plain")}, "", ""},
		{"missing from layout", Config{Layout: mustLayout(t, "small"),
			ProgramBuiltins: []string{"output", "bitwise"}}, "", `Builtins {'bitwise'} are not present in layout "small"`},
		{"several missing", Config{Layout: mustLayout(t, "plain"),
			ProgramBuiltins: []string{"output", "range_check"}}, "", `Builtins {'output', 'range_check'} are not present in layout "plain"`},
		{"allow missing", Config{Layout: mustLayout(t, "small"), AllowMissingBuiltins: true,
			ProgramBuiltins: []string{"output", "bitwise"}}, "output", ""},
		{"wrong order", Config{Layout: mustLayout(t, "small"),
			ProgramBuiltins: []string{"range_check", "output"}}, "",
			"The builtins specified by the %builtins directive must be subsequence of ['output', 'pedersen', 'range_check', 'ecdsa', 'bitwise', 'ec_op', 'keccak', 'poseidon', 'range_check96', 'add_mod', 'mul_mod']. Got ['range_check', 'output']."},
		{"duplicate", Config{Layout: mustLayout(t, "small"),
			ProgramBuiltins: []string{"output", "output"}}, "", "must be subsequence of"},
		{"unknown with allow missing", Config{Layout: mustLayout(t, "small"), AllowMissingBuiltins: true,
			ProgramBuiltins: []string{"output", "segment_arena"}}, "", "Got ['output', 'segment_arena']."},
		{"segment arena", Config{Layout: mustLayout(t, "starknet"), SegmentArena: true,
			ProgramBuiltins: []string{"pedersen", "range_check", "segment_arena"}}, "pedersen,range_check,segment_arena", ""},
		{"all_cairo proof", Config{Layout: mustLayout(t, "all_cairo"), ProofMode: true,
			ProgramBuiltins: []string{"range_check96", "add_mod", "mul_mod"}},
			"output(excluded),pedersen(excluded),range_check(excluded),ecdsa(excluded),bitwise(excluded),ec_op(excluded),keccak(excluded),poseidon(excluded),range_check96,add_mod,mul_mod", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := New(tc.cfg)
			if tc.wantErr != "" {
				wantErr(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(rs); got != tc.want {
				t.Fatalf("runners %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAllocatedInstances(t *testing.T) {
	dyn, err := DynamicLayout([]byte(validParams))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		layout  Layout
		name    string
		steps   uint64
		want    uint64
		units   uint64
		wantErr string
	}{
		{mustLayout(t, "small"), "range_check", 1024, 128, 128, ""},
		{mustLayout(t, "small"), "range_check", 4, 0, 0, "Number of steps must be at least 8 for the range_check builtin."},
		{mustLayout(t, "small"), "pedersen", 1024, 128, 384, ""},
		{mustLayout(t, "small"), "ecdsa", 256, 0, 0, "Number of steps must be at least 512 for the ecdsa builtin."},
		{mustLayout(t, "starknet_with_keccak"), "keccak", 32768, 16, 256, ""},
		{mustLayout(t, "starknet_with_keccak"), "keccak", 16384, 0, 0, "Number of steps must be at least 32768 for the keccak builtin."},
		{mustLayout(t, "all_cairo"), "add_mod", 1024, 8, 8 * 22, ""},
		{mustLayout(t, "all_cairo"), "mul_mod", 100, 0, 0, "Number of steps must be at least 256 for the mul_mod builtin."},
		{mustLayout(t, "all_cairo"), "range_check", 1000, 125, 125, ""},
		{mustLayout(t, "all_cairo"), "range_check", 1001, 0, 0, "1001 is not divisible by 8."},
		{dyn, "range_check96", 16, 64, 64, ""},
		{dyn, "add_mod", 1, 2, 44, ""},
		{dyn, "ecdsa", 1, 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.layout.Name+"/"+tc.name, func(t *testing.T) {
			def, _ := tc.layout.Builtin(tc.name)
			r, err := newRunner(&tc.layout, tc.name, true)
			if err != nil {
				t.Fatal(err)
			}
			m := setup(t, r)
			_ = def
			env := &Env{Mem: m, Steps: tc.steps}
			got, err := r.AllocatedInstances(env)
			if tc.wantErr != "" {
				wantErr(t, err, tc.wantErr)
				if !IsInsufficientAllocatedCells(err) && strings.HasPrefix(tc.wantErr, "Number") {
					t.Fatalf("%v is not InsufficientAllocatedCells", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("allocated %d (%v), want %d", got, err, tc.want)
			}
			units, err := r.AllocatedMemoryUnits(env)
			if err != nil || units != tc.units {
				t.Fatalf("memory units %d (%v), want %d", units, err, tc.units)
			}
		})
	}
}

func TestDynamicRatioAllocation(t *testing.T) {
	l := mustLayout(t, "dynamic")
	def, _ := l.Builtin("keccak")
	k := NewKeccak(*def, true)
	m := setup(t, k)
	env := &Env{Mem: m, Steps: 10}
	if n, err := k.AllocatedInstances(env); err != nil || n != 0 {
		t.Fatalf("empty: %d %v", n, err)
	}
	set(t, m, k.Base().Add(16*17), uv(0)) // instance 17 in use: 18 instances
	if n, err := k.AllocatedInstances(env); err != nil || n != 32 {
		t.Fatalf("allocated %d %v, want 32 (two components of 16)", n, err)
	}
	def2, _ := l.Builtin("bitwise")
	b := NewBitwise(*def2, true)
	m2 := setup(t, b)
	set(t, m2, b.Base().Add(5*4), uv(1)) // 5 instances
	if n, err := b.AllocatedInstances(&Env{Mem: m2}); err != nil || n != 8 {
		t.Fatalf("bitwise allocated %d %v, want 8", n, err)
	}
}

// TestBuiltinUsage reproduces the golden "Builtin usage" figure of a keccak
// program on starknet_with_keccak: 16 cells of 256, 6.25%.
func TestBuiltinUsage(t *testing.T) {
	k := NewKeccak(mustDef(t, "starknet_with_keccak", "keccak"), true)
	m := setup(t, k)
	for i := uint64(0); i < 16; i++ {
		set(t, m, k.Base().Add(i), uv(i))
	}
	used, size, err := k.UsedCellsAndAllocatedSize(&Env{Mem: m, Steps: 32768})
	if err != nil || used != 16 || size != 256 {
		t.Fatalf("used %d size %d err %v", used, size, err)
	}
	rc := NewRangeCheck(mustDef(t, "small", "range_check"), true)
	m = setup(t, rc)
	for i := uint64(0); i < 9; i++ {
		set(t, m, rc.Base().Add(i), uv(i))
	}
	_, _, err = rc.UsedCellsAndAllocatedSize(&Env{Mem: m, Steps: 64})
	wantErr(t, err, "The range_check builtin used 9 cells but the capacity is 8.")
	if !IsInsufficientAllocatedCells(err) {
		t.Fatal("capacity error is not InsufficientAllocatedCells")
	}
	if err := rc.FinalizeSegments(&Env{Mem: m, Steps: 128}); err != nil {
		t.Fatal(err)
	}
	if s := m.Size(rc.Base().Segment); s != 16 {
		t.Fatalf("finalized size %d, want 16", s)
	}
	if n, err := rc.UsedPermRangeCheckUnits(&Env{Mem: m, Steps: 128}); err != nil || n != 72 {
		t.Fatalf("perm range-check units %d %v, want 72", n, err)
	}
}
