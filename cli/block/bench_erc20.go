package block

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/vm/felt"
)

// erc20Result is `kairo block bench --workload erc20 --json`'s output: the
// fields of the built-in workloads, plus Cairo steps per second.
type erc20Result struct {
	benchFigures
	StepsPerTx float64 `json:"cairo_steps_per_tx"`
	StepsPerS  float64 `json:"cairo_steps_per_s"`
}

// runBenchERC20 benchmarks a block of signed ERC20 (fee-token) transfers
// between funded accounts: the account and ERC20 classes come from
// --classes DIR, genesis is written directly to the base state, and each
// round executes the block sequentially and in parallel and checks that
// receipts, rejections and the state diff are equal.
func runBenchERC20(f *cmdutil.Factory, o *BenchOptions, opt blockstm.Options) error {
	if o.Classes == "" {
		return fmt.Errorf("--workload erc20 needs --classes DIR with a Cairo 0 account class and an ERC20 class")
	}
	if o.Gen.Accounts < 2 {
		return fmt.Errorf("--workload erc20 needs at least 2 accounts, not %d", o.Gen.Accounts)
	}
	if o.Gen.Txs < 1 {
		return fmt.Errorf("--txs must be at least 1, not %d", o.Gen.Txs)
	}
	files, err := devnet.ReadClassDir(o.Classes)
	if err != nil {
		return err
	}
	classes := make([]*contract.Class, len(files))
	for i, cf := range files {
		if classes[i], err = contract.Parse(cf.Data); err != nil {
			return fmt.Errorf("class %s: %w", cf.Name, err)
		}
	}
	account, token, err := devnet.GenesisClasses(files, classes)
	if err != nil {
		return err
	}
	cfg := txn.DefaultConfig()
	gen, err := txn.NewGenesis(txn.GenesisOptions{Config: cfg, AccountClass: account, TokenClass: token,
		Accounts: o.Gen.Accounts, Seed: o.Gen.Seed, Balance: felt.FromUint64(1_000_000_000_000_000_000)})
	if err != nil {
		return err
	}
	txs, err := txn.TransferBlock(cfg, gen, o.Gen.Txs)
	if err != nil {
		return err
	}
	exec := &txn.Executor{Config: cfg, Classes: gen.Classes}
	r := erc20Result{benchFigures: benchFigures{Workload: "erc20", Txs: len(txs), Accounts: o.Gen.Accounts, Workers: opt.Workers,
		Scheduler: opt.Scheduler.String(), Rounds: o.Rounds, GOMAXPROCS: runtime.GOMAXPROCS(0), Equal: true}}
	var metrics []blockstm.Metrics
	var steps uint64
	for round := range o.Rounds {
		runtime.GC()
		seq, err := exec.RunBlock(txs, gen.State, opt, true)
		if err != nil {
			return err
		}
		runtime.GC()
		par, err := exec.RunBlock(txs, gen.State, opt, false)
		if err != nil {
			return err
		}
		if d := txn.SameResults(seq, par); d != "" {
			return fmt.Errorf("round %d: parallel execution differs from sequential: %s", round+1, d)
		}
		if round == 0 {
			for i, rc := range seq.Receipts {
				if rc == nil {
					return fmt.Errorf("transfer %d rejected: %v", i, seq.Errors[i])
				}
				for _, c := range rc.Calls() {
					steps += c.Resources.Steps
				}
			}
		}
		r.SequentialRounds = append(r.SequentialRounds, seq.Metrics.Wall.Seconds())
		r.ParallelRounds = append(r.ParallelRounds, par.Metrics.Wall.Seconds())
		metrics = append(metrics, par.Metrics)
	}
	r.summarize(metrics)
	r.StepsPerTx = round2(float64(steps) / float64(r.Txs))
	r.StepsPerS = round2(float64(steps) / r.ParallelS)
	if o.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	st := f.IO.Styles()
	fmt.Fprintf(f.IO.Out, "%s\n", st.Title.Render(fmt.Sprintf("erc20: %d signed transfers, %d accounts; %d workers, %s scheduler; median of %d rounds",
		r.Txs, r.Accounts, r.Workers, r.Scheduler, r.Rounds)))
	fmt.Fprintf(f.IO.Out, "  sequential  %s  %s tx/s\n", seconds(r.SequentialS), fmtTPS(r.SequentialTPS))
	fmt.Fprintf(f.IO.Out, "  parallel    %s  %s tx/s  speedup %.2fx  %.0f Cairo steps/s (%.0f per tx)\n",
		seconds(r.ParallelS), fmtTPS(r.TPS), r.Speedup, r.StepsPerS, r.StepsPerTx)
	fmt.Fprintf(f.IO.Out, "  engine      %d executions (%.2f per tx), %d validations, %d aborts, %d waits\n",
		r.Executions, r.ExecutionsPerTx, r.Validations, r.Aborts, r.Waits)
	fmt.Fprintf(f.IO.Out, "  result      %s\n", st.Good.Render("receipts and state diff equal to sequential execution in every round"))
	return nil
}
