package run

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/golden"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/cli/internal/clitest"
	"github.com/kairo-dev/kairo/vm/asm"
)

// assembled writes the compiled JSON of one of our fixtures/asm programs.
func assembled(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "asm", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := asm.Assemble(name, src)
	if err != nil {
		t.Fatal(err)
	}
	js, err := p.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), strings.TrimSuffix(name, ".casm")+".json")
	if err := os.WriteFile(out, js, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func newCmd(t *testing.T, runF func(*Options) error) (*cobra.Command, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	f := &cmdutil.Factory{IO: io}
	cmd := NewCmdRun(f, runF)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	return cmd, out, errOut
}

func TestFlagSpellings(t *testing.T) {
	for _, args := range [][]string{
		{"p.json", "--print_output", "--print_info", "--layout", "small", "--trace_file", "t", "--secure_run=false", "--steps", "9"},
		{"--program", "p.json", "--print-output", "--print-info", "--layout=small", "--trace-file", "t", "--secure-run=False", "--steps=9"},
	} {
		var got *Options
		cmd, _, _ := newCmd(t, func(o *Options) error { got = o; return nil })
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if got.Program != "p.json" || !got.PrintOutput || !got.PrintInfo || got.Layout != "small" ||
			got.TraceFile != "t" || got.SecureRun.or(true) || got.Steps != 9 {
			t.Fatalf("%v parsed as %+v", args, got)
		}
	}
}

func TestArgumentChecks(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"p.json", "--steps", "5", "--min_steps", "3"}, "--steps and --min_steps"},
		{[]string{"p.json", "--air_public_input", "x"}, "proof_mode"},
		{[]string{"p.json", "--proof_mode", "--air_private_input", "x"}, "--trace_file must be set"},
		{[]string{"p.json", "--no_end"}, "--steps must be specified"},
		{[]string{"p.json", "--layout", "dynamic"}, "--cairo_layout_params_file"},
		{[]string{}, "no program given"},
	}
	for _, tt := range tests {
		cmd, _, _ := newCmd(t, nil)
		cmd.SetArgs(tt.args)
		err := cmd.Execute()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestRunGolden(t *testing.T) {
	prog := assembled(t, "fibonacci.casm")
	dir := t.TempDir()
	trace, mem := filepath.Join(dir, "trace"), filepath.Join(dir, "memory")
	io, _, stdout, _ := cmdutil.Test()
	cmd := NewCmdRun(&cmdutil.Factory{IO: io}, nil)
	cmd.SetArgs([]string{prog, "--layout", "small", "--print_output", "--print_info", "--print_segments", "--trace_file", trace, "--memory_file", mem})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "fibonacci", stdout.String())
	tb, err := os.ReadFile(trace)
	if err != nil || len(tb) != 24*4006 {
		t.Fatalf("trace file: %d bytes, %v", len(tb), err)
	}
	mb, err := os.ReadFile(mem)
	if err != nil || len(mb)%40 != 0 || len(mb)/40 != 3024 {
		t.Fatalf("memory file: %d bytes, %v", len(mb), err)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, "main.cairo")
	if err := os.WriteFile(source, []byte("%builtins output\nfunc main{output_ptr: felt*}() -> (output_ptr: felt*) {\n    return (output_ptr=output_ptr);\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	io, _, _, _ := cmdutil.Test()
	cmd := NewCmdRun(&cmdutil.Factory{IO: io}, nil)
	cmd.SetArgs([]string{source})
	err := cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), source) || !strings.Contains(err.Error(), "Cairo source") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}

	io, _, _, errOut := cmdutil.Test()
	cmd = NewCmdRun(&cmdutil.Factory{IO: io}, nil)
	cmd.SetArgs([]string{assembled(t, "error_assert_eq.casm")})
	err = cmd.Execute()
	if clitest.ExitCode(err) != 1 || !errors.As(err, new(*cmdutil.ExitError)) {
		t.Fatalf("err = %v, want exit status 1", err)
	}
	if !strings.Contains(errOut.String(), "An ASSERT_EQ instruction failed: 1 != 2.") {
		t.Fatalf("stderr = %q", errOut.String())
	}
}

// TestRunFilesReplaced: the trace and memory files, written while the
// program runs, replace an existing file (keeping its permissions) only
// when the run succeeds, leave no temporary file behind either way, and
// leave a previous file's other hard links untouched.
func TestRunFilesReplaced(t *testing.T) {
	for _, tt := range []struct {
		flag string
		size func(int64) bool
	}{
		{"--trace_file", func(n int64) bool { return n == 24*4006 }},
		{"--memory_file", func(n int64) bool { return n > 0 && n%40 == 0 }},
	} {
		t.Run(tt.flag, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "out")
			if err := os.WriteFile(file, []byte("previous"), 0o600); err != nil {
				t.Fatal(err)
			}
			run := func(prog string) error {
				io, _, _, _ := cmdutil.Test()
				cmd := NewCmdRun(&cmdutil.Factory{IO: io}, nil)
				cmd.SetArgs([]string{prog, "--layout", "small", tt.flag, file})
				return cmd.Execute()
			}
			only := func(names ...string) {
				t.Helper()
				entries, err := os.ReadDir(dir)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range entries {
					got = append(got, e.Name())
				}
				if !slices.Equal(got, names) {
					t.Fatalf("directory holds %v, want %v", got, names)
				}
			}

			if err := run(assembled(t, "error_assert_eq.casm")); clitest.ExitCode(err) != 1 {
				t.Fatalf("failing run: err = %v, want exit status 1", err)
			}
			if b, err := os.ReadFile(file); err != nil || string(b) != "previous" {
				t.Fatalf("after a failed run the file holds %q (%v), want the previous one", b, err)
			}
			only("out")

			if err := run(assembled(t, "fibonacci.casm")); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(file)
			if err != nil || !tt.size(fi.Size()) || fi.Mode().Perm() != 0o600 {
				t.Fatalf("file after the run: %v, %v; want mode 0600", fi, err)
			}
			only("out")

			// A previous file with another link is replaced, not emptied.
			if err := os.WriteFile(file, []byte("previous"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Link(file, filepath.Join(dir, "link")); err != nil {
				t.Skipf("no hard links here: %v", err)
			}
			if err := run(assembled(t, "fibonacci.casm")); err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "link")); err != nil || string(b) != "previous" {
				t.Fatalf("the previous file's other link holds %q (%v), want it unchanged", b, err)
			}
			if fi, err := os.Stat(file); err != nil || !tt.size(fi.Size()) {
				t.Fatalf("file after the run: %v, %v", fi, err)
			}
			only("link", "out")

			// A new file gets the permissions os.Create would give it.
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
			probe := filepath.Join(t.TempDir(), "probe")
			pf, err := os.Create(probe)
			if err != nil {
				t.Fatal(err)
			}
			pf.Close()
			pfi, _ := os.Stat(probe)
			if err := run(assembled(t, "fibonacci.casm")); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != pfi.Mode().Perm() {
				t.Fatalf("new file: %v, %v; want mode %v", fi, err, pfi.Mode().Perm())
			}
			only("link", "out")
		})
	}
}
