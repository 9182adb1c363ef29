package blockstm_test

import (
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/kvtx"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// benchBlocks are the blocks of the performance targets.
var benchBlocks = []struct {
	name string
	cfg  kvtx.GenConfig
}{
	{"transfers-10k", kvtx.GenConfig{Workload: "transfers", Txs: 10000, Accounts: 10000, TxCost: 50 * time.Microsecond, Seed: 1}},
	{"transfers-2", kvtx.GenConfig{Workload: "transfers", Txs: 10000, Accounts: 2, TxCost: 50 * time.Microsecond, Seed: 1}},
	{"hotspot", kvtx.GenConfig{Workload: "hotspot", Txs: 10000, Accounts: 10000, TxCost: 50 * time.Microsecond, Seed: 1}},
	{"chain", kvtx.GenConfig{Workload: "chain", Txs: 10000, TxCost: 50 * time.Microsecond, Seed: 1}},
	{"random", kvtx.GenConfig{Workload: "random", Txs: 10000, Accounts: 1000, TxCost: 50 * time.Microsecond, Seed: 1}},
}

func genBench(b *testing.B, cfg kvtx.GenConfig) (*kvtx.Block, []blockstm.Tx[kvtx.Output]) {
	b.Helper()
	blk, err := kvtx.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return blk, blk.Transactions()
}

// BenchmarkBlock reports tx/s for sequential and parallel execution of each
// workload (50us of work per transaction), and executions per transaction
// for both schedulers.
func BenchmarkBlock(b *testing.B) {
	for _, bb := range benchBlocks {
		blk, txs := genBench(b, bb.cfg)
		n := float64(len(txs))
		b.Run(bb.name+"/sequential", func(b *testing.B) {
			for b.Loop() {
				if _, err := blockstm.Sequential(txs, blk.Genesis); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds(), "tx/s")
		})
		for _, s := range schedulers {
			for _, w := range workerCounts {
				b.Run(fmt.Sprintf("%s/%s/w%d", bb.name, s, w), func(b *testing.B) {
					execs := 0
					for b.Loop() {
						r, err := blockstm.Run(txs, blk.Genesis, blockstm.Options{Workers: w, Scheduler: s})
						if err != nil {
							b.Fatal(err)
						}
						execs += r.Metrics.Executions
					}
					b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds(), "tx/s")
					b.ReportMetric(float64(execs)/(n*float64(b.N)), "execs/tx")
				})
			}
		}
	}
}

// BenchmarkSpeedup runs sequential and parallel execution (2 workers)
// alternately in every iteration, on the blocks of the targets, and
// reports the speedup (sequential time over parallel time, summed over the
// iterations), executions per transaction, and the control: the same
// transactions' CPU work alone on 1 and on 2 goroutines, the speedup the
// machine allowed meanwhile. On a machine shared with other work, read the
// speedup against the control.
func BenchmarkSpeedup(b *testing.B) {
	for _, bb := range benchBlocks {
		if bb.name == "hotspot" {
			continue // transfers-10k with a fee: the same figures
		}
		blk, txs := genBench(b, bb.cfg)
		work := kvtx.Iterations(bb.cfg.TxCost)
		for _, s := range schedulers {
			b.Run(fmt.Sprintf("%s/%s/w2", bb.name, s), func(b *testing.B) {
				var speedups, controls []float64
				execs := 0
				for b.Loop() {
					r0, err := blockstm.Sequential(txs, blk.Genesis)
					if err != nil {
						b.Fatal(err)
					}
					r, err := blockstm.Run(txs, blk.Genesis, blockstm.Options{Workers: 2, Scheduler: s})
					if err != nil {
						b.Fatal(err)
					}
					speedups = append(speedups, float64(r0.Metrics.Wall)/float64(r.Metrics.Wall))
					execs += r.Metrics.Executions
					o, t := control(len(txs), work)
					controls = append(controls, float64(o)/float64(t))
				}
				// Medians of the iterations' own ratios: the host's speed
				// drifts over minutes, and cancels out of a ratio of
				// runs that follow each other.
				b.ReportMetric(median(speedups), "speedup")
				b.ReportMetric(median(controls), "control")
				b.ReportMetric(float64(execs)/float64(len(txs)*b.N), "execs/tx")
			})
		}
	}
}

// control times n rounds of work alone on one goroutine, then split over
// two.
func control(n int, work uint64) (one, two time.Duration) {
	t0 := time.Now()
	for range n {
		kvtx.Spin(work)
	}
	one = time.Since(t0)
	t0 = time.Now()
	done := make(chan struct{})
	for g := range 2 {
		go func() {
			for i := g; i < n; i += 2 {
				kvtx.Spin(work)
			}
			done <- struct{}{}
		}()
	}
	<-done
	<-done
	return one, time.Since(t0)
}

// cpuTime is the process's user and system CPU time so far: on a machine
// shared with other work it varies less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bareView applies transactions straight to a map, with no read or write
// sets and no versions: the floor under any executor of these
// transactions. A transaction's writes are buffered and applied when it
// succeeds.
type bareView struct {
	base state.Map
	m    map[state.Key]felt.Felt
	buf  []state.KV
}

func (v *bareView) Read(k state.Key) (felt.Felt, error) {
	for i := len(v.buf) - 1; i >= 0; i-- {
		if v.buf[i].Key == k {
			return v.buf[i].Value, nil
		}
	}
	if x, ok := v.m[k]; ok {
		return x, nil
	}
	return v.base[k], nil
}

func (v *bareView) Write(k state.Key, x felt.Felt) error {
	v.buf = append(v.buf, state.KV{Key: k, Value: x})
	return nil
}

func (v *bareView) AddDelta(k state.Key, d felt.Felt) error {
	x, _ := v.Read(k)
	return v.Write(k, x.Add(d))
}

// bare runs txs over a bareView and returns their outputs.
func bare(txs []blockstm.Tx[kvtx.Output], base state.Map) []kvtx.Output {
	v := &bareView{base: base, m: make(map[state.Key]felt.Felt, len(txs))}
	outs := make([]kvtx.Output, len(txs))
	for i, tx := range txs {
		v.buf = v.buf[:0]
		out, err := tx.Execute(v)
		if err == nil {
			for _, kv := range v.buf {
				v.m[kv.Key] = kv.Value
			}
		}
		outs[i] = out
	}
	return outs
}

// BenchmarkOverhead reports the engine's cost per transaction with
// zero-work transactions (10,000 transfers over 10,000 accounts): ns/tx is
// the wall time of the whole call (setup, execution, state diff and
// results) per transaction, the figure `kairo block bench --tx-cost 0`
// reports as overhead_us_per_tx; cpu-ns/tx is the process's CPU time.
// Beside the engine on 1 and 2 workers: sequential execution, and a bare
// loop that applies the transactions to a map (no read sets, no state
// diff), the floor under any executor. The block's keys are interned once
// (KeySet), as kairo block does; the nokeys/ runs show the general path.
func BenchmarkOverhead(b *testing.B) {
	cfg := kvtx.GenConfig{Workload: "transfers", Txs: 10000, Accounts: 10000, Seed: 1}
	blk, err := kvtx.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	txs, keys := blk.KeyedTransactions()
	n := float64(len(txs))
	measure := func(b *testing.B, run func()) {
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			run()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(n*float64(b.N)), "ns/tx")
		b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/(n*float64(b.N)), "cpu-ns/tx")
	}
	b.Run("bare", func(b *testing.B) { measure(b, func() { bare(txs, blk.Genesis) }) })
	for _, ks := range []*blockstm.KeySet{keys, nil} {
		prefix := ""
		if ks == nil {
			prefix = "nokeys/"
		}
		b.Run(prefix+"sequential", func(b *testing.B) {
			measure(b, func() {
				if _, err := blockstm.SequentialKeys(txs, blk.Genesis, ks); err != nil {
					b.Fatal(err)
				}
			})
		})
		for _, s := range schedulers {
			for _, w := range []int{1, 2} {
				if ks == nil && (s != blockstm.Dependents || w != 2) {
					continue
				}
				b.Run(fmt.Sprintf("%s%s/w%d", prefix, s, w), func(b *testing.B) {
					measure(b, func() {
						if _, err := blockstm.Run(txs, blk.Genesis, blockstm.Options{Workers: w, Scheduler: s, Keys: ks}); err != nil {
							b.Fatal(err)
						}
					})
				})
			}
		}
	}
}

// median returns the median of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
