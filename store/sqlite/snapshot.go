package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/vm/felt"
)

// A snapshot is a complete copy of the store, taken with SQLite's online
// backup API into <db>.snapshots/<name>.db. The backup copies pages, not
// rows, under one read transaction, so it is consistent and costs about
// one sequential write of the file. Reverting copies the pages back into
// the live database with the same API: the destination is written in one
// write transaction, so a crash during a revert leaves the store as it was
// before or as the snapshot, and other processes with the file open see the
// change like any other commit.

// snapshotExt ends every snapshot file name.
const snapshotExt = ".db"

var snapshotName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// SnapshotInfo describes a snapshot.
type SnapshotInfo struct {
	Name    string
	Path    string
	Size    int64
	Created time.Time
	// Block and StateRoot are the snapshot's head; Empty is set when the
	// snapshot holds no block.
	Block     uint64
	StateRoot felt.Felt
	Empty     bool
	// Err is set when the snapshot file cannot be read as a kairo store.
	Err error
}

// SnapshotDir returns the directory that holds the snapshots of the store
// at dbPath.
func SnapshotDir(dbPath string) string { return dbPath + ".snapshots" }

func (s *Store) snapshotPath(name string) (string, error) {
	if !snapshotName.MatchString(name) || strings.HasSuffix(name, ".tmp") {
		return "", fmt.Errorf("invalid snapshot name %q: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return filepath.Join(SnapshotDir(s.path), name+snapshotExt), nil
}

// Snapshot copies the store into the snapshot name. An existing snapshot of
// that name is an error unless overwrite is set; it is then replaced
// atomically (rename), never left half-written.
func (s *Store) Snapshot(ctx context.Context, name string, overwrite bool) (SnapshotInfo, error) {
	dst, err := s.snapshotPath(name)
	if err != nil {
		return SnapshotInfo{}, err
	}
	if _, err := os.Stat(dst); err == nil && !overwrite {
		return SnapshotInfo{}, fmt.Errorf("snapshot %q already exists (%s); pass overwrite to replace it", name, dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return SnapshotInfo{}, fmt.Errorf("snapshot %q: %w", name, err)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", dst, os.Getpid())
	os.Remove(tmp)
	defer os.Remove(tmp)
	if err := s.backupTo(ctx, tmp); err != nil {
		return SnapshotInfo{}, fmt.Errorf("snapshot %q of %s: %w", name, s.path, err)
	}
	if err := syncFile(tmp); err != nil {
		return SnapshotInfo{}, fmt.Errorf("snapshot %q: %w", name, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return SnapshotInfo{}, fmt.Errorf("snapshot %q: %w", name, err)
	}
	if err := syncFile(filepath.Dir(dst)); err != nil {
		return SnapshotInfo{}, fmt.Errorf("snapshot %q: %w", name, err)
	}
	info := inspectSnapshot(ctx, name, dst)
	return info, info.Err
}

// backupTo copies the live database into a new file at path.
func (s *Store) backupTo(ctx context.Context, path string) error {
	dstDB, err := sql.Open("sqlite3", "file:"+escapePath(path)+"?mode=rwc&_journal_mode=DELETE")
	if err != nil {
		return err
	}
	defer dstDB.Close()
	dstConn, err := dstDB.Conn(ctx)
	if err != nil {
		return describe(err)
	}
	defer dstConn.Close()
	srcConn, err := s.db.Conn(ctx)
	if err != nil {
		return describe(err)
	}
	defer srcConn.Close()
	return backup(dstConn, srcConn)
}

// backup copies every page of src's main database into dst's, in one step.
func backup(dst, src *sql.Conn) error {
	return dst.Raw(func(d any) error {
		return src.Raw(func(s any) error {
			dc, ok1 := d.(*sqlite3.SQLiteConn)
			sc, ok2 := s.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("backup: not a go-sqlite3 connection")
			}
			bk, err := dc.Backup("main", sc, "main")
			if err != nil {
				return fmt.Errorf("backup: %w", describe(err))
			}
			done, err := bk.Step(-1)
			if err != nil {
				bk.Finish()
				return fmt.Errorf("backup: %w", describe(err))
			}
			if !done {
				bk.Finish()
				return errors.New("backup: incomplete copy")
			}
			if err := bk.Finish(); err != nil {
				return fmt.Errorf("backup: %w", describe(err))
			}
			return nil
		})
	})
}

// Revert replaces the store's content with the snapshot name. The snapshot
// stays, so one can revert to it again.
func (s *Store) Revert(ctx context.Context, name string) error {
	src, err := s.snapshotPath(name)
	if err != nil {
		return err
	}
	if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no snapshot %q (looked for %s)", name, src)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	srcDB, err := openDB(ctx, src, Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("revert to snapshot %q: %s: %w", name, src, err)
	}
	defer srcDB.Close()
	srcConn, err := srcDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("revert to snapshot %q: %w", name, describe(err))
	}
	defer srcConn.Close()
	dstConn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("revert to snapshot %q: %w", name, describe(err))
	}
	defer dstConn.Close()
	if err := backup(dstConn, srcConn); err != nil {
		return fmt.Errorf("revert %s to snapshot %q: %w", s.path, name, err)
	}
	// Keep the log short: the revert rewrote every page into it.
	s.ckpt.Lock()
	defer s.ckpt.Unlock()
	if _, err := dstConn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("revert %s: checkpoint: %w", s.path, describe(err))
	}
	return nil
}

// Snapshots lists the store's snapshots by name. A damaged snapshot is
// listed with Err set.
func (s *Store) Snapshots(ctx context.Context) ([]SnapshotInfo, error) {
	dir := SnapshotDir(s.path)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	var out []SnapshotInfo
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, snapshotExt) {
			continue
		}
		name := strings.TrimSuffix(n, snapshotExt)
		if !snapshotName.MatchString(name) {
			continue
		}
		out = append(out, inspectSnapshot(ctx, name, filepath.Join(dir, n)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// inspectSnapshot reads a snapshot's size, time and head block.
func inspectSnapshot(ctx context.Context, name, path string) SnapshotInfo {
	info := SnapshotInfo{Name: name, Path: path}
	st, err := os.Stat(path)
	if err != nil {
		info.Err = err
		return info
	}
	info.Size, info.Created = st.Size(), st.ModTime()
	snap, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		info.Err = err
		return info
	}
	defer snap.Close()
	h, err := snap.Head(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		info.Empty = true
	case err != nil:
		info.Err = err
	default:
		info.Block, info.StateRoot = h.Number, h.StateRoot
	}
	return info
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
