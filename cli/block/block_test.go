package block

import (
	"encoding/json"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/internal/golden"

	"github.com/spf13/viper"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/cli/internal/clitest"
	"github.com/kairo-dev/kairo/sequencer/blockstm"
)

const market = "../../fixtures/blocks/market.json"

// kairo runs `kairo block ARGS` on in-memory streams.
func kairo(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return clitest.Execute(t, NewCmdBlock, nil, stdin, args...)
}

// maskTimes replaces what differs from run to run in `block run` output:
// the timing lines keep only their label.
var timingLine = regexp.MustCompile(`(?m)^(  (parallel|sequential|time)) .*$`)

func maskTimes(s string) string { return timingLine.ReplaceAllString(s, "$1 <time>") }

// TestGolden runs the commands whose output is deterministic with one
// worker (one worker never aborts) on the fixture blocks.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		mask func(string) string
		code int
	}{
		{"gen_transfers", []string{"gen", "--workload", "transfers", "--txs", "5", "--accounts", "3", "--seed", "7"}, nil, 0},
		{"gen_hotspot", []string{"gen", "--workload", "hotspot", "--txs", "4", "--accounts", "3", "--tx-cost", "50us"}, nil, 0},
		{"gen_chain", []string{"gen", "--workload", "chain", "--txs", "3"}, nil, 0},
		{"gen_random", []string{"gen", "--workload", "random", "--txs", "4", "--accounts", "5", "--seed", "2"}, nil, 0},
		{"run_market", []string{"run", market, "--workers", "1"}, maskTimes, 0},
		{"run_market_sequential", []string{"run", market, "--sequential"}, maskTimes, 0},
		{"graph_market_text", []string{"graph", market, "--workers", "1"}, nil, 0},
		{"graph_market_dot", []string{"graph", market, "--workers", "1", "--format", "dot"}, nil, 0},
		{"graph_market_json", []string{"graph", market, "--workers", "1", "--format", "json", "--scheduler", "classic"}, nil, 0},
		{"graph_market_mermaid", []string{"graph", market, "--workers", "1", "--format", "mermaid"}, nil, 0},
		{"explain_market", []string{"explain", market, "--tx", "6", "--workers", "1"}, nil, 0},
		{"bad_unknown_field", []string{"run", "testdata/unknown_field.json"}, nil, 1},
		{"bad_duplicate_key", []string{"graph", "testdata/duplicate_key.json"}, nil, 1},
		{"bad_missing_field", []string{"explain", "testdata/missing_field.json", "--tx", "0"}, nil, 1},
		{"bad_malformed", []string{"run", "testdata/malformed.json"}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := kairo(t, "", tt.args...)
			if code := clitest.ExitCode(err); code != tt.code {
				t.Fatalf("exit code %d (%v), want %d; stderr: %s", code, err, tt.code, errOut)
			}
			got := out + errOut
			if tt.mask != nil {
				got = tt.mask(got)
			}
			golden.Check(t, tt.name, got)
		})
	}
}

// TestGenRoundTrip: a generated block, read back from standard input, runs.
func TestGenRoundTrip(t *testing.T) {
	block, _, err := kairo(t, "", "gen", "--workload", "random", "--txs", "40", "--accounts", "6")
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := kairo(t, block, "run", "-", "--workers", "4", "--json")
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	var s runSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Txs != 40 || s.Equal == nil || !*s.Equal || s.Workers != 4 || s.Executions < 40 {
		t.Fatalf("summary %+v", s)
	}
}

func TestGenToFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.json")
	_, errOut, err := kairo(t, "", "gen", "--workload", "chain", "--txs", "3", "-o", path)
	if err != nil || !strings.HasPrefix(errOut, "wrote "+path) {
		t.Fatalf("%v %q", err, errOut)
	}
	if _, _, err := kairo(t, "", "run", path, "--workers", "2"); err != nil {
		t.Fatal(err)
	}
}

// TestBench: the JSON object has the fields scripts rely on, and the
// parallel results equal the sequential ones.
func TestBench(t *testing.T) {
	for _, sched := range []string{"classic", "dependents"} {
		out, errOut, err := kairo(t, "", "bench", "--workload", "hotspot", "--txs", "200", "--accounts", "20",
			"--tx-cost", "0", "--workers", "2", "--rounds", "2", "--scheduler", sched, "--json")
		if err != nil {
			t.Fatalf("%v: %s", err, errOut)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"sequential_s", "parallel_s", "speedup", "tps", "executions", "validations", "aborts", "equal_to_sequential",
			"overhead_us_per_tx", "sequential_overhead_us_per_tx"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("no %q in %s", k, out)
			}
		}
		if m["equal_to_sequential"] != true || m["scheduler"] != sched || m["executions"].(float64) < 200 {
			t.Fatalf("bench %s", out)
		}
		// With no work, the overhead is the whole parallel wall time per
		// transaction.
		over, perTx := m["overhead_us_per_tx"].(float64), m["parallel_ns_per_tx"].(float64)/1000
		if over <= 0 || math.Abs(over-perTx) > 0.01 {
			t.Fatalf("overhead_us_per_tx %v, parallel_ns_per_tx %v us", over, perTx)
		}
	}
	out, _, err := kairo(t, "", "bench", "--workload", "chain", "--txs", "20", "--tx-cost", "0", "--rounds", "1")
	if err != nil || !strings.Contains(out, "equal to sequential execution in every round") {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestTimeline(t *testing.T) {
	out, _, err := kairo(t, "", "graph", market, "--timeline", "--workers", "2", "--width", "30")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Timeline: 2 workers (dependents)") || !strings.Contains(out, "w1  |") {
		t.Fatalf("timeline:\n%s", out)
	}
}

// TestFlags captures each command's options.
func TestFlags(t *testing.T) {
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{}, Config: viper.New()}
	var gen *GenOptions
	cmd := newCmdGen(f, func(o *GenOptions) error { gen = o; return nil })
	cmd.SetArgs([]string{"--workload", "hotspot", "--txs", "7", "--accounts", "3", "--tx-cost", "50us", "--seed", "9", "-o", "x.json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	gen.ctx = nil
	if *gen != (GenOptions{Workload: "hotspot", Txs: 7, Accounts: 3, TxCost: 50 * time.Microsecond, Seed: 9, Output: "x.json"}) {
		t.Fatalf("gen options %+v", *gen)
	}
	var run *RunOptions
	cmd = newCmdRun(f, func(o *RunOptions) error { run = o; return nil })
	cmd.SetArgs([]string{"b.json", "-w", "8", "--scheduler", "classic", "--sequential", "--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	run.ctx = nil
	if *run != (RunOptions{File: "b.json", Exec: execFlags{Workers: 8, Scheduler: "classic"}, Sequential: true, JSON: true}) {
		t.Fatalf("run options %+v", *run)
	}
	var bench *BenchOptions
	cmd = newCmdBench(f, func(o *BenchOptions) error { bench = o; return nil })
	cmd.SetArgs([]string{"--workload", "chain", "--txs", "100", "--workers", "2", "--rounds", "3", "--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if bench.Gen.Workload != "chain" || bench.Gen.Txs != 100 || bench.Gen.TxCost != 50*time.Microsecond || bench.Exec.Workers != 2 || bench.Rounds != 3 || !bench.JSON {
		t.Fatalf("bench options %+v", *bench)
	}
	var graph *GraphOptions
	cmd = newCmdGraph(f, func(o *GraphOptions) error { graph = o; return nil })
	cmd.SetArgs([]string{"b.json", "--format", "mermaid", "--timeline", "--limit", "3"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if graph.File != "b.json" || graph.Format != "mermaid" || !graph.Timeline || graph.Limit != 3 || graph.Exec.Scheduler != "dependents" {
		t.Fatalf("graph options %+v", *graph)
	}
	var explain *ExplainOptions
	cmd = newCmdExplain(f, func(o *ExplainOptions) error { explain = o; return nil })
	cmd.SetArgs([]string{"b.json", "--tx", "7"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if explain.File != "b.json" || explain.Tx != 7 {
		t.Fatalf("explain options %+v", *explain)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"gen", "--workload", "nope"}, `unknown workload "nope"`},
		{[]string{"run", market, "--workers", "0"}, "--workers must be between 1 and 1024"},
		{[]string{"run", market, "--scheduler", "fifo"}, `unknown scheduler "fifo"`},
		{[]string{"graph", market, "--format", "svg"}, `unknown format "svg"`},
		{[]string{"graph", market, "--format", "dot", "--timeline"}, "--timeline draws text only"},
		{[]string{"explain", market, "--tx", "99"}, "no transaction 99: the block has 8 (0 to 7)"},
		{[]string{"explain", market}, `required flag(s) "tx" not set`},
		{[]string{"run", "testdata/nonexistent.json"}, "read testdata/nonexistent.json"},
		{[]string{"bench", "--rounds", "0"}, "--rounds must be between 1 and 1000"},
	} {
		_, _, err := kairo(t, "", tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestBenchSpeedupPairsRounds(t *testing.T) {
	tests := []struct {
		name     string
		seq, par []float64
		want     float64
	}{
		{"steady host", []float64{1, 1, 1}, []float64{0.5, 0.5, 0.5}, 2},
		// The host slows down twofold after the first round: each round's
		// own ratio stays 0.9, where the ratio of the medians would say
		// 0.45.
		{"drifting host", []float64{1, 2, 2}, []float64{1.0 / 0.9, 2 / 0.9, 2 / 0.9}, 0.9},
		{"one disturbed round", []float64{1, 1, 1, 1, 1}, []float64{1, 1, 1, 1, 3}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := benchFigures{Txs: 10, SequentialRounds: tt.seq, ParallelRounds: tt.par}
			r.summarize(make([]blockstm.Metrics, len(tt.seq)))
			if r.Speedup != tt.want {
				t.Errorf("speedup %v, want %v", r.Speedup, tt.want)
			}
		})
	}
}
