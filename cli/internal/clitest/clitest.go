// Package clitest runs kairo commands on in-memory streams and compares
// their output with golden files (testdata/NAME.golden, rewritten when
// KAIRO_UPDATE_GOLDEN=1).
package clitest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/kairo-dev/kairo/cli/cmdutil"
)

// Execute builds a command from a factory over test streams (with cfg as its
// configuration, a fresh one when nil), feeds it stdin, runs it with args
// and returns what it wrote.
func Execute(t testing.TB, build func(*cmdutil.Factory) *cobra.Command, cfg *viper.Viper, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	io, in, out, errOut := cmdutil.Test()
	in.WriteString(stdin)
	if cfg == nil {
		cfg = viper.New()
	}
	cmd := build(&cmdutil.Factory{IO: io, Config: cfg})
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// Golden compares got with testdata/NAME.golden, or rewrites the file when
// KAIRO_UPDATE_GOLDEN=1.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if os.Getenv("KAIRO_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with KAIRO_UPDATE_GOLDEN=1 to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// ExitCode is the process exit code a command error stands for: 0 without
// an error, the code of a cmdutil.ExitError, and 1 for any other error.
func ExitCode(err error) int {
	var ee *cmdutil.ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return 1
	}
	return 0
}
