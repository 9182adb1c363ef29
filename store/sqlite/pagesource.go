package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sync"
)

// pageSource reads the encoded page at (trie, prefix) of trie_pages;
// found is false when there is none.
type pageSource interface {
	readPage(ctx context.Context, trie, prefix []byte) (data []byte, found bool, err error)
}

// stmtPages reads pages with a prepared selectPage. mu, shared by every
// reader of a statement bound to a transaction or connection, keeps one
// query at a time on it (nil for a statement of the pool).
type stmtPages struct {
	stmt *sql.Stmt
	mu   *sync.Mutex
}

func (s stmtPages) readPage(ctx context.Context, trie, prefix []byte) ([]byte, bool, error) {
	if s.mu != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	var data []byte
	err := s.stmt.QueryRowContext(ctx, trie, prefix).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return data, err == nil, err
}

// rawPages reads pages for the block committer on connections of its
// own, with the SQLite driver's statements directly: a page read is the
// commit's most frequent query (about 4,400 a block), and database/sql's
// pool, statement lookup, locks and second copy of the page took about
// a third of its CPU. A read takes one of the connections (at most as
// many as the committer has workers), opened at first use. They are
// readers like the pool's: outside the commit's write transaction, they
// see the state it started from.
//
// A connection's reads run in one read transaction, from its first read
// to endReads, which the commit calls once the committer is done: a
// point read outside a transaction takes and drops the log's read lock
// around every query. The transactions must end before the commit's
// own: a reader still holding the log would keep SQLite from starting
// it over.
type rawPages struct {
	connect func() (driver.Conn, error)
	conns   chan *rawPageConn // nil entries: not opened yet
}

type rawPageConn struct {
	conn  driver.Conn
	exec  driver.ExecerContext // conn
	stmt  driver.Stmt
	query driver.StmtQueryContext // stmt
	inTx  bool                    // a read transaction is open
	args  [2]driver.NamedValue
	dest  [1]driver.Value
}

func newRawPages(n int, connect func() (driver.Conn, error)) *rawPages {
	p := &rawPages{connect: connect, conns: make(chan *rawPageConn, n)}
	for range n {
		p.conns <- nil
	}
	return p
}

func (p *rawPages) open() (*rawPageConn, error) {
	conn, err := p.connect()
	if err != nil {
		return nil, err
	}
	stmt, err := conn.Prepare(selectPage)
	if err != nil {
		conn.Close()
		return nil, err
	}
	query, queries := stmt.(driver.StmtQueryContext)
	exec, execs := conn.(driver.ExecerContext)
	if !queries || !execs {
		stmt.Close()
		conn.Close()
		return nil, fmt.Errorf("driver connection %T or statement %T without the context methods", conn, stmt)
	}
	c := &rawPageConn{conn: conn, exec: exec, stmt: stmt, query: query}
	c.args[0].Ordinal, c.args[1].Ordinal = 1, 2
	return c, nil
}

func (p *rawPages) readPage(ctx context.Context, trie, prefix []byte) (data []byte, found bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	c := <-p.conns
	if c == nil {
		if c, err = p.open(); err != nil {
			p.conns <- nil
			return nil, false, err
		}
	}
	defer func() { p.conns <- c }()
	if !c.inTx {
		if err := c.run("BEGIN"); err != nil {
			return nil, false, err
		}
		c.inTx = true
	}
	c.args[0].Value, c.args[1].Value = trie, prefix
	// The context is checked above, not handed down: with one that can be
	// cancelled the driver watches it at every step.
	rows, err := c.query.QueryContext(context.Background(), c.args[:])
	if err != nil {
		return nil, false, err
	}
	err = rows.Next(c.dest[:])
	cerr := rows.Close()
	switch {
	case err == io.EOF:
		return nil, false, cerr
	case err != nil:
		return nil, false, err
	case cerr != nil:
		return nil, false, cerr
	}
	v := c.dest[0]
	c.dest[0] = nil
	data, ok := v.([]byte) // the driver's copy
	if !ok {
		return nil, false, fmt.Errorf("page column holds %T, not a blob", v)
	}
	return data, true, nil
}

func (c *rawPageConn) run(query string) error {
	_, err := c.exec.ExecContext(context.Background(), query, nil)
	return err
}

// endReads ends the connections' read transactions; no read may be under
// way. A connection whose transaction does not end is closed (the next
// read opens another): it must not keep holding the log.
func (p *rawPages) endReads() {
	for range cap(p.conns) {
		c := <-p.conns
		if c != nil && c.inTx {
			if err := c.run("ROLLBACK"); err != nil {
				c.close()
				c = nil
			} else {
				c.inTx = false
			}
		}
		p.conns <- c
	}
}

func (c *rawPageConn) close() error { return errors.Join(c.stmt.Close(), c.conn.Close()) }

// close closes the connections; no read may be under way.
func (p *rawPages) close() error {
	var errs []error
	for range cap(p.conns) {
		c := <-p.conns
		if c == nil {
			continue
		}
		errs = append(errs, c.close())
	}
	return errors.Join(errs...)
}
