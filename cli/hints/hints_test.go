package hints

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/golden"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/cli/internal/clitest"
	vmhints "github.com/kairo-dev/kairo/vm/hints"
)

// testSource is a fixed set of implemented hints, so that the golden files
// do not change when hint modules grow.
func testSource() Source {
	mods := []vmhints.Module{
		{Name: "alloc", Codes: []string{"memory[ap] = segments.add()"}},
		{Name: "scopes", Codes: []string{"vm_enter_scope()", "vm_exit_scope()"}},
		{Name: "example", Codes: []string{"x = 1\n\ny = 2"}},
	}
	return Source{
		Modules: func() []vmhints.Module { return mods },
		Registry: func() map[string]vmhints.Func {
			reg := map[string]vmhints.Func{}
			for _, m := range mods {
				for _, c := range m.Codes {
					reg[c] = func(*vmhints.Context) error { return nil }
				}
			}
			return reg
		},
	}
}

func execute(t *testing.T, src Source, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	build := func(f *cmdutil.Factory) *cobra.Command { return NewCmdHintsFrom(f, src) }
	return clitest.Execute(t, build, nil, "", args...)
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantExit int
	}{
		{"list", []string{"list"}, 0},
		{"list_json", []string{"list", "--json"}, 0},
		{"check_program", []string{"check", "testdata/program.json"}, 1},
		{"check_program_json", []string{"check", "--json", "testdata/program.json"}, 1},
		{"check_supported", []string{"check", "testdata/supported.json"}, 0},
		{"check_class", []string{"check", "testdata/class.json"}, 0},
		{"check_class_rpc", []string{"check", "testdata/class_rpc.json"}, 0},
		{"check_whitelist", []string{"check", "testdata/whitelist.json"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := execute(t, testSource(), tt.args...)
			exit := 0
			if err != nil {
				var ee *cmdutil.ExitError
				if !errors.As(err, &ee) {
					t.Fatalf("unexpected error: %v", err)
				}
				exit = ee.Code
			}
			if exit != tt.wantExit {
				t.Fatalf("exit code %d, want %d", exit, tt.wantExit)
			}
			golden.Check(t, tt.name, out+errOut)
		})
	}
}

func TestCheckErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"data": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file, want string
	}{
		{"missing file", filepath.Join(dir, "nope.json"), "no such file"},
		{"invalid program", bad, "invalid compiled program"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := execute(t, testSource(), "check", tt.file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestDefaultSource checks the real registry: every listed hint is
// registered, and the list names the library modules.
func TestDefaultSource(t *testing.T) {
	src := DefaultSource()
	reg := src.Registry()
	names := map[string]bool{}
	for _, m := range src.Modules() {
		names[m.Name] = true
		for _, c := range m.Codes {
			if _, ok := reg[c]; !ok {
				t.Errorf("%s: listed hint not in the registry:\n%s", m.Name, c)
			}
		}
	}
	for _, want := range []string{"alloc", "memcpy", "math", "usort"} {
		if !names[want] {
			t.Errorf("module %s missing from the list", want)
		}
	}
}
