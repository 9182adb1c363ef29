package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kairo-dev/kairo/store/trie"
)

// migration is one schema change: statements, then an optional step in Go
// (a rewrite of data SQL cannot express), in the migration's transaction.
type migration struct {
	sql []string
	fn  func(ctx context.Context, tx *sql.Tx) error
}

// migrations are the schema changes, in order: migrations[i] takes a store
// from user_version i to i+1. A released migration is never edited; a change
// of schema is a new entry. docs/store.md documents the resulting schema.
//
// Felts are stored as 32-byte big-endian blobs, so SQLite's memcmp order on
// blobs is numeric order.
var migrations = []migration{
	// 1: chain, current state, history, trie nodes.
	{sql: []string{
		`CREATE TABLE meta (
			key   TEXT PRIMARY KEY,
			value TEXT NOT NULL
		) WITHOUT ROWID`,
		`CREATE TABLE blocks (
			number            INTEGER PRIMARY KEY,
			hash              BLOB NOT NULL UNIQUE,
			parent_hash       BLOB NOT NULL,
			state_root        BLOB NOT NULL,
			contracts_root    BLOB NOT NULL,
			classes_root      BLOB NOT NULL,
			timestamp         INTEGER NOT NULL,
			sequencer_address BLOB NOT NULL,
			starknet_version  TEXT NOT NULL,
			tx_count          INTEGER NOT NULL,
			event_count       INTEGER NOT NULL
		)`,
		`CREATE TABLE transactions (
			block   INTEGER NOT NULL REFERENCES blocks(number),
			idx     INTEGER NOT NULL,
			hash    BLOB NOT NULL UNIQUE,
			type    TEXT NOT NULL,
			payload BLOB NOT NULL,
			PRIMARY KEY (block, idx)
		) WITHOUT ROWID`,
		`CREATE TABLE receipts (
			block         INTEGER NOT NULL REFERENCES blocks(number),
			idx           INTEGER NOT NULL,
			tx_hash       BLOB NOT NULL UNIQUE,
			status        TEXT NOT NULL,
			actual_fee    BLOB NOT NULL,
			revert_reason TEXT NOT NULL,
			payload       BLOB NOT NULL,
			PRIMARY KEY (block, idx)
		) WITHOUT ROWID`,
		`CREATE TABLE events (
			block        INTEGER NOT NULL REFERENCES blocks(number),
			tx_idx       INTEGER NOT NULL,
			idx          INTEGER NOT NULL,
			from_address BLOB NOT NULL,
			keys         BLOB NOT NULL,
			data         BLOB NOT NULL,
			PRIMARY KEY (block, tx_idx, idx)
		) WITHOUT ROWID`,
		`CREATE INDEX events_by_address ON events (from_address, block)`,
		`CREATE TABLE state_diffs (
			block INTEGER PRIMARY KEY REFERENCES blocks(number),
			diff  BLOB NOT NULL
		)`,
		`CREATE TABLE contracts (
			address      BLOB PRIMARY KEY,
			class_hash   BLOB NOT NULL,
			nonce        BLOB NOT NULL,
			storage_root BLOB NOT NULL
		) WITHOUT ROWID`,
		`CREATE TABLE storage (
			contract BLOB NOT NULL,
			key      BLOB NOT NULL,
			value    BLOB NOT NULL,
			PRIMARY KEY (contract, key)
		) WITHOUT ROWID`,
		`CREATE TABLE classes (
			class_hash          BLOB PRIMARY KEY,
			compiled_class_hash BLOB NOT NULL,
			block               INTEGER NOT NULL,
			definition          BLOB,
			compiled            BLOB
		) WITHOUT ROWID`,
		`CREATE TABLE storage_history (
			contract BLOB NOT NULL,
			key      BLOB NOT NULL,
			block    INTEGER NOT NULL,
			value    BLOB NOT NULL,
			PRIMARY KEY (contract, key, block)
		) WITHOUT ROWID`,
		`CREATE TABLE nonce_history (
			contract BLOB NOT NULL,
			block    INTEGER NOT NULL,
			value    BLOB NOT NULL,
			PRIMARY KEY (contract, block)
		) WITHOUT ROWID`,
		`CREATE TABLE class_hash_history (
			contract BLOB NOT NULL,
			block    INTEGER NOT NULL,
			value    BLOB NOT NULL,
			PRIMARY KEY (contract, block)
		) WITHOUT ROWID`,
		`CREATE TABLE trie_nodes (
			trie BLOB NOT NULL,
			path BLOB NOT NULL,
			node BLOB NOT NULL,
			PRIMARY KEY (trie, path)
		) WITHOUT ROWID`,
	}},
	// 2: trie nodes grouped in pages of pageLevels levels, one row per
	// page instead of one per node (a block commit writes about a third
	// as many rows); trie_nodes is rewritten into trie_pages and dropped.
	{sql: []string{
		`CREATE TABLE trie_pages (
			trie   BLOB NOT NULL,
			prefix BLOB NOT NULL,
			page   BLOB NOT NULL,
			PRIMARY KEY (trie, prefix)
		) WITHOUT ROWID`,
	}, fn: nodesToPages},
	// 3: the current storage is the newest row of each key in
	// storage_history (a zero value: no entry); the storage table, which
	// repeated it, is checked against the history and dropped. A block
	// commit then writes each storage key once instead of twice.
	{fn: storageIntoHistory},
}

// headStorage selects the current storage from storage_history: per
// (contract, key), the value of the newest block (SQLite takes a bare
// column of a max() aggregate from the row of the maximum); a zero value
// is a deleted key.
const headStorage = "SELECT contract, key, value, max(block) FROM storage_history GROUP BY contract, key"

// storageIntoHistory is migration 3's step: it checks that every entry of
// the storage table is the newest value of its key in storage_history
// and that every key whose newest value there is not zero has an entry,
// then drops the storage table. A disagreement fails the migration (and
// leaves the store at version 2), naming the first key that differs.
func storageIntoHistory(ctx context.Context, tx *sql.Tx) error {
	checks := []struct{ query, differs string }{
		{`SELECT s.contract, s.key FROM storage s
		WHERE s.value IS NOT (SELECT h.value FROM storage_history h
			WHERE h.contract = s.contract AND h.key = s.key ORDER BY h.block DESC LIMIT 1)
		LIMIT 1`, "differs from the newest value of its history"},
		{`SELECT h.contract, h.key FROM (` + headStorage + `) h
		WHERE h.value != zeroblob(32) AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.contract = h.contract AND s.key = h.key)
		LIMIT 1`, "has a value in its history and no storage entry"},
	}
	for _, c := range checks {
		var contract, key []byte
		err := tx.QueryRowContext(ctx, c.query).Scan(&contract, &key)
		switch {
		case err == nil:
			return fmt.Errorf("storage %x/%x %s", contract, key, c.differs)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	_, err := tx.ExecContext(ctx, "DROP TABLE storage")
	return err
}

// nodesToPages is migration 2's step: it reads trie_nodes one trie at a
// time, groups each trie's nodes into pages, writes them to trie_pages
// and drops trie_nodes. A damaged node record fails the migration (and
// leaves the store at version 1), naming the node.
func nodesToPages(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "SELECT trie, path, node FROM trie_nodes ORDER BY trie, path")
	if err != nil {
		return err
	}
	put, err := tx.PrepareContext(ctx, "INSERT INTO trie_pages (trie, prefix, page) VALUES (?, ?, ?)")
	if err != nil {
		rows.Close()
		return err
	}
	defer put.Close()
	var cur []byte
	pages := map[trie.Path]trie.PageNodes{}
	flush := func() error {
		for prefix, nodes := range pages {
			data, err := trie.AppendPage(nil, prefix, pageLevels, nodes)
			if err != nil {
				return fmt.Errorf("trie %x: %w", cur, err)
			}
			pb, err := prefix.MarshalBinary()
			if err != nil {
				return err
			}
			if _, err := put.ExecContext(ctx, cur, pb, data); err != nil {
				return err
			}
		}
		clear(pages)
		return nil
	}
	// One trie at a time in memory: the pages of a trie are written
	// while the rows of the next ones are still being read.
	defer rows.Close()
	for rows.Next() {
		var id, path, node []byte
		if err := rows.Scan(&id, &path, &node); err != nil {
			return err
		}
		if cur == nil || string(id) != string(cur) {
			if err := flush(); err != nil {
				return err
			}
			cur = id
		}
		var p trie.Path
		if err := p.UnmarshalBinary(path); err != nil {
			return fmt.Errorf("trie node %x/%x: %w", id, path, err)
		}
		var n trie.Node
		if err := n.UnmarshalBinary(node); err != nil {
			return fmt.Errorf("trie node %x/%x: %w", id, path, err)
		}
		prefix := trie.PagePrefix(p, pageLevels)
		if pages[prefix] == nil {
			pages[prefix] = trie.PageNodes{}
		}
		pages[prefix][p] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	rows.Close()
	_, err = tx.ExecContext(ctx, "DROP TABLE trie_nodes")
	return err
}

// migrate applies migrations[from:] in one transaction, stamping the
// application id and the new user_version inside it: a crash mid-migration
// leaves the old schema.
func migrate(ctx context.Context, db *sql.DB, from int) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return describe(err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for v := from; v < len(migrations); v++ {
		for _, stmt := range migrations[v].sql {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, describe(err))
			}
		}
		if fn := migrations[v].fn; fn != nil {
			if err := fn(ctx, tx); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, describe(err))
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
		return fmt.Errorf("set application_id: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
		return fmt.Errorf("set user_version: %w", err)
	}
	return tx.Commit()
}
