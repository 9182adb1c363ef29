package block

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/depgraph"
)

// GraphOptions are `kairo block graph`'s flags.
type GraphOptions struct {
	File     string
	Exec     execFlags
	Format   string
	Timeline bool
	Width    int
	Limit    int
	DB       string
	ctx      context.Context
}

func newCmdGraph(f *cmdutil.Factory, runF func(*GraphOptions) error) *cobra.Command {
	o := &GraphOptions{}
	cmd := &cobra.Command{
		Use:   "graph BLOCK.json",
		Short: "Show the dependency graph a parallel execution observed",
		Long: `Execute a block in parallel (checked against sequential execution) and show the
dependencies it observed: an edge i → j when transaction j read a key that
transaction i wrote last before it. text is a terminal view: one row per
transaction with its dependencies, runs and the keys it fought over, the
critical path marked with *, and the ideal parallel schedule as columns of
transactions that can run side by side. dot, json and mermaid are for other
tools. --timeline draws what each worker did over time instead.
A file of Starknet transactions runs on the next block of the devnet --db,
without committing anything; its storage keys are spelled by storage
variable: ERC20@0x049d...4dc7:ERC20_balances[0x0412...ab3c].low.`,
		Example: "  kairo block graph block.json\n  kairo block graph block.json --format dot | dot -Tsvg > graph.svg\n  kairo block graph block.json --timeline --workers 4",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File, o.ctx = args[0], cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return runGraph(f, o)
		},
	}
	o.Exec.register(cmd.Flags())
	cmd.Flags().StringVar(&o.Format, "format", "text", "text, dot, json or mermaid")
	cmd.Flags().BoolVar(&o.Timeline, "timeline", false, "draw each worker's activity over time (text)")
	cmd.Flags().IntVar(&o.Width, "width", 100, "timeline width in columns")
	cmd.Flags().IntVar(&o.Limit, "limit", 0, "text: show at most this many transactions (0: all)")
	addDBFlag(cmd, &o.DB)
	return cmd
}

func runGraph(f *cmdutil.Factory, o *GraphOptions) error {
	switch o.Format {
	case "text", "dot", "json", "mermaid":
	default:
		return fmt.Errorf("--format: unknown format %q (want text, dot, json or mermaid)", o.Format)
	}
	if o.Timeline && o.Format != "text" {
		return fmt.Errorf("--timeline draws text only, not %s", o.Format)
	}
	e, err := observe(o.ctx, f, o.File, o.DB, o.Exec)
	if err != nil {
		return err
	}
	g := e.graph
	ro := renderOptions(f, o.Limit)
	ro.KeyName = e.keyName
	out := f.IO.Out
	switch {
	case o.Timeline:
		return depgraph.Timeline(out, g, ro, o.Width)
	case o.Format == "dot":
		return depgraph.Dot(out, g, ro)
	case o.Format == "json":
		return depgraph.JSON(out, g, ro)
	case o.Format == "mermaid":
		return depgraph.Mermaid(out, g, ro)
	}
	return depgraph.Text(out, g, ro)
}
