package contract

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/vm/felt"
)

func readTSV(t *testing.T, name string) [][2]string {
	t.Helper()
	f, err := os.Open(shared.Fixture(t, "starknet-reference", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][2]string
	s := bufio.NewScanner(f)
	for s.Scan() {
		parts := strings.SplitN(s.Text(), "\t", 2)
		if len(parts) != 2 || parts[0] == "file" {
			continue
		}
		rows = append(rows, [2]string{parts[0], parts[1]})
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestClassHashes checks every class of the reference against the hash
// cairo-lang computed.
func TestClassHashes(t *testing.T) {
	rows := readTSV(t, "cairo0_class_hashes.tsv")
	if len(rows) != 103 {
		t.Fatalf("expected 103 reference rows, got %d", len(rows))
	}
	matched := 0
	for _, row := range rows {
		t.Run(filepath.Base(row[0]), func(t *testing.T) {
			c, err := Load(shared.Fixture(t, row[0]))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Hash.String(); got != row[1] {
				t.Fatalf("class hash %s, want %s", got, row[1])
			}
			matched++
		})
	}
	t.Logf("class hashes matched: %d/%d", matched, len(rows))
}

// TestClassHashFailures checks that the classes cairo-lang rejects get a
// clear one-line error.
func TestClassHashFailures(t *testing.T) {
	rows := readTSV(t, "cairo0_class_hash_failures.tsv")
	want := map[string]string{
		"attributes": "program.attributes[0]: not an object",
		"abi":        "abi: not a valid list",
	}
	for _, row := range rows {
		_, err := Load(shared.Fixture(t, row[0]))
		if err == nil {
			t.Errorf("%s: loaded, want an error (%s)", row[0], row[1])
			continue
		}
		if !errors.Is(err, ErrInvalidClass) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q is not a one-line invalid-class error", row[0], err)
		}
		found := false
		for field, msg := range want {
			if strings.Contains(row[1], "'"+field+"'") && strings.Contains(err.Error(), msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: error %q does not name the reason %s", row[0], err, row[1])
		}
	}
}

func TestSelector(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"__default__", "0x0"},
		{"__l1_default__", "0x0"},
		{"constructor", "0x28ffe4ff0f226a9107253e17a904099aa4f63a02a5621de0576e5aa71bc5194"},
		{"name", "0x361458367e696363fbcc70777d07ebbd2394e89fd0adcaf147faccd1d294d60"},
		{"balanceOf", "0x2e4263afad30923c891518314c3c95dbe830a16874e8abc5777a9a20b54c76e"},
		{"mint", "0x2f0b3c5710379609eb5495f1ecd348cb28167711b73609fe565a72734550354"},
	} {
		if got := Selector(tc.name).String(); got != tc.want {
			t.Errorf("Selector(%q) = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestForms checks that the compiled form and the RPC form of the same
// class load to the same class.
func TestForms(t *testing.T) {
	b := shared.ReadFixture(t, "cairo0", "contracts", "starknet-devnet-rs",
		"crates__starknet-devnet-core__contracts__system_artifacts__ERC20_Mintable_OZ_0.2.0.json")
	compiled, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(top["program"])
	zw.Close()
	prog, _ := json.Marshal(base64.StdEncoding.EncodeToString(z.Bytes()))
	top["program"] = prog
	inner, _ := json.Marshal(top)
	for name, doc := range map[string][]byte{
		"rpc":     inner,
		"jsonrpc": []byte(`{"jsonrpc":"2.0","id":1,"result":` + string(inner) + `}`),
	} {
		c, err := Parse(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Hash != compiled.Hash {
			t.Errorf("%s: hash %s, compiled form %s", name, c.Hash, compiled.Hash)
		}
	}
	ep, ok := compiled.EntryPoint(External, Selector("balanceOf"))
	if !ok || ep.Offset == 0 {
		t.Errorf("balanceOf entry point: %+v %v", ep, ok)
	}
	if _, ok := compiled.EntryPoint(External, Selector("no_such_function")); ok {
		t.Error("an unknown selector found an entry point")
	}
	if len(compiled.EntryPoints[Constructor]) != 1 || compiled.EntryPoints[Constructor][0].Selector != ConstructorSelector {
		t.Errorf("constructor entry points: %+v", compiled.EntryPoints[Constructor])
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"not json", `{`, "not a JSON object"},
		{"no program", `{"abi": [], "entry_points_by_type": {}}`, "program: missing required field"},
		{"bad base64", `{"abi": [], "entry_points_by_type": {}, "program": "@@@"}`, "invalid base64"},
		{"not gzip", `{"abi": [], "entry_points_by_type": {}, "program": "aGVsbG8="}`, "invalid gzip data"},
		{"sierra", `{"sierra_program": []}`, "Sierra"},
		{"unknown field", `{"program": {}, "foo": 1}`, "foo: unknown field"},
	} {
		_, err := Parse([]byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalidClass) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestPyDump(t *testing.T) {
	var b bytes.Buffer
	v := map[string]any{"b": []any{json.Number("1"), "é\n\"/<"}, "a": nil, "c": true}
	if err := pyDump(&b, v, "", true); err != nil {
		t.Fatal(err)
	}
	want := `{"a": null, "b": [1, "\u00e9\n\"/<"], "c": true}`
	if b.String() != want {
		t.Errorf("pyDump = %s, want %s", b.String(), want)
	}
	b.Reset()
	hints := map[string]any{"program": map[string]any{"hints": map[string]any{"10": 1, "9": 2}}}
	hints["program"].(map[string]any)["hints"] = map[string]any{"10": json.Number("1"), "9": json.Number("2")}
	if err := pyDump(&b, hints, "", true); err != nil {
		t.Fatal(err)
	}
	if want := `{"program": {"hints": {"9": 2, "10": 1}}}`; b.String() != want {
		t.Errorf("hints order: %s, want %s", b.String(), want)
	}
	_ = felt.Zero
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"abi": [], "entry_points_by_type": {"EXTERNAL": [], "L1_HANDLER": [], "CONSTRUCTOR": []}, "program": {}}`))
	f.Add([]byte(`{"result": {"program": "H4sIAAAAAAAA/6uuBQBDv6ajAgAAAA=="}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && c.Program == nil {
			t.Fatal("nil program without an error")
		}
	})
}
