package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/kairo-dev/kairo/store/commitment"
)

// ApplicationID marks a SQLite file as a kairo store ("KAIR" in ASCII). It is
// written once, at creation, into the database header (offset 68).
const ApplicationID = 0x4b414952

// sqliteMagic opens every SQLite 3 database file.
const sqliteMagic = "SQLite format 3\x00"

// Options tune how a store is opened.
type Options struct {
	// Create makes a new, empty store when the file does not exist. Without
	// it a missing file is an error.
	Create bool
	// ReadOnly opens the file read-only: no migration, no write.
	ReadOnly bool
	// RootRule is the state-root rule of a store created by this Open; an
	// existing store keeps the rule it was created with.
	RootRule commitment.RootRule
	// NodeCache is the capacity, in trie nodes, of the cache that keeps
	// encoded trie pages between block commits (0: DefaultNodeCache;
	// negative: no cache). A page counts as nodesPerCachedPage nodes and
	// takes at most about 560 bytes.
	NodeCache int
}

// checkFile inspects the first 100 bytes of an existing file, the SQLite
// header, so that a foreign or damaged file gets a precise error before
// SQLite touches it. It returns exists=false when there is no file.
func checkFile(path string) (exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return true, err
	}
	if st.IsDir() {
		return true, errors.New("is a directory")
	}
	size := st.Size()
	if size == 0 {
		// SQLite treats an empty file as an empty database.
		return true, nil
	}
	var hdr [100]byte
	n, err := io.ReadFull(f, hdr[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return true, err
	}
	if n < len(sqliteMagic) || string(hdr[:len(sqliteMagic)]) != sqliteMagic {
		return true, errors.New("not a SQLite database (bad header magic)")
	}
	if n < 100 {
		return true, fmt.Errorf("truncated: %d bytes, shorter than the 100-byte SQLite header", size)
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return true, fmt.Errorf("corrupt SQLite header: page size %d", pageSize)
	}
	// The in-header page count is valid when the change counter equals the
	// version-valid-for field; the file must then hold at least that many
	// pages. Not when the log holds frames: a checkpoint copies pages in
	// page order, page 1 (the header, with the new count) first, so one
	// interrupted by a crash leaves a header ahead of the file, and SQLite
	// redoes the copy from the log at the next open.
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	if pages > 0 && binary.BigEndian.Uint32(hdr[24:28]) == binary.BigEndian.Uint32(hdr[92:96]) && !walHasFrames(path) {
		if want := pages * pageSize; size < want {
			return true, fmt.Errorf("truncated: header says %d pages of %d bytes (%d bytes), file has %d bytes", pages, pageSize, want, size)
		}
	}
	if size%pageSize != 0 {
		return true, fmt.Errorf("truncated: %d bytes is not a whole number of %d-byte pages", size, pageSize)
	}
	if id := binary.BigEndian.Uint32(hdr[68:72]); id != 0 && id != ApplicationID {
		return true, fmt.Errorf("foreign SQLite database (application_id %#08x, kairo stores use %#08x)", id, ApplicationID)
	}
	return true, nil
}

// walHasFrames reports whether the write-ahead log next to path holds more
// than its 32-byte header.
func walHasFrames(path string) bool {
	st, err := os.Stat(path + "-wal")
	return err == nil && st.Size() > 32
}

// dsn builds the go-sqlite3 connection string. Every connection runs with:
//
//   - journal_mode=WAL: readers never block the writer and a commit is one
//     append to the log;
//   - synchronous=NORMAL: in WAL mode a commit appends to the log without
//     waiting for an fsync; the log is fsynced when it is checkpointed into
//     the database. A process crash (kill -9, panic) loses nothing that was
//     committed, since the log is in the operating system's cache; a power
//     loss or kernel crash can lose the last blocks committed since the
//     previous checkpoint, but never corrupts the database nor leaves half a
//     block: what survives is a prefix of the committed blocks. For a devnet
//     that is the right trade (FULL costs one fsync of the log per block);
//   - busy_timeout=5000: a second process (a CLI command beside a running
//     devnet) waits for the lock instead of failing at once;
//   - _txlock=immediate: write transactions take the write lock at BEGIN, so
//     two writers never deadlock upgrading a read lock.
func dsn(path string, opts Options) string {
	q := url.Values{}
	switch {
	case opts.ReadOnly:
		q.Set("mode", "ro")
	case opts.Create:
		q.Set("mode", "rwc")
	default:
		q.Set("mode", "rw")
	}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_txlock", "immediate")
	q.Set("_cache_size", "-65536")
	return "file:" + escapePath(path) + "?" + q.Encode()
}

// connector opens connections with its own driver value, so that the
// connect hook applies to this store only.
type connector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }

func (c connector) Driver() driver.Driver { return c.driver }

// noAutoCheckpoint turns off the checkpoint SQLite would otherwise run at
// the end of a commit once the log passes 1,000 pages: a block commit
// rewrites tens of thousands of pages, and copying them into the database
// (with its fsync) would double the commit's time. The store checkpoints in
// the background after each block instead (Store.checkpointer), and SQLite
// checkpoints when the last connection closes.
func noAutoCheckpoint(c *sqlite3.SQLiteConn) error {
	if _, err := c.Exec("PRAGMA wal_autocheckpoint = 0", nil); err != nil {
		return err
	}
	_, err := c.Exec("PRAGMA mmap_size = 4294967296", nil)
	return err
}

// escapePath escapes a file name for a SQLite URI ('?' and '#' would start
// the query or fragment).
func escapePath(path string) string { return (&url.URL{Path: path}).EscapedPath() }

// describe turns SQLite's errors about damaged files into plain words.
func describe(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB:
			return fmt.Errorf("not a SQLite database or encrypted: %w", err)
		case sqlite3.ErrCorrupt:
			return fmt.Errorf("database is corrupt: %w", err)
		case sqlite3.ErrCantOpen:
			return fmt.Errorf("cannot open file: %w", err)
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("database is locked by another process: %w", err)
		case sqlite3.ErrReadonly:
			return fmt.Errorf("database is read-only: %w", err)
		case sqlite3.ErrFull:
			return fmt.Errorf("disk full: %w", err)
		}
	}
	return err
}

// openDB opens the pool and checks the identity and schema version. It
// migrates a fresh or older store unless read-only.
func openDB(ctx context.Context, path string, opts Options) (*sql.DB, error) {
	exists, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	if !exists && !opts.Create {
		return nil, errors.New("no such file")
	}
	if exists && !opts.Create {
		if st, err := os.Stat(path); err == nil && st.Size() == 0 {
			return nil, errors.New("empty file, not a kairo store")
		}
	}
	db := sql.OpenDB(connector{dsn: dsn(path, opts), driver: &sqlite3.SQLiteDriver{ConnectHook: noAutoCheckpoint}})
	// Keep a connection per committer worker, plus the writer's and the
	// checkpointer's, open between blocks.
	db.SetMaxIdleConns(runtime.GOMAXPROCS(0) + 2)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, describe(err)
	}
	if err := checkIdentity(ctx, db, opts); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// checkIdentity reads application_id and user_version and applies pending
// migrations.
func checkIdentity(ctx context.Context, db *sql.DB, opts Options) error {
	var appID uint32
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return describe(err)
	}
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return describe(err)
	}
	if appID == 0 {
		var tables int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
			return describe(err)
		}
		if tables > 0 {
			return fmt.Errorf("foreign SQLite database (%d schema objects, no kairo application_id)", tables)
		}
		if opts.ReadOnly {
			return errors.New("empty database, not a kairo store")
		}
	} else if appID != ApplicationID {
		return fmt.Errorf("foreign SQLite database (application_id %#08x, kairo stores use %#08x)", appID, ApplicationID)
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this kairo (knows up to %d)", version, len(migrations))
	}
	if version == len(migrations) {
		return nil
	}
	if opts.ReadOnly {
		return fmt.Errorf("schema version %d needs migration to %d; open it read-write once", version, len(migrations))
	}
	return migrate(ctx, db, version)
}
