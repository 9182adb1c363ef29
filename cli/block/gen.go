package block

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/kvtx"
)

// GenOptions are `kairo block gen`'s flags.
type GenOptions struct {
	Workload string
	Txs      int
	Accounts int
	TxCost   time.Duration
	Seed     uint64
	Output   string
}

func (o *GenOptions) config() kvtx.GenConfig {
	return kvtx.GenConfig{Workload: o.Workload, Txs: o.Txs, Accounts: o.Accounts, TxCost: o.TxCost, Seed: o.Seed}
}

func newCmdGen(f *cmdutil.Factory, runF func(*GenOptions) error) *cobra.Command {
	o := &GenOptions{}
	cmd := &cobra.Command{
		Use:   "gen --workload W [flags]",
		Short: "Generate a block of a workload",
		Long: `Generate a block file. Workloads:
  transfers  random transfers among --accounts accounts (2: fully serial;
             10000: nearly conflict-free)
  hotspot    the same transfers, each also paying a fee to one sequencer
             account (a commutative delta: no conflict)
  chain      transaction i reads what transaction i-1 wrote
  random     operations reading 1-4 and writing 1-2 of --accounts keys
The same flags always generate the same block.`,
		Example: "  kairo block gen --workload transfers --txs 10000 --accounts 10000 --tx-cost 50us -o block.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return runGen(f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Workload, "workload", "transfers", "transfers, hotspot, chain or random")
	fl.IntVarP(&o.Txs, "txs", "n", 1000, "number of transactions")
	fl.IntVarP(&o.Accounts, "accounts", "k", 1000, "accounts (transfers, hotspot) or keys (random)")
	fl.DurationVar(&o.TxCost, "tx-cost", 0, "CPU work of each transaction, e.g. 50us (a calibrated hashing loop)")
	fl.Uint64Var(&o.Seed, "seed", 1, "random seed")
	fl.StringVarP(&o.Output, "output", "o", "-", "output file (- for standard output)")
	return cmd
}

func runGen(f *cmdutil.Factory, o *GenOptions) error {
	b, err := kvtx.Generate(o.config())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := b.WriteJSON(&buf); err != nil {
		return err
	}
	if o.Output == "-" {
		_, err := f.IO.Out.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(o.Output, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", o.Output, err)
	}
	fmt.Fprintf(f.IO.ErrOut, "wrote %s: %s\n", o.Output, b.Description)
	return nil
}
