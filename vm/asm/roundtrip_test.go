package asm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// TestRoundTripFixturePrograms disassembles every compiled program of the
// shared fixtures, assembles the result and checks the data is identical
// word for word, and that every hint comes back at its pc.
func TestRoundTripFixturePrograms(t *testing.T) {
	root := shared.Fixture(t, "cairo0", "programs")
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no programs under %s", root)
	}
	sort.Strings(files)
	// Programs that are malformed on purpose, with the error each must get.
	malformed := map[string]string{
		"cairo-vm/cairo_programs__manually_compiled__deserialize_value_type_test.json": "is not the Stark prime",
		"cairo-vm/cairo_programs__manually_compiled__hint_index_crash.json":            "is outside the program",
		"cairo-vm/tests__support__invalid_even_length_hex.json":                        "is not the Stark prime",
		"cairo-vm/tests__support__invalid_odd_length_hex.json":                         "is not the Stark prime",
		"cairo-vm/tests__support__valid_program_a.json":                                "is outside the program",
	}
	var ok, rejected int
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var orig struct {
			Data  *[]string                          `json:"data"`
			Hints map[string][]struct{ Code string } `json:"hints"`
		}
		hasData := json.Unmarshal(src, &orig) == nil && orig.Data != nil
		text, err := Disassemble(rel, src)
		if want, bad := malformed[rel]; bad {
			if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: got error %v, want one line containing %q", rel, err, want)
			}
			rejected++
			continue
		}
		if !hasData {
			if err == nil {
				t.Errorf("%s: malformed program disassembled without an error", rel)
			} else if strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: error is not one line: %q", rel, err)
			}
			rejected++
			continue
		}
		if err != nil {
			t.Errorf("%s: disassemble: %v", rel, err)
			continue
		}
		p, err := Assemble(rel+".casm", []byte(text))
		if err != nil {
			t.Errorf("%s: assemble the disassembly: %v", rel, err)
			continue
		}
		if !equalWords(t, rel, *orig.Data, p.Data) {
			continue
		}
		for pc, hs := range orig.Hints {
			got := p.Hints[pc]
			if len(got) != len(hs) {
				t.Errorf("%s: pc %s has %d hints after the round trip, want %d", rel, pc, len(got), len(hs))
				continue
			}
			for i := range hs {
				if got[i].Code != hs[i].Code {
					t.Errorf("%s: pc %s hint %d code\n%q\nwant\n%q", rel, pc, i, got[i].Code, hs[i].Code)
				}
			}
		}
		ok++
	}
	t.Logf("round trip: %d of %d programs with data identical word for word; %d malformed programs rejected with a clear error", ok, len(files)-rejected, rejected)
	if ok+rejected != len(files) {
		t.Errorf("%d programs neither round-tripped nor were rejected", len(files)-ok-rejected)
	}
}

func equalWords(t *testing.T, name string, want, got []string) bool {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%s: %d words after the round trip, want %d", name, len(got), len(want))
		return false
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("%s: word %d = %s after the round trip, want %s", name, i, got[i], want[i])
			return false
		}
	}
	return true
}
