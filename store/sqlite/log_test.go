package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
)

// TestLogRestart checks that a commit restarts the log when the log holds
// more than the restart size, and only then: after a restart the log
// file keeps its size (SQLite reuses it from its start), and that size
// must not make every later commit restart it again.
func TestLogRestart(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "log.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	next := uint64(1)
	commit := func() {
		t.Helper()
		cd := commitment.ContractDiff{Address: felt.FromUint64(0x1000)}
		for k := range 300 {
			cd.Storage = append(cd.Storage, commitment.StorageWrite{Key: felt.FromUint64(next<<20 + uint64(k)), Value: felt.FromUint64(next)})
		}
		next++
		if _, err := s.CommitBlock(ctx, &store.Block{Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{cd}}}); err != nil {
			t.Fatal(err)
		}
	}
	checkpoint := func() int64 {
		t.Helper()
		s.ckpt.Lock()
		defer s.ckpt.Unlock()
		s.checkpoint(ctx, "PASSIVE")
		return s.logFrames.Load()
	}

	// Blocks committed while no checkpoint runs append to the log, as
	// back-to-back blocks do while the checkpointer copies.
	s.ckpt.Lock()
	for range 6 {
		commit()
	}
	s.ckpt.Unlock()
	six := checkpoint()
	if six == 0 {
		t.Fatal("the checkpoint reports an empty log after 6 blocks")
	}
	frame := s.pageSize + walFrameHeader
	s.restartAt = six * frame / 2 // three blocks

	commit() // restarts the log first
	if got := s.restarts.Load(); got != 1 {
		t.Fatalf("%d log restarts with %d frames in the log, want 1", got, six)
	}
	one := checkpoint()
	if one == 0 || one >= six/2 {
		t.Fatalf("%d frames in the log after a restart and one block, want between 1 and %d", one, six/2)
	}
	st, err := os.Stat(s.Path() + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() <= s.restartAt {
		t.Fatalf("log file of %d bytes, want more than %d: the restart left it at its size", st.Size(), s.restartAt)
	}
	commit()
	if got := s.restarts.Load(); got != 1 {
		t.Fatalf("%d log restarts with %d frames in the log, want still 1", got, one)
	}
}
