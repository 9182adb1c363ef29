package run

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
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

// TestRunTraceFileReplaced: the trace file, written while the program
// runs, replaces an existing file (keeping its permissions) only when the
// run succeeds, and leaves no temporary file behind either way.
func TestRunTraceFileReplaced(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace")
	if err := os.WriteFile(trace, []byte("previous"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(prog string) error {
		io, _, _, _ := cmdutil.Test()
		cmd := NewCmdRun(&cmdutil.Factory{IO: io}, nil)
		cmd.SetArgs([]string{prog, "--layout", "small", "--trace_file", trace})
		return cmd.Execute()
	}
	onlyTrace := func() {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Name() != "trace" {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("directory holds %v, want only the trace file", names)
		}
	}

	if err := run(assembled(t, "error_assert_eq.casm")); clitest.ExitCode(err) != 1 {
		t.Fatalf("failing run: err = %v, want exit status 1", err)
	}
	if b, err := os.ReadFile(trace); err != nil || string(b) != "previous" {
		t.Fatalf("after a failed run the trace file holds %q (%v), want the previous one", b, err)
	}
	onlyTrace()

	if err := run(assembled(t, "fibonacci.casm")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(trace)
	if err != nil || fi.Size() != 24*4006 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("trace file after the run: %v, %v; want %d bytes, mode 0600", fi, err, 24*4006)
	}
	onlyTrace()

	// A new file gets the permissions os.Create would give it.
	if err := os.Remove(trace); err != nil {
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
	if fi, err := os.Stat(trace); err != nil || fi.Mode().Perm() != pfi.Mode().Perm() {
		t.Fatalf("new trace file: %v, %v; want mode %v", fi, err, pfi.Mode().Perm())
	}
	onlyTrace()
}
