// Package clitest runs kairo commands on in-memory streams and compares
// their output with golden files (testdata/NAME.golden, rewritten when
// KAIRO_UPDATE_GOLDEN=1).
package clitest

import (
	"context"
	"errors"
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
