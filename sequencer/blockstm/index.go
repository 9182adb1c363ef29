package blockstm

import (
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/kairo-dev/kairo/sequencer/state"
)

// index maps the keys of a block to their multi-version entries.
//
// Lookups are lock-free: an open-addressing table (linear probing) of entry
// pointers, sized from the block's length, published with atomic stores.
// Only creation locks: a key is created under the lock of its hash's shard,
// after probing the table again under that lock, so two workers creating
// the same key agree on one entry (slots are claimed by compare-and-swap,
// since keys of other shards probe the same slots). Once the table is half
// full, new keys go to the shard's overflow map, which a lookup consults
// (under the shard lock) only when the shard has one; the table never
// fills, so a probe always ends at an empty slot.
//
// Entries are never removed during a block: pointers to them stay valid.
type index struct {
	slots  []atomic.Pointer[entry]
	mask   uint64
	used   atomic.Int64 // slots claimed
	limit  int64        // slots that may be claimed: half the table
	shards [idxShards]idxShard

	// Every entry by creation number n (its ref is -1-n), so that read and
	// write sets hold an int32 instead of a pointer: with no pointers, the
	// garbage collector does not scan them.
	nref  atomic.Int32
	refMu sync.Mutex // grows refs
	refs  atomic.Pointer[[]*refChunk]
}

const refChunkBits = 12

type refChunk [1 << refChunkBits]atomic.Pointer[entry]

const idxShardBits = 6
const idxShards = 1 << idxShardBits

type idxShard struct {
	mu   sync.Mutex
	over map[state.Key]*entry // keys created once the table was half full
	hasO atomic.Bool
	slab []entry
	keys []state.Key // the entries' keys (entry.key)
	all  []*entry    // in creation order, for iterating without the table
	_    [64]byte    // keep shards on separate cache lines
}

// Table sizes: at least 1,024 slots; at most 4M (32 MiB), beyond which a
// huge block's further keys go to the overflow maps.
const (
	minTableBits = 10
	maxTableBits = 22
)

// init sizes the table for about hint keys: the next power of two at
// least twice hint, so the table holds hint keys at most half full.
func (x *index) init(hint int) {
	size := uint64(1) << min(maxTableBits, max(minTableBits, bits.Len(uint(2*hint))))
	x.slots = make([]atomic.Pointer[entry], size)
	x.mask = size - 1
	x.limit = int64(size / 2)
}

// shardOf picks the creation shard from the hash's top bits (the table
// position comes from the low bits).
func (x *index) shardOf(h uint64) *idxShard { return &x.shards[h>>(64-idxShardBits)] }

// find returns the entry of k, nil when it has none yet.
func (x *index) find(k state.Key, h uint64) *entry {
	for i := h & x.mask; ; i = (i + 1) & x.mask {
		e := x.slots[i].Load()
		if e == nil {
			break
		}
		if e.hash == h && e.key.Equal(k) {
			return e
		}
	}
	if s := x.shardOf(h); s.hasO.Load() {
		s.mu.Lock()
		e := s.over[k]
		s.mu.Unlock()
		return e
	}
	return nil
}

// get returns the entry of k, creating it on first use.
func (x *index) get(k state.Key) *entry {
	h := k.Hash()
	if e := x.find(k, h); e != nil {
		return e
	}
	s := x.shardOf(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Every creation of k happens under this lock: probe again.
	i := h & x.mask
	for ; ; i = (i + 1) & x.mask {
		e := x.slots[i].Load()
		if e == nil {
			break
		}
		if e.hash == h && e.key.Equal(k) {
			return e
		}
	}
	if e := s.over[k]; e != nil {
		return e
	}
	e := s.newEntry(k, h)
	x.addRef(e)
	if x.used.Add(1) <= x.limit {
		// Claim the first empty slot from i; keys of other shards may
		// claim slots meanwhile.
		for ; !x.slots[i].CompareAndSwap(nil, e); i = (i + 1) & x.mask {
		}
		return e
	}
	if s.over == nil {
		s.over = make(map[state.Key]*entry)
	}
	s.over[k] = e
	s.hasO.Store(true)
	return e
}

// addRef numbers e and records it under its ref.
func (x *index) addRef(e *entry) {
	n := x.nref.Add(1) - 1
	e.ref = -1 - n
	c := int(n >> refChunkBits)
	t := x.refs.Load()
	if t == nil || c >= len(*t) || (*t)[c] == nil {
		x.refMu.Lock()
		t = x.refs.Load()
		if t == nil || c >= len(*t) || (*t)[c] == nil {
			var grown []*refChunk
			if t != nil {
				grown = append(grown, *t...)
			}
			for len(grown) <= c {
				grown = append(grown, nil)
			}
			grown[c] = new(refChunk)
			t = &grown
			x.refs.Store(t)
		}
		x.refMu.Unlock()
	}
	(*t)[c][n&(1<<refChunkBits-1)].Store(e)
}

// byRef returns the entry of ref (negative, see addRef).
func (x *index) byRef(ref int32) *entry {
	n := -1 - ref
	return (*x.refs.Load())[n>>refChunkBits][n&(1<<refChunkBits-1)].Load()
}

// newEntry allocates an entry from the shard's slab. The caller holds s.mu.
func (s *idxShard) newEntry(k state.Key, h uint64) *entry {
	if len(s.slab) == 0 {
		s.slab = make([]entry, 64)
		s.keys = make([]state.Key, 64)
	}
	e := &s.slab[0]
	s.slab = s.slab[1:]
	s.keys[0] = k
	e.key, e.hash = &s.keys[0], h
	s.keys = s.keys[1:]
	s.all = append(s.all, e)
	return e
}

// count returns the number of entries. No entry may be created meanwhile.
func (x *index) count() int {
	n := 0
	for i := range x.shards {
		n += len(x.shards[i].all)
	}
	return n
}

// each calls f for every entry. No entry may be created meanwhile.
func (x *index) each(f func(*entry) error) error {
	for i := range x.shards {
		for _, e := range x.shards[i].all {
			if err := f(e); err != nil {
				return err
			}
		}
	}
	return nil
}
