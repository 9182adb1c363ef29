package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
)

// Trie identifiers: the trie column of trie_pages. This layout is an
// on-disk format and must not change (docs/store.md):
//
//	0x00              the contracts trie
//	0x01              the classes trie
//	0x02 | address    the storage trie of the contract at address (32 bytes BE)
//
// The prefix column is trie.Path.MarshalBinary (length byte, then the bits)
// of the page's prefix, a multiple of pageLevels bits, and the page column
// the page's encoding (trie.AppendPage with pageLevels levels).
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

// pageLevels is the number of trie levels a page (a row of trie_pages)
// holds: up to 7 nodes, at most 496 bytes encoded, so that a row stays
// within a 4 KiB SQLite page without overflow pages. Part of the on-disk
// format.
const pageLevels = 3

const selectPage = "SELECT page FROM trie_pages WHERE trie = ? AND prefix = ?"

// pageKey is the key of a page in the caches: the trie id, then the
// encoded prefix. Its byte order is the table's (trie, prefix) order: a
// trie id's length follows from its first byte.
func pageKey(trieID, prefix []byte) string { return string(trieID) + string(prefix) }

// maxPageKey is the length of the longest page key: a storage trie's id
// and a prefix of 249 bits.
const maxPageKey = 33 + 1 + 32

// appendPageKey appends the page key of prefix in trie id to dst.
func appendPageKey(dst, id []byte, prefix trie.Path) []byte {
	dst = append(dst, id...)
	dst, _ = prefix.AppendBinary(dst) // never fails
	return dst
}

// page is one decoded page.
type page struct {
	trie   []byte
	prefix trie.Path
	nodes  []trie.PageNode // nil: no page stored
}

// node returns the node at p of the page.
func (pg *page) node(p trie.Path) (trie.Node, bool) { return trie.FindPageNode(pg.nodes, p) }

// decodePage decodes the page at prefix of trie id.
func decodePage(id []byte, prefix trie.Path, data []byte) (*page, trie.Path, error) {
	// Decoded on the stack, then copied into a slice of the exact size.
	var buf [1<<pageLevels - 1]trie.PageNode
	n := 0
	top, err := trie.DecodePage(prefix, pageLevels, data, func(p trie.Path, nd trie.Node) {
		if n < len(buf) {
			buf[n] = trie.PageNode{Path: p, Node: nd}
		}
		n++
	})
	if err != nil {
		return nil, trie.Path{}, err
	}
	if n > len(buf) {
		return nil, trie.Path{}, fmt.Errorf("%d nodes in a page of %d levels", n, pageLevels)
	}
	return &page{trie: id, prefix: prefix, nodes: slices.Clone(buf[:n])}, top, nil
}

// pageSet holds the pages that one commit (or one proof) has read,
// decoded: the commit's writer updates them without reading them again.
// The database does not change while a commit runs (it holds the write
// lock), so a page read once stays exact until the commit writes it.
type pageSet struct {
	mu    sync.Mutex
	pages map[string]*page
}

func newPageSet() *pageSet { return &pageSet{pages: make(map[string]*page)} }

func (s *pageSet) get(key []byte) *page {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pages[string(key)]
}

func (s *pageSet) add(key string, pg *page) {
	s.mu.Lock()
	s.pages[key] = pg
	s.mu.Unlock()
}

// pageReader reads one trie's nodes from trie_pages, a page at a time,
// from src; it implements trie.RecordReader. Pages go through set (every
// page once per commit), then cache (only for a page's top node of the
// expected hash), then src.
type pageReader struct {
	ctx   context.Context
	src   pageSource
	trie  []byte
	set   *pageSet
	cache *pageCache // nil: none
	stats *pageStats // nil: none
}

// pageStats counts page operations, for the benchmarks.
type pageStats struct {
	reads, cached, written, deleted atomic.Int64
	// The wall time of the parts of the block commits, in nanoseconds:
	// the log restarts, the committer (the flat rows and the pages of the
	// storage tries hashed so far are written beside it), the page writes
	// left after it, and the rest up to the end of the SQLite commit.
	restartNs, committerNs, pagesNs, finishNs atomic.Int64
}

var _ trie.RecordReader = pageReader{}

// Node implements trie.NodeReader.
func (r pageReader) Node(p trie.Path) ([]byte, bool, error) {
	return r.record(p, nil)
}

// HashedNode implements trie.HashedNodeReader.
func (r pageReader) HashedNode(p trie.Path, want felt.Felt) ([]byte, bool, error) {
	return r.record(p, &want)
}

func (r pageReader) record(p trie.Path, want *felt.Felt) ([]byte, bool, error) {
	n, found, err := r.NodeRecord(p, want)
	if err != nil || !found {
		return nil, found, err
	}
	data, err := n.MarshalBinary()
	return data, err == nil, err
}

// NodeRecord implements trie.RecordReader.
func (r pageReader) NodeRecord(p trie.Path, want *felt.Felt) (trie.Node, bool, error) {
	pg, err := r.page(p, want)
	if err != nil {
		return trie.Node{}, false, err
	}
	n, ok := pg.node(p)
	return n, ok, nil
}

// page returns the page holding the node at p.
func (r pageReader) page(p trie.Path, want *felt.Felt) (*page, error) {
	prefix := trie.PagePrefix(p, pageLevels)
	// The key is built on the stack: the lookups do not allocate it.
	var kb [maxPageKey]byte
	k := appendPageKey(kb[:0], r.trie, prefix)
	if pg := r.set.get(k); pg != nil {
		return pg, nil
	}
	if r.cache != nil && want != nil {
		if data, ok := r.cache.get(k); ok {
			// The trie reaches every page through its top node first; a
			// cached page is taken only for that lookup, when the top (the
			// first node decoded) has the hash the parent expects.
			if pg, top, err := decodePage(r.trie, prefix, data); err == nil && top == p && pg.nodes[0].Node.Hash == *want {
				r.set.add(string(k), pg)
				if r.stats != nil {
					r.stats.cached.Add(1)
				}
				return pg, nil
			}
		}
	}
	if r.stats != nil {
		r.stats.reads.Add(1)
	}
	key := string(k)
	pb := k[len(r.trie):]
	data, found, err := r.src.readPage(r.ctx, r.trie, pb)
	if err != nil {
		return nil, fmt.Errorf("read trie page %x/%x: %w", r.trie, pb, describe(err))
	}
	pg := &page{trie: r.trie, prefix: prefix}
	if found {
		if pg, _, err = decodePage(r.trie, prefix, data); err != nil {
			return nil, fmt.Errorf("corrupt trie page %x/%x: %w", r.trie, pb, err)
		}
		if r.cache != nil {
			r.cache.put(key, data)
		}
	}
	r.set.add(key, pg)
	return pg, nil
}

// rowBatch is the number of rows of the multi-row statements that write
// and delete pages and storage rows (2 to 4 parameters a row, well under
// SQLite's limit of 32766).
const rowBatch = 64

// Multi-row statements of rowBatch rows.
var (
	putPages = "INSERT OR REPLACE INTO trie_pages (trie, prefix, page) VALUES " + rowsSQL("(?, ?, ?)", rowBatch)
	getPages = "SELECT trie, prefix, page FROM trie_pages WHERE (trie, prefix) IN (VALUES " + rowsSQL("(?, ?)", rowBatch) + ")"
	delPages = "DELETE FROM trie_pages WHERE (trie, prefix) IN (VALUES " + rowsSQL("(?, ?)", rowBatch) + ")"
)

func rowsSQL(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// pageWriter writes the node sets of a commit inside its transaction: it
// groups the updates by page, applies them to the pages the commit read
// (set; a page it did not read comes from get, the transaction's
// selectPage), and writes every changed page once, sorted by key
// (neighbours in the table share SQLite pages), rowBatch rows per
// statement.
type pageWriter struct {
	getN, put, del, putN, delN *sql.Stmt
	set                        *pageSet   // nil: none
	cache                      *pageCache // nil: none; written pages go in, deleted ones out
	stats                      *pageStats // nil: none
	buf                        []byte     // encoding scratch
}

// pageChange is the updates of one page.
type pageChange struct {
	key    string
	trie   []byte
	prefix trie.Path
	pb     []byte
	ups    []trie.NodeUpdate
	pg     *page // the page before the updates
}

func (w *pageWriter) write(ctx context.Context, sets []commitment.TrieNodes) error {
	changes := w.group(sets)
	// The pages the commit did not read (new ones, mostly, and those under
	// an edge the trie split without resolving its child), rowBatch a
	// query.
	var missing []*pageChange
	for _, c := range changes {
		if c.pg == nil {
			missing = append(missing, c)
		}
	}
	if err := w.read(ctx, missing); err != nil {
		return err
	}

	// The pages are encoded on a goroutine of their own and written as
	// they come, rowBatch rows a statement: the encoding overlaps the
	// statements on the transaction's connection.
	batches := make(chan pageBatch, 4)
	encoded := make(chan error, 1)
	go func() { encoded <- w.encode(changes, batches) }()
	var err error
	for b := range batches {
		if err != nil {
			continue // drain: the encoder ends
		}
		if err = multiRow(ctx, w.delN, w.del, 2, b.dels); err != nil {
			err = fmt.Errorf("delete trie pages: %w", describe(err))
		} else if err = multiRow(ctx, w.putN, w.put, 3, b.puts); err != nil {
			err = fmt.Errorf("write trie pages: %w", describe(err))
		}
	}
	if eerr := <-encoded; eerr != nil {
		return eerr
	}
	return err
}

// group groups the updates of sets by page, sorted by key, and takes the
// pages the commit read from the page set. The tries are grouped on
// GOMAXPROCS goroutines, each trie's pages sorted on its own: trie ids are
// prefix-free, so the pages of the tries in id order, each trie's in
// prefix-key order, are in key order.
func (w *pageWriter) group(sets []commitment.TrieNodes) []*pageChange {
	type group struct {
		id      []byte
		changes []*pageChange
	}
	groups := make([]group, len(sets))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(sets)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			byPrefix := make(map[trie.Path]int32)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(sets) {
					return
				}
				id := trieIDBytes(sets[i].ID)
				groups[i] = group{id: id, changes: w.groupTrie(id, sets[i].Nodes.Updates, byPrefix)}
			}
		}()
	}
	wg.Wait()
	slices.SortFunc(groups, func(a, b group) int { return bytes.Compare(a.id, b.id) })
	n := 0
	for _, g := range groups {
		n += len(g.changes)
	}
	changes := make([]*pageChange, 0, n)
	for _, g := range groups {
		changes = append(changes, g.changes...)
	}
	return changes
}

// groupTrie groups the updates of trie id by page, sorted by prefix key,
// with the pages the commit read. byPrefix is scratch space. The
// changes, their updates and their keys share a few allocations a trie
// instead of a few a page.
func (w *pageWriter) groupTrie(id []byte, ups []trie.NodeUpdate, byPrefix map[trie.Path]int32) []*pageChange {
	clear(byPrefix)
	slab := make([]pageChange, 0, len(ups)/3+1) // a page takes 3 to 4 updates, mostly
	var counts []int32
	at := make([]int32, len(ups)) // at[i]: the change of ups[i]
	keyBytes := 0
	for i, u := range ups {
		prefix := trie.PagePrefix(u.Path, pageLevels)
		j, ok := byPrefix[prefix]
		if !ok {
			j = int32(len(slab))
			byPrefix[prefix] = j
			slab = append(slab, pageChange{trie: id, prefix: prefix})
			counts = append(counts, 0)
			keyBytes += len(id) + 1 + (prefix.Len()+7)/8
		}
		at[i] = j
		counts[j]++
	}
	grouped := make([]trie.NodeUpdate, len(ups))
	off := int32(0)
	for j := range slab {
		slab[j].ups = grouped[off : off : off+counts[j]]
		off += counts[j]
	}
	for i, u := range ups {
		c := &slab[at[i]]
		c.ups = append(c.ups, u) // within its share of grouped
	}
	// The keys are built in one buffer, whose one string the changes'
	// keys are substrings of.
	keys := make([]byte, 0, keyBytes)
	for j := range slab {
		start := len(keys)
		keys = appendPageKey(keys, id, slab[j].prefix)
		slab[j].pb = keys[start+len(id) : len(keys) : len(keys)]
	}
	all := string(keys)
	changes := make([]*pageChange, len(slab))
	end := 0
	for j := range slab {
		c := &slab[j]
		start := end
		end += len(id) + len(c.pb)
		c.key = all[start:end]
		changes[j] = c
	}
	slices.SortFunc(changes, func(a, b *pageChange) int { return bytes.Compare(a.pb, b.pb) })
	if w.set != nil {
		w.set.mu.Lock()
		for _, c := range changes {
			c.pg = w.set.pages[c.key]
		}
		w.set.mu.Unlock()
	}
	return changes
}

// pageBatch is a batch of page writes and deletions: (trie, prefix, page)
// and (trie, prefix) argument rows.
type pageBatch struct{ puts, dels []any }

// encode applies the updates of changes to their pages and sends the
// writes and deletions to out, rowBatch rows a batch (the last ones
// shorter), then closes out.
func (w *pageWriter) encode(changes []*pageChange, out chan<- pageBatch) error {
	defer close(out)
	var b pageBatch
	var written, deleted int64
	for _, c := range changes {
		put, del, err := w.update(c)
		if err != nil {
			return err
		}
		switch {
		case put != nil:
			b.puts = append(b.puts, c.trie, c.pb, put)
			written++
			if len(b.puts) == 3*rowBatch {
				out <- pageBatch{puts: b.puts}
				b.puts = nil
			}
		case del:
			b.dels = append(b.dels, c.trie, c.pb)
			deleted++
			if len(b.dels) == 2*rowBatch {
				out <- pageBatch{dels: b.dels}
				b.dels = nil
			}
		}
	}
	if w.stats != nil {
		w.stats.written.Add(written)
		w.stats.deleted.Add(deleted)
	}
	if len(b.puts)+len(b.dels) > 0 {
		out <- b
	}
	return nil
}

// update applies a page's updates and returns its new encoding, or del
// when the page is to be deleted (neither when an absent page stays
// empty). It keeps the page cache in step.
func (w *pageWriter) update(c *pageChange) (data []byte, del bool, err error) {
	pg := c.pg
	existed := pg.nodes != nil
	nodes := pg.nodes
	if nodes == nil {
		nodes = make([]trie.PageNode, 0, min(len(c.ups), 1<<pageLevels-1))
	}
	for _, u := range c.ups {
		i := slices.IndexFunc(nodes, func(pn trie.PageNode) bool { return pn.Path == u.Path })
		switch {
		case u.Node == nil && i >= 0:
			nodes = slices.Delete(nodes, i, i+1)
		case u.Node != nil && i >= 0:
			nodes[i].Node = *u.Node
		case u.Node != nil:
			nodes = append(nodes, trie.PageNode{Path: u.Path, Node: *u.Node})
		}
	}
	pg.nodes = nodes
	if len(nodes) == 0 {
		if w.cache != nil {
			w.cache.delete(c.key)
		}
		return nil, existed, nil
	}
	w.buf, err = trie.AppendPageNodes(w.buf[:0], c.prefix, pageLevels, nodes)
	if err != nil {
		return nil, false, fmt.Errorf("trie %x: %w", c.trie, err)
	}
	data = bytes.Clone(w.buf) // exact size: the cache keeps it

	if w.cache != nil {
		w.cache.put(c.key, data)
	}
	return data, false, nil
}

// read reads the pages of changes through the transaction, rowBatch a
// query (the last query repeats its last key), setting their pg.
func (w *pageWriter) read(ctx context.Context, changes []*pageChange) error {
	byKey := make(map[string]*pageChange, len(changes))
	for _, c := range changes {
		c.pg = &page{trie: c.trie, prefix: c.prefix}
		byKey[c.key] = c
	}
	args := make([]any, 0, 2*rowBatch)
	for i := 0; i < len(changes); i += rowBatch {
		args = args[:0]
		for j := range rowBatch {
			c := changes[min(i+j, len(changes)-1)]
			args = append(args, c.trie, c.pb)
		}
		if err := w.query(ctx, args, byKey); err != nil {
			return err
		}
	}
	return nil
}

func (w *pageWriter) query(ctx context.Context, args []any, byKey map[string]*pageChange) error {
	rows, err := w.getN.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("read trie pages: %w", describe(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id, pb, data []byte
		if err := rows.Scan(&id, &pb, &data); err != nil {
			return fmt.Errorf("read trie pages: %w", describe(err))
		}
		c := byKey[pageKey(id, pb)]
		if c == nil {
			return fmt.Errorf("read trie pages: unasked page %x/%x", id, pb)
		}
		pg, _, err := decodePage(c.trie, c.prefix, data)
		if err != nil {
			return fmt.Errorf("corrupt trie page %x/%x: %w", c.trie, c.pb, err)
		}
		c.pg = pg
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read trie pages: %w", describe(err))
	}
	return nil
}

// multiRow runs the rows of args (per values a row) through many
// (rowBatch rows a call) and then one (a row a call).
func multiRow(ctx context.Context, many, one *sql.Stmt, per int, args []any) error {
	i, chunk := 0, per*rowBatch
	for ; i+chunk <= len(args); i += chunk {
		if _, err := many.ExecContext(ctx, args[i:i+chunk]...); err != nil {
			return err
		}
	}
	for ; i < len(args); i += per {
		if _, err := one.ExecContext(ctx, args[i:i+per]...); err != nil {
			return err
		}
	}
	return nil
}
