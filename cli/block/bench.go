package block

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/kvtx"
)

// BenchOptions are `kairo block bench`'s flags.
type BenchOptions struct {
	Gen     GenOptions
	Exec    execFlags
	Rounds  int
	JSON    bool
	Control bool
	// Classes is the directory of the account and ERC20 classes of the
	// erc20 workload.
	Classes string
}

func newCmdBench(f *cmdutil.Factory, runF func(*BenchOptions) error) *cobra.Command {
	o := &BenchOptions{}
	cmd := &cobra.Command{
		Use:   "bench --workload W [flags]",
		Short: "Benchmark parallel against sequential execution of a generated block",
		Long: `Generate a block, then execute it sequentially and in parallel, alternating, for
--rounds rounds in one process; check that every parallel result equals the
sequential one; report the medians: sequential_s, parallel_s (each the wall time of the whole execution call),
speedup, tps, and the engine's executions, validations, aborts and waits.
overhead_us_per_tx is the parallel wall time per transaction less the
transactions' calibrated work divided among the workers: with --tx-cost 0,
the engine's whole cost per transaction.`,
		Example: "  kairo block bench --workload transfers --txs 10000 --accounts 10000 --tx-cost 50us --workers 2 --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return runBench(f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Gen.Workload, "workload", "transfers", "transfers, hotspot, chain or random; erc20 for signed ERC20 transfers between funded accounts (with --classes)")
	fl.StringVar(&o.Classes, "classes", "", "erc20 workload: directory holding a Cairo 0 account class and an ERC20 class")
	fl.IntVarP(&o.Gen.Txs, "txs", "n", 10000, "number of transactions")
	fl.IntVarP(&o.Gen.Accounts, "accounts", "k", 10000, "accounts (transfers, hotspot) or keys (random)")
	fl.DurationVar(&o.Gen.TxCost, "tx-cost", 50*time.Microsecond, "CPU work of each transaction")
	fl.Uint64Var(&o.Gen.Seed, "seed", 1, "random seed")
	o.Exec.register(fl)
	fl.IntVar(&o.Rounds, "rounds", 5, "rounds of each (medians are reported)")
	fl.BoolVar(&o.JSON, "json", false, "print one JSON object")
	fl.BoolVar(&o.Control, "control", false, "also time the transactions' CPU work alone on 1 and on --workers goroutines (no engine; at least 50ms of it, spread over the transactions when they have less): the speedup this machine allows now")
	return cmd
}

// benchFigures are the fields every workload's --json output has.
type benchFigures struct {
	Workload         string    `json:"workload"`
	Txs              int       `json:"txs"`
	Accounts         int       `json:"accounts"`
	Workers          int       `json:"workers"`
	Scheduler        string    `json:"scheduler"`
	Rounds           int       `json:"rounds"`
	GOMAXPROCS       int       `json:"gomaxprocs"`
	SequentialS      float64   `json:"sequential_s"`
	ParallelS        float64   `json:"parallel_s"`
	Speedup          float64   `json:"speedup"`
	TPS              float64   `json:"tps"`
	SequentialTPS    float64   `json:"sequential_tps"`
	Executions       int       `json:"executions"`
	ExecutionsPerTx  float64   `json:"executions_per_tx"`
	Validations      int       `json:"validations"`
	Aborts           int       `json:"aborts"`
	Waits            int       `json:"waits"`
	Equal            bool      `json:"equal_to_sequential"`
	SequentialRounds []float64 `json:"sequential_rounds_s"`
	ParallelRounds   []float64 `json:"parallel_rounds_s"`
}

// summarize fills the medians and the counters of the median parallel
// round from the recorded rounds. The speedup is the median of the rounds'
// own speedups: a round's sequential and parallel runs follow each other,
// so the host's speed, which drifts over minutes, cancels out of each
// ratio; the ratio of the two medians could pair a fast phase's sequential
// run with a slow phase's parallel one.
func (r *benchFigures) summarize(metrics []blockstm.Metrics) blockstm.Metrics {
	r.SequentialS, r.ParallelS = median(r.SequentialRounds), median(r.ParallelRounds)
	ratios := make([]float64, 0, len(r.ParallelRounds))
	for i, p := range r.ParallelRounds {
		if p > 0 && i < len(r.SequentialRounds) {
			ratios = append(ratios, r.SequentialRounds[i]/p)
		}
	}
	if len(ratios) > 0 {
		r.Speedup = round2(median(ratios))
	}
	r.TPS, r.SequentialTPS = round2(tps(r.Txs, r.ParallelS)), round2(tps(r.Txs, r.SequentialS))
	m := medianMetrics(metrics)
	r.Executions, r.Validations, r.Aborts, r.Waits = m.Executions, m.Validations, m.Aborts, m.Waits
	if r.Txs > 0 {
		r.ExecutionsPerTx = round2(float64(m.Executions) / float64(r.Txs))
	}
	return m
}

// benchResult is `kairo block bench --json`'s output for the built-in
// workloads.
type benchResult struct {
	benchFigures
	TxCost            string  `json:"tx_cost"`
	Seed              uint64  `json:"seed"`
	SequentialNsPerTx float64 `json:"sequential_ns_per_tx"`
	ParallelNsPerTx   float64 `json:"parallel_ns_per_tx"`
	// OverheadUsPerTx is (median parallel wall time - calibrated work /
	// workers) / txs; SequentialOverheadUsPerTx the same for sequential
	// execution (all the work on one thread).
	OverheadUsPerTx           float64   `json:"overhead_us_per_tx"`
	SequentialOverheadUsPerTx float64   `json:"sequential_overhead_us_per_tx"`
	EarlyAborts               int       `json:"early_aborts"`
	NsPerSpin                 float64   `json:"ns_per_spin_round"`
	ControlSpeedup            float64   `json:"control_speedup,omitempty"`
	ControlRounds             []float64 `json:"control_speedup_rounds,omitempty"`
}

func runBench(f *cmdutil.Factory, o *BenchOptions) error {
	opt, err := o.Exec.options(false)
	if err != nil {
		return err
	}
	if o.Rounds < 1 || o.Rounds > 1000 {
		return fmt.Errorf("--rounds must be between 1 and 1000, not %d", o.Rounds)
	}
	if o.Gen.Workload == "erc20" {
		return runBenchERC20(f, o, opt)
	}
	b, err := kvtx.Generate(o.Gen.config())
	if err != nil {
		return err
	}
	// The keys are interned once, for every round.
	txs, keys := b.KeyedTransactions()
	opt.Keys = keys
	r := benchResult{
		benchFigures: benchFigures{Workload: o.Gen.Workload, Txs: o.Gen.Txs, Accounts: o.Gen.Accounts, Workers: opt.Workers,
			Scheduler: opt.Scheduler.String(), Rounds: o.Rounds, GOMAXPROCS: runtime.GOMAXPROCS(0), Equal: true},
		TxCost: kvtx.FormatDuration(o.Gen.TxCost), Seed: o.Gen.Seed, NsPerSpin: round2(kvtx.NsPerIteration())}
	var metrics []blockstm.Metrics
	for range o.Rounds {
		// Each timed run starts from a collected heap and is timed whole:
		// setup, execution, state diff and results.
		runtime.GC()
		t0 := time.Now()
		seq, err := blockstm.SequentialKeys(txs, b.Genesis, keys)
		seqWall := time.Since(t0)
		if err != nil {
			return err
		}
		runtime.GC()
		t0 = time.Now()
		par, err := blockstm.Run(txs, b.Genesis, opt)
		parWall := time.Since(t0)
		if err != nil {
			return err
		}
		if d := blockstm.Compare(seq, par, nil); d != nil {
			return mismatch(f, d)
		}
		r.SequentialRounds = append(r.SequentialRounds, seqWall.Seconds())
		r.ParallelRounds = append(r.ParallelRounds, parWall.Seconds())
		metrics = append(metrics, par.Metrics)
		runtime.GC()
		if o.Control {
			r.ControlRounds = append(r.ControlRounds, round2(controlSpeedup(b, opt.Workers)))
		}
	}
	m := r.summarize(metrics)
	if r.Txs > 0 {
		r.SequentialNsPerTx = round2(r.SequentialS * 1e9 / float64(r.Txs))
		r.ParallelNsPerTx = round2(r.ParallelS * 1e9 / float64(r.Txs))
		work := blockWork(b).Seconds()
		r.OverheadUsPerTx = round3((r.ParallelS - work/float64(opt.Workers)) * 1e6 / float64(r.Txs))
		r.SequentialOverheadUsPerTx = round3((r.SequentialS - work) * 1e6 / float64(r.Txs))
	}
	r.EarlyAborts = m.EarlyAborts
	if o.Control {
		r.ControlSpeedup = median(r.ControlRounds)
	}
	if o.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	st := f.IO.Styles()
	fmt.Fprintf(f.IO.Out, "%s\n", st.Title.Render(fmt.Sprintf("%s: %d transactions, %d accounts, %s each; %d workers, %s scheduler; median of %d rounds",
		r.Workload, r.Txs, r.Accounts, r.TxCost, r.Workers, r.Scheduler, r.Rounds)))
	fmt.Fprintf(f.IO.Out, "  sequential  %s  %s tx/s  %10.0f ns/tx\n", seconds(r.SequentialS), fmtTPS(r.SequentialTPS), r.SequentialNsPerTx)
	fmt.Fprintf(f.IO.Out, "  parallel    %s  %s tx/s  %10.0f ns/tx  speedup %.2fx\n", seconds(r.ParallelS), fmtTPS(r.TPS), r.ParallelNsPerTx, r.Speedup)
	fmt.Fprintf(f.IO.Out, "  overhead    %.3f us/tx parallel, %.3f us/tx sequential (wall time less the calibrated work)\n", r.OverheadUsPerTx, r.SequentialOverheadUsPerTx)
	fmt.Fprintf(f.IO.Out, "  engine      %d executions (%.2f per tx), %d validations, %d aborts (%d stopped early), %d waits\n",
		r.Executions, r.ExecutionsPerTx, r.Validations, r.Aborts, r.EarlyAborts, r.Waits)
	if o.Control {
		fmt.Fprintf(f.IO.Out, "  control     the same work on %d goroutines without the engine: speedup %.2fx\n", r.Workers, r.ControlSpeedup)
	}
	fmt.Fprintf(f.IO.Out, "  result      %s\n", st.Good.Render("equal to sequential execution in every round"))
	return nil
}

// medianMetrics returns the counters of the round with the median wall
// time.
func medianMetrics(metrics []blockstm.Metrics) blockstm.Metrics {
	order := make([]int, len(metrics))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(metrics[a].Wall, metrics[b].Wall) })
	return metrics[order[len(order)/2]]
}

// blockWork is the block's CPU work as calibrated: the Spin rounds of
// every transaction at the measured cost of a round.
func blockWork(b *kvtx.Block) time.Duration {
	var rounds uint64
	for _, c := range b.Costs() {
		rounds += kvtx.Iterations(c)
	}
	return time.Duration(float64(rounds) * kvtx.NsPerIteration())
}

// minControlWork is the least work the control times: a block with less
// (--tx-cost 0) has it spread evenly over its transactions instead, so
// that the control still says how much parallelism the machine gives.
const minControlWork = 50 * time.Millisecond

// controlSpeedup times the block's CPU work alone (kvtx.Spin, no state, no
// engine) on one goroutine and split over workers goroutines: the speedup
// the machine itself gives at this moment, to read the engine's against.
func controlSpeedup(b *kvtx.Block, workers int) float64 {
	costs := b.Costs()
	work := make([]uint64, len(costs))
	for i, c := range costs {
		work[i] = kvtx.Iterations(c)
	}
	if len(work) > 0 && blockWork(b) < minControlWork {
		each := kvtx.Iterations(minControlWork / time.Duration(len(work)))
		for i := range work {
			work[i] = each
		}
	}
	t0 := time.Now()
	for _, n := range work {
		kvtx.Spin(n)
	}
	one := time.Since(t0)
	t0 = time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(work); i += workers {
				kvtx.Spin(work[i])
			}
		}()
	}
	wg.Wait()
	many := time.Since(t0)
	if many <= 0 {
		return 0
	}
	return float64(one) / float64(many)
}

// round3 rounds to three decimals.
func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
