// Package state defines the keys and values of the state a block executes
// over, and the reader of the state before the block (the base state).
//
// A Key names one cell of Starknet's state: a storage cell (contract address,
// storage key), a contract's nonce or a contract's class hash. Values are
// field elements. The built-in transaction model of package kvtx maps its
// accounts onto storage cells of contract 0, so the same engine executes both
// it and, later, contract transactions.
package state

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/kairo-dev/kairo/vm/felt"
)

// KeyKind says which part of a contract's state a Key names.
type KeyKind uint8

// The kinds of state cells. The numbering is part of the block file format's
// ordering of state diffs: do not renumber.
const (
	Storage   KeyKind = iota // storage cell (Contract, Slot)
	Nonce                    // nonce of Contract; Slot is zero
	ClassHash                // class hash of Contract; Slot is zero
)

func (k KeyKind) String() string {
	switch k {
	case Storage:
		return "storage"
	case Nonce:
		return "nonce"
	case ClassHash:
		return "class"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Key is a state cell. It is a small comparable value: use it directly as a
// map key.
type Key struct {
	Kind     KeyKind
	Contract felt.Felt
	Slot     felt.Felt
}

// StorageKey returns the key of storage cell slot of contract.
func StorageKey(contract, slot felt.Felt) Key {
	return Key{Kind: Storage, Contract: contract, Slot: slot}
}

// NonceKey returns the key of contract's nonce.
func NonceKey(contract felt.Felt) Key { return Key{Kind: Nonce, Contract: contract} }

// ClassHashKey returns the key of contract's class hash.
func ClassHashKey(contract felt.Felt) Key { return Key{Kind: ClassHash, Contract: contract} }

// String spells the key as kind:contract[:slot] in hexadecimal, the form the
// block file accepts.
func (k Key) String() string {
	if k.Kind == Storage {
		return "storage:" + k.Contract.String() + ":" + k.Slot.String()
	}
	return k.Kind.String() + ":" + k.Contract.String()
}

// Equal reports whether k and o are the same key; it is cheaper than ==,
// which compares the struct field by field through memequal calls.
func (k Key) Equal(o Key) bool {
	return k.Slot[0] == o.Slot[0] && k.Slot[1] == o.Slot[1] && k.Slot[2] == o.Slot[2] && k.Slot[3] == o.Slot[3] &&
		k.Contract[0] == o.Contract[0] && k.Contract[1] == o.Contract[1] && k.Contract[2] == o.Contract[2] &&
		k.Contract[3] == o.Contract[3] && k.Kind == o.Kind
}

// Compare orders keys by kind, contract, then slot (canonical values).
func (k Key) Compare(o Key) int {
	if k.Kind != o.Kind {
		if k.Kind < o.Kind {
			return -1
		}
		return 1
	}
	if c := k.Contract.Cmp(o.Contract); c != 0 {
		return c
	}
	return k.Slot.Cmp(o.Slot)
}

// Hash returns a well-mixed 64-bit hash of the key, for sharding.
func (k Key) Hash() uint64 {
	h := uint64(k.Kind) + 0x9e3779b97f4a7c15
	h ^= k.Contract[0] * 0xbf58476d1ce4e5b9
	h ^= k.Contract[1] + k.Slot[1]*0x94d049bb133111eb
	h ^= k.Slot[0]
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 29
	return h
}

// Reader reads the state before a block. Get returns zero for a cell never
// written. Implementations must be safe for concurrent use.
type Reader interface {
	Get(Key) (felt.Felt, error)
}

// Map is an in-memory Reader. It must not be modified while a block
// executes over it.
type Map map[Key]felt.Felt

// Get returns the value of k, zero when absent.
func (m Map) Get(k Key) (felt.Felt, error) { return m[k], nil }

// KV is one cell of a state diff.
type KV struct {
	Key   Key
	Value felt.Felt
}

// Diff is the final value of every cell a block wrote, sorted by key.
type Diff []KV

// Sort orders the diff by key (Key.Compare). Each key's canonical
// big-endian bytes are computed once, and indices are sorted on them.
func (d Diff) Sort() {
	const size = 1 + 32 + 32
	buf := make([]byte, len(d)*size)
	idx := make([]int32, len(d))
	for i, kv := range d {
		b := buf[i*size : (i+1)*size]
		b[0] = byte(kv.Key.Kind)
		c, s := kv.Key.Contract.BytesBE(), kv.Key.Slot.BytesBE()
		copy(b[1:], c[:])
		copy(b[33:], s[:])
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		return bytes.Compare(buf[int(a)*size:int(a+1)*size], buf[int(b)*size:int(b+1)*size])
	})
	sorted := make(Diff, len(d))
	for i, j := range idx {
		sorted[i] = d[j]
	}
	copy(d, sorted)
}

// Mismatch describes the first difference between two sorted diffs, or ""
// when they are equal.
func (d Diff) Mismatch(o Diff) string {
	i, j := 0, 0
	for i < len(d) || j < len(o) {
		switch {
		case j == len(o) || (i < len(d) && d[i].Key.Compare(o[j].Key) < 0):
			return fmt.Sprintf("%s = %s only on the left", d[i].Key, d[i].Value)
		case i == len(d) || d[i].Key.Compare(o[j].Key) > 0:
			return fmt.Sprintf("%s = %s only on the right", o[j].Key, o[j].Value)
		case d[i].Value != o[j].Value:
			return fmt.Sprintf("%s: %s != %s", d[i].Key, d[i].Value, o[j].Value)
		}
		i++
		j++
	}
	return ""
}

// String lists the diff one cell per line.
func (d Diff) String() string {
	var b strings.Builder
	for _, kv := range d {
		fmt.Fprintf(&b, "%s = %s\n", kv.Key, kv.Value)
	}
	return b.String()
}
