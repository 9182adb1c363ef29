package program

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixtureClasses = "/work/shared/fixtures/cairo0/contracts"

// TestParseFixtureClasses parses every Cairo 0 contract class of the
// fixtures, in both forms.
func TestParseFixtureClasses(t *testing.T) {
	var files []string
	_ = filepath.Walk(fixtureClasses, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("fixture classes not available")
	}
	rpc := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseContractClass(b)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if c.Program == nil {
			t.Errorf("%s: no program", f)
			continue
		}
		if !IsContractClass(b) {
			t.Errorf("%s: IsContractClass = false", f)
		}
		if bytes.Contains(b, []byte(`"jsonrpc"`)) {
			rpc++
		}
	}
	if rpc == 0 {
		t.Error("no RPC-form class among the fixtures")
	}
}

func gzipBase64(t testing.TB, s string) string {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

const miniProgram = `{"prime":"0x800000000000011000000000000000000000000000000000000000000000001","data":["0x208b7fff7fff7ffe"],"builtins":[],"hints":{},"identifiers":{},"main_scope":"__main__","reference_manager":{"references":[]},"debug_info":null}`

func TestParseContractClass(t *testing.T) {
	z := gzipBase64(t, miniProgram)
	eps := `{"EXTERNAL":[{"selector":"0x12","offset":"0x0"}],"L1_HANDLER":[],"CONSTRUCTOR":[{"selector":"0x28f","offset":0}]}`
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"compiled", `{"abi":[],"entry_points_by_type":` + eps + `,"program":` + miniProgram + `}`, ""},
		{"rpc bare", `{"abi":[],"entry_points_by_type":` + eps + `,"program":"` + z + `"}`, ""},
		{"rpc response", `{"jsonrpc":"2.0","id":1,"result":{"entry_points_by_type":` + eps + `,"program":"` + z + `"}}`, ""},
		{"debug_info list", `{"entry_points_by_type":` + eps + `,"program":` + strings.Replace(miniProgram, `"debug_info":null`, `"debug_info":[]`, 1) + `}`, ""},
		{"non-object attributes", `{"entry_points_by_type":` + eps + `,"program":` + strings.Replace(miniProgram, `"debug_info":null`, `"debug_info":null,"attributes":[1234]`, 1) + `}`, ""},
		{"rpc error", `{"jsonrpc":"2.0","id":1,"error":{"code":28,"message":"Class hash not found"}}`, "JSON-RPC error response"},
		{"unknown field", `{"entry_points_by_type":` + eps + `,"program":` + miniProgram + `,"extra":1}`, "extra: unknown field"},
		{"missing program", `{"entry_points_by_type":` + eps + `}`, "program: missing required field"},
		{"bad entry point type", `{"entry_points_by_type":{"VIEW":[]},"program":` + miniProgram + `}`, `unknown entry point type "VIEW"`},
		{"bad selector", `{"entry_points_by_type":{"EXTERNAL":[{"selector":"12","offset":0}]},"program":` + miniProgram + `}`, "selector"},
		{"negative offset", `{"entry_points_by_type":{"EXTERNAL":[{"selector":"0x1","offset":-1}]},"program":` + miniProgram + `}`, "offset"},
		{"bad base64", `{"entry_points_by_type":` + eps + `,"program":"@@@"}`, "invalid base64"},
		{"not gzip", `{"entry_points_by_type":` + eps + `,"program":"aGVsbG8="}`, "invalid gzip"},
		{"bad program", `{"entry_points_by_type":` + eps + `,"program":{"data":[]}}`, "program: invalid compiled program"},
		{"sierra", `{"sierra_program":[],"entry_points_by_type":{}}`, "Sierra"},
		{"not json", `hello`, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseContractClass([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ext := c.EntryPoints[EntryPointExternal]
			if len(ext) != 1 || ext[0].Offset != 0 || ext[0].Selector.Decimal() != "18" {
				t.Fatalf("EXTERNAL = %+v", ext)
			}
			if ctor := c.EntryPoints[EntryPointConstructor]; len(ctor) != 1 || ctor[0].Selector.Decimal() != "655" {
				t.Fatalf("CONSTRUCTOR = %+v", ctor)
			}
			if len(c.Program.Data) != 1 || c.Program.MainScope != "__main__" {
				t.Fatalf("program = %+v", c.Program)
			}
		})
	}
}

func FuzzParseContractClass(f *testing.F) {
	f.Add([]byte(`{"abi":[],"entry_points_by_type":{"EXTERNAL":[{"selector":"0x12","offset":"0x0"}]},"program":` + miniProgram + `}`))
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"result":{"entry_points_by_type":{},"program":"` + gzipBase64(f, miniProgram) + `"}}`))
	f.Add([]byte(`{"entry_points_by_type":{"L1_HANDLER":[{"selector":"0x1","offset":3}]},"program":{"debug_info":[]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseContractClass(b)
		if err != nil {
			return
		}
		if c.Program == nil || c.EntryPoints == nil {
			t.Fatal("class parsed without a program or entry points")
		}
	})
}
