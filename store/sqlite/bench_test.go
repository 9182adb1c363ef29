package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
)

// benchStore builds a store of entries storage entries over contracts
// contracts, through CommitBlock in blocks of 100,000 writes.
func benchStore(b *testing.B, contracts, entries int) *Store {
	b.Helper()
	start := time.Now()
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	fill(b, s, contracts, entries)
	b.Logf("built %d entries over %d contracts in %v", entries, contracts, time.Since(start).Round(time.Millisecond))
	return s
}

// BenchmarkCommitBlock commits blocks of 1,000 transactions that each write
// 5 storage keys of one contract, on a state of 1,000,000 entries over
// 1,000 contracts: half the writes overwrite existing keys, half add keys.
func BenchmarkCommitBlock(b *testing.B) {
	const contracts, entries = 1000, 1_000_000
	s := benchStore(b, contracts, entries)
	defer s.Close()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	n := 0
	for b.Loop() {
		b.StopTimer()
		byAddr := map[felt.Felt]int{}
		d := &commitment.StateDiff{}
		for range 1000 {
			addr := felt.FromUint64(0x10000 + uint64(r.IntN(contracts)))
			i, ok := byAddr[addr]
			if !ok {
				i = len(d.Contracts)
				byAddr[addr] = i
				d.Contracts = append(d.Contracts, commitment.ContractDiff{Address: addr})
			}
			for range 5 {
				key := felt.FromUint64(uint64(r.IntN(entries/contracts))*7919 + 1)
				if r.IntN(2) == 0 {
					key = felt.FromUint64(r.Uint64() >> 8)
				}
				d.Contracts[i].Storage = append(d.Contracts[i].Storage, commitment.StorageWrite{Key: key, Value: felt.FromUint64(r.Uint64())})
			}
		}
		b.StartTimer()
		if _, err := s.CommitBlock(ctx, &store.Block{Diff: d}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(n), "ms/commit")
}

// BenchmarkStorageRead reads random existing keys at the head and, through
// the history table, as of block 0.
func BenchmarkStorageRead(b *testing.B) {
	const contracts, entries = 100, 100_000
	s := benchStore(b, contracts, entries)
	defer s.Close()
	ctx := context.Background()
	for _, at := range []string{"head", "history"} {
		b.Run(at, func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			for b.Loop() {
				addr := felt.FromUint64(0x10000 + uint64(r.IntN(contracts)))
				key := felt.FromUint64(uint64(r.IntN(entries/contracts))*7919 + 1)
				var v felt.Felt
				var err error
				if at == "head" {
					v, err = s.Storage(ctx, addr, key)
				} else {
					v, err = s.StorageAt(ctx, addr, key, 0)
				}
				if err != nil || v.IsZero() {
					b.Fatalf("read %s[%s]: %s, %v", addr, key, v, err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
		})
	}
}

// BenchmarkSnapshot takes and reverts to a snapshot of a store of 100,000
// storage entries.
func BenchmarkSnapshot(b *testing.B) {
	s := benchStore(b, 100, 100_000)
	defer s.Close()
	ctx := context.Background()
	i := 0
	for b.Loop() {
		name := fmt.Sprintf("s%d", i)
		i++
		if _, err := s.Snapshot(ctx, name, false); err != nil {
			b.Fatal(err)
		}
		if err := s.Revert(ctx, name); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(i), "ms/snapshot+revert")
}
