package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
)

// writeStmts are the statements of a block commit, prepared once per store.
type writeStmts struct {
	putPage, delPage, putPages, delPages       *sql.Stmt
	getPages                                   *sql.Stmt
	contract, putContract, putContractN        *sql.Stmt
	putStorageHist, putStorageHistN            *sql.Stmt
	putNonceHist, putClassHashHist             *sql.Stmt
	putClass, delClass                         *sql.Stmt
	putBlock, putTx, putReceipt, putEvent, put *sql.Stmt
}

func (s *Store) prepare(ctx context.Context) error {
	w := &s.w
	for _, p := range []struct {
		dst *(*sql.Stmt)
		sql string
	}{
		{&w.putPage, "INSERT OR REPLACE INTO trie_pages (trie, prefix, page) VALUES (?, ?, ?)"},
		{&w.delPage, "DELETE FROM trie_pages WHERE trie = ? AND prefix = ?"},
		{&w.putPages, putPages},
		{&w.getPages, getPages},
		{&w.delPages, delPages},
		{&w.contract, "SELECT class_hash, nonce, storage_root FROM contracts WHERE address = ?"},
		{&w.putContract, "INSERT OR REPLACE INTO contracts (address, class_hash, nonce, storage_root) VALUES (?, ?, ?, ?)"},
		{&w.putContractN, "INSERT OR REPLACE INTO contracts (address, class_hash, nonce, storage_root) VALUES " + rowsSQL("(?, ?, ?, ?)", rowBatch)},
		{&w.putStorageHist, "INSERT OR REPLACE INTO storage_history (contract, key, block, value) VALUES (?, ?, ?, ?)"},
		{&w.putStorageHistN, "INSERT OR REPLACE INTO storage_history (contract, key, block, value) VALUES " + rowsSQL("(?, ?, ?, ?)", rowBatch)},
		{&w.putNonceHist, "INSERT OR REPLACE INTO nonce_history (contract, block, value) VALUES (?, ?, ?)"},
		{&w.putClassHashHist, "INSERT OR REPLACE INTO class_hash_history (contract, block, value) VALUES (?, ?, ?)"},
		{&w.putClass, "INSERT OR REPLACE INTO classes (class_hash, compiled_class_hash, block, definition, compiled) VALUES (?, ?, ?, ?, ?)"},
		{&w.delClass, "DELETE FROM classes WHERE class_hash = ?"},
		{&w.putBlock, "INSERT INTO blocks (" + headerCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
		{&w.putTx, "INSERT INTO transactions (block, idx, hash, type, payload) VALUES (?, ?, ?, ?, ?)"},
		{&w.putReceipt, "INSERT INTO receipts (block, idx, tx_hash, status, actual_fee, revert_reason, payload) VALUES (?, ?, ?, ?, ?, ?, ?)"},
		{&w.putEvent, "INSERT INTO events (block, tx_idx, idx, from_address, keys, data) VALUES (?, ?, ?, ?, ?, ?)"},
		{&w.put, "INSERT INTO state_diffs (block, diff) VALUES (?, ?)"},
	} {
		st, err := s.db.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.sql, describe(err))
		}
		*p.dst = st
	}
	return nil
}

// txState is the committed state a block's commit starts from; it
// implements commitment.Reader. The committer reads from several
// goroutines, in parallel: pages and contract rows outside the commit's
// transaction (see commit).
type txState struct {
	ctx      context.Context
	set      *pageSet   // the pages read, for the commit's writer
	cache    *pageCache // nil: none
	stats    *pageStats
	pages    pageSource
	contract *sql.Stmt // of the pool
}

func (r txState) TrieNodes(id commitment.TrieID) trie.NodeReader {
	return pageReader{ctx: r.ctx, src: r.pages, trie: trieIDBytes(id), set: r.set, cache: r.cache, stats: r.stats}
}

func (r txState) Contract(address felt.Felt) (classHash, nonce felt.Felt, err error) {
	c, err := r.ContractState(address)
	return c.ClassHash, c.Nonce, err
}

// ContractState implements commitment.ContractStateReader.
func (r txState) ContractState(address felt.Felt) (commitment.ContractState, error) {
	c := commitment.ContractState{Address: address}
	err := r.contract.QueryRowContext(r.ctx, fb(address)).Scan(feltCol{&c.ClassHash}, feltCol{&c.Nonce}, feltCol{&c.StorageRoot})
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read contract %s: %w", address, describe(err))
	}
	return c, nil
}

// trieIDBytes is the on-disk id of a trie (see trienodes.go).
func trieIDBytes(id commitment.TrieID) []byte {
	switch id.Kind {
	case commitment.ContractsTrie:
		return contractsTrieID()
	case commitment.ClassesTrie:
		return classesTrieID()
	default:
		return storageTrieID(id.Address)
	}
}

// CommitBlock applies b's diff, computes the new roots and writes the block
// in one SQLite transaction.
func (s *Store) CommitBlock(ctx context.Context, b *store.Block) (store.Header, error) {
	if err := b.Validate(); err != nil {
		return store.Header{}, fmt.Errorf("store %s: commit block: %w", s.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := time.Now()
	s.restartLog(ctx)
	s.stats.restartNs.Add(int64(time.Since(t)))
	h, err := s.commit(ctx, b)
	if err != nil {
		return store.Header{}, fmt.Errorf("store %s: commit block %d: %w", s.path, h.Number, describe(err))
	}
	if s.kick != nil {
		select {
		case s.kick <- struct{}{}:
		default: // a checkpoint is already due
		}
	}
	return h, nil
}

func (s *Store) commit(ctx context.Context, b *store.Block) (h store.Header, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return h, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	st := func(p *sql.Stmt) *sql.Stmt { return tx.StmtContext(ctx, p) }

	// The new block follows the head read inside the write transaction.
	h = b.Header
	h.Number, h.ParentHash = 0, felt.Zero
	var head sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT max(number) FROM blocks").Scan(&head); err != nil {
		return h, err
	}
	if head.Valid {
		h.Number = uint64(head.Int64) + 1
		var parent felt.Felt
		if err := tx.QueryRowContext(ctx, "SELECT hash FROM blocks WHERE number = ?", head.Int64).Scan(feltCol{&parent}); err != nil {
			return h, err
		}
		h.ParentHash = parent
	}

	diff := b.Diff
	if diff == nil {
		diff = &commitment.StateDiff{}
	}
	// The history and class rows, the transactions, receipts, events and
	// the diff do not depend on the roots and are not read by the
	// committer: they are written beside it, while its workers hash.
	// database/sql serialises the two goroutines' statements on the
	// transaction's connection.
	flat := make(chan error, 1)
	go func() {
		err := s.writeState(ctx, st, h.Number, diff, b.Classes)
		if err == nil {
			err = s.writeBody(ctx, st, h.Number, b, diff)
		}
		flat <- err
	}()
	// The committer reads through the pool, not the transaction: its
	// workers then read in parallel, each on its own connection. They see
	// the state this transaction started from: it holds the write lock
	// (BEGIN IMMEDIATE), so nothing else commits meanwhile, and what the
	// transaction writes stays invisible to other connections until it
	// commits.
	//
	// The committer hashes the storage tries in groups
	// (commitment.WithStorageSink) and hands each group's nodes over when
	// they are final: a goroutine writes their pages on the transaction
	// while the next group hashes, then those of the contracts and classes
	// tries. The page statements run on one connection and leave a core
	// to the hashing; written after it, they took a fifth of the commit.
	t := time.Now()
	reader := txState{ctx: ctx, set: newPageSet(), cache: s.pages, stats: &s.stats, pages: s.raw, contract: s.w.contract}
	pw := s.pageWriter(st, reader.set)
	nodes := make(chan []commitment.TrieNodes, storageGroups+1)
	written := make(chan error, 1)
	go func() {
		var err error
		for sets := range nodes {
			if err == nil {
				err = pw.write(ctx, sets)
			}
		}
		written <- err
	}()
	sink := func(sets []commitment.TrieNodes) { nodes <- sets }
	res, err := commitment.NewCommitter(reader, commitment.WithRootRule(s.rule), commitment.WithStorageSink(storageGroups, sink)).Commit(diff)
	s.raw.endReads()
	if err == nil {
		nodes <- res.Nodes // the contracts and classes tries
	}
	close(nodes)
	t = s.lap(&s.stats.committerNs, t)
	if werr := <-written; err == nil {
		err = werr
	}
	if ferr := <-flat; err == nil {
		err = ferr
	}
	if err != nil {
		return h, err
	}
	t = s.lap(&s.stats.pagesNs, t)
	if err := s.writeContracts(ctx, st, diff, res); err != nil {
		return h, err
	}

	h.StateRoot, h.ContractsRoot, h.ClassesRoot = res.StateRoot, res.ContractsRoot, res.ClassesRoot
	h.TxCount, h.EventCount = uint64(len(b.Transactions)), uint64(len(b.Events))
	if h.Hash.IsZero() {
		h.Hash = store.DevnetBlockHash(h)
	}
	if err := s.writeBlock(ctx, st, h); err != nil {
		return h, err
	}
	if err := tx.Commit(); err != nil {
		return h, err
	}
	s.lap(&s.stats.finishNs, t)
	return h, nil
}

// storageGroups is the number of groups the committer hashes the storage
// tries in (commitment.WithStorageSink): the pages of a group are written
// while the next ones hash. With batch hashing as fast as it is with the
// IFMA kernels, the page writes (one connection) take longer than the
// hashing, so they start after the first eighth; with three groups of
// halving size they started after the first half and ended 50 to 100 ms
// after the hashing, against 5 to 15 ms with eight.
const storageGroups = 8

// lap adds the time since t to d and returns the time now.
func (s *Store) lap(d *atomic.Int64, t time.Time) time.Time {
	now := time.Now()
	d.Add(int64(now.Sub(t)))
	return now
}

// pageWriter returns the page writer of a transaction (st binds the
// statements to it) that updates the pages of set.
func (s *Store) pageWriter(st func(*sql.Stmt) *sql.Stmt, set *pageSet) *pageWriter {
	return &pageWriter{getN: st(s.w.getPages), put: st(s.w.putPage), del: st(s.w.delPage), putN: st(s.w.putPages), delN: st(s.w.delPages),
		set: set, cache: s.pages, stats: &s.stats}
}

// writeContracts writes the contracts' rows (class hash, nonce and the new
// storage root) of a commit, rowBatch rows a statement.
func (s *Store) writeContracts(ctx context.Context, st func(*sql.Stmt) *sql.Stmt, d *commitment.StateDiff, res *commitment.Result) error {
	args := make([]any, 0, 4*len(d.Contracts))
	for i, c := range d.Contracts {
		cs := res.Contracts[i]
		args = append(args, fb(c.Address), fb(cs.ClassHash), fb(cs.Nonce), fb(cs.StorageRoot))
	}
	if err := multiRow(ctx, st(s.w.putContractN), st(s.w.putContract), 4, args); err != nil {
		return fmt.Errorf("write contracts: %w", err)
	}
	return nil
}

// writeState updates the classes and the history of storage, nonces and
// class hashes (everything but the contracts' rows); the newest history
// row of a storage key is its current value (schema 3). The storage rows
// go sorted by key (neighbours share SQLite pages), rowBatch rows per
// statement; a key written twice in the diff keeps its last value.
func (s *Store) writeState(ctx context.Context, st func(*sql.Stmt) *sql.Stmt, n uint64, d *commitment.StateDiff, artifacts []store.Class) error {
	putNonceHist, putClassHashHist := st(s.w.putNonceHist), st(s.w.putClassHashHist)
	block := int64(n)
	type write struct {
		contract, key felt.Felt
		value         felt.Felt
		order         int
	}
	var writes []write
	for _, c := range d.Contracts {
		addr := fb(c.Address)
		if c.ClassHash != nil {
			if _, err := putClassHashHist.ExecContext(ctx, addr, block, fb(*c.ClassHash)); err != nil {
				return fmt.Errorf("write class hash of %s: %w", c.Address, err)
			}
		}
		if c.Nonce != nil {
			if _, err := putNonceHist.ExecContext(ctx, addr, block, fb(*c.Nonce)); err != nil {
				return fmt.Errorf("write nonce of %s: %w", c.Address, err)
			}
		}
		for _, w := range c.Storage {
			writes = append(writes, write{c.Address, w.Key, w.Value, len(writes)})
		}
	}
	slices.SortFunc(writes, func(a, b write) int {
		if c := a.contract.Cmp(b.contract); c != 0 {
			return c
		}
		if c := a.key.Cmp(b.key); c != 0 {
			return c
		}
		return a.order - b.order
	})
	hist := make([]any, 0, 4*len(writes))
	for i, w := range writes {
		if i+1 < len(writes) && writes[i+1].contract == w.contract && writes[i+1].key == w.key {
			continue // a later write of the same key wins
		}
		hist = append(hist, fb(w.contract), fb(w.key), block, fb(w.value))
	}
	if err := multiRow(ctx, st(s.w.putStorageHistN), st(s.w.putStorageHist), 4, hist); err != nil {
		return fmt.Errorf("write storage history: %w", err)
	}
	byHash := make(map[felt.Felt]store.Class, len(artifacts))
	for _, a := range artifacts {
		byHash[a.ClassHash] = a
	}
	putClass, delClass := st(s.w.putClass), st(s.w.delClass)
	for _, c := range d.Classes {
		var err error
		if c.CompiledClassHash.IsZero() {
			_, err = delClass.ExecContext(ctx, fb(c.ClassHash))
		} else {
			a := byHash[c.ClassHash]
			_, err = putClass.ExecContext(ctx, fb(c.ClassHash), fb(c.CompiledClassHash), block, a.Definition, a.Compiled)
		}
		if err != nil {
			return fmt.Errorf("write class %s: %w", c.ClassHash, err)
		}
	}
	return nil
}

// writeBlock writes the header; writeBody the transactions, receipts,
// events and diff of block n.
func (s *Store) writeBlock(ctx context.Context, st func(*sql.Stmt) *sql.Stmt, h store.Header) error {
	if _, err := st(s.w.putBlock).ExecContext(ctx, int64(h.Number), fb(h.Hash), fb(h.ParentHash), fb(h.StateRoot),
		fb(h.ContractsRoot), fb(h.ClassesRoot), int64(h.Timestamp), fb(h.SequencerAddress), h.StarknetVersion,
		int64(h.TxCount), int64(h.EventCount)); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	return nil
}

func (s *Store) writeBody(ctx context.Context, st func(*sql.Stmt) *sql.Stmt, number uint64, b *store.Block, d *commitment.StateDiff) error {
	n := int64(number)
	putTx, putReceipt, putEvent := st(s.w.putTx), st(s.w.putReceipt), st(s.w.putEvent)
	for i, t := range b.Transactions {
		if _, err := putTx.ExecContext(ctx, n, i, fb(t.Hash), t.Type, nonNil(t.Payload)); err != nil {
			return fmt.Errorf("write transaction %d: %w", i, err)
		}
	}
	for i, r := range b.Receipts {
		if _, err := putReceipt.ExecContext(ctx, n, i, fb(r.TxHash), r.Status, fb(r.ActualFee), r.RevertReason, nonNil(r.Payload)); err != nil {
			return fmt.Errorf("write receipt %d: %w", i, err)
		}
	}
	var prevTx uint64
	idx := 0
	for i, e := range b.Events {
		if i == 0 || e.TxIndex != prevTx {
			idx = 0
		}
		prevTx = e.TxIndex
		if _, err := putEvent.ExecContext(ctx, n, int64(e.TxIndex), idx, fb(e.FromAddress), encodeFelts(e.Keys), encodeFelts(e.Data)); err != nil {
			return fmt.Errorf("write event %d: %w", i, err)
		}
		idx++
	}
	plain := *d
	plain.About, plain.ExpectedContractsTrieRoot, plain.ExpectedStateRoot = "", nil, nil
	plain.Contracts = make([]commitment.ContractDiff, len(d.Contracts))
	for i, c := range d.Contracts {
		c.ExpectedStorageRoot = nil
		plain.Contracts[i] = c
	}
	js, err := plain.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encode state diff: %w", err)
	}
	if _, err := st(s.w.put).ExecContext(ctx, n, js); err != nil {
		return fmt.Errorf("write state diff: %w", err)
	}
	return nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// StateDiff returns the state diff block n applied.
func (s *Store) StateDiff(ctx context.Context, n uint64) (*commitment.StateDiff, error) {
	var js []byte
	err := s.db.QueryRowContext(ctx, "SELECT diff FROM state_diffs WHERE block = ?", int64(n)).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("state diff of block %d: %w", n, store.ErrNotFound)
	}
	if err != nil {
		return nil, s.wrap("read state diff", err)
	}
	d, err := commitment.ParseStateDiff(js)
	if err != nil {
		return nil, fmt.Errorf("store %s: corrupt state diff of block %d: %w", s.path, n, err)
	}
	return d, nil
}
