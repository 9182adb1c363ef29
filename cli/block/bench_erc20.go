package block

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/depgraph"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/vm/felt"
)

// erc20Result is `kairo block bench --workload erc20 --json`'s output: the
// fields of the built-in workloads, plus Cairo steps per second.
type erc20Result struct {
	benchFigures
	StepsPerTx float64 `json:"cairo_steps_per_tx"`
	StepsPerS  float64 `json:"cairo_steps_per_s"`
	// AccountClass and TokenClass are the hashes of the classes used.
	AccountClass string `json:"account_class"`
	TokenClass   string `json:"token_class"`
	// TimeSplit is the average time per transaction of each phase in the
	// sequential rounds; ParallelSplit in the parallel rounds (the final
	// execution of each transaction).
	TimeSplit     timeSplit `json:"time_split_us"`
	ParallelSplit timeSplit `json:"parallel_time_split_us"`
	// ControlSpeedup is, with --control, the speedup of executing every
	// transaction alone on the genesis state (no engine, no shared
	// state) on --workers goroutines over one.
	ControlSpeedup float64   `json:"control_speedup,omitempty"`
	ControlRounds  []float64 `json:"control_speedup_rounds,omitempty"`
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
	account, token, err := findERC20Classes(o.Classes)
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
	var seqReceipts, parReceipts []*txn.Receipt
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
		seqReceipts = append(seqReceipts, seq.Receipts...)
		parReceipts = append(parReceipts, par.Receipts...)
		if o.Control {
			runtime.GC()
			c, err := erc20Control(exec, txs, gen.State, opt.Workers)
			if err != nil {
				return err
			}
			r.ControlRounds = append(r.ControlRounds, round2(c))
		}
	}
	r.summarize(metrics)
	r.TimeSplit, r.ParallelSplit = splitOf(seqReceipts), splitOf(parReceipts)
	if o.Control {
		r.ControlSpeedup = median(r.ControlRounds)
	}
	r.AccountClass, r.TokenClass = account.Hash.String(), token.Hash.String()
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
	fmt.Fprintf(f.IO.Out, "  classes     account %s, ERC20 %s\n", depgraph.Short(account.Hash), depgraph.Short(token.Hash))
	fmt.Fprintf(f.IO.Out, "  sequential  %s  %s tx/s\n", seconds(r.SequentialS), fmtTPS(r.SequentialTPS))
	fmt.Fprintf(f.IO.Out, "  parallel    %s  %s tx/s  speedup %.2fx  %.0f Cairo steps/s (%.0f per tx)\n",
		seconds(r.ParallelS), fmtTPS(r.TPS), r.Speedup, r.StepsPerS, r.StepsPerTx)
	fmt.Fprintf(f.IO.Out, "  engine      %d executions (%.2f per tx), %d validations, %d aborts, %d waits\n",
		r.Executions, r.ExecutionsPerTx, r.Validations, r.Aborts, r.Waits)
	fmt.Fprintf(f.IO.Out, "  per tx      sequential: %s\n", r.TimeSplit)
	fmt.Fprintf(f.IO.Out, "              parallel:   %s\n", r.ParallelSplit)
	if o.Control {
		fmt.Fprintf(f.IO.Out, "  control     every transaction alone on the genesis state, on %d goroutines without the engine: speedup %.2fx\n", r.Workers, r.ControlSpeedup)
	}
	fmt.Fprintf(f.IO.Out, "  result      %s\n", st.Good.Render("receipts and state diff equal to sequential execution in every round"))
	return nil
}

// erc20Control times executing every transaction alone on the genesis
// state (its own overlay, nothing shared but the read-only state and the
// classes) on one goroutine and split over workers goroutines: the
// speedup the machine gives this work now, without the engine. With few
// senders most transactions are rejected there for their nonce, after
// validation and execution, which is nearly all their work.
func erc20Control(exec *txn.Executor, txs []*txn.Tx, base state.Map, workers int) (float64, error) {
	ro := readOnlyState{base}
	runOne := func(tx *txn.Tx) error {
		if _, err := exec.Execute(execution.NewOverlay(ro), tx); err != nil {
			var ee *execution.Error
			if !errors.As(err, &ee) {
				return err
			}
		}
		return nil
	}
	t0 := time.Now()
	for _, tx := range txs {
		if err := runOne(tx); err != nil {
			return 0, err
		}
	}
	one := time.Since(t0)
	t0 = time.Now()
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(txs); i += workers {
				if err := runOne(txs[i]); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	many := time.Since(t0)
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	if many <= 0 {
		return 0, nil
	}
	return float64(one) / float64(many), nil
}

// readOnlyState is a state.Map as an execution.State that refuses
// writes (transactions write to their overlays).
type readOnlyState struct{ m state.Map }

func (s readOnlyState) Read(k state.Key) (felt.Felt, error) { return s.m[k], nil }

func (readOnlyState) Write(k state.Key, _ felt.Felt) error {
	return fmt.Errorf("write %s: the control's base state is read-only", k)
}

// findERC20Classes picks the account and ERC20 classes of the erc20
// workload from dir: the one account class and the one ERC20 class of its
// *.json files, as kairo devnet init --accounts picks them; otherwise
// (several of either, or classes only in sub-directories) the first pair,
// in path order of all *.json files under dir, with which a signed
// transfer between two funded accounts is accepted.
func findERC20Classes(dir string) (account, token *contract.Class, err error) {
	if files, ferr := devnet.ReadClassDir(dir); ferr == nil {
		classes := make([]*contract.Class, len(files))
		ok := true
		for i, cf := range files {
			if classes[i], err = contract.Parse(cf.Data); err != nil {
				ok = false
				break
			}
		}
		if ok {
			if account, token, err = devnet.GenesisClasses(files, classes); err == nil {
				return account, token, nil
			}
		}
	}
	var accounts, tokens []*contract.Class
	walkErr := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		c, err := contract.Parse(data)
		if err != nil {
			return nil // not a Cairo 0 class
		}
		switch depgraph.ClassName(c) {
		case "account":
			accounts = append(accounts, c)
		case "ERC20":
			tokens = append(tokens, c)
		}
		return nil
	})
	if walkErr != nil {
		return nil, nil, fmt.Errorf("read classes: %w", walkErr)
	}
	if len(accounts) == 0 || len(tokens) == 0 {
		return nil, nil, fmt.Errorf("--classes %s: the erc20 workload needs a Cairo 0 account class and an ERC20 class; found %d and %d", dir, len(accounts), len(tokens))
	}
	for _, a := range accounts {
		for _, t := range tokens {
			if transferWorks(a, t) {
				return a, t, nil
			}
		}
	}
	return nil, nil, fmt.Errorf("--classes %s: no account class (of %d) and ERC20 class (of %d) with which a signed transfer is accepted", dir, len(accounts), len(tokens))
}

// transferWorks reports whether a signed fee-token transfer between two
// funded accounts of these classes is accepted.
func transferWorks(account, token *contract.Class) bool {
	cfg := txn.DefaultConfig()
	gen, err := txn.NewGenesis(txn.GenesisOptions{Config: cfg, AccountClass: account, TokenClass: token, Accounts: 2,
		Balance: felt.FromUint64(1_000_000_000_000_000_000)})
	if err != nil {
		return false
	}
	txs, err := txn.TransferBlock(cfg, gen, 1)
	if err != nil {
		return false
	}
	res, err := (&txn.Executor{Config: cfg, Classes: gen.Classes}).RunBlock(txs, gen.State, blockstm.Options{Workers: 1}, true)
	return err == nil && res.Receipts[0] != nil && res.Receipts[0].Status == txn.Accepted
}
