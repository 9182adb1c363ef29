package runner

import (
	"archive/zip"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/program"
)

// TestCairoPieMatchesReference runs print.cairo (layout small) and compares
// the Cairo PIE with the one lambdaclass/cairo-vm publishes for the same
// program, which cairo-lang reads: metadata, memory (as a set of records),
// additional data and execution resources.
func TestCairoPieMatchesReference(t *testing.T) {
	dir := fixturesDir()
	goldenPath := filepath.Join(dir, "thirdparty-golden", "cairo-vm", "vm__src__tests__cairo_pie_test_output.json")
	gb, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Skipf("\n\n*** CAIRO PIE REFERENCE SKIPPED: %v (set KAIRO_FIXTURES) ***\n\n", err)
	}
	var golden map[string]json.RawMessage
	if err := json.Unmarshal(gb, &golden); err != nil {
		t.Fatal(err)
	}
	p, err := program.Load(filepath.Join(dir, "cairo0", "programs", "ziggy-starkdust", "print.json"))
	if err != nil {
		t.Fatal(err)
	}
	layout, err := builtins.LayoutByName("small")
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(p, Config{Layout: layout, SecureRun: true, TrackAccesses: true, Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(); err != nil {
		t.Fatal(r.FormatError(err))
	}
	var zb bytes.Buffer
	if err := r.WriteCairoPie(&zb); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zb.Bytes()), int64(zb.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		if f.Method != zip.Deflate {
			t.Errorf("%s is not deflated (cairo-lang requires ZIP_DEFLATED)", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = b
	}
	for name, key := range map[string]string{
		"metadata.json":            "metadata",
		"additional_data.json":     "additional_data",
		"execution_resources.json": "execution_resources",
		"version.json":             "version",
	} {
		var got, want any
		if err := json.Unmarshal(files[name], &got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := json.Unmarshal(golden[key], &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s differs:\n got  %s\n want %s", name, files[name], golden[key])
		}
	}
	var memHex string
	if err := json.Unmarshal(golden["memory"], &memHex); err != nil {
		t.Fatal(err)
	}
	want, err := hex.DecodeString(memHex)
	if err != nil {
		t.Fatal(err)
	}
	if got := files["memory.bin"]; !sameRecords(got, want, 40) {
		t.Errorf("memory.bin differs: %d bytes, want %d", len(got), len(want))
	}
}

// sameRecords compares two files of fixed-size records as sets.
func sameRecords(a, b []byte, size int) bool {
	if len(a) != len(b) || len(a)%size != 0 {
		return false
	}
	split := func(x []byte) []string {
		out := make([]string, 0, len(x)/size)
		for i := 0; i < len(x); i += size {
			out = append(out, string(x[i:i+size]))
		}
		sort.Strings(out)
		return out
	}
	return reflect.DeepEqual(split(a), split(b))
}
