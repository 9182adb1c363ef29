package trie

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/kairo-dev/kairo/vm/felt"
)

// HashFunc is the trie's two-to-one hash: hash.Pedersen or hash.PoseidonHash.
type HashFunc func(a, b felt.Felt) felt.Felt

// NodeReader reads the stored nodes of one trie. Node returns the record that
// Node.MarshalBinary wrote for the node at path (found false when there is
// none). The data is only read during the call.
type NodeReader interface {
	Node(path Path) (data []byte, found bool, err error)
}

// HashedNodeReader is a NodeReader that is also told, for every node but
// the root, the hash the node must have (its parent holds it). A reader
// may then serve the node from a cache: a cached record whose hash is the
// expected one is the node (the hash fixes the record's content), so only
// missing or stale records need the store. The trie still checks the hash
// of whatever HashedNode returns.
type HashedNodeReader interface {
	NodeReader
	HashedNode(path Path, hash felt.Felt) (data []byte, found bool, err error)
}

// RecordReader is a HashedNodeReader that can also hand out decoded
// records, saving the trie the encoding and decoding of each record (a
// store that keeps records inside larger encoded pages decodes them
// anyway). want is the hash the node must have, nil for the root.
type RecordReader interface {
	HashedNodeReader
	NodeRecord(path Path, want *felt.Felt) (rec Node, found bool, err error)
}

// NodeUpdate is one entry of a NodeSet: the node to store at Path, or, when
// Node is nil, the deletion of the node stored there.
type NodeUpdate struct {
	Path Path
	Node *Node
}

// NodeSet is what a Commit changed: every new or rewritten node and every
// deleted one, ordered by path. Writing them all in one batch moves the
// store from the previous root to the new one.
type NodeSet struct {
	Updates []NodeUpdate
}

// Len returns the number of updates.
func (s *NodeSet) Len() int { return len(s.Updates) }

type nodeKind uint8

const (
	kindUnresolved nodeKind = iota // stored, not loaded yet: only hash and path known
	kindLeaf
	kindBinary
	kindEdge
)

// mnode is a node in memory.
type mnode struct {
	kind   nodeKind
	dirty  bool // hash stale and record to be written
	stored bool // a record exists at path in the store
	path   Path // position from the root
	hash   felt.Felt
	edge   Path      // kindEdge: the skipped bits
	child  [2]*mnode // kindBinary: left, right; kindEdge: child[0]
}

// Trie is one Starknet trie. It is not safe for concurrent use; distinct
// tries may be used from distinct goroutines.
type Trie struct {
	reader  NodeReader
	hash    HashFunc
	root    *mnode
	pending map[Path]felt.Felt
	deleted map[Path]struct{}
	// parallel: Commit hashes each level with up to 2^parallel goroutines.
	parallel int
}

// New opens the trie whose nodes reader holds (nil for a new, empty trie),
// reading only its root record.
func New(reader NodeReader, hash HashFunc) (*Trie, error) {
	if hash == nil {
		return nil, errors.New("trie: nil hash function")
	}
	t := &Trie{
		reader:  reader,
		hash:    hash,
		pending: make(map[Path]felt.Felt),
		deleted: make(map[Path]struct{}),
	}
	if reader == nil {
		return t, nil
	}
	n, found, err := t.load(Path{})
	if err != nil {
		return nil, err
	}
	if found {
		t.root = n
	}
	return t, nil
}

// NewAt opens the trie whose nodes reader holds and whose root has hash
// root, reading nothing: the root is read when first needed, with its
// hash, so that a HashedNodeReader can serve it from a cache. A zero root
// opens as New does.
func NewAt(reader NodeReader, hash HashFunc, root felt.Felt) (*Trie, error) {
	if root.IsZero() || reader == nil {
		return New(reader, hash)
	}
	t, err := New(nil, hash)
	if err != nil {
		return nil, err
	}
	t.reader = reader
	t.root = &mnode{kind: kindUnresolved, stored: true, hash: root}
	return t, nil
}

// SetParallelism lets Commit hash with up to 2^levels goroutines (0, the
// default, hashes on the calling goroutine; 2 uses up to 4 goroutines).
func (t *Trie) SetParallelism(levels int) { t.parallel = max(levels, 0) }

// Root returns the root hash as of the last Commit (or as opened).
func (t *Trie) Root() felt.Felt {
	if t.root == nil {
		return felt.Zero
	}
	return t.root.hash
}

// Dirty reports whether Put or Delete were called since the last Commit.
func (t *Trie) Dirty() bool { return len(t.pending) > 0 }

// Put sets key to value; a zero value deletes the key. The change is visible
// to Get at once and to Root after Commit.
func (t *Trie) Put(key, value felt.Felt) error {
	p, err := KeyPath(key)
	if err != nil {
		return err
	}
	t.pending[p] = value
	return nil
}

// Delete removes key (the same as Put(key, 0)).
func (t *Trie) Delete(key felt.Felt) error { return t.Put(key, felt.Zero) }

// Get returns the value of key, 0 when absent.
func (t *Trie) Get(key felt.Felt) (felt.Felt, error) {
	p, err := KeyPath(key)
	if err != nil {
		return felt.Zero, err
	}
	if v, ok := t.pending[p]; ok {
		return v, nil
	}
	n := t.root
	for n != nil {
		if err := t.resolve(n); err != nil {
			return felt.Zero, err
		}
		switch n.kind {
		case kindLeaf:
			return n.hash, nil
		case kindBinary:
			n = n.child[p.Bit(n.path.Len())]
		case kindEdge:
			if p.Slice(n.path.Len(), n.path.Len()+n.edge.Len()) != n.edge {
				return felt.Zero, nil
			}
			n = n.child[0]
		}
	}
	return felt.Zero, nil
}

// load reads and decodes the stored node at path.
func (t *Trie) load(path Path) (*mnode, bool, error) {
	if t.reader == nil {
		return nil, false, nil
	}
	var rec Node
	if rr, ok := t.reader.(RecordReader); ok {
		var found bool
		var err error
		if rec, found, err = rr.NodeRecord(path, nil); err != nil || !found {
			return nil, false, wrapRead(path, err)
		}
	} else {
		data, found, err := t.reader.Node(path)
		if err != nil || !found {
			return nil, false, wrapRead(path, err)
		}
		if err := rec.UnmarshalBinary(data); err != nil {
			return nil, false, fmt.Errorf("trie: node %q: %w", path, err)
		}
	}
	n := &mnode{kind: kindUnresolved, stored: true, path: path, hash: rec.Hash}
	if err := n.fill(&rec); err != nil {
		return nil, false, err
	}
	return n, true, nil
}

// wrapRead wraps a read error of the node at path (nil stays nil).
func wrapRead(path Path, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("trie: read node %q: %w", path, err)
}

// fill turns an unresolved node into the node rec describes.
func (n *mnode) fill(rec *Node) error {
	depth := n.path.Len()
	childAt := func(c *mnode, p Path, h felt.Felt) *mnode {
		if p.Len() == Height {
			*c = mnode{kind: kindLeaf, path: p, hash: h}
		} else {
			*c = mnode{kind: kindUnresolved, stored: true, path: p, hash: h}
		}
		return c
	}
	switch rec.Kind {
	case KindBinary:
		if depth >= Height {
			return fmt.Errorf("trie: binary node at depth %d", depth)
		}
		if rec.Left.IsZero() || rec.Right.IsZero() {
			return fmt.Errorf("trie: binary node %q has an empty child", n.path)
		}
		kids := new([2]mnode) // one allocation for both children
		n.kind = kindBinary
		n.child[0] = childAt(&kids[0], n.path.Append(0), rec.Left)
		n.child[1] = childAt(&kids[1], n.path.Append(1), rec.Right)
	case KindEdge:
		if depth+rec.Edge.Len() > Height {
			return fmt.Errorf("trie: edge node %q of length %d passes depth %d", n.path, rec.Edge.Len(), Height)
		}
		if rec.Child.IsZero() {
			return fmt.Errorf("trie: edge node %q has an empty child", n.path)
		}
		n.kind = kindEdge
		n.edge = rec.Edge
		n.child[0] = childAt(new(mnode), n.path.Concat(rec.Edge), rec.Child)
	default:
		return fmt.Errorf("trie: node %q: unknown kind %d", n.path, rec.Kind)
	}
	return nil
}

// resolve loads an unresolved node in place.
func (t *Trie) resolve(n *mnode) error {
	if n.kind != kindUnresolved {
		return nil
	}
	if t.reader == nil {
		return fmt.Errorf("trie: node %q is not in memory and there is no store", n.path)
	}
	var rec Node
	var found bool
	var err error
	if rr, ok := t.reader.(RecordReader); ok {
		want := n.hash
		rec, found, err = rr.NodeRecord(n.path, &want)
	} else {
		var data []byte
		if hr, ok := t.reader.(HashedNodeReader); ok {
			data, found, err = hr.HashedNode(n.path, n.hash)
		} else {
			data, found, err = t.reader.Node(n.path)
		}
		if err == nil && found {
			if err := rec.UnmarshalBinary(data); err != nil {
				return fmt.Errorf("trie: node %q: %w", n.path, err)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("trie: read node %q: %w", n.path, err)
	}
	if !found {
		return fmt.Errorf("trie: node %q is missing from the store", n.path)
	}
	if rec.Hash != n.hash {
		return fmt.Errorf("trie: node %q has hash %s, its parent says %s", n.path, rec.Hash, n.hash)
	}
	return n.fill(&rec)
}

type kv struct {
	key Path
	val felt.Felt
}

func cmpKey(a, b kv) int {
	for i := 3; i >= 0; i-- {
		if a.key.b[i] != b.key.b[i] {
			if a.key.b[i] < b.key.b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Commit applies the pending changes, rehashes the touched paths and returns
// the new root with the nodes to persist. After an error the Trie must be
// discarded (it may hold part of the changes).
func (t *Trie) Commit() (felt.Felt, *NodeSet, error) {
	hash := t.hash
	batch := func(dst, a, b []felt.Felt) {
		for i := range dst {
			dst[i] = hash(a[i], b[i])
		}
	}
	roots, sets, err := CommitAll(batch, 1<<min(t.parallel, 6), t)
	if err != nil {
		var te *TrieError
		if errors.As(err, &te) {
			err = te.Err
		}
		return felt.Zero, nil, err
	}
	return roots[0], sets[0], nil
}

// BatchHashFunc sets dst[i] = H(a[i], b[i]) for every i, for a two-to-one
// hash H (hash.PedersenBatch).
type BatchHashFunc func(dst, a, b []felt.Felt)

// TrieError is the error of CommitAll when one of its tries fails.
type TrieError struct {
	Index int // position of the trie among CommitAll's arguments
	Err   error
}

func (e *TrieError) Error() string { return fmt.Sprintf("trie %d: %v", e.Index, e.Err) }

func (e *TrieError) Unwrap() error { return e.Err }

// minBatchPerWorker is the smallest share of a batch worth a goroutine.
const minBatchPerWorker = 64

// Split calls batch on up to workers parts of dst, a and b at once, each
// of at least minBatchPerWorker hashes.
func (batch BatchHashFunc) Split(workers int, dst, a, b []felt.Felt) {
	n := len(dst)
	parts := min(workers, max(n/minBatchPerWorker, 1))
	if parts <= 1 {
		batch(dst, a, b)
		return
	}
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch(dst[lo:hi], a[lo:hi], b[lo:hi])
		}()
	}
	wg.Wait()
}

// CommitAll commits several tries at once, as Commit does each of them: the
// pending changes of every trie are applied (up to workers tries at a
// time), then the dirty nodes of all the tries are hashed together, by
// height above the leaves, each height in one call of batch per worker.
// Batching the many independent hashes of a level lets batch share work
// between them (hash.PedersenBatch shares its field inversions). batch
// must compute the two-to-one hash the tries were opened with. It returns
// the roots and node sets in the order of tries; on failure a *TrieError,
// and every trie must be discarded.
func CommitAll(batch BatchHashFunc, workers int, tries ...*Trie) ([]felt.Felt, []*NodeSet, error) {
	if batch == nil {
		return nil, nil, errors.New("trie: nil batch hash function")
	}
	workers = max(workers, 1)
	errs := make([]error, len(tries))
	parallelFor(len(tries), workers, func(i int) { errs[i] = tries[i].applyPending() })
	for i, err := range errs {
		if err != nil {
			return nil, nil, &TrieError{Index: i, Err: err}
		}
	}

	// levels[h] holds the dirty nodes at height h: 1 + the height of their
	// highest dirty child (clean children and leaves count 0).
	var levels [][]*mnode
	for _, t := range tries {
		levelize(t.root, &levels)
	}
	h := levelHasher{batch: batch, workers: workers}
	for _, lv := range levels {
		h.hash(lv)
	}

	roots := make([]felt.Felt, len(tries))
	sets := make([]*NodeSet, len(tries))
	parallelFor(len(tries), workers, func(i int) {
		roots[i], sets[i] = tries[i].Root(), tries[i].nodeSet()
	})
	return roots, sets, nil
}

// parallelFor calls f(0..n-1) from up to workers goroutines.
func parallelFor(n, workers int, f func(i int)) {
	if workers <= 1 || n <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= n {
					return
				}
				f(j)
			}
		}()
	}
	wg.Wait()
}

// applyPending applies the pending changes to the tree, leaving the new and
// changed nodes dirty.
func (t *Trie) applyPending() error {
	ups := make([]kv, 0, len(t.pending))
	for k, v := range t.pending {
		ups = append(ups, kv{k, v})
	}
	slices.SortFunc(ups, cmpKey)
	clear(t.pending)

	root, _, err := t.apply(t.root, Path{}, ups)
	if err != nil {
		return err
	}
	t.root = root
	return nil
}

// levelize appends the dirty nodes of the subtree n to levels by height and
// returns the height of n (0 when clean).
func levelize(n *mnode, levels *[][]*mnode) int {
	if n == nil || !n.dirty {
		return 0
	}
	h := levelize(n.child[0], levels)
	if n.kind == kindBinary {
		h = max(h, levelize(n.child[1], levels))
	}
	h++
	for len(*levels) <= h {
		*levels = append(*levels, nil)
	}
	(*levels)[h] = append((*levels)[h], n)
	return h
}

// levelHasher hashes the nodes of one height, whose children are all
// hashed, in batches.
type levelHasher struct {
	batch   BatchHashFunc
	workers int
	a, b, d []felt.Felt
}

func (h *levelHasher) hash(lv []*mnode) {
	n := len(lv)
	if n == 0 {
		return
	}
	h.a, h.b, h.d = slices.Grow(h.a[:0], n)[:n], slices.Grow(h.b[:0], n)[:n], slices.Grow(h.d[:0], n)[:n]
	for i, nd := range lv {
		h.a[i] = nd.child[0].hash
		if nd.kind == kindBinary {
			h.b[i] = nd.child[1].hash
		} else {
			h.b[i] = nd.edge.Value()
		}
	}
	h.batch.Split(h.workers, h.d, h.a, h.b)
	for i, nd := range lv {
		nd.hash = h.d[i]
		if nd.kind == kindEdge {
			nd.hash = nd.hash.Add(felt.FromUint64(uint64(nd.edge.Len())))
		}
	}
}

// nodeSet returns the records of the dirty nodes and the deletions, marks
// the nodes clean and stored, and forgets the deletions. A path both
// deleted and written (a node replaced by another at the same place)
// keeps its write.
func (t *Trie) nodeSet() *NodeSet {
	set := &NodeSet{}
	t.collect(t.root, set)
	// collect walks the trie in pre-order, which is Compare's order: the
	// writes come sorted. The deletions (a map) are sorted and merged in,
	// those of written paths dropped.
	if len(t.deleted) == 0 {
		return set
	}
	dels := make([]NodeUpdate, 0, len(t.deleted))
	for p := range t.deleted {
		dels = append(dels, NodeUpdate{Path: p})
	}
	clear(t.deleted)
	slices.SortFunc(dels, func(a, b NodeUpdate) int { return a.Path.Compare(b.Path) })
	writes := set.Updates
	merged := make([]NodeUpdate, 0, len(writes)+len(dels))
	for len(writes) > 0 && len(dels) > 0 {
		switch c := writes[0].Path.Compare(dels[0].Path); {
		case c < 0:
			merged, writes = append(merged, writes[0]), writes[1:]
		case c > 0:
			merged, dels = append(merged, dels[0]), dels[1:]
		default: // rewritten: the write stands
			merged, writes, dels = append(merged, writes[0]), writes[1:], dels[1:]
		}
	}
	merged = append(append(merged, writes...), dels...)
	set.Updates = merged
	return set
}

// discard records that the stored node n no longer exists at its path.
func (t *Trie) discard(n *mnode) {
	if n.stored {
		t.deleted[n.path] = struct{}{}
	}
}

func (t *Trie) newEdge(pos, edge Path, child *mnode) *mnode {
	return &mnode{kind: kindEdge, dirty: true, path: pos, edge: edge, child: [2]*mnode{child}}
}

// edgeTo returns the subtree at pos that reaches c (positioned at
// pos.Concat(e)) through the bits e, merging consecutive edges.
func (t *Trie) edgeTo(pos, e Path, c *mnode) (*mnode, error) {
	if c == nil {
		return nil, nil
	}
	if e.Len() == 0 {
		return c, nil
	}
	if err := t.resolve(c); err != nil {
		return nil, err
	}
	if c.kind == kindEdge {
		t.discard(c)
		return t.newEdge(pos, e.Concat(c.edge), c.child[0]), nil
	}
	return t.newEdge(pos, e, c), nil
}

// apply applies ups (sorted, distinct keys, all starting with pos) to the
// subtree n at pos and returns the new subtree and whether it changed.
func (t *Trie) apply(n *mnode, pos Path, ups []kv) (*mnode, bool, error) {
	if len(ups) == 0 {
		return n, false, nil
	}
	if n == nil {
		b, err := t.build(pos, ups)
		return b, b != nil, err
	}
	if err := t.resolve(n); err != nil {
		return nil, false, err
	}
	depth := pos.Len()
	switch n.kind {
	case kindLeaf:
		v := ups[0].val
		if v == n.hash {
			return n, false, nil
		}
		if v.IsZero() {
			return nil, true, nil
		}
		return &mnode{kind: kindLeaf, path: pos, hash: v}, true, nil

	case kindBinary:
		i := splitIndex(ups, depth)
		l, cl, err := t.apply(n.child[0], pos.Append(0), ups[:i])
		if err != nil {
			return nil, false, err
		}
		r, cr, err := t.apply(n.child[1], pos.Append(1), ups[i:])
		if err != nil {
			return nil, false, err
		}
		if l != nil && r != nil {
			if !cl && !cr {
				return n, false, nil
			}
			n.child = [2]*mnode{l, r}
			n.dirty = true
			return n, true, nil
		}
		t.discard(n)
		if l == nil && r == nil {
			return nil, true, nil
		}
		if l != nil {
			e, err := t.edgeTo(pos, Path{}.Append(0), l)
			return e, true, err
		}
		e, err := t.edgeTo(pos, Path{}.Append(1), r)
		return e, true, err

	case kindEdge:
		el := n.edge.Len()
		m := el
		for _, u := range ups {
			m = min(m, u.key.Slice(depth, depth+el).CommonPrefix(n.edge))
			if m == 0 {
				break
			}
		}
		if m == el {
			c, changed, err := t.apply(n.child[0], pos.Concat(n.edge), ups)
			if err != nil || !changed {
				return n, false, err
			}
			t.discard(n)
			e, err := t.edgeTo(pos, n.edge, c)
			return e, true, err
		}
		// Some key leaves the edge after m bits: split it there into a
		// binary node with the rest of the edge on one side.
		t.discard(n)
		binPos := pos.Concat(n.edge.Prefix(m))
		bit := n.edge.Bit(m)
		side := n.child[0]
		if rest := n.edge.Slice(m+1, el); rest.Len() > 0 {
			side = t.newEdge(binPos.Append(bit), rest, side)
		}
		bin := &mnode{kind: kindBinary, dirty: true, path: binPos}
		bin.child[bit] = side
		b, _, err := t.apply(bin, binPos, ups)
		if err != nil {
			return nil, false, err
		}
		e, err := t.edgeTo(pos, n.edge.Prefix(m), b)
		return e, true, err
	}
	return nil, false, fmt.Errorf("trie: node %q of unknown kind %d", n.path, n.kind)
}

// splitIndex returns the first index of ups (sorted, sharing their first
// depth bits) whose key has bit depth set.
func splitIndex(ups []kv, depth int) int {
	return sort.Search(len(ups), func(i int) bool { return ups[i].key.Bit(depth) == 1 })
}

// build returns the subtree at pos holding the non-zero entries of ups
// (sorted, distinct, all starting with pos). It may reorder ups in place.
func (t *Trie) build(pos Path, ups []kv) (*mnode, error) {
	k := 0
	for _, u := range ups {
		if !u.val.IsZero() {
			ups[k] = u
			k++
		}
	}
	ups = ups[:k]
	depth := pos.Len()
	switch {
	case len(ups) == 0:
		return nil, nil
	case depth == Height:
		return &mnode{kind: kindLeaf, path: pos, hash: ups[0].val}, nil
	case len(ups) == 1:
		leaf := &mnode{kind: kindLeaf, path: ups[0].key, hash: ups[0].val}
		return t.newEdge(pos, ups[0].key.Slice(depth, Height), leaf), nil
	}
	first, last := ups[0].key, ups[len(ups)-1].key
	if m := first.CommonPrefix(last); m > depth {
		b, err := t.build(first.Prefix(m), ups)
		if err != nil {
			return nil, err
		}
		return t.newEdge(pos, first.Slice(depth, m), b), nil
	}
	i := splitIndex(ups, depth)
	l, err := t.build(pos.Append(0), ups[:i])
	if err != nil {
		return nil, err
	}
	r, err := t.build(pos.Append(1), ups[i:])
	if err != nil {
		return nil, err
	}
	return &mnode{kind: kindBinary, dirty: true, path: pos, child: [2]*mnode{l, r}}, nil
}

// collect appends the records of the dirty nodes of n to set, in path
// order, and marks them clean and stored. The records share one
// allocation.
func (t *Trie) collect(n *mnode, set *NodeSet) {
	recs := make([]Node, countDirty(n))
	set.Updates = slices.Grow(set.Updates, len(recs)+len(t.deleted))
	var walk func(n *mnode)
	walk = func(n *mnode) {
		if n == nil || !n.dirty {
			return
		}
		rec := &recs[0]
		recs = recs[1:]
		rec.Hash = n.hash
		switch n.kind {
		case kindBinary:
			rec.Kind = KindBinary
			rec.Left, rec.Right = n.child[0].hash, n.child[1].hash
		case kindEdge:
			rec.Kind = KindEdge
			rec.Child, rec.Edge = n.child[0].hash, n.edge
		}
		n.dirty = false
		n.stored = true
		// A node before its subtrees (pre-order): Compare's order.
		set.Updates = append(set.Updates, NodeUpdate{Path: n.path, Node: rec})
		walk(n.child[0])
		walk(n.child[1])
	}
	walk(n)
}

// countDirty returns the number of dirty nodes of the subtree n.
func countDirty(n *mnode) int {
	if n == nil || !n.dirty {
		return 0
	}
	return 1 + countDirty(n.child[0]) + countDirty(n.child[1])
}
