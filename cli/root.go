// Package cli builds kairo's command tree: one sub-package per command
// group, all sharing cmdutil's streams, styles and configuration.
package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/asm"
	"github.com/kairo-dev/kairo/cli/block"
	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/cli/devnet"
	"github.com/kairo-dev/kairo/cli/hints"
	"github.com/kairo-dev/kairo/cli/run"
	"github.com/kairo-dev/kairo/cli/state"
)

// Version is kairo's version string, set at build time with -ldflags.
var Version = "dev"

// NewRootCmd returns the kairo command with every sub-command attached.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "kairo",
		Short:         "Cairo VM, parallel Starknet sequencer and local devnet",
		Long:          "kairo runs compiled Cairo programs, executes blocks of Starknet transactions in parallel, shows their conflicts, and runs a local devnet with real state roots.",
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	for _, add := range subcommands() {
		root.AddCommand(add(f))
	}
	return root
}

// subcommands lists the command groups, each built from the factory.
func subcommands() []func(*cmdutil.Factory) *cobra.Command {
	return []func(*cmdutil.Factory) *cobra.Command{
		newCmdRun,
		state.NewCmdState,
		devnet.NewCmdDevnet,
		asm.NewCmdAsm,
		asm.NewCmdDisasm,
		block.NewCmdBlock,
		hints.NewCmdHints,
	}
}

func newCmdRun(f *cmdutil.Factory) *cobra.Command { return run.NewCmdRun(f, nil) }

// Execute runs kairo with args on the given streams and returns the process
// exit code. Errors are printed once, as one line, on the error stream.
func Execute(io *cmdutil.IOStreams, args []string) int {
	f, err := cmdutil.NewFactory(io)
	if err != nil {
		fmt.Fprintf(io.ErrOut, "kairo: %v\n", err)
		return 1
	}
	root := NewRootCmd(f)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		var ee *cmdutil.ExitError
		if errors.As(err, &ee) {
			return ee.Code
		}
		fmt.Fprintf(io.ErrOut, "Error: %v\n", err)
		return 1
	}
	return 0
}
