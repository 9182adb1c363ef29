package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// benchStore returns a store of entries storage entries over contracts
// contracts built with bulkLoad. The built file is kept in a cache folder
// (KAIRO_BENCH_CACHE, default kairo-bench in the temporary folder; "off"
// disables it) and copied from there by later runs: the load of the
// 1,000,000-entry state takes half a minute. The file's name carries the
// schema version and the page layout, so a change of either builds anew.
func benchStore(b *testing.B, contracts, entries int) *Store {
	b.Helper()
	start := time.Now()
	path := filepath.Join(b.TempDir(), "bench.db")
	cached := benchCachePath(contracts, entries)
	if cached != "" {
		if err := copyFile(cached, path); err == nil {
			s, err := Open(context.Background(), path, Options{})
			if err != nil {
				b.Fatalf("cached benchmark state %s: %v", cached, err)
			}
			// A file of an older page layout would read as empty tries.
			if err := checkBenchState(s); err != nil {
				b.Fatalf("cached benchmark state %s (delete it to rebuild): %v", cached, err)
			}
			b.Logf("copied %d entries over %d contracts from %s in %v", entries, contracts, cached, time.Since(start).Round(time.Millisecond))
			return s
		}
	}
	s, err := Open(context.Background(), path, Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	bulkLoad(b, s, contracts, entries)
	// Start from a checkpointed database, as a store that has run for a
	// while would be, not from a log holding the whole load.
	if _, err := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d entries over %d contracts in %v", entries, contracts, time.Since(start).Round(time.Millisecond))
	if cached != "" {
		// The log is empty after the checkpoint: the file is the store.
		tmp := fmt.Sprintf("%s.%d.tmp", cached, os.Getpid())
		if err := os.MkdirAll(filepath.Dir(cached), 0o755); err != nil {
			b.Logf("benchmark state not cached: %v", err)
		} else if err := copyFile(path, tmp); err != nil {
			b.Logf("benchmark state not cached: %v", err)
			os.Remove(tmp)
		} else if err := os.Rename(tmp, cached); err != nil {
			b.Logf("benchmark state not cached: %v", err)
			os.Remove(tmp)
		}
	}
	return s
}

// checkBenchState checks that the storage trie of the first contract of a
// benchmark state has the root its contract row names.
func checkBenchState(s *Store) error {
	ctx := context.Background()
	addr := felt.FromUint64(0x10000)
	root, err := s.StorageRoot(ctx, addr)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return checkTrieRoot(ctx, tx, storageTrieID(addr), root)
}

// benchCachePath is the cached benchmark state's file ("" when caching is
// off).
func benchCachePath(contracts, entries int) string {
	dir := os.Getenv("KAIRO_BENCH_CACHE")
	switch dir {
	case "off":
		return ""
	case "":
		dir = filepath.Join(os.TempDir(), "kairo-bench")
	}
	return filepath.Join(dir, fmt.Sprintf("state-%d-%d-schema%d-levels%d.db", contracts, entries, len(migrations), pageLevels))
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// standIn is a cheap two-to-one mixing function that bulkLoad hashes with.
func standIn(a, c felt.Felt) felt.Felt {
	return a.Mul(felt.FromUint64(0x9e3779b97f4a7c15)).Add(c).Add(felt.One)
}

// bulkLoad writes block 0 of a store: entries storage entries spread over
// contracts contracts at 0x10000.., with the keys of fill (i*7919+1). The
// tries are built in memory with the stand-in hash standIn, and their
// nodes, the contracts, storage and history rows and the header are
// written in one transaction: hashing the 2 million nodes of a
// 1,000,000-entry state with Pedersen would take minutes of setup. A later
// commit hashes every node it touches with Pedersen, and its cost does not
// depend on the values of the hashes it keeps, but the roots of such a
// store are not Starknet's: it is only for benchmarks.
func bulkLoad(tb testing.TB, s *Store, contracts, entries int) {
	tb.Helper()
	ctx := context.Background()
	d := &commitment.StateDiff{}
	res := &commitment.Result{}
	ct, err := trie.New(nil, standIn)
	if err != nil {
		tb.Fatal(err)
	}
	per := entries / contracts
	for c := 0; c < contracts; c++ {
		ch := felt.FromUint64(0xc1a55)
		cd := commitment.ContractDiff{Address: felt.FromUint64(0x10000 + uint64(c)), ClassHash: &ch}
		t, err := trie.New(nil, standIn)
		if err != nil {
			tb.Fatal(err)
		}
		for k := 0; k < per; k++ {
			w := commitment.StorageWrite{Key: felt.FromUint64(uint64(k)*7919 + 1), Value: felt.FromUint64(uint64(c*per + k + 1))}
			cd.Storage = append(cd.Storage, w)
			if err := t.Put(w.Key, w.Value); err != nil {
				tb.Fatal(err)
			}
		}
		root, set, err := t.Commit()
		if err != nil {
			tb.Fatal(err)
		}
		d.Contracts = append(d.Contracts, cd)
		res.Contracts = append(res.Contracts, commitment.ContractState{Address: cd.Address, ClassHash: ch, StorageRoot: root})
		res.Nodes = append(res.Nodes, commitment.TrieNodes{ID: commitment.TrieID{Kind: commitment.StorageTrie, Address: cd.Address}, Nodes: set})
		if err := ct.Put(cd.Address, standIn(root, ch)); err != nil {
			tb.Fatal(err)
		}
	}
	croot, cset, err := ct.Commit()
	if err != nil {
		tb.Fatal(err)
	}
	res.Nodes = append(res.Nodes, commitment.TrieNodes{ID: commitment.TrieID{Kind: commitment.ContractsTrie}, Nodes: cset})

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	st := func(p *sql.Stmt) *sql.Stmt { return tx.StmtContext(ctx, p) }
	if err := s.pageWriter(st, newPageSet()).write(ctx, res.Nodes); err != nil {
		tb.Fatal(err)
	}
	if err := s.writeState(ctx, st, 0, d, nil); err != nil {
		tb.Fatal(err)
	}
	if err := s.writeContracts(ctx, st, d, res); err != nil {
		tb.Fatal(err)
	}
	h := store.Header{StateRoot: commitment.StateRoot(croot, felt.Zero, s.rule), ContractsRoot: croot}
	h.Hash = store.DevnetBlockHash(h)
	if err := s.writeBlock(ctx, st, h); err != nil {
		tb.Fatal(err)
	}
	if err := s.writeBody(ctx, st, 0, &store.Block{}, &commitment.StateDiff{}); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
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
	block := func() *commitment.StateDiff {
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
		return d
	}
	// Two blocks before the measurement, as a store that has been running
	// would have committed: they fill the node cache's upper levels. A
	// running store has also hashed enough to have moved its batches to
	// the larger tables, whose one-time build would otherwise fall in the
	// first measured blocks.
	hash.PrepareBatchTables()
	for range 2 {
		if _, err := s.CommitBlock(ctx, &store.Block{Diff: block()}); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	var cpu time.Duration
	reads, cached, written, restarts := s.stats.reads.Load(), s.stats.cached.Load(), s.stats.written.Load(), s.restarts.Load()
	phases := []struct {
		name string
		ns   *atomic.Int64
		at   int64
	}{{"restart", &s.stats.restartNs, 0}, {"committer", &s.stats.committerNs, 0}, {"pages", &s.stats.pagesNs, 0}, {"finish", &s.stats.finishNs, 0}}
	for i := range phases {
		phases[i].at = phases[i].ns.Load()
	}
	for b.Loop() {
		b.StopTimer()
		d := block()
		c0 := cpuTime()
		b.StartTimer()
		if _, err := s.CommitBlock(ctx, &store.Block{Diff: d}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		b.StartTimer()
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(n), "ms/commit")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(n), "cpu-ms/commit")
	b.ReportMetric(float64(s.stats.written.Load()-written)/float64(n), "pages-written/commit")
	b.ReportMetric(float64(s.stats.reads.Load()-reads)/float64(n), "page-reads/commit")
	b.ReportMetric(float64(s.stats.cached.Load()-cached)/float64(n), "cached-pages/commit")
	b.ReportMetric(float64(s.restarts.Load()-restarts)/float64(n), "log-restarts/commit")
	for _, p := range phases {
		b.ReportMetric(float64(p.ns.Load()-p.at)/1e6/float64(n), p.name+"-ms/commit")
	}
	if st, err := os.Stat(s.Path() + "-wal"); err == nil {
		b.Logf("log: %d MiB after %d blocks", st.Size()>>20, n)
	}
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

// TestBulkLoad checks that a bulk-loaded store reads back its entries and
// takes block commits over its (stand-in) tries.
func TestBulkLoad(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "bulk.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bulkLoad(t, s, 10, 1000)
	addr := felt.FromUint64(0x10003)
	if v, err := s.Storage(ctx, addr, felt.FromUint64(5*7919+1)); err != nil || v != felt.FromUint64(3*100+5+1) {
		t.Fatalf("Storage = %s, %v; want %d", v, err, 3*100+5+1)
	}
	d := &commitment.StateDiff{Contracts: []commitment.ContractDiff{{Address: addr, Storage: []commitment.StorageWrite{
		{Key: felt.FromUint64(7*7919 + 1), Value: felt.FromUint64(77)},
		{Key: felt.FromUint64(12345), Value: felt.FromUint64(78)},
		{Key: felt.FromUint64(8*7919 + 1), Value: felt.Zero},
	}}}}
	h, err := s.CommitBlock(ctx, &store.Block{Diff: d})
	if err != nil {
		t.Fatal(err)
	}
	if h.Number != 1 {
		t.Fatalf("block number %d after the bulk load, want 1", h.Number)
	}
	if v, err := s.Storage(ctx, addr, felt.FromUint64(7*7919+1)); err != nil || v != felt.FromUint64(77) {
		t.Fatalf("Storage after commit = %s, %v; want 77", v, err)
	}
}
