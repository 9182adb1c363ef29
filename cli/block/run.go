package block

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/depgraph"
	"github.com/kairo-dev/kairo/sequencer/kvtx"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/sequencer/txn"
)

// RunOptions are `kairo block run`'s flags.
type RunOptions struct {
	File       string
	Exec       execFlags
	Sequential bool
	JSON       bool
	// DB is the devnet a Starknet transactions file runs on.
	DB  string
	ctx context.Context
}

func newCmdRun(f *cmdutil.Factory, runF func(*RunOptions) error) *cobra.Command {
	o := &RunOptions{}
	cmd := &cobra.Command{
		Use:   "run BLOCK.json",
		Short: "Execute a block in parallel and check it against sequential execution",
		Long: `Execute a block with the Block-STM engine, execute it sequentially too, check
that both give the same transaction results and state diff, and print a
summary: throughput, speedup, executions, aborts, waits and the five most
conflicted keys. With --sequential, only execute it sequentially.

The file is a block of the built-in model, or a file of Starknet
transactions (docs/block-format.md; kairo block gen --workload erc20 writes
one). Starknet transactions run on the next block of the devnet given by
--db and are committed as one new block with its state root: receipts,
events and state diff. A transaction that fails validation (nonce,
signature, fee, balance, unknown class or function) is rejected with
Starknet's message and left out of the block.
Exit status 2 means the parallel result differed (an engine bug).`,
		Example: "  kairo block run block.json --workers 2 --scheduler classic\n  kairo block run txs.json --db devnet.db --workers 2",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File, o.ctx = args[0], cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return runRun(f, o)
		},
	}
	o.Exec.register(cmd.Flags())
	cmd.Flags().BoolVar(&o.Sequential, "sequential", false, "execute sequentially only")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print one JSON object")
	addDBFlag(cmd, &o.DB)
	return cmd
}

// runSummary is `kairo block run --json`'s output.
type runSummary struct {
	File         string     `json:"file"`
	Txs          int        `json:"txs"`
	Reverted     int        `json:"reverted"`
	KeysWritten  int        `json:"keys_written"`
	Workers      int        `json:"workers,omitempty"`
	Scheduler    string     `json:"scheduler"`
	SequentialS  float64    `json:"sequential_s"`
	ParallelS    float64    `json:"parallel_s,omitempty"`
	Speedup      float64    `json:"speedup,omitempty"`
	TPS          float64    `json:"tps"`
	Executions   int        `json:"executions"`
	Validations  int        `json:"validations"`
	Aborts       int        `json:"aborts"`
	EarlyAborts  int        `json:"early_aborts"`
	Waits        int        `json:"waits"`
	ExecuteS     float64    `json:"execute_s,omitempty"`
	ValidateS    float64    `json:"validate_s,omitempty"`
	WaitS        float64    `json:"wait_s,omitempty"`
	IdleS        float64    `json:"idle_s,omitempty"`
	Equal        *bool      `json:"equal_to_sequential,omitempty"`
	HotKeys      []hotKeyJS `json:"most_conflicted_keys,omitempty"`
	CriticalPath int        `json:"critical_path_txs"`
	Parallelism  float64    `json:"parallelism"`
	// Starknet transactions only.
	Accepted  *int         `json:"accepted,omitempty"`
	Rejected  []rejectedJS `json:"rejected,omitempty"`
	Reverts   []rejectedJS `json:"reverted_txs,omitempty"`
	TimeSplit *timeSplit   `json:"time_split_us,omitempty"`
	Block     *committed   `json:"block,omitempty"`
}

type rejectedJS struct {
	Tx      int    `json:"tx"`
	Hash    string `json:"hash,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

type hotKeyJS struct {
	Key    string `json:"key"`
	Aborts int    `json:"aborts"`
	Waits  int    `json:"waits"`
}

func runRun(f *cmdutil.Factory, o *RunOptions) error {
	opt, err := o.Exec.options(true)
	if err != nil {
		return err
	}
	data, name, err := readInput(f, o.File)
	if err != nil {
		return err
	}
	if txn.IsTxsFile(data) {
		return runStarknet(f, o, opt, name, data)
	}
	if o.DB != "" {
		return fmt.Errorf("%s is a block of the built-in model, which runs on its own genesis: --db is for Starknet transactions files", name)
	}
	b, err := parseBlock(f, name, data)
	if err != nil {
		return err
	}
	s := runSummary{File: o.File, Txs: len(b.Txs)}
	var res *blockstm.Result[kvtx.Output]
	var g *depgraph.Graph
	var hot []depgraph.KeyCount
	if o.Sequential {
		if res, err = blockstm.Sequential(b.Transactions(), b.Genesis); err != nil {
			return err
		}
		s.Scheduler = "sequential"
		s.SequentialS = res.Metrics.Wall.Seconds()
		s.TPS = tps(len(b.Txs), s.SequentialS)
		s.Executions = res.Metrics.Executions
		g = depgraph.FromResult(res, nil)
	} else {
		e, err := execute(b, opt)
		if err != nil {
			return err
		}
		if e.diff != nil {
			return mismatch(f, e.diff)
		}
		res = e.par
		m := res.Metrics
		equal := true
		s.Workers, s.Scheduler, s.Equal = m.Workers, m.Scheduler, &equal
		s.SequentialS, s.ParallelS = e.seq.Metrics.Wall.Seconds(), m.Wall.Seconds()
		s.Speedup = round2(s.SequentialS / s.ParallelS)
		s.TPS = tps(len(b.Txs), s.ParallelS)
		s.Executions, s.Validations, s.Aborts, s.EarlyAborts, s.Waits = m.Executions, m.Validations, m.Aborts, m.EarlyAborts, m.Waits
		s.ExecuteS, s.ValidateS, s.WaitS, s.IdleS = m.ExecTime.Seconds(), m.ValidateTime.Seconds(), m.WaitTime.Seconds(), m.IdleTime.Seconds()
		g = e.graph()
		hot = depgraph.HotKeys(res.Trace)
		if len(hot) > 5 {
			hot = hot[:5]
		}
		for _, h := range hot {
			s.HotKeys = append(s.HotKeys, hotKeyJS{Key: kvtx.KeyName(h.Key), Aborts: h.Aborts, Waits: h.Waits})
		}
	}
	for _, t := range res.Txs {
		if t.Err != nil {
			s.Reverted++
		}
	}
	s.KeysWritten = len(res.Diff)
	return writeRunSummary(f, o, &s, g, hot, kvtx.KeyName, nil)
}

// writeRunSummary prints a run's summary: JSON, or text with extra lines
// (Starknet's) after the state diff.
func writeRunSummary(f *cmdutil.Factory, o *RunOptions, s *runSummary, g *depgraph.Graph, hot []depgraph.KeyCount,
	keyName func(state.Key) string, extra func(*strings.Builder)) error {
	s.CriticalPath, s.Parallelism = len(g.Critical), round2(g.Parallelism())
	if o.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	st := f.IO.Styles()
	var w strings.Builder
	if o.Sequential {
		fmt.Fprintf(&w, "%s\n", st.Title.Render(fmt.Sprintf("%s: %d transactions, sequential", o.File, s.Txs)))
		fmt.Fprintf(&w, "  sequential   %s  %s tx/s\n", seconds(s.SequentialS), fmtTPS(s.TPS))
	} else {
		fmt.Fprintf(&w, "%s\n", st.Title.Render(fmt.Sprintf("%s: %d transactions, %s, %s scheduler", o.File, s.Txs, plural(s.Workers, "worker"), s.Scheduler)))
		fmt.Fprintf(&w, "  parallel     %s  %s tx/s\n", seconds(s.ParallelS), fmtTPS(s.TPS))
		fmt.Fprintf(&w, "  sequential   %s  %s tx/s  (speedup %.2fx)\n", seconds(s.SequentialS), fmtTPS(tps(s.Txs, s.SequentialS)), s.Speedup)
		fmt.Fprintf(&w, "  result       %s\n", st.Good.Render("equal to sequential execution"))
		fmt.Fprintf(&w, "  executions   %d (%d re-executions), %d validations, %d aborts (%d stopped early), %d waits\n",
			s.Executions, s.Executions-s.Txs, s.Validations, s.Aborts, s.EarlyAborts, s.Waits)
		fmt.Fprintf(&w, "  time         executing %s, validating %s, waiting %s, idle %s (all workers)\n",
			short(s.ExecuteS), short(s.ValidateS), short(s.WaitS), short(s.IdleS))
	}
	fmt.Fprintf(&w, "  state diff   %s written, %s reverted\n", plural(s.KeysWritten, "key"), plural(s.Reverted, "transaction"))
	if extra != nil {
		extra(&w)
	}
	fmt.Fprintf(&w, "  dependencies %d; critical path %d transactions; parallelism %.2f\n", g.Edges(), s.CriticalPath, s.Parallelism)
	if !o.Sequential {
		if len(hot) == 0 {
			fmt.Fprintf(&w, "  no conflicts\n")
		} else {
			fmt.Fprintf(&w, "%s\n", st.Header.Render("  most conflicted keys"))
			for _, h := range hot {
				fmt.Fprintf(&w, "    %-20s %s, %s\n", keyName(h.Key), plural(h.Aborts, "abort"), plural(h.Waits, "wait"))
			}
		}
	}
	_, err := f.IO.Out.Write([]byte(w.String()))
	return err
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func tps(n int, s float64) float64 {
	if s <= 0 {
		return 0
	}
	return float64(n) / s
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

func seconds(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%8.3fs ", s)
	case s >= 1e-3:
		return fmt.Sprintf("%8.3fms", s*1e3)
	}
	return fmt.Sprintf("%8.1fus", s*1e6)
}

// short spells seconds compactly: "1.23ms".
func short(s float64) string {
	return strings.TrimSpace(seconds(s))
}

func fmtTPS(t float64) string { return fmt.Sprintf("%9.0f", t) }
