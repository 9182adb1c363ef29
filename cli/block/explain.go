package block

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/depgraph"
)

// ExplainOptions are `kairo block explain`'s flags.
type ExplainOptions struct {
	File string
	Exec execFlags
	Tx   int
	DB   string
	ctx  context.Context
}

func newCmdExplain(f *cmdutil.Factory, runF func(*ExplainOptions) error) *cobra.Command {
	o := &ExplainOptions{}
	cmd := &cobra.Command{
		Use:   "explain BLOCK.json --tx N",
		Short: "Explain why a transaction ran more than once or waited",
		Long: `Execute a block in parallel with tracing and explain one transaction: each
incarnation, the waits on estimates and the abort that ended it (which key,
written by which transaction, read at which incarnation), then what its
final execution read and wrote and who it depends on. Parallel executions
differ from run to run; --workers 1 gives none of either. A file of
Starknet transactions runs on the next block of the devnet --db, without
committing anything.`,
		Example: "  kairo block explain block.json --tx 7 --workers 4",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File, o.ctx = args[0], cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return runExplain(f, o)
		},
	}
	o.Exec.register(cmd.Flags())
	cmd.Flags().IntVar(&o.Tx, "tx", -1, "the transaction (index in the block)")
	_ = cmd.MarkFlagRequired("tx")
	addDBFlag(cmd, &o.DB)
	return cmd
}

func runExplain(f *cmdutil.Factory, o *ExplainOptions) error {
	e, err := observe(o.ctx, f, o.File, o.DB, o.Exec)
	if err != nil {
		return err
	}
	ro := renderOptions(f, 0)
	ro.KeyName = e.keyName
	return depgraph.Explain(f.IO.Out, e.graph, o.Tx, ro)
}
