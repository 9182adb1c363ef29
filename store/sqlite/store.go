// Package sqlite is kairo's on-disk chain store: blocks, transactions,
// receipts, events, per-block state diffs, the current state with its
// history, and the nodes of the state tries, in one SQLite file in WAL mode.
// Every block commit is one SQLite transaction. docs/store.md documents the
// schema and the frozen on-disk key layouts.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
)

// Store is a chain store in a SQLite file. It is safe for concurrent use;
// block commits are serialised.
type Store struct {
	path string
	db   *sql.DB

	// rule is the state-root rule, fixed when the store was created.
	rule commitment.RootRule
	w    writeStmts
	r    readStmts
	// pages caches encoded trie pages between commits (nil: no cache);
	// raw reads them for the committer.
	pages *pageCache
	raw   *rawPages
	// stats counts page reads and writes (for the benchmarks).
	stats pageStats

	// kick asks the checkpointer to run; stop ends it, done reports it
	// ended (all nil for a read-only store).
	kick, stop, done chan struct{}

	// mu serialises writers in this process (commits, reverts); readers
	// rely on SQLite's snapshot isolation. ckpt serialises checkpoints.
	mu, ckpt sync.Mutex
	// logFrames is the number of frames in the log as of the latest
	// checkpoint, pageSize the database's page size, restartAt the size
	// of the log above which a commit first restarts it (walRestartSize)
	// and restarts the number of such restarts.
	logFrames atomic.Int64
	pageSize  int64
	restartAt int64
	restarts  atomic.Int64
}

var _ store.Store = (*Store)(nil)

// Open opens the store at path, creating it when opts.Create is set, and
// checks that the file is a kairo store of a known schema version.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	db, err := openDB(ctx, path, opts)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	capacity := opts.NodeCache
	switch {
	case capacity == 0:
		capacity = DefaultNodeCache
	case capacity < 0:
		capacity = 0
	}
	s := &Store{path: path, db: db, pages: newPageCache(capacity), restartAt: walRestartSize}
	conn := dsn(path, opts)
	s.raw = newRawPages(runtime.GOMAXPROCS(0), func() (driver.Conn, error) { return db.Driver().Open(conn) })
	if err := s.init(ctx, opts); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// Root-rule names kept in the meta table.
const (
	ruleV014   = "v0.14"
	ruleLegacy = "legacy"
)

func (s *Store) init(ctx context.Context, opts Options) error {
	if !opts.ReadOnly {
		name := ruleV014
		if opts.RootRule == commitment.RootRuleLegacy {
			name = ruleLegacy
		}
		if _, err := s.db.ExecContext(ctx, "INSERT OR IGNORE INTO meta (key, value) VALUES ('root_rule', ?)", name); err != nil {
			return describe(err)
		}
	}
	var name string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'root_rule'").Scan(&name)
	switch {
	case errors.Is(err, sql.ErrNoRows) || name == ruleV014:
		s.rule = commitment.RootRuleV014
	case err != nil:
		return describe(err)
	case name == ruleLegacy:
		s.rule = commitment.RootRuleLegacy
	default:
		return fmt.Errorf("corrupt meta table: unknown root rule %q", name)
	}
	if err := s.probe(ctx); err != nil {
		return err
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&s.pageSize); err != nil {
		return describe(err)
	}
	// The parameters are written +?: SQLite's planner reads the values
	// bound to a bare ? in a query with ORDER BY, which makes every new
	// binding re-prepare the statement (about 10 us, as long as the
	// lookup itself); as expressions they keep the same plan, a search of
	// the primary key, without that.
	if s.r.storage, err = s.db.PrepareContext(ctx, "SELECT value FROM storage_history WHERE contract = +? AND key = +? ORDER BY block DESC LIMIT 1"); err != nil {
		return describe(err)
	}
	if s.r.storageAt, err = s.db.PrepareContext(ctx, `SELECT (SELECT max(number) FROM blocks),
		(SELECT value FROM storage_history WHERE contract = +?1 AND key = +?2 AND block <= +?3 ORDER BY block DESC LIMIT 1)`); err != nil {
		return describe(err)
	}
	if err := s.prepare(ctx); err != nil {
		return err
	}
	if !opts.ReadOnly {
		s.kick, s.stop, s.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
		go s.checkpointer()
	}
	return nil
}

// readStmts are the prepared statements of the hot reads.
type readStmts struct {
	storage, storageAt *sql.Stmt
}

// RootRule returns the state-root rule the store was created with.
func (s *Store) RootRule() commitment.RootRule { return s.rule }

// probe reads the head block and the root trie nodes, so that a file whose
// damage the header check missed fails at Open, not in the middle of work.
func (s *Store) probe(ctx context.Context) error {
	if _, err := s.Head(ctx); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM trie_pages LIMIT 16)").Scan(&n); err != nil {
		return describe(err)
	}
	return nil
}

// Path returns the file the store lives in.
func (s *Store) Path() string { return s.path }

// walRestartSize is the size of the log above which a block commit first
// waits for a checkpoint of the whole log and starts it over.
const walRestartSize = 256 << 20

// checkpointer copies the log into the database after each block commit,
// in the background: CommitBlock returns as soon as its frames are in the
// log, and the copy (PRAGMA wal_checkpoint(PASSIVE)) overlaps whatever
// comes next, the next block's execution and even its commit: a passive
// checkpoint takes no lock that a writer needs. SQLite starts the log
// over at the first write of a transaction that began once the log was
// all copied, so a devnet that spends a moment between blocks keeps a log
// of one block. Blocks committed back to back append instead; when the
// log holds more than walRestartSize, the next commit first runs
// wal_checkpoint(RESTART) (restartLog), which copies what is left and
// makes that commit start the log over. ckpt keeps one checkpoint at a
// time. Errors are not fatal (another process busy past the timeout): the
// frames stay in the log, which readers use, and the next checkpoint
// copies them.
//
// The size of the log is what the checkpoints report (the frames since
// the log last started over), not the size of the file: SQLite reuses the
// file from its start when it starts the log over, without truncating it,
// so a file that once grew past walRestartSize stays that large.
func (s *Store) checkpointer() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
			s.ckpt.Lock()
			s.checkpoint(context.Background(), "PASSIVE") // see above: not fatal
			s.ckpt.Unlock()
		}
	}
}

// checkpoint runs PRAGMA wal_checkpoint(mode) and records the size of the
// log it reports. The caller holds ckpt.
func (s *Store) checkpoint(ctx context.Context, mode string) {
	var busy, frames, copied int64
	if err := s.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &copied); err != nil {
		return
	}
	switch {
	case mode == "RESTART" && busy == 0:
		s.logFrames.Store(0) // the next commit starts the log over
	case frames >= 0:
		s.logFrames.Store(frames)
	}
}

// restartLog checkpoints the whole log and lets the next writer start it
// over when it holds more than walRestartSize. The caller holds mu.
func (s *Store) restartLog(ctx context.Context) {
	if s.logFrames.Load()*(s.pageSize+walFrameHeader) <= s.restartAt {
		return
	}
	s.restarts.Add(1)
	s.ckpt.Lock()
	defer s.ckpt.Unlock()
	s.checkpoint(ctx, "RESTART") // not fatal, as in checkpointer
}

// walFrameHeader is the size of a log frame's header (the page follows).
const walFrameHeader = 24

// Close closes the store.
func (s *Store) Close() error {
	if s.stop != nil {
		close(s.stop)
		<-s.done
		s.stop = nil
	}
	w := &s.w
	for _, st := range []*sql.Stmt{s.r.storage, s.r.storageAt, w.putPage, w.delPage, w.contract, w.putContract,
		w.putStorageHist, w.putNonceHist, w.putClassHashHist, w.putClass, w.delClass,
		w.putBlock, w.putTx, w.putReceipt, w.putEvent, w.put, w.putPages, w.delPages,
		w.putStorageHistN, w.getPages, w.putContractN} {
		if st != nil {
			st.Close()
		}
	}
	if s.raw != nil {
		s.raw.close() // read-only connections: nothing to lose
		s.raw = nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's full integrity check and returns an error
// listing the first problems found.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA integrity_check(8)")
	if err != nil {
		return s.wrap("integrity check", err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return s.wrap("integrity check", err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return s.wrap("integrity check", err)
	}
	if len(msgs) == 1 && msgs[0] == "ok" {
		return nil
	}
	return fmt.Errorf("store %s: integrity check failed: %s", s.path, strings.Join(msgs, "; "))
}

func (s *Store) wrap(what string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return err
	}
	return fmt.Errorf("store %s: %s: %w", s.path, what, describe(err))
}

// fb encodes a felt as its 32-byte big-endian blob.
func fb(f felt.Felt) []byte {
	b := f.BytesBE()
	return b[:]
}

// feltCol scans a 32-byte felt blob, rejecting anything else as corruption.
type feltCol struct{ f *felt.Felt }

func (c feltCol) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok || len(b) != 32 {
		return fmt.Errorf("corrupt felt column: %T of %d bytes, want 32 bytes", src, len(b))
	}
	*c.f = felt.FromBytesBE(b)
	if string(fb(*c.f)) != string(b) {
		return errors.New("corrupt felt column: value not below the field prime")
	}
	return nil
}

// queryFelt returns the single felt a query yields, zero when no row.
func (s *Store) queryFelt(ctx context.Context, what, q string, args ...any) (felt.Felt, error) {
	var f felt.Felt
	err := s.db.QueryRowContext(ctx, q, args...).Scan(feltCol{&f})
	if errors.Is(err, sql.ErrNoRows) {
		return felt.Zero, nil
	}
	if err != nil {
		return felt.Zero, s.wrap(what, err)
	}
	return f, nil
}

// Storage returns the value at key in contract's storage at the head.
func (s *Store) Storage(ctx context.Context, contract, key felt.Felt) (felt.Felt, error) {
	var v felt.Felt
	err := s.r.storage.QueryRowContext(ctx, fb(contract), fb(key)).Scan(feltCol{&v})
	if errors.Is(err, sql.ErrNoRows) {
		return felt.Zero, nil
	}
	if err != nil {
		return felt.Zero, s.wrap("read storage", err)
	}
	return v, nil
}

// Nonce returns contract's nonce at the head.
func (s *Store) Nonce(ctx context.Context, contract felt.Felt) (felt.Felt, error) {
	return s.queryFelt(ctx, "read nonce", "SELECT nonce FROM contracts WHERE address = ?", fb(contract))
}

// ClassHash returns the class hash of the contract at address contract.
func (s *Store) ClassHash(ctx context.Context, contract felt.Felt) (felt.Felt, error) {
	return s.queryFelt(ctx, "read class hash", "SELECT class_hash FROM contracts WHERE address = ?", fb(contract))
}

// Class returns a declared class with its artifacts.
func (s *Store) Class(ctx context.Context, classHash felt.Felt) (store.Class, error) {
	c := store.Class{ClassHash: classHash}
	err := s.db.QueryRowContext(ctx,
		"SELECT compiled_class_hash, block, definition, compiled FROM classes WHERE class_hash = ?", fb(classHash)).
		Scan(feltCol{&c.CompiledClassHash}, &c.Block, &c.Definition, &c.Compiled)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Class{}, fmt.Errorf("class %s: %w", classHash, store.ErrNotFound)
	}
	if err != nil {
		return store.Class{}, s.wrap("read class", err)
	}
	return c, nil
}

// checkBlock returns ErrNotFound when block is above the head.
func (s *Store) checkBlock(ctx context.Context, block uint64) error {
	var head sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT max(number) FROM blocks").Scan(&head); err != nil {
		return s.wrap("read head", err)
	}
	if !head.Valid || uint64(head.Int64) < block {
		return fmt.Errorf("block %d: %w", block, store.ErrNotFound)
	}
	return nil
}

func (s *Store) historyAt(ctx context.Context, what string, block uint64, q string, args ...any) (felt.Felt, error) {
	if err := s.checkBlock(ctx, block); err != nil {
		return felt.Zero, err
	}
	return s.queryFelt(ctx, what, q, append(args, int64(block))...)
}

// StorageAt returns the value at key in contract's storage right after
// block was committed.
func (s *Store) StorageAt(ctx context.Context, contract, key felt.Felt, block uint64) (felt.Felt, error) {
	var head sql.NullInt64
	var v []byte
	if err := s.r.storageAt.QueryRowContext(ctx, fb(contract), fb(key), int64(block)).Scan(&head, &v); err != nil {
		return felt.Zero, s.wrap("read storage history", err)
	}
	if !head.Valid || uint64(head.Int64) < block {
		return felt.Zero, fmt.Errorf("block %d: %w", block, store.ErrNotFound)
	}
	if v == nil {
		return felt.Zero, nil
	}
	var f felt.Felt
	if err := (feltCol{&f}).Scan(v); err != nil {
		return felt.Zero, s.wrap("read storage history", err)
	}
	return f, nil
}

// NonceAt returns contract's nonce right after block was committed.
func (s *Store) NonceAt(ctx context.Context, contract felt.Felt, block uint64) (felt.Felt, error) {
	return s.historyAt(ctx, "read nonce history", block,
		"SELECT value FROM nonce_history WHERE contract = +? AND block <= +? ORDER BY block DESC LIMIT 1",
		fb(contract))
}

// ClassHashAt returns contract's class hash right after block was committed.
func (s *Store) ClassHashAt(ctx context.Context, contract felt.Felt, block uint64) (felt.Felt, error) {
	return s.historyAt(ctx, "read class hash history", block,
		"SELECT value FROM class_hash_history WHERE contract = +? AND block <= +? ORDER BY block DESC LIMIT 1",
		fb(contract))
}

const headerCols = `number, hash, parent_hash, state_root, contracts_root, classes_root,
	timestamp, sequencer_address, starknet_version, tx_count, event_count`

func scanHeader(row interface{ Scan(...any) error }) (store.Header, error) {
	var h store.Header
	err := row.Scan(&h.Number, feltCol{&h.Hash}, feltCol{&h.ParentHash}, feltCol{&h.StateRoot},
		feltCol{&h.ContractsRoot}, feltCol{&h.ClassesRoot}, &h.Timestamp, feltCol{&h.SequencerAddress},
		&h.StarknetVersion, &h.TxCount, &h.EventCount)
	return h, err
}

// Head returns the newest block's header.
func (s *Store) Head(ctx context.Context) (store.Header, error) {
	h, err := scanHeader(s.db.QueryRowContext(ctx, "SELECT "+headerCols+" FROM blocks ORDER BY number DESC LIMIT 1"))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Header{}, fmt.Errorf("head block: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Header{}, s.wrap("read head", err)
	}
	return h, nil
}

// BlockByNumber returns block n's header.
func (s *Store) BlockByNumber(ctx context.Context, n uint64) (store.Header, error) {
	h, err := scanHeader(s.db.QueryRowContext(ctx, "SELECT "+headerCols+" FROM blocks WHERE number = ?", int64(n)))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Header{}, fmt.Errorf("block %d: %w", n, store.ErrNotFound)
	}
	if err != nil {
		return store.Header{}, s.wrap("read block", err)
	}
	return h, nil
}

// Transactions returns block n's transactions in order.
func (s *Store) Transactions(ctx context.Context, n uint64) ([]store.Transaction, error) {
	if err := s.checkBlock(ctx, n); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT hash, type, payload FROM transactions WHERE block = ? ORDER BY idx", int64(n))
	if err != nil {
		return nil, s.wrap("read transactions", err)
	}
	defer rows.Close()
	var out []store.Transaction
	for rows.Next() {
		var t store.Transaction
		if err := rows.Scan(feltCol{&t.Hash}, &t.Type, &t.Payload); err != nil {
			return nil, s.wrap("read transactions", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("read transactions", err)
	}
	return out, nil
}

// Receipts returns block n's receipts in order.
func (s *Store) Receipts(ctx context.Context, n uint64) ([]store.Receipt, error) {
	if err := s.checkBlock(ctx, n); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx,
		"SELECT tx_hash, status, actual_fee, revert_reason, payload FROM receipts WHERE block = ? ORDER BY idx", int64(n))
	if err != nil {
		return nil, s.wrap("read receipts", err)
	}
	defer rows.Close()
	var out []store.Receipt
	for rows.Next() {
		var r store.Receipt
		if err := rows.Scan(feltCol{&r.TxHash}, &r.Status, feltCol{&r.ActualFee}, &r.RevertReason, &r.Payload); err != nil {
			return nil, s.wrap("read receipts", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("read receipts", err)
	}
	return out, nil
}

// Events returns block n's events in order.
func (s *Store) Events(ctx context.Context, n uint64) ([]store.Event, error) {
	if err := s.checkBlock(ctx, n); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx,
		"SELECT tx_idx, from_address, keys, data FROM events WHERE block = ? ORDER BY tx_idx, idx", int64(n))
	if err != nil {
		return nil, s.wrap("read events", err)
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var keys, data []byte
		if err := rows.Scan(&e.TxIndex, feltCol{&e.FromAddress}, &keys, &data); err != nil {
			return nil, s.wrap("read events", err)
		}
		if e.Keys, err = decodeFelts(keys); err != nil {
			return nil, s.wrap("read event keys", err)
		}
		if e.Data, err = decodeFelts(data); err != nil {
			return nil, s.wrap("read event data", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("read events", err)
	}
	return out, nil
}

// encodeFelts concatenates 32-byte big-endian felts.
func encodeFelts(fs []felt.Felt) []byte {
	out := make([]byte, 0, 32*len(fs))
	for _, f := range fs {
		out = append(out, fb(f)...)
	}
	return out
}

func decodeFelts(b []byte) ([]felt.Felt, error) {
	if len(b)%32 != 0 {
		return nil, fmt.Errorf("corrupt felt list: %d bytes is not a multiple of 32", len(b))
	}
	out := make([]felt.Felt, 0, len(b)/32)
	for i := 0; i < len(b); i += 32 {
		var f felt.Felt
		if err := (feltCol{&f}).Scan(b[i : i+32]); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
