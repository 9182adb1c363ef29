// Package block implements `kairo block`: generate blocks of built-in
// transactions, execute them with the Block-STM engine, benchmark it, and
// inspect the conflicts it observed (dependency graph, timeline, why one
// transaction ran again).
package block

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/depgraph"
	"github.com/kairo-dev/kairo/sequencer/kvtx"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/sequencer/txn"
)

// NewCmdBlock returns the block command group.
func NewCmdBlock(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "block",
		Short: "Generate, execute in parallel, benchmark and inspect blocks of transactions",
		Long: `Blocks of the built-in transaction model (transfers and generic read-compute-write
operations, docs/block-format.md) executed by the Block-STM engine
(docs/blockstm.md), which always reproduces sequential execution. The
inspector shows which transaction depended on which, over which key, how
often each ran, and the block's critical path.`,
	}
	cmd.AddCommand(newCmdGen(f, nil), newCmdRun(f, nil), newCmdBench(f, nil), newCmdGraph(f, nil), newCmdExplain(f, nil))
	return cmd
}

// execFlags are the flags of every command that executes a block.
type execFlags struct {
	Workers   int
	Scheduler string
}

func (e *execFlags) register(fl *pflag.FlagSet) {
	fl.IntVarP(&e.Workers, "workers", "w", runtime.GOMAXPROCS(0), "parallel workers")
	fl.StringVar(&e.Scheduler, "scheduler", "dependents", "classic (the paper: revalidate every higher transaction) or dependents (abort exactly the readers of a changed write)")
}

func (e *execFlags) options(trace bool) (blockstm.Options, error) {
	if e.Workers < 1 || e.Workers > 1024 {
		return blockstm.Options{}, fmt.Errorf("--workers must be between 1 and 1024, not %d", e.Workers)
	}
	s, err := blockstm.ParseScheduler(e.Scheduler)
	if err != nil {
		return blockstm.Options{}, fmt.Errorf("--scheduler: %w", err)
	}
	return blockstm.Options{Workers: e.Workers, Scheduler: s, Trace: trace}, nil
}

// parseBlock parses a block file of the built-in model.
func parseBlock(f *cmdutil.Factory, name string, data []byte) (*kvtx.Block, error) {
	b, err := kvtx.ParseBlock(data)
	if err != nil {
		var pe *kvtx.ParseError
		if errors.As(err, &pe) {
			fmt.Fprintf(f.IO.ErrOut, "%s:%s\n", name, pe.Error())
			return nil, &cmdutil.ExitError{Code: 1}
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// executed is a block run in parallel and checked against sequential
// execution.
type executed struct {
	block *kvtx.Block
	par   *blockstm.Result[kvtx.Output]
	seq   *blockstm.Result[kvtx.Output]
	diff  error // nil when equal
}

// execute runs b sequentially and in parallel (traced when asked) and
// compares the two.
func execute(b *kvtx.Block, opt blockstm.Options) (*executed, error) {
	txs := b.Transactions()
	seq, err := blockstm.Sequential(txs, b.Genesis)
	if err != nil {
		return nil, err
	}
	par, err := blockstm.Run(txs, b.Genesis, opt)
	if err != nil {
		return nil, err
	}
	return &executed{block: b, par: par, seq: seq, diff: blockstm.Compare(seq, par, nil)}, nil
}

// observed is a block executed traced, in parallel, and checked against
// sequential execution: its dependency graph and how to spell its keys.
type observed struct {
	graph   *depgraph.Graph
	keyName func(state.Key) string
}

// observe loads a block file (of the built-in model, or of Starknet
// transactions run on the devnet db without committing them) and executes
// it traced, sequentially and in parallel; a parallel result that differs
// is reported as mismatch does.
func observe(ctx context.Context, f *cmdutil.Factory, file, db string, flags execFlags) (*observed, error) {
	opt, err := flags.options(true)
	if err != nil {
		return nil, err
	}
	data, name, err := readInput(f, file)
	if err != nil {
		return nil, err
	}
	if txn.IsTxsFile(data) {
		if ctx == nil {
			ctx = context.Background()
		}
		b, err := loadStarknet(ctx, f, name, data, db, true)
		if err != nil {
			return nil, err
		}
		defer b.sess.Close()
		if err := b.run(opt, false, false); err != nil {
			return nil, err
		}
		if d := b.mismatch(); d != "" {
			return nil, mismatch(f, errors.New(d))
		}
		return &observed{graph: depgraph.FromResult(b.par.Engine, nil), keyName: b.names(ctx).KeyName}, nil
	}
	if db != "" {
		return nil, fmt.Errorf("%s is a block of the built-in model, which runs on its own genesis: --db is for Starknet transactions files", name)
	}
	b, err := parseBlock(f, name, data)
	if err != nil {
		return nil, err
	}
	e, err := execute(b, opt)
	if err != nil {
		return nil, err
	}
	if e.diff != nil {
		return nil, mismatch(f, e.diff)
	}
	return &observed{graph: e.graph(), keyName: kvtx.KeyName}, nil
}

// mismatch reports a parallel result that differs from sequential
// execution: an engine bug.
func mismatch(f *cmdutil.Factory, err error) error {
	fmt.Fprintf(f.IO.ErrOut, "parallel execution differs from sequential execution: %v\n", err)
	return &cmdutil.ExitError{Code: 2}
}

// graphOf builds the dependency graph, weighted by the declared costs.
func (e *executed) graph() *depgraph.Graph {
	costs := e.block.Costs()
	var weights []time.Duration
	for _, c := range costs {
		if c != 0 {
			weights = costs
			break
		}
	}
	return depgraph.FromResult(e.par, weights)
}

func renderOptions(f *cmdutil.Factory, limit int) depgraph.Options {
	s := f.IO.Styles()
	return depgraph.Options{KeyName: kvtx.KeyName, Limit: limit, Styles: depgraph.Styles{
		Title: s.Title, Header: s.Header, Muted: s.Muted, Highlight: s.Highlight, Bad: s.Bad, Warn: s.Warn, Key: s.Key}}
}
