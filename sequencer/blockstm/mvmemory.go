package blockstm

import (
	"sync"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// Multi-version memory (paper §3, "MVMemory").
//
// Every state key the block touches has one entry. An entry holds the
// versions written to the key, one per writing transaction, ordered by
// transaction index; each version carries the incarnation that wrote it and
// either a full value or a delta (a commutative addition, never observed by
// its writer). A read by transaction j resolves to the highest version below
// j: deltas are summed on the way down until a full value, or the base state,
// is reached.
//
// Invariants:
//   - versions of an entry are sorted by tx and hold at most one version per
//     tx; they belong to the latest recorded incarnation of that tx;
//   - a version marked estimate belongs to an aborted incarnation: a reader
//     that reaches it must wait for its writer instead of using the value
//     (the value is kept so that a rewrite of the same value is not a change);
//   - with reader tracking (the dependents scheduler), every read of a
//     version or of the base value registers (reader tx, incarnation) on it,
//     under the entry's lock. A writer that changes what a registered reader
//     would now see (value changed, version inserted below the reader, or
//     version removed) aborts that reader. Registrations of old incarnations
//     are dropped lazily: aborting them is a no-op.
//
// The key-to-entry index (index.go) is a lock-free open-addressing table;
// entries are never removed during a block, so a pointer to an entry stays
// valid and the view keeps it in its read and write sets (no second lookup
// at record or validation time).
type mvMemory struct {
	base  state.Reader
	track bool
	idx   index
	// The entries of the block's KeySet, by id; the index holds the
	// other keys.
	ks  *KeySet
	pre []entry
}

type entry struct {
	mu          sync.Mutex
	baseLoaded  bool
	ref         int32      // the KeySet id, or -1 - creation number (index.addRef)
	hash        uint64     // index entries
	key         *state.Key // in the KeySet, or the index's key slab
	vs          []version  // first backing array from a worker's slabs
	base        felt.Felt
	baseReaders []readerRef    // first backing array from a worker's slabs
	more        *[][]readerRef // readers beyond a version's inline ones (version.more)
	_           [8]byte        // to entrySize
}

// An entry fits two cache lines: the first touch of a key, in the middle
// of a block whose entries are far larger than the caches, costs two
// misses. The first versions and readers of an entry live in chunks
// (slabs) of the worker that wrote or read it first.
const entrySize = 128

// slabs hands out the first backing arrays of entries' version and
// reader lists from chunks, one set per worker (no lock): most entries
// hold one or two of each, and a list that outgrows its place moves to
// its own array (append). Neither type holds pointers: the chunks are
// not scanned by the garbage collector.
type slabs struct {
	vs []version
	rs []readerRef
}

const (
	slabFirst = 2   // places in an entry's first array
	slabChunk = 256 // entries' first arrays per chunk
)

func (a *slabs) versions() []version  { return take(&a.vs) }
func (a *slabs) readers() []readerRef { return take(&a.rs) }

// take hands out an empty list with room for slabFirst elements from the
// rest of a chunk, starting a new chunk when it is used up.
func take[T any](chunk *[]T) []T {
	if len(*chunk) < slabFirst {
		*chunk = make([]T, slabFirst*slabChunk)
	}
	s := (*chunk)[:0:slabFirst]
	*chunk = (*chunk)[slabFirst:]
	return s
}

// version is one transaction's write to an entry. It holds no pointers, so
// long version lists (a hot key) grow without write barriers and are not
// scanned by the garbage collector: its first readers are inline, further
// ones in the entry's more[v.more-1].
type version struct {
	tx       int32
	inc      int32
	delta    bool
	estimate bool
	nr       uint8 // readers in r
	more     int32 // 1 + index of further readers in entry.more; 0: none
	val      felt.Felt
	r        [2]readerRef
}

// addReader registers a reader of v. The caller holds e.mu.
func (e *entry) addReader(v *version, r readerRef) {
	if int(v.nr) < len(v.r) {
		v.r[v.nr] = r
		v.nr++
		return
	}
	if e.more == nil {
		e.more = new([][]readerRef)
	}
	more := e.more
	if v.more == 0 {
		*more = append(*more, nil)
		v.more = int32(len(*more))
	}
	(*more)[v.more-1] = append((*more)[v.more-1], r)
}

// takeVersionReaders moves the readers of v above tx `above` (all when
// above < 0) into aborts; see takeReaders. The caller holds e.mu.
func (e *entry) takeVersionReaders(v *version, above int32, aborts *[]abortNote, by, byInc, from, fromInc int32) {
	n := 0
	for _, r := range v.r[:v.nr] {
		if r.tx > above {
			*aborts = append(*aborts, abortNote{tx: r.tx, inc: r.inc, e: e, by: by, byInc: byInc, from: from, fromI: fromInc})
		} else {
			v.r[n] = r
			n++
		}
	}
	v.nr = uint8(n)
	if v.more != 0 {
		more := *e.more
		more[v.more-1] = takeReaders(more[v.more-1], above, aborts, e, by, byInc, from, fromInc)
	}
}

type readerRef struct{ tx, inc int32 }

// abortNote asks the scheduler to abort incarnation inc of tx, because the
// writer (by, byInc) changed what it read from version (from, fromInc) of e.
type abortNote struct {
	tx, inc     int32
	e           *entry
	by, byInc   int32
	from, fromI int32
}

func newMVMemory(base state.Reader, track bool, hint int, ks *KeySet) *mvMemory {
	m := &mvMemory{base: base, track: track, ks: ks}
	if ks != nil {
		// Set up on first use: most of a block's entries are touched by
		// one or two transactions, spread over the workers.
		m.pre = make([]entry, len(ks.keys))
		hint = min(hint, 1024) // keys outside the set are the exception
	}
	m.idx.init(hint)
	return m
}

// entryValid returns the entry of k, whose id in the KeySet is id, -1
// when k is not in the set (view.validID). An entry of the set is set up
// (setUp) under its lock by its first read or record.
func (m *mvMemory) entryValid(id int32, k *state.Key) *entry {
	if id >= 0 {
		return &m.pre[id]
	}
	return m.idx.get(*k)
}

// byRef returns the entry of ref (entry.ref).
func (m *mvMemory) byRef(ref int32) *entry {
	if ref >= 0 {
		return &m.pre[ref]
	}
	return m.idx.byRef(ref)
}

// setUp sets up e, the entry of ref, on its first use; the caller holds
// e.mu. Its key and ref are set at creation for the index's entries, here
// for the KeySet's.
func (m *mvMemory) setUp(e *entry, ref int32) {
	if e.key == nil {
		e.key, e.ref = &m.ks.keys[ref], ref
	}
}

// search returns the index of the first version with tx >= tx.
func (e *entry) search(tx int32) int {
	lo, hi := 0, len(e.vs)
	// Writes mostly arrive in tx order: check the end first.
	if hi > 0 && e.vs[hi-1].tx < tx {
		return hi
	}
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if e.vs[mid].tx < tx {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// resolved is the outcome of reading an entry below some tx.
type resolved struct {
	val     felt.Felt
	src     int32 // tx of the full value read, -1 for the base state
	srcInc  int32
	deltas  bool  // deltas of lower txs were added
	blocker int32 // >= 0: an estimate of this tx was reached; nothing else is set
}

// resolve reads e as transaction tx sees it. With reg set (reader tracking)
// the reader is registered on every version it passes and on the base.
// The caller holds e.mu.
func (m *mvMemory) resolve(e *entry, tx int32, reg *readerRef, a *slabs) (resolved, error) {
	var acc felt.Felt
	deltas := false
	for i := e.search(tx) - 1; i >= 0; i-- {
		v := &e.vs[i]
		if v.estimate {
			return resolved{blocker: v.tx}, nil
		}
		if reg != nil {
			e.addReader(v, *reg)
		}
		if !v.delta {
			return resolved{val: v.val.Add(acc), src: v.tx, srcInc: v.inc, deltas: deltas, blocker: -1}, nil
		}
		acc = acc.Add(v.val)
		deltas = true
	}
	if !e.baseLoaded {
		b, err := m.base.Get(*e.key)
		if err != nil {
			return resolved{}, err
		}
		e.base, e.baseLoaded = b, true
	}
	if reg != nil {
		if cap(e.baseReaders) == 0 {
			e.baseReaders = a.readers()
		}
		e.baseReaders = append(e.baseReaders, *reg)
	}
	return resolved{val: e.base.Add(acc), src: -1, deltas: deltas, blocker: -1}, nil
}

// read resolves e for incarnation inc of tx, registering the reader when
// tracking, unless final: every transaction below tx has committed, so no
// write can change what it reads.
func (m *mvMemory) read(e *entry, ref, tx, inc int32, final bool, a *slabs) (resolved, error) {
	e.mu.Lock()
	m.setUp(e, ref)
	var r resolved
	var err error
	if m.track && !final {
		r, err = m.resolve(e, tx, &readerRef{tx, inc}, a)
	} else {
		r, err = m.resolve(e, tx, nil, nil)
	}
	e.mu.Unlock()
	return r, err
}

// record installs the write set ws of incarnation inc of tx in place of the
// previous incarnation's write set old, and reports whether ws writes a key
// that old did not (the paper's wrote_new_path). With reader tracking it
// appends to aborts every registered reader whose read is changed.
func (m *mvMemory) record(tx, inc int32, old, ws []Write, aborts *[]abortNote, a *slabs) (newPath bool) {
	for i := range ws {
		w := &ws[i]
		e := m.byRef(w.ref)
		e.mu.Lock()
		m.setUp(e, w.ref)
		p := e.search(tx)
		if p < len(e.vs) && e.vs[p].tx == tx {
			v := &e.vs[p]
			changed := v.val != w.Value || v.delta != w.Delta
			oldInc := v.inc
			v.inc, v.estimate, v.val, v.delta = inc, false, w.Value, w.Delta
			if m.track && changed {
				e.takeVersionReaders(v, -1, aborts, tx, inc, tx, oldInc)
			}
		} else {
			newPath = true
			if cap(e.vs) == 0 {
				e.vs = a.versions()
			}
			e.vs = append(e.vs, version{})
			copy(e.vs[p+1:], e.vs[p:])
			e.vs[p] = version{tx: tx, inc: inc, delta: w.Delta, val: w.Value}
			if m.track {
				m.shadow(e, p, aborts)
			}
		}
		e.mu.Unlock()
	}
	if len(old) == 0 {
		return newPath
	}
	var written map[int32]struct{}
	if len(ws) > 16 {
		written = make(map[int32]struct{}, len(ws))
		for i := range ws {
			written[ws[i].ref] = struct{}{}
		}
	}
	for i := range old {
		ref := old[i].ref
		if written != nil {
			if _, ok := written[ref]; ok {
				continue
			}
		} else if containsRef(ws, ref) {
			continue
		}
		e := m.byRef(ref)
		e.mu.Lock()
		p := e.search(tx)
		if p < len(e.vs) && e.vs[p].tx == tx {
			if m.track {
				e.takeVersionReaders(&e.vs[p], -1, aborts, tx, inc, tx, e.vs[p].inc)
			}
			e.vs = append(e.vs[:p], e.vs[p+1:]...)
		}
		e.mu.Unlock()
	}
	return newPath
}

// shadow aborts the readers of the cell just below the new version at p
// whose transaction is above it: they now read through the new version.
// (Even when the value they saw is unchanged: their recorded source, which
// the dependency graph reports, would be wrong.) The caller holds e.mu.
func (m *mvMemory) shadow(e *entry, p int, aborts *[]abortNote) {
	nv := &e.vs[p]
	if p > 0 {
		pv := &e.vs[p-1]
		e.takeVersionReaders(pv, nv.tx, aborts, nv.tx, nv.inc, pv.tx, pv.inc)
		return
	}
	if len(e.baseReaders) > 0 {
		e.baseReaders = takeReaders(e.baseReaders, nv.tx, aborts, e, nv.tx, nv.inc, -1, 0)
	}
}

// takeReaders moves the readers above tx `above` (all when above < 0) from
// list into aborts and returns what remains of the list.
func takeReaders(list []readerRef, above int32, aborts *[]abortNote, e *entry, by, byInc, from, fromInc int32) []readerRef {
	kept := list[:0]
	for _, r := range list {
		if r.tx > above {
			*aborts = append(*aborts, abortNote{tx: r.tx, inc: r.inc, e: e, by: by, byInc: byInc, from: from, fromI: fromInc})
		} else {
			kept = append(kept, r)
		}
	}
	return kept
}

func containsRef(ws []Write, ref int32) bool {
	for i := range ws {
		if ws[i].ref == ref {
			return true
		}
	}
	return false
}

// markEstimates marks the versions tx wrote (ws, its last recorded write set)
// as estimates: tx has been aborted and later readers must wait for it.
func (m *mvMemory) markEstimates(tx int32, ws []Write) {
	for i := range ws {
		e := m.byRef(ws[i].ref)
		e.mu.Lock()
		if p := e.search(tx); p < len(e.vs) && e.vs[p].tx == tx {
			e.vs[p].estimate = true
		}
		e.mu.Unlock()
	}
}

// validate re-reads the read set of tx (paper: validate_read_set). It
// returns -1 when every read still resolves to the same version and value,
// else the index of the first read that does not, with what it resolves to
// now.
func (m *mvMemory) validate(tx int32, reads []Read) (int, resolved, error) {
	for i := range reads {
		r := &reads[i]
		e := m.byRef(r.ref)
		e.mu.Lock()
		now, err := m.resolve(e, tx, nil, nil)
		e.mu.Unlock()
		if err != nil {
			return i, now, err
		}
		if now.blocker >= 0 || now.src != r.Source || now.srcInc != r.SourceInc || now.val != r.Value {
			return i, now, nil
		}
	}
	return -1, resolved{}, nil
}

// diffPre appends to d the final value, after transaction n-1, of every
// KeySet key of ids [lo, hi) some transaction wrote, in key order. Parts
// of the set may be diffed at once by different goroutines once the
// block is done.
func (m *mvMemory) diffPre(n int32, lo, hi int, d state.Diff) (state.Diff, error) {
	for i := lo; i < hi; i++ {
		e := &m.pre[i]
		if len(e.vs) == 0 {
			continue
		}
		r, err := m.resolve(e, n, nil, nil)
		if err != nil {
			return nil, err
		}
		d = append(d, state.KV{Key: *e.key, Value: r.val})
	}
	return d, nil
}

// diffIndex is diffPre for the keys outside the KeySet, sorted by key.
func (m *mvMemory) diffIndex(n int32) (state.Diff, error) {
	d := make(state.Diff, 0, m.idx.count())
	err := m.idx.each(func(e *entry) error {
		if len(e.vs) == 0 {
			return nil
		}
		r, err := m.resolve(e, n, nil, nil)
		if err == nil {
			d = append(d, state.KV{Key: *e.key, Value: r.val})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sortDiff(d)
	return d, nil
}
