package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
)

// Trie identifiers: the trie column of trie_nodes. This layout is an
// on-disk format and must not change (docs/store.md):
//
//	0x00              the contracts trie
//	0x01              the classes trie
//	0x02 | address    the storage trie of the contract at address (32 bytes BE)
//
// The path column is trie.Path.MarshalBinary (length byte, then the bits)
// and the node column trie.Node.MarshalBinary.
const (
	trieIDContracts byte = 0x00
	trieIDClasses   byte = 0x01
	trieIDStorage   byte = 0x02
)

func contractsTrieID() []byte { return []byte{trieIDContracts} }
func classesTrieID() []byte   { return []byte{trieIDClasses} }

func storageTrieID(addr felt.Felt) []byte {
	id := make([]byte, 33)
	id[0] = trieIDStorage
	b := addr.BytesBE()
	copy(id[1:], b[:])
	return id
}

const selectNode = "SELECT node FROM trie_nodes WHERE trie = ? AND path = ?"

// nodeReader reads one trie's nodes from trie_nodes with the prepared
// statement selectNode; it implements trie.NodeReader. mu, shared by every
// reader of a statement bound to a transaction or connection, keeps one
// query at a time on it (nil for a statement of the pool).
type nodeReader struct {
	ctx  context.Context
	mu   *sync.Mutex
	stmt *sql.Stmt
	trie []byte
}

var _ trie.NodeReader = nodeReader{}

func (r nodeReader) Node(p trie.Path) ([]byte, bool, error) {
	key, err := p.MarshalBinary()
	if err != nil {
		return nil, false, err
	}
	var data []byte
	if r.mu != nil {
		r.mu.Lock()
	}
	err = r.stmt.QueryRowContext(r.ctx, r.trie, key).Scan(&data)
	if r.mu != nil {
		r.mu.Unlock()
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read trie node %x/%x: %w", r.trie, key, describe(err))
	}
	return data, true, nil
}

// nodeBatch is the number of rows of the multi-row statements that write
// and delete trie nodes (3 and 2 parameters a row, well under SQLite's
// limit of 32766).
const nodeBatch = 64

// Multi-row statements of nodeBatch rows.
var (
	putNodes = "INSERT OR REPLACE INTO trie_nodes (trie, path, node) VALUES " + rowsSQL("(?, ?, ?)", nodeBatch)
	delNodes = "DELETE FROM trie_nodes WHERE (trie, path) IN (VALUES " + rowsSQL("(?, ?)", nodeBatch) + ")"
)

func rowsSQL(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// nodeRow is one trie-node write (node nil: a deletion), encoded.
type nodeRow struct {
	trie, path, node []byte
}

// nodeWriter writes the node sets of a commit inside its transaction: the
// rows sorted by key (neighbours in the table share pages), nodeBatch rows
// per statement.
type nodeWriter struct {
	put, del, putN, delN *sql.Stmt
	cache                *nodeCache // nil: none; written records go in, deleted ones out
}

func (w *nodeWriter) write(ctx context.Context, sets []commitment.TrieNodes) error {
	var puts, dels []nodeRow
	for _, tn := range sets {
		id := trieIDBytes(tn.ID)
		for _, u := range tn.Nodes.Updates {
			path, err := u.Path.MarshalBinary()
			if err != nil {
				return fmt.Errorf("%s: %w", tn.ID, err)
			}
			if u.Node == nil {
				dels = append(dels, nodeRow{trie: id, path: path})
				if w.cache != nil {
					w.cache.delete(w.cache.key(id, path))
				}
				continue
			}
			node, err := u.Node.MarshalBinary()
			if err != nil {
				return fmt.Errorf("%s: node %q: %w", tn.ID, u.Path, err)
			}
			puts = append(puts, nodeRow{trie: id, path: path, node: node})
			if w.cache != nil {
				w.cache.put(w.cache.key(id, path), node)
			}
		}
	}
	byKey := func(a, b nodeRow) int {
		if c := bytes.Compare(a.trie, b.trie); c != 0 {
			return c
		}
		return bytes.Compare(a.path, b.path)
	}
	slices.SortFunc(puts, byKey)
	slices.SortFunc(dels, byKey)
	if err := execRows(ctx, w.delN, w.del, dels, false); err != nil {
		return fmt.Errorf("delete trie nodes: %w", describe(err))
	}
	if err := execRows(ctx, w.putN, w.put, puts, true); err != nil {
		return fmt.Errorf("write trie nodes: %w", describe(err))
	}
	return nil
}

// execRows runs many (nodeBatch rows per call) and then one (a row per
// call) over rows.
func execRows(ctx context.Context, many, one *sql.Stmt, rows []nodeRow, withNode bool) error {
	per := 2
	if withNode {
		per = 3
	}
	args := make([]any, 0, per*nodeBatch)
	add := func(r nodeRow) {
		args = append(args, r.trie, r.path)
		if withNode {
			args = append(args, r.node)
		}
	}
	i := 0
	for ; i+nodeBatch <= len(rows); i += nodeBatch {
		args = args[:0]
		for _, r := range rows[i : i+nodeBatch] {
			add(r)
		}
		if _, err := many.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	for _, r := range rows[i:] {
		args = args[:0]
		add(r)
		if _, err := one.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}
