package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
)

// fill commits entries storage writes spread over contracts, in blocks of
// at most 100,000 writes.
func fill(tb testing.TB, s *Store, contracts, entries int) {
	tb.Helper()
	const perBlock = 100_000
	for done := 0; done < entries; {
		n := min(perBlock, entries-done)
		d := &commitment.StateDiff{}
		per := (n + contracts - 1) / contracts
		for c := 0; c < contracts && n > 0; c++ {
			cd := commitment.ContractDiff{Address: felt.FromUint64(0x10000 + uint64(c))}
			if done == 0 {
				ch := felt.FromUint64(0xc1a55)
				cd.ClassHash = &ch
			}
			for k := 0; k < per && n > 0; k++ {
				key := felt.FromUint64(uint64(done/contracts+k)*7919 + 1)
				cd.Storage = append(cd.Storage, commitment.StorageWrite{Key: key, Value: felt.FromUint64(uint64(done + k + 1))})
				n--
			}
			d.Contracts = append(d.Contracts, cd)
		}
		writes := 0
		for _, c := range d.Contracts {
			writes += len(c.Storage)
		}
		if _, err := s.CommitBlock(context.Background(), &store.Block{Diff: d}); err != nil {
			tb.Fatal(err)
		}
		done += writes
	}
}

func TestSnapshotRevert100k(t *testing.T) {
	entries := 100_000
	if testing.Short() {
		entries = 10_000
	}
	ctx := context.Background()
	s, path := createStore(t, "devnet.db")
	defer s.Close()
	fill(t, s, 100, entries)
	var count int
	s.db.QueryRow("SELECT count(*) FROM (" + headStorage + ") WHERE value != zeroblob(32)").Scan(&count)
	if count != entries {
		t.Fatalf("%d storage entries, want %d", count, entries)
	}
	before, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	info, err := s.Snapshot(ctx, "base", false)
	snapTime := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if info.Block != before.Number || info.StateRoot != before.StateRoot {
		t.Errorf("snapshot head %d %s, want %d %s", info.Block, info.StateRoot, before.Number, before.StateRoot)
	}
	if _, err := s.Snapshot(ctx, "base", false); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second snapshot of the same name: %v", err)
	}
	for _, bad := range []string{"", "../x", ".hidden", "a/b", strings.Repeat("x", 65)} {
		if _, err := s.Snapshot(ctx, bad, true); err == nil || !strings.Contains(err.Error(), "invalid snapshot name") {
			t.Errorf("snapshot name %q: %v", bad, err)
		}
	}

	// Move on, then come back.
	addr, key := felt.FromUint64(0x10000), felt.FromUint64(1)
	old, _ := s.Storage(ctx, addr, key)
	if _, err := s.CommitBlock(ctx, &store.Block{Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{
		{Address: addr, Storage: []commitment.StorageWrite{{Key: key, Value: felt.FromUint64(424242)}}},
	}}}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := s.Revert(ctx, "base"); err != nil {
		t.Fatal(err)
	}
	revertTime := time.Since(start)
	after, err := s.Head(ctx)
	if err != nil || after != before {
		t.Fatalf("head after revert %+v, %v; want %+v", after, err, before)
	}
	if v, _ := s.Storage(ctx, addr, key); v != old {
		t.Errorf("storage after revert %s, want %s", v, old)
	}
	// The store keeps working after a revert, with the same roots as
	// before the revert.
	if _, err := s.CommitBlock(ctx, &store.Block{Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{
		{Address: addr, Storage: []commitment.StorageWrite{{Key: key, Value: felt.FromUint64(424242)}}},
	}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyState(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := s.Snapshots(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "base" || list[0].Err != nil {
		t.Fatalf("Snapshots = %+v, %v", list, err)
	}
	if err := s.Revert(ctx, "missing"); err == nil || !strings.Contains(err.Error(), `no snapshot "missing"`) {
		t.Errorf("revert to a missing snapshot: %v", err)
	}
	// A damaged snapshot is refused and leaves the store alone.
	os.WriteFile(filepath.Join(SnapshotDir(path), "broken.db"), []byte("garbage"), 0o644)
	if err := s.Revert(ctx, "broken"); err == nil || !strings.Contains(err.Error(), "not a SQLite database") {
		t.Errorf("revert to a damaged snapshot: %v", err)
	}
	if h, _ := s.Head(ctx); h.Number != before.Number+1 {
		t.Errorf("head %d after a refused revert, want %d", h.Number, before.Number+1)
	}
	t.Logf("%d entries: snapshot %v, revert %v (%.1f MiB)", entries, snapTime, revertTime, float64(info.Size)/(1<<20))
}
