package sqlite

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"sync"
	"testing"
)

// TestRawPages checks the committer's page reads against those of a
// prepared statement: the same bytes for every stored page, nothing for
// an absent one, from several goroutines at once (run with -race); a
// cancelled context and a connection that fails to open are errors, and
// the failed connection is opened again by the next read.
func TestRawPages(t *testing.T) {
	ctx := context.Background()
	s, path := createStore(t, "raw.db")
	defer s.Close()
	fill(t, s, 20, 800)

	type row struct{ trie, prefix, page []byte }
	var stored []row
	rows, err := s.db.QueryContext(ctx, "SELECT trie, prefix, page FROM trie_pages")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.trie, &r.prefix, &r.page); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, r)
	}
	if err := rows.Err(); err != nil || len(stored) < 40 {
		t.Fatalf("%d pages stored (%v); want at least 40", len(stored), err)
	}

	raw := newRawPages(3, func() (driver.Conn, error) { return s.db.Driver().Open(dsn(path, Options{})) })
	defer raw.close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(stored); i += 4 {
				r := stored[i]
				data, found, err := raw.readPage(ctx, r.trie, r.prefix)
				if err != nil || !found || !bytes.Equal(data, r.page) {
					t.Errorf("page %x/%x: %d bytes, found %v, %v; want the %d stored", r.trie, r.prefix, len(data), found, err, len(r.page))
				}
			}
		})
	}
	wg.Wait()
	if data, found, err := raw.readPage(ctx, stored[0].trie, []byte{0xff}); err != nil || found || data != nil {
		t.Errorf("absent page: %x, found %v, %v", data, found, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := raw.readPage(cancelled, stored[0].trie, stored[0].prefix); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}

	fails := true
	flaky := newRawPages(1, func() (driver.Conn, error) {
		if fails {
			return nil, errors.New("no connection")
		}
		return s.db.Driver().Open(dsn(path, Options{}))
	})
	defer flaky.close()
	if _, _, err := flaky.readPage(ctx, stored[0].trie, stored[0].prefix); err == nil {
		t.Error("read on a connection that failed to open: no error")
	}
	fails = false
	if data, found, err := flaky.readPage(ctx, stored[0].trie, stored[0].prefix); err != nil || !found || !bytes.Equal(data, stored[0].page) {
		t.Errorf("read after the failure: found %v, %v", found, err)
	}

	// One connection's reads share a snapshot until endReads.
	one := newRawPages(1, func() (driver.Conn, error) { return s.db.Driver().Open(dsn(path, Options{})) })
	defer one.close()
	r0 := stored[0]
	if data, _, err := one.readPage(ctx, r0.trie, r0.prefix); err != nil || !bytes.Equal(data, r0.page) {
		t.Fatalf("first read: %v", err)
	}
	changed := append(bytes.Clone(r0.page), 0)
	if _, err := s.db.ExecContext(ctx, "UPDATE trie_pages SET page = ? WHERE trie = ? AND prefix = ?", changed, r0.trie, r0.prefix); err != nil {
		t.Fatal(err)
	}
	if data, _, err := one.readPage(ctx, r0.trie, r0.prefix); err != nil || !bytes.Equal(data, r0.page) {
		t.Errorf("read in the same transaction after another connection's write: %x, %v; want the page of the first read", data, err)
	}
	one.endReads()
	if data, _, err := one.readPage(ctx, r0.trie, r0.prefix); err != nil || !bytes.Equal(data, changed) {
		t.Errorf("read after endReads: %x, %v; want the page written", data, err)
	}
	one.endReads()
}
