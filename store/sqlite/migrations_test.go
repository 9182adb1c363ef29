package sqlite

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// randomBlock returns a diff writing random keys (small and full-width,
// some deletions) of a few contracts.
func randomBlock(r *rand.Rand, contracts, writes int) *commitment.StateDiff {
	d := &commitment.StateDiff{}
	for c := 0; c < contracts; c++ {
		cd := commitment.ContractDiff{Address: felt.FromUint64(0x500 + uint64(c))}
		n := felt.FromUint64(uint64(r.IntN(100)))
		cd.Nonce = &n
		for w := 0; w < writes; w++ {
			key := felt.FromUint64(uint64(r.IntN(300)))
			if r.IntN(3) == 0 {
				key = felt.FromLimbs([4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64() >> 5})
			}
			v := felt.FromUint64(r.Uint64())
			if r.IntN(5) == 0 {
				v = felt.Zero
			}
			cd.Storage = append(cd.Storage, commitment.StorageWrite{Key: key, Value: v})
		}
		d.Contracts = append(d.Contracts, cd)
	}
	return d
}

// inTx runs fn in a transaction on the file at path, outside any Store,
// and commits it.
func inTx(t *testing.T, path string, fn func(tx *sql.Tx)) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	fn(tx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// downgradeToV2 writes the storage table of schema versions 1 and 2
// from the newest history rows and sets user_version to 2: the file is
// then what a kairo of version 2 wrote.
func downgradeToV2(t *testing.T, path string) {
	t.Helper()
	inTx(t, path, func(tx *sql.Tx) {
		create := migrations[0].sql[8]
		if !strings.HasPrefix(create, "CREATE TABLE storage (") {
			t.Fatalf("migration 1's statement 8 is not the storage table: %s", create)
		}
		for _, stmt := range []string{
			create,
			"INSERT INTO storage (contract, key, value) SELECT contract, key, value FROM (" + headStorage + ") WHERE value != zeroblob(32)",
			"PRAGMA user_version = 2",
		} {
			if _, err := tx.Exec(stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
	})
}

// downgradeToV1 rewrites a store's trie pages as the one-row-per-node
// table of schema version 1 (whose key and record formats are frozen),
// writes its storage table and sets user_version to 1: the file is then
// what a kairo of version 1 wrote.
func downgradeToV1(t *testing.T, path string) {
	t.Helper()
	downgradeToV2(t, path)
	inTx(t, path, func(tx *sql.Tx) {
		v1 := migrations[0].sql
		if _, err := tx.Exec(v1[len(v1)-1]); err != nil { // CREATE TABLE trie_nodes
			t.Fatal(err)
		}
		rows, err := tx.Query("SELECT trie, prefix, page FROM trie_pages")
		if err != nil {
			t.Fatal(err)
		}
		type row struct{ id, path, node []byte }
		var out []row
		for rows.Next() {
			var id, pb, data []byte
			if err := rows.Scan(&id, &pb, &data); err != nil {
				t.Fatal(err)
			}
			var prefix trie.Path
			if err := prefix.UnmarshalBinary(pb); err != nil {
				t.Fatal(err)
			}
			if _, err := trie.DecodePage(prefix, pageLevels, data, func(p trie.Path, n trie.Node) {
				pk, _ := p.MarshalBinary()
				rec, err := n.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, row{id, pk, rec})
			}); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
		for _, r := range out {
			if _, err := tx.Exec("INSERT INTO trie_nodes (trie, path, node) VALUES (?, ?, ?)", r.id, r.path, r.node); err != nil {
				t.Fatal(err)
			}
		}
		for _, stmt := range []string{"DROP TABLE trie_pages", "PRAGMA user_version = 1"} {
			if _, err := tx.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func userVersion(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMigrateNodesToPages writes a store, turns it into a version-1 file
// (one row per trie node), and checks that opening it migrates it to
// trie pages with the same roots and proofs, and that it then commits the
// same blocks as a store that was never migrated.
func TestMigrateNodesToPages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, control := filepath.Join(dir, "old.db"), filepath.Join(dir, "control.db")
	r := rand.New(rand.NewPCG(7, 8))
	var blocks []*commitment.StateDiff
	for range 6 {
		blocks = append(blocks, randomBlock(r, 4, 60))
	}
	s, err := Open(ctx, path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	head := commitBlocks(t, s, blocks[:4])
	addr, key := felt.FromUint64(0x501), felt.FromUint64(17)
	before, err := s.Proof(ctx, addr, key)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	downgradeToV1(t, path)

	requireNeedsMigration(t, path, 1)
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := userVersion(t, path); v != len(migrations) {
		t.Fatalf("user_version %d after the migration, want %d", v, len(migrations))
	}
	var tables int
	if err := s.db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'trie_nodes'").Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("trie_nodes still there after the migration (%d, %v)", tables, err)
	}
	if err := s.VerifyState(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := s.Proof(ctx, addr, key)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Storage(ctx, addr, key)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := after.Verify(addr, key); err != nil || v != want {
		t.Fatalf("proof after the migration proves %s, %v; want %s", v, err, want)
	}
	if len(after.StorageProof) != len(before.StorageProof) || after.StorageRoot != before.StorageRoot || after.ContractsRoot != head.ContractsRoot {
		t.Fatalf("proof after the migration differs: %+v, before %+v", after, before)
	}
	for i := range before.StorageProof {
		if before.StorageProof[i] != after.StorageProof[i] {
			t.Fatalf("storage proof node %d differs after the migration", i)
		}
	}

	requireSameAsNeverMigrated(t, s, control, blocks, 4)
}

// TestSplitEdgeOverUnreadPage splits an edge whose child lies in a page
// the commit never reads: the root is an edge to a binary node at depth 8
// (the page at depth 6, whose top is 2 levels down), and a new key leaves
// the edge at depth 6, so the commit writes a binary node at depth 6 and
// an edge at depth 7 into that page, above the unresolved node at depth
// 8. The page must keep that node: proofs of every key hold, and later
// commits through it give the roots computed from scratch.
func TestSplitEdgeOverUnreadPage(t *testing.T) {
	ctx := context.Background()
	bit := func(i int) felt.Felt { // the key whose only set bit is bit i from the top
		var l [4]uint64
		pos := trie.Height - 1 - i
		l[pos/64] = 1 << (pos % 64)
		return felt.FromLimbs(l)
	}
	addr := felt.FromUint64(0x777)
	keys := []felt.Felt{felt.FromUint64(1), bit(8), bit(6)}
	for _, cache := range []int{0, -1} {
		s, err := Open(ctx, filepath.Join(t.TempDir(), "split.db"), Options{Create: true, NodeCache: cache})
		if err != nil {
			t.Fatal(err)
		}
		values := map[felt.Felt]felt.Felt{}
		commit := func(ws ...commitment.StorageWrite) {
			t.Helper()
			for _, w := range ws {
				values[w.Key] = w.Value
			}
			d := &commitment.StateDiff{Contracts: []commitment.ContractDiff{{Address: addr, Storage: ws}}}
			if _, err := s.CommitBlock(ctx, &store.Block{Diff: d}); err != nil {
				t.Fatal(err)
			}
			var leaves []trie.Leaf
			for k, v := range values {
				leaves = append(leaves, trie.Leaf{Key: k, Value: v})
			}
			want, err := trie.ComputeRoot(hash.Pedersen, leaves)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := s.StorageRoot(ctx, addr); err != nil || got != want {
				t.Fatalf("storage root %s, %v; computed from scratch %s", got, err, want)
			}
			for k, v := range values {
				p, err := s.Proof(ctx, addr, k)
				if err != nil {
					t.Fatal(err)
				}
				if got, err := p.Verify(addr, k); err != nil || got != v {
					t.Fatalf("proof of %s proves %s, %v; want %s", k, got, err, v)
				}
			}
		}
		commit(commitment.StorageWrite{Key: keys[0], Value: felt.FromUint64(10)}, commitment.StorageWrite{Key: keys[1], Value: felt.FromUint64(11)})
		commit(commitment.StorageWrite{Key: keys[2], Value: felt.FromUint64(12)})
		commit(commitment.StorageWrite{Key: keys[1], Value: felt.FromUint64(13)})
		commit(commitment.StorageWrite{Key: keys[2], Value: felt.Zero})
		if err := s.VerifyState(ctx); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

// TestMigrateStorageIntoHistory writes a store, turns it into a version-2
// file (with the storage table), and checks that opening it drops the
// table, that every key reads as before at the head and in the history,
// and that the migrated store commits the same blocks as one that was
// never migrated.
func TestMigrateStorageIntoHistory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, control := filepath.Join(dir, "v2.db"), filepath.Join(dir, "control.db")
	r := rand.New(rand.NewPCG(9, 10))
	var blocks []*commitment.StateDiff
	for range 6 {
		blocks = append(blocks, randomBlock(r, 4, 80))
	}
	type read struct {
		contract, key felt.Felt
		block         uint64
		head, at      felt.Felt
	}
	s, err := Open(ctx, path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	commitBlocks(t, s, blocks[:4])
	var reads []read
	for n, d := range blocks[:4] {
		for _, c := range d.Contracts {
			for _, w := range c.Storage {
				rd := read{contract: c.Address, key: w.Key, block: uint64(n)}
				if rd.head, err = s.Storage(ctx, c.Address, w.Key); err != nil {
					t.Fatal(err)
				}
				if rd.at, err = s.StorageAt(ctx, c.Address, w.Key, rd.block); err != nil {
					t.Fatal(err)
				}
				reads = append(reads, rd)
			}
		}
	}
	s.Close()
	downgradeToV2(t, path)
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var entries int
	if err := db.QueryRow("SELECT count(*) FROM storage").Scan(&entries); err != nil || entries == 0 {
		t.Fatalf("version-2 file with %d storage entries (%v)", entries, err)
	}
	db.Close()

	requireNeedsMigration(t, path, 2)
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := userVersion(t, path); v != 3 {
		t.Fatalf("user_version %d after the migration, want 3", v)
	}
	var tables int
	if err := s.db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'storage'").Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("storage table still there after the migration (%d, %v)", tables, err)
	}
	for _, rd := range reads {
		head, err := s.Storage(ctx, rd.contract, rd.key)
		if err != nil || head != rd.head {
			t.Fatalf("Storage(%s, %s) = %s, %v after the migration, want %s", rd.contract, rd.key, head, err, rd.head)
		}
		at, err := s.StorageAt(ctx, rd.contract, rd.key, rd.block)
		if err != nil || at != rd.at {
			t.Fatalf("StorageAt(%s, %s, %d) = %s, %v after the migration, want %s", rd.contract, rd.key, rd.block, at, err, rd.at)
		}
	}
	if err := s.VerifyState(ctx); err != nil {
		t.Fatal(err)
	}
	requireSameAsNeverMigrated(t, s, control, blocks, 4)
}

// TestMigrationFailureKeepsVersion checks that damaged data fails its
// migration with one line naming the file, the migration and what is
// wrong, and leaves the file at the version it had: a damaged node record
// for migration 2 (version 1), and a storage table that disagrees with the
// history for migration 3 (version 2).
func TestMigrationFailureKeepsVersion(t *testing.T) {
	for _, tc := range []struct {
		name      string
		version   int
		downgrade func(*testing.T, string)
		damage    string
		want      []string
	}{
		// The root record of the contracts trie.
		{"damaged node", 1, downgradeToV1, "UPDATE trie_nodes SET node = x'07' WHERE trie = x'00' AND path = x'00'",
			[]string{"migration 2", "trie node 00/00", "unknown kind"}},
		{"changed value", 2, downgradeToV2, "UPDATE storage SET value = x'" + strings.Repeat("00", 31) + "2a' WHERE (contract, key) = (SELECT contract, key FROM storage LIMIT 1)",
			[]string{"migration 3", "storage ", "differs from the newest value"}},
		{"missing entry", 2, downgradeToV2, "DELETE FROM storage WHERE (contract, key) = (SELECT contract, key FROM storage LIMIT 1)",
			[]string{"migration 3", "storage ", "no storage entry"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "damaged.db")
			s, err := Open(ctx, path, Options{Create: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CommitBlock(ctx, &store.Block{Diff: randomBlock(rand.New(rand.NewPCG(1, 1)), 2, 20)}); err != nil {
				t.Fatal(err)
			}
			s.Close()
			tc.downgrade(t, path)
			db, err := sql.Open("sqlite3", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			if res, err := db.Exec(tc.damage); err != nil {
				t.Fatal(err)
			} else if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("damaged %d rows, want 1", n)
			}
			db.Close()
			_, err = Open(ctx, path, Options{})
			if err == nil {
				t.Fatalf("a version-%d store with a %s migrated", tc.version, tc.name)
			}
			msg := err.Error()
			for _, want := range append([]string{path}, tc.want...) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			if v := userVersion(t, path); v != tc.version {
				t.Fatalf("user_version %d after a failed migration, want %d", v, tc.version)
			}
		})
	}
}

// commitBlocks commits a block for each diff and returns the last header.
func commitBlocks(t *testing.T, s *Store, ds []*commitment.StateDiff) store.Header {
	t.Helper()
	var h store.Header
	for _, d := range ds {
		var err error
		if h, err = s.CommitBlock(context.Background(), &store.Block{Diff: d}); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// requireNeedsMigration checks that a read-only open of an old store
// refuses it, since it would need a migration.
func requireNeedsMigration(t *testing.T, path string, version int) {
	t.Helper()
	if _, err := Open(context.Background(), path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "needs migration") {
		t.Fatalf("read-only open of a version-%d store: %v, want a needs-migration error", version, err)
	}
}

// requireSameAsNeverMigrated commits blocks[from:] to the migrated store s
// and every block to a new store at control, and checks that both reach
// the same state root and that s still verifies.
func requireSameAsNeverMigrated(t *testing.T, s *Store, control string, blocks []*commitment.StateDiff, from int) {
	t.Helper()
	ctx := context.Background()
	c, err := Open(ctx, control, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ref := commitBlocks(t, c, blocks)
	if got := commitBlocks(t, s, blocks[from:]); got.StateRoot != ref.StateRoot {
		t.Fatalf("state root after the migration and %d more blocks %s, never-migrated store %s", len(blocks)-from, got.StateRoot, ref.StateRoot)
	}
	if err := s.VerifyState(ctx); err != nil {
		t.Fatal(err)
	}
}
