package program

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const minimal = `{
	"attributes": [], "builtins": ["output"], "compiler_version": "0.14.0",
	"data": ["0x40780017fff7fff", "0x1", "0x208b7fff7fff7ffe"],
	"debug_info": null, "hints": {"0": [{"accessible_scopes": ["__main__"], "code": "memory[ap] = segments.add()",
		"flow_tracking_data": {"ap_tracking": {"group": 0, "offset": 0}, "reference_ids": {}}}]},
	"identifiers": {"__main__.main": {"decorators": [], "pc": 0, "type": "function"},
		"__main__.alias": {"destination": "__main__.main", "type": "alias"}},
	"main_scope": "__main__",
	"prime": "0x800000000000011000000000000000000000000000000000000000000000001",
	"reference_manager": {"references": []}
}`

func TestParseMinimal(t *testing.T) {
	p, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Data) != 3 || len(p.Builtins) != 1 || len(p.Hints[0]) != 1 {
		t.Fatalf("parsed %+v", p)
	}
	if pc, ok := p.Main(); !ok || pc != 0 {
		t.Fatalf("main = %d, %v", pc, ok)
	}
	if pc, ok := p.LabelPC("__main__.alias"); !ok || pc != 0 {
		t.Fatalf("alias = %d, %v", pc, ok)
	}
	if _, ok := p.Start(); ok {
		t.Fatal("__start__ found in a program without it")
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty"},
		{"cairo source", "%builtins output\nfunc main{output_ptr}() {\n}", "Cairo source"},
		{"truncated", minimal[:200], "truncated"},
		{"not an object", "[1,2]", "not a JSON object"},
		{"sierra", `{"sierra_program": [], "entry_points_by_type": {}}`, "Sierra"},
		{"casm", `{"bytecode": [], "compiler_version": "2.6.0", "hints": []}`, "CASM"},
		{"contract class", `{"entry_points_by_type": {}, "program": {}, "abi": []}`, "contract class"},
		{"other prime", strings.Replace(minimal, "0x800000000000011000000000000000000000000000000000000000000000001", "0x7", 1), "not the Stark prime"},
		{"upper-case prime", strings.Replace(minimal, "0x800000000000011000000000000000000000000000000000000000000000001", "0x000A", 1), "lowercase"},
		{"unknown field", strings.Replace(minimal, `"attributes": []`, `"attributes": [], "bigint": 1`, 1), "bigint: unknown field"},
		{"missing data", strings.Replace(minimal, `"data": ["0x40780017fff7fff", "0x1", "0x208b7fff7fff7ffe"],`, "", 1), "data: missing required field"},
		{"bad word", strings.Replace(minimal, `"0x1",`, `"0xZZ",`, 1), "data[1]"},
		{"null attributes", strings.Replace(minimal, `"attributes": []`, `"attributes": null`, 1), "attributes: may not be null"},
		{"identifier without type", strings.Replace(minimal, `"destination": "__main__.main", "type": "alias"`, `"destination": "__main__.main"`, 1), "type: missing required field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestLoadNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prog.json")
	if err := os.WriteFile(path, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, ErrNotProgram) {
		t.Fatalf("err = %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Fatal("missing file accepted")
	}
}

// FuzzParse checks that no input makes the loader panic, and that accepted
// programs have the Stark prime and data words.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`{"data": null}`))
	f.Add([]byte(`{"debug_info": {"instruction_locations": {"0": {"inst": {"parent_location": [{"start_line": 1}, "x"]}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			return
		}
		if p.Prime == "" {
			t.Fatal("accepted a program without a prime")
		}
	})
}
