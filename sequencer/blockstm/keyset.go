package blockstm

import (
	"math/bits"
	"slices"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// KeySet is a block's keys interned once: each key has a dense id, its
// rank in key order (state.Key.Compare). Built once per block and shared,
// read-only, by any number of executions of it (Options.Keys,
// SequentialKeys), it lets both executors keep their per-key state in
// slices indexed by id instead of hash tables, and emit the state diff
// already sorted. Transactions that know their keys' ids pass them through
// KeyedView and skip the key lookup altogether.
//
// A KeySet is an optimization, never a requirement: keys outside it take
// the general path, and an id that does not name its key is ignored.
type KeySet struct {
	keys  []state.Key // sorted, distinct
	table []int32     // open addressing on Key.Hash: id+1, 0 empty
	mask  uint64
}

// NewKeySet interns keys (in any order, duplicates allowed).
func NewKeySet(keys []state.Key) *KeySet {
	ks := &KeySet{keys: slices.Clone(keys)}
	sortKeys(ks.keys)
	ks.keys = slices.CompactFunc(ks.keys, state.Key.Equal)
	size := uint64(1) << max(4, bits.Len(uint(2*len(ks.keys))))
	ks.table, ks.mask = make([]int32, size), size-1
	for id, k := range ks.keys {
		i := k.Hash() & ks.mask
		for ks.table[i] != 0 {
			i = (i + 1) & ks.mask
		}
		ks.table[i] = int32(id) + 1
	}
	return ks
}

// Len returns the number of keys.
func (ks *KeySet) Len() int { return len(ks.keys) }

// Key returns the key of id, which must be below Len.
func (ks *KeySet) Key(id int32) state.Key { return ks.keys[id] }

// ID returns the id of k, or -1 and false when k is not in the set.
func (ks *KeySet) ID(k state.Key) (int32, bool) {
	if ks == nil {
		return -1, false
	}
	for i := k.Hash() & ks.mask; ; i = (i + 1) & ks.mask {
		id := ks.table[i] - 1
		if id < 0 {
			return -1, false
		}
		if ks.keys[id].Equal(k) {
			return id, true
		}
	}
}

// has reports whether id names k in the set.
func (ks *KeySet) has(id int32, k *state.Key) bool {
	return ks != nil && uint(id) < uint(len(ks.keys)) && ks.keys[id].Equal(*k)
}

// lookup returns the id of k: id itself when it names k, else k's id in the
// set, -1 when none.
func (ks *KeySet) lookup(id int32, k *state.Key) int32 {
	if ks.has(id, k) {
		return id
	}
	id, _ = ks.ID(*k)
	return id
}

// KeyedView is implemented by the views the engine passes to Execute: the
// View methods for a key given with its id in the KeySet the block runs
// with (Options.Keys, SequentialKeys), which find the key's state by
// indexing instead of hashing. The result is the same as View's: an id
// that does not name k in that set (or no set) makes the call look k up.
type KeyedView interface {
	View
	ReadID(id int32, k state.Key) (felt.Felt, error)
	WriteID(id int32, k state.Key, v felt.Felt) error
	AddDeltaID(id int32, k state.Key, d felt.Felt) error
}

// sortKeys orders keys by Key.Compare, through sortDiff's word sort.
func sortKeys(keys []state.Key) {
	d := make(state.Diff, len(keys))
	for i, k := range keys {
		d[i].Key = k
	}
	sortDiff(d)
	for i := range d {
		keys[i] = d[i].Key
	}
}

// mergeDiff merges two diffs sorted by key with no key in common.
func mergeDiff(a, b state.Diff) state.Diff {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make(state.Diff, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i].Key.Compare(b[j].Key) < 0 {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}
