package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenRejectsBadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	s, err := Open(ctx, good, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}

	foreign := filepath.Join(dir, "foreign.db")
	fdb, err := sql.Open("sqlite3", "file:"+foreign+"?mode=rwc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fdb.Exec("CREATE TABLE people (name TEXT)"); err != nil {
		t.Fatal(err)
	}
	fdb.Close()

	otherApp := filepath.Join(dir, "otherapp.db")
	odb, err := sql.Open("sqlite3", "file:"+otherApp+"?mode=rwc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odb.Exec("PRAGMA application_id = 1234"); err != nil {
		t.Fatal(err)
	}
	if _, err := odb.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	odb.Close()

	newer := filepath.Join(dir, "newer.db")
	if err := os.WriteFile(newer, goodBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	ndb, err := sql.Open("sqlite3", "file:"+newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ndb.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	ndb.Close()

	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	garbage := make([]byte, len(goodBytes))
	for i := range garbage {
		garbage[i] = byte(i * 7)
	}
	// A header whose page count says more pages than the file holds.
	truncated := write("truncated.db", goodBytes[:len(goodBytes)-4096])
	// Half a page: the file size is not a whole number of pages.
	ragged := write("ragged.db", goodBytes[:len(goodBytes)-100])
	// Pages past the header are garbage.
	corrupt := append([]byte{}, goodBytes[:100]...)
	corrupt = append(corrupt, garbage[:len(goodBytes)-100]...)

	tests := []struct {
		name string
		path string
		opts Options
		want string
	}{
		{"missing", filepath.Join(dir, "missing.db"), Options{}, "no such file"},
		{"directory", dir, Options{}, "is a directory"},
		{"empty", write("empty.db", nil), Options{}, "empty file"},
		{"text", write("text.db", []byte("hello, this is not a database\n")), Options{}, "not a SQLite database"},
		{"garbage", write("garbage.db", garbage), Options{Create: true}, "not a SQLite database"},
		{"short header", write("short.db", goodBytes[:60]), Options{}, "truncated"},
		{"truncated", truncated, Options{}, "truncated"},
		{"ragged", ragged, Options{}, "truncated"},
		{"corrupt pages", write("corrupt.db", corrupt), Options{}, "corrupt"},
		{"foreign", foreign, Options{Create: true}, "foreign SQLite database"},
		{"other application", otherApp, Options{}, "application_id 0x000004d2"},
		{"newer schema", newer, Options{}, "newer than this kairo"},
		{"read-only empty", write("empty2.db", nil), Options{ReadOnly: true}, "empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, tt.path, tt.opts)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded, want an error containing %q", tt.name, tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, tt.path) {
				t.Errorf("error %q: want it to name %s and contain %q", msg, tt.path, tt.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
		})
	}
}

// createStore creates a store named name in a temporary directory.
func createStore(t *testing.T, name string) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	s, err := Open(context.Background(), path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

func TestOpenCreatesAndReopens(t *testing.T) {
	ctx := context.Background()
	s, path := createStore(t, "a.db")
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var sync int
	if err := s.db.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 1 {
		t.Errorf("synchronous = %d, %v; want 1 (NORMAL)", sync, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, opts := range []Options{{}, {ReadOnly: true}} {
		s, err := Open(ctx, path, opts)
		if err != nil {
			t.Fatalf("reopen %+v: %v", opts, err)
		}
		var v int
		if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != len(migrations) {
			t.Errorf("user_version = %d, %v; want %d", v, err, len(migrations))
		}
		s.Close()
	}
}
