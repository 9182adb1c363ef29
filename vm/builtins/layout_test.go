package builtins

import (
	"reflect"
	"strings"
	"testing"
)

func TestLayouts(t *testing.T) {
	type ratio struct {
		name  string
		ratio uint64
	}
	tests := []struct {
		name       string
		rcUnits    uint64
		pubFrac    uint64
		dilutedLog int64 // -100: no diluted pool
		builtins   []ratio
	}{
		{"plain", 16, 4, -100, nil},
		{"small", 16, 4, -100, []ratio{{"output", 0}, {"pedersen", 8}, {"range_check", 8}, {"ecdsa", 512}}},
		{"dex", 4, 4, -100, []ratio{{"output", 0}, {"pedersen", 8}, {"range_check", 8}, {"ecdsa", 512}}},
		{"recursive", 4, 8, 4, []ratio{{"output", 0}, {"pedersen", 128}, {"range_check", 8}, {"bitwise", 8}}},
		{"starknet", 4, 4, 1, []ratio{{"output", 0}, {"pedersen", 32}, {"range_check", 16}, {"ecdsa", 2048},
			{"bitwise", 64}, {"ec_op", 1024}, {"poseidon", 32}}},
		{"starknet_with_keccak", 4, 4, 4, []ratio{{"output", 0}, {"pedersen", 32}, {"range_check", 16},
			{"ecdsa", 2048}, {"bitwise", 64}, {"ec_op", 1024}, {"keccak", 2048}, {"poseidon", 32}}},
		{"recursive_large_output", 4, 8, 4, []ratio{{"output", 0}, {"pedersen", 128}, {"range_check", 8},
			{"bitwise", 8}, {"poseidon", 8}}},
		{"recursive_with_poseidon", 4, 8, 3, []ratio{{"output", 0}, {"pedersen", 256}, {"range_check", 16},
			{"bitwise", 16}, {"poseidon", 64}}},
		{"all_solidity", 8, 8, 4, []ratio{{"output", 0}, {"pedersen", 8}, {"range_check", 8}, {"ecdsa", 512},
			{"bitwise", 256}, {"ec_op", 256}}},
		{"all_cairo", 8, 8, 4, []ratio{{"output", 0}, {"pedersen", 256}, {"range_check", 8}, {"ecdsa", 2048},
			{"bitwise", 16}, {"ec_op", 1024}, {"keccak", 2048}, {"poseidon", 256}, {"range_check96", 8},
			{"add_mod", 128}, {"mul_mod", 256}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := mustLayout(t, tc.name)
			if l.Name != tc.name || l.RCUnits != tc.rcUnits || l.PublicMemoryFraction != tc.pubFrac ||
				l.CPUComponentStep != 1 || l.MemoryUnitsPerStep != 8 {
				t.Fatalf("layout %+v", l)
			}
			if tc.dilutedLog == -100 {
				if l.Diluted != nil {
					t.Fatalf("unexpected diluted pool %+v", l.Diluted)
				}
			} else if l.Diluted == nil || l.Diluted.LogUnitsPerStep != tc.dilutedLog || l.Diluted.Spacing != 4 || l.Diluted.NBits != 16 {
				t.Fatalf("diluted pool %+v", l.Diluted)
			}
			var got []ratio
			for _, b := range l.Builtins {
				got = append(got, ratio{b.Name, b.Ratio})
			}
			if !reflect.DeepEqual(got, tc.builtins) {
				t.Fatalf("builtins %v, want %v", got, tc.builtins)
			}
		})
	}
}

func TestLayoutSpecifics(t *testing.T) {
	small := mustLayout(t, "small")
	if p, _ := small.Builtin("pedersen"); p.Repetitions != 4 || p.InvocationHeight() != 512 {
		t.Fatalf("small pedersen %+v", p)
	}
	ac := mustLayout(t, "all_cairo")
	rc96, _ := ac.Builtin("range_check96")
	if rc96.NParts != 6 || rc96.RangeCheckUnitsPerBuiltin() != 6 {
		t.Fatalf("range_check96 %+v", rc96)
	}
	mul, _ := ac.Builtin("mul_mod")
	if got := mul.RangeCheckUnitsPerBuiltin(); got != 66 {
		t.Fatalf("mul_mod rc units %d, want 66", got)
	}
	if got := mul.MemoryCellsPerInstance(); got != 22 {
		t.Fatalf("mul_mod cells %d, want 22", got)
	}
	bw, _ := ac.Builtin("bitwise")
	if got := bw.DilutedUnitsPerBuiltin(4, 16); got != 68 {
		t.Fatalf("bitwise diluted units %d, want 68", got)
	}
	kc, _ := ac.Builtin("keccak")
	if got := kc.DilutedUnitsPerBuiltin(4, 16); got != 16384 {
		t.Fatalf("keccak diluted units %d, want 16384", got)
	}
	if got := kc.MemoryCellsPerInstance(); got != 16 {
		t.Fatalf("keccak cells %d", got)
	}
	ps, _ := ac.Builtin("poseidon")
	if got := ps.InvocationHeight(); got != 64 {
		t.Fatalf("poseidon height %d", got)
	}
	if r, err := ac.DilutedUnitsRowRatio(); err != nil || r != 1 {
		t.Fatalf("diluted row ratio %d %v", r, err)
	}
	sn := mustLayout(t, "starknet")
	if r, err := sn.DilutedUnitsRowRatio(); err != nil || r != 8 {
		t.Fatalf("starknet diluted row ratio %d %v", r, err)
	}
	// Layouts are fresh copies.
	ac.Builtins[1].Ratio = 1
	if again := mustLayout(t, "all_cairo"); again.Builtins[1].Ratio != 256 {
		t.Fatal("LayoutByName returned shared state")
	}
}

func TestLayoutByNameUnknown(t *testing.T) {
	_, err := LayoutByName("tiny")
	wantErr(t, err, `unknown layout "tiny"; valid layouts: plain, small, dex, recursive, starknet`)
	if !strings.Contains(err.Error(), "all_cairo") || !strings.Contains(err.Error(), "dynamic") {
		t.Fatalf("error does not list every layout: %v", err)
	}
	d := mustLayout(t, "dynamic")
	if !d.Unparameterized || len(d.Builtins) != 11 || !d.Builtins[1].DynamicRatio || d.PublicMemoryFraction != 8 {
		t.Fatalf("dynamic layout %+v", d)
	}
}

const validParams = `{
  "cpu_component_step": 8, "rc_units": 4, "memory_units_per_step": 8, "log_diluted_units_per_step": -2,
  "uses_pedersen_builtin": 1, "pedersen_ratio": 256,
  "uses_range_check_builtin": 1, "range_check_ratio": 8,
  "uses_ecdsa_builtin": 0, "ecdsa_ratio": 0,
  "uses_bitwise_builtin": 1, "bitwise_ratio": 16,
  "uses_ec_op_builtin": 0, "ec_op_ratio": 0,
  "uses_keccak_builtin": 0, "keccak_ratio": 0,
  "uses_poseidon_builtin": 1, "poseidon_ratio": 64,
  "uses_range_check96_builtin": 1, "range_check96_ratio": 1, "range_check96_ratio_den": 4,
  "uses_add_mod_builtin": 1, "add_mod_ratio": 1, "add_mod_ratio_den": 2,
  "uses_mul_mod_builtin": 0, "mul_mod_ratio": 0, "mul_mod_ratio_den": 1
}`

func TestDynamicLayout(t *testing.T) {
	l, err := DynamicLayout([]byte(validParams))
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "dynamic" || l.CPUComponentStep != 8 || l.RCUnits != 4 || l.MemoryUnitsPerStep != 8 ||
		l.PublicMemoryFraction != 8 || l.Diluted.LogUnitsPerStep != -2 || l.Unparameterized {
		t.Fatalf("layout %+v", l)
	}
	if got := l.BuiltinNames(); strings.Join(got, ",") != strings.Join(Names[:], ",") {
		t.Fatalf("builtins %v", got)
	}
	if r, _ := l.DilutedUnitsRowRatio(); r != 512 {
		t.Fatalf("diluted row ratio %d, want 512", r)
	}
	want := map[string][2]uint64{"pedersen": {256, 1}, "ecdsa": {0, 1}, "range_check96": {1, 4}, "add_mod": {1, 2}, "mul_mod": {0, 1}}
	for name, w := range want {
		d, _ := l.Builtin(name)
		if d.Ratio != w[0] || d.RatioDen != w[1] || d.DynamicRatio {
			t.Errorf("%s: ratio %d/%d", name, d.Ratio, d.RatioDen)
		}
	}
}

func TestParseLayoutParamsErrors(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(validParams, old, new, 1) }
	tests := []struct{ name, in, want string }{
		{"not an object", `[1]`, "expected a JSON object"},
		{"empty", ``, "unexpected EOF"},
		{"truncated", validParams[:40], "unexpected EOF"},
		{"missing", replace(`"rc_units": 4, `, ""), `missing field "rc_units"`},
		{"unknown", replace(`"rc_units": 4,`, `"rc_units": 4, "layout": 1,`), `unknown field "layout"`},
		{"duplicate", replace(`"rc_units": 4,`, `"rc_units": 4, "rc_units": 4,`), `duplicate field "rc_units"`},
		{"float", replace(`"rc_units": 4,`, `"rc_units": 4.5,`), `field "rc_units" must be an integer, found 4.5`},
		{"string", replace(`"rc_units": 4,`, `"rc_units": "4",`), `field "rc_units" must be an integer, found "4"`},
		{"bool", replace(`"rc_units": 4,`, `"rc_units": true,`), `field "rc_units" must be an integer, found true`},
		{"null", replace(`"rc_units": 4,`, `"rc_units": null,`), `found null`},
		{"huge", replace(`"rc_units": 4,`, `"rc_units": 99999999999999999999,`), `must be an integer`},
		{"trailing", validParams + `{}`, "unexpected data after the JSON object"},
		{"unused with ratio", replace(`"ecdsa_ratio": 0`, `"ecdsa_ratio": 3`), "uses_ecdsa_builtin is 0 but ecdsa_ratio is 3"},
		{"zero den", replace(`"add_mod_ratio_den": 2`, `"add_mod_ratio_den": 0`), "add_mod_ratio_den must be positive"},
		{"negative ratio", replace(`"pedersen_ratio": 256`, `"pedersen_ratio": -1`), "pedersen_ratio must not be negative"},
		{"zero step", replace(`"cpu_component_step": 8`, `"cpu_component_step": 0`), "cpu_component_step must be positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseLayoutParams([]byte(tc.in))
			wantErr(t, err, tc.want)
		})
	}
}

func FuzzParseLayoutParams(f *testing.F) {
	f.Add([]byte(validParams))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"rc_units": 1e3}`))
	f.Add([]byte(strings.Replace(validParams, "-2", "63", 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseLayoutParams(data)
		if err != nil {
			return
		}
		l, err := p.Layout()
		if err != nil {
			t.Fatalf("parsed params do not build a layout: %v", err)
		}
		if len(l.Builtins) != len(Names) {
			t.Fatalf("dynamic layout has %d builtins", len(l.Builtins))
		}
		_, _ = l.DilutedUnitsRowRatio()
	})
}
