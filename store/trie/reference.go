package trie

import (
	"fmt"
	"slices"

	"github.com/kairo-dev/kairo/vm/felt"
)

// Leaf is one key-value pair of a trie.
type Leaf struct {
	Key, Value felt.Felt
}

// ComputeRoot computes the root of the trie holding leaves from scratch, with
// a direct recursion over the sorted keys and no stored nodes. Zero values
// are skipped; a key given twice is an error. It is the reference the
// incremental Trie is tested against, and a way to check a stored root.
func ComputeRoot(hash HashFunc, leaves []Leaf) (felt.Felt, error) {
	kvs := make([]kv, 0, len(leaves))
	for _, l := range leaves {
		if l.Value.IsZero() {
			continue
		}
		p, err := KeyPath(l.Key)
		if err != nil {
			return felt.Zero, err
		}
		kvs = append(kvs, kv{p, l.Value})
	}
	slices.SortFunc(kvs, cmpKey)
	for i := 1; i < len(kvs); i++ {
		if kvs[i].key == kvs[i-1].key {
			return felt.Zero, fmt.Errorf("trie: key %s given twice", kvs[i].key.Key())
		}
	}
	if len(kvs) == 0 {
		return felt.Zero, nil
	}
	return referenceNode(hash, kvs, 0), nil
}

// referenceNode hashes the node at depth holding kvs (non-empty, sharing
// their first depth bits).
func referenceNode(hash HashFunc, kvs []kv, depth int) felt.Felt {
	if depth == Height {
		return kvs[0].val
	}
	m := Height
	if len(kvs) > 1 {
		m = kvs[0].key.CommonPrefix(kvs[len(kvs)-1].key)
	}
	if m > depth { // edge down to depth m
		child := referenceNode(hash, kvs, m)
		edge := kvs[0].key.Slice(depth, m)
		return hash(child, edge.Value()).Add(felt.FromUint64(uint64(m - depth)))
	}
	i := 0
	for i < len(kvs) && kvs[i].key.Bit(depth) == 0 {
		i++
	}
	return hash(referenceNode(hash, kvs[:i], depth+1), referenceNode(hash, kvs[i:], depth+1))
}
