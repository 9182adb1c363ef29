package trie

import (
	"errors"
	"fmt"

	"github.com/kairo-dev/kairo/vm/felt"
)

// Kind tells a binary node from an edge node.
type Kind uint8

// Node kinds. The values are part of the on-disk format and must not change.
const (
	KindBinary Kind = 0
	KindEdge   Kind = 1
)

// Node is a stored trie node: the record kept at the node's path. Leaves are
// not stored: a leaf's value is the hash its parent keeps (Left or Right of a
// binary node at depth 250, Child of an edge node reaching depth 251).
type Node struct {
	Kind Kind
	// Hash is the node's own hash: H(Left, Right) for a binary node,
	// H(Child, Edge.Value()) + Edge.Len() for an edge node.
	Hash felt.Felt
	// Left and Right are the children's hashes of a binary node.
	Left, Right felt.Felt
	// Child is the hash of an edge node's child, Edge the bits it skips.
	Child felt.Felt
	Edge  Path
}

const (
	binarySize = 1 + 3*32
	edgeSize   = 1 + 3*32 + 1
)

// MarshalBinary encodes n. The format is an on-disk format and must not
// change. Felts are 32 bytes big-endian, canonical (below P):
//
//	binary: 0x00 | hash | left | right                    (97 bytes)
//	edge:   0x01 | hash | child | path value | length      (98 bytes)
//
// where path value is Edge.Value() and length (1..251) is Edge.Len().
func (n *Node) MarshalBinary() ([]byte, error) { return n.AppendBinary(nil) }

// AppendBinary appends the encoding of n (see MarshalBinary) to dst.
func (n *Node) AppendBinary(dst []byte) ([]byte, error) {
	put := func(f felt.Felt) {
		b := f.BytesBE()
		dst = append(dst, b[:]...)
	}
	switch n.Kind {
	case KindBinary:
		dst = append(dst, byte(KindBinary))
		put(n.Hash)
		put(n.Left)
		put(n.Right)
	case KindEdge:
		if n.Edge.Len() == 0 {
			return nil, errors.New("trie node: edge of length 0")
		}
		dst = append(dst, byte(KindEdge))
		put(n.Hash)
		put(n.Child)
		put(n.Edge.Value())
		dst = append(dst, n.Edge.len)
	default:
		return nil, fmt.Errorf("trie node: unknown kind %d", n.Kind)
	}
	return dst, nil
}

// UnmarshalBinary decodes a node written by MarshalBinary. It checks the
// structure (sizes, canonical felts, path within its length) but not the
// hashes.
func (n *Node) UnmarshalBinary(data []byte) error {
	if len(data) == 0 {
		return errors.New("trie node: empty record")
	}
	get := func(off int, what string) (felt.Felt, error) {
		f, ok := felt.FromBytesBECanonical((*[32]byte)(data[off : off+32]))
		if !ok {
			return felt.Zero, fmt.Errorf("trie node: %s is not a canonical felt", what)
		}
		return f, nil
	}
	var err error
	switch Kind(data[0]) {
	case KindBinary:
		if len(data) != binarySize {
			return fmt.Errorf("trie node: binary record of %d bytes, want %d", len(data), binarySize)
		}
		var m Node
		if m.Hash, err = get(1, "hash"); err != nil {
			return err
		}
		if m.Left, err = get(33, "left"); err != nil {
			return err
		}
		if m.Right, err = get(65, "right"); err != nil {
			return err
		}
		*n = m
	case KindEdge:
		if len(data) != edgeSize {
			return fmt.Errorf("trie node: edge record of %d bytes, want %d", len(data), edgeSize)
		}
		m := Node{Kind: KindEdge}
		if m.Hash, err = get(1, "hash"); err != nil {
			return err
		}
		if m.Child, err = get(33, "child"); err != nil {
			return err
		}
		v, err := get(65, "path")
		if err != nil {
			return err
		}
		l := int(data[97])
		if l == 0 {
			return errors.New("trie node: edge of length 0")
		}
		if m.Edge, err = PathFromValue(v, l); err != nil {
			return fmt.Errorf("trie node: %w", err)
		}
		*n = m
	default:
		return fmt.Errorf("trie node: unknown kind byte 0x%02x", data[0])
	}
	return nil
}
