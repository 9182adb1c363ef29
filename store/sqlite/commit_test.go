package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
)

// TestFailedCommitWritesNothing commits a block over many contracts whose
// last storage trie has a damaged root page. The committer hashes the
// storage tries in groups and the pages of the first groups are written
// on the transaction before it reaches the damaged one: the commit must
// fail naming the damage, and leave the head, the storage and the trie
// pages as they were.
func TestFailedCommitWritesNothing(t *testing.T) {
	ctx := context.Background()
	s, path := createStore(t, "failed.db")
	const contracts = 40
	addr := func(c int) felt.Felt { return felt.FromUint64(0x5000 + uint64(c)) }
	block := func(value uint64) *store.Block {
		d := &commitment.StateDiff{}
		for c := range contracts {
			cd := commitment.ContractDiff{Address: addr(c)}
			for k := range 8 {
				cd.Storage = append(cd.Storage, commitment.StorageWrite{Key: felt.FromUint64(uint64(k*1000 + c)), Value: felt.FromUint64(value + uint64(k))})
			}
			d.Contracts = append(d.Contracts, cd)
		}
		return &store.Block{Diff: d}
	}
	if _, err := s.CommitBlock(ctx, block(100)); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM trie_pages").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// The root page of the last contract's storage trie: its prefix is
	// the empty path (length byte 0).
	res, err := s.db.ExecContext(ctx, "UPDATE trie_pages SET page = x'00' WHERE trie = ? AND prefix = x'00'", storageTrieID(addr(contracts-1)))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("damaged %d root pages, want 1", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened: the page cache no longer holds the good page.
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var before []byte
	if err := s.db.QueryRowContext(ctx, "SELECT group_concat(hex(page), ',') FROM (SELECT page FROM trie_pages ORDER BY trie, prefix)").Scan(&before); err != nil {
		t.Fatal(err)
	}

	written := s.stats.written.Load()
	_, err = s.CommitBlock(ctx, block(200))
	if err == nil || !strings.Contains(err.Error(), "storage trie of "+addr(contracts-1).String()) || !strings.Contains(err.Error(), "corrupt trie page") {
		t.Fatalf("commit over a damaged page: %v, want an error naming the contract and the page", err)
	}
	if s.stats.written.Load() == written {
		t.Fatal("no page written before the failure: the commit did not write the first groups beside the hashing")
	}
	if h, err := s.Head(ctx); err != nil || h.Number != 0 {
		t.Fatalf("head after the failed commit: block %d, %v; want 0", h.Number, err)
	}
	for c := range contracts - 1 {
		if v, err := s.Storage(ctx, addr(c), felt.FromUint64(uint64(c))); err != nil || v != felt.FromUint64(100) {
			t.Fatalf("storage of contract %d after the failed commit: %s, %v; want 100", c, v, err)
		}
	}
	var after []byte
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT group_concat(hex(page), ','), count(*) FROM (SELECT page FROM trie_pages ORDER BY trie, prefix)").Scan(&after, &n); err != nil {
		t.Fatal(err)
	}
	if n != pages || string(after) != string(before) {
		t.Fatalf("trie pages changed by the failed commit (%d pages, %d before)", n, pages)
	}
}
