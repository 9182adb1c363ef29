package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

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
// reader of the statement, keeps one query at a time on it.
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
	r.mu.Lock()
	err = r.stmt.QueryRowContext(r.ctx, r.trie, key).Scan(&data)
	r.mu.Unlock()
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read trie node %x/%x: %w", r.trie, key, describe(err))
	}
	return data, true, nil
}

// nodeWriter writes node sets inside a transaction.
type nodeWriter struct {
	put, del *sql.Stmt
	buf      []byte
	pathBuf  []byte
}

func (w *nodeWriter) write(ctx context.Context, trieID []byte, set *trie.NodeSet) error {
	if set == nil {
		return nil
	}
	for _, u := range set.Updates {
		var err error
		if w.pathBuf, err = u.Path.AppendBinary(w.pathBuf[:0]); err != nil {
			return err
		}
		if u.Node == nil {
			if _, err := w.del.ExecContext(ctx, trieID, w.pathBuf); err != nil {
				return fmt.Errorf("delete trie node: %w", describe(err))
			}
			continue
		}
		if w.buf, err = u.Node.AppendBinary(w.buf[:0]); err != nil {
			return err
		}
		if _, err := w.put.ExecContext(ctx, trieID, w.pathBuf, w.buf); err != nil {
			return fmt.Errorf("write trie node: %w", describe(err))
		}
	}
	return nil
}
