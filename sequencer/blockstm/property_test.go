package blockstm_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/kvtx"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

var workerCounts = []int{1, 2, 4, 8}
var schedulers = []blockstm.SchedulerKind{blockstm.Classic, blockstm.Dependents}

// blockCase is one generated block of the property test.
type blockCase struct {
	workload string
	txs      int
	accounts int
}

var propertyCases = []blockCase{
	{"transfers", 120, 2},
	{"transfers", 120, 10},
	{"transfers", 120, 1000},
	{"hotspot", 120, 4},
	{"hotspot", 120, 100},
	{"chain", 60, 0},
	{"random", 120, 8},
	{"random", 120, 64},
}

// TestParallelEqualsSequential runs hundreds of seeded blocks of every
// workload on 1, 2, 4 and 8 workers with both schedulers, and requires the
// result of sequential execution each time. The runs take turns without a
// KeySet, with the block's, and with one holding every other key of it
// (so that the transactions' ids name other keys, and some keys are
// outside the set); sequential execution with each set must agree too.
func TestParallelEqualsSequential(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 5
	}
	for _, c := range propertyCases {
		t.Run(fmt.Sprintf("%s-%d-%d", c.workload, c.txs, c.accounts), func(t *testing.T) {
			t.Parallel()
			var m blockstm.Metrics
			for seed := range uint64(seeds) {
				cost := time.Duration(seed%3) * time.Microsecond // vary the interleavings
				b, err := kvtx.Generate(kvtx.GenConfig{Workload: c.workload, Txs: c.txs, Accounts: c.accounts, TxCost: cost, Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				txs, full := b.KeyedTransactions()
				want, err := blockstm.Sequential(txs, b.Genesis)
				if err != nil {
					t.Fatal(err)
				}
				sets := []*blockstm.KeySet{nil, full, halfKeySet(full)}
				for i, ks := range sets[1:] {
					got, err := blockstm.SequentialKeys(txs, b.Genesis, ks)
					if err != nil {
						t.Fatal(err)
					}
					if err := blockstm.Compare(want, got, nil); err != nil {
						t.Fatalf("seed %d, sequential with key set %d: %v", seed, i+1, err)
					}
				}
				for _, w := range workerCounts {
					for si, s := range schedulers {
						ks := (int(seed) + w + si) % len(sets)
						got, err := blockstm.Run(txs, b.Genesis, blockstm.Options{Workers: w, Scheduler: s, Keys: sets[ks]})
						if err != nil {
							t.Fatal(err)
						}
						if err := blockstm.Compare(want, got, nil); err != nil {
							t.Fatalf("seed %d, %d workers, %s, key set %d: %v", seed, w, s, ks, err)
						}
						m.Executions += got.Metrics.Executions
						m.Aborts += got.Metrics.Aborts
						m.Waits += got.Metrics.Waits
						m.EarlyAborts += got.Metrics.EarlyAborts
					}
				}
			}
			t.Logf("executions %d, aborts %d, waits %d, early aborts %d", m.Executions, m.Aborts, m.Waits, m.EarlyAborts)
		})
	}
}

// halfKeySet returns a KeySet of every other key of ks.
func halfKeySet(ks *blockstm.KeySet) *blockstm.KeySet {
	var keys []state.Key
	for id := 0; id < ks.Len(); id += 2 {
		keys = append(keys, ks.Key(int32(id)))
	}
	return blockstm.NewKeySet(keys)
}

// TestLiveness runs many small serial blocks, where workers keep running
// out of work and going to sleep: every run must finish. The longer blocks
// are serial long enough for classic to switch to its window (after 64
// commits) and for both schedulers to try wider windows and fall back.
func TestLiveness(t *testing.T) {
	rounds := 300
	if testing.Short() {
		rounds = 30
	}
	for i, c := range []struct {
		wl  string
		txs int
	}{{"transfers", 40}, {"chain", 40}, {"transfers", 40}, {"transfers", 400}, {"chain", 400}} {
		wl, n, rounds := c.wl, c.txs, rounds*40/c.txs
		b, err := kvtx.Generate(kvtx.GenConfig{Workload: wl, Txs: n, Accounts: 2, Seed: 3, TxCost: time.Duration(i%3) * time.Microsecond})
		if err != nil {
			t.Fatal(err)
		}
		txs := b.Transactions()
		for _, s := range schedulers {
			for _, w := range []int{2, 3, 8} {
				for range rounds {
					done := make(chan error, 1)
					go func() {
						_, err := blockstm.Run(txs, b.Genesis, blockstm.Options{Workers: w, Scheduler: s})
						done <- err
					}()
					select {
					case err := <-done:
						if err != nil {
							t.Fatal(err)
						}
					case <-time.After(30 * time.Second):
						t.Fatalf("%s, %s, %d workers: the block never finished", wl, s, w)
					}
				}
			}
		}
	}
}

// TestLargeSets: read and write sets beyond the linear-scan size (indexed
// by a map), with deltas, overlapping between transactions.
func TestLargeSets(t *testing.T) {
	keys := make([]state.Key, 70)
	for i := range keys {
		keys[i] = kvtx.NameKey(fmt.Sprintf("k%d", i))
	}
	var txs []blockstm.Tx[kvtx.Output]
	for i := range 30 {
		op := &kvtx.Op{Reads: keys[i : i+25], Writes: keys[i+10 : i+30]}
		op.Adds = []state.KV{{Key: keys[i+20], Value: felt.FromUint64(uint64(i))}, {Key: keys[i+35], Value: felt.One}}
		txs = append(txs, op)
	}
	base := state.Map{keys[0]: felt.FromUint64(3)}
	want, err := blockstm.Sequential(txs, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range workerCounts {
		for _, s := range schedulers {
			got, err := blockstm.Run(txs, base, blockstm.Options{Workers: w, Scheduler: s})
			if err != nil {
				t.Fatal(err)
			}
			if err := blockstm.Compare(want, got, nil); err != nil {
				t.Fatalf("%d workers, %s: %v", w, s, err)
			}
		}
	}
}
