package trie

import (
	"errors"
	"fmt"

	"github.com/kairo-dev/kairo/vm/felt"
)

// Pages group stored nodes for a store that keeps several trie levels per
// record. With levels L, the page of the node at path p is identified by
// its prefix: p cut to the largest multiple of L not above p.Len(). A
// page holds every stored node whose path starts with the prefix and
// whose depth is below prefix.Len()+L. Those nodes form a subtree: its top
// is the one node of the page that every key with the prefix reaches
// (at the prefix itself, or below it when an edge from an upper page
// crosses the page's first level), cut at the page's last level.
//
// A page is encoded by walking that subtree depth first, left before
// right, so that no node needs its path, and no node but the top needs
// its own hash (its parent holds it):
//
//	byte 0      r, the depth of the top below the prefix (0..L-1)
//	            then ceil(r/8) bytes: the r bits from the prefix to the
//	            top, first bit in the most significant bit, unused bits 0
//	32 bytes    the top's hash
//	nodes       depth first from the top, each
//	            binary: 0x00 | left | right                     (65 bytes)
//	            edge:   0x01 | length | child | path value      (34 + ceil(length/8) bytes)
//
// where felts are 32 bytes big-endian, canonical, the path value is the
// edge's bits as an integer in ceil(length/8) big-endian bytes, and a
// child follows its parent when it is stored (not a leaf) and lies in the
// page (its depth is below prefix.Len()+L). The format is an on-disk
// format and must not change.

// PagePrefix returns the prefix of the page (of levels levels) holding the
// node at path p.
func PagePrefix(p Path, levels int) Path { return p.Prefix(p.Len() - p.Len()%levels) }

// PageNodes is the decoded content of one page: the stored nodes by path.
type PageNodes map[Path]Node

// PageNode is one stored node of a page.
type PageNode struct {
	Path Path
	Node Node
}

// FindPageNode returns the node at p among nodes.
func FindPageNode(nodes []PageNode, p Path) (Node, bool) {
	for i := range nodes {
		if nodes[i].Path == p {
			return nodes[i].Node, true
		}
	}
	return Node{}, false
}

// AppendPage appends the encoding of the page of levels levels at prefix
// whose nodes are nodes (not empty) to dst. It fails unless nodes form one
// subtree of the page as described above.
func AppendPage(dst []byte, prefix Path, levels int, nodes PageNodes) ([]byte, error) {
	list := make([]PageNode, 0, len(nodes))
	for p, n := range nodes {
		list = append(list, PageNode{Path: p, Node: n})
	}
	return AppendPageNodes(dst, prefix, levels, list)
}

// AppendPageNodes is AppendPage with the nodes in a slice (distinct paths,
// in any order): a page holds at most 2^levels - 1 nodes, which a slice
// keeps in less memory than a map, and searches as fast.
func AppendPageNodes(dst []byte, prefix Path, levels int, nodes []PageNode) ([]byte, error) {
	if len(nodes) == 0 {
		return nil, errors.New("trie page: no nodes")
	}
	end := prefix.Len() + levels
	var top Path
	first := true
	for _, pn := range nodes {
		p := pn.Path
		if !p.HasPrefix(prefix) || p.Len() >= end || p.Len() >= Height {
			return nil, fmt.Errorf("trie page %q: node %q lies outside it", prefix, p)
		}
		if first || p.Len() < top.Len() {
			top, first = p, false
		}
	}
	r := top.Len() - prefix.Len()
	dst = append(dst, byte(r))
	if r > 0 {
		rel := top.Slice(prefix.Len(), top.Len())
		be := bigEndian(shl(rel.b, 256-Height))
		dst = append(dst, be[:(r+7)/8]...)
	}
	topNode, _ := FindPageNode(nodes, top)
	dst = appendFelt(dst, topNode.Hash)
	count := 0
	var walk func(p Path) error
	walk = func(p Path) error {
		n, ok := FindPageNode(nodes, p)
		if !ok {
			return fmt.Errorf("trie page %q: node %q is missing (its parent is in the page)", prefix, p)
		}
		count++
		switch n.Kind {
		case KindBinary:
			dst = append(dst, byte(KindBinary))
			dst = appendFelt(dst, n.Left)
			dst = appendFelt(dst, n.Right)
			if d := p.Len() + 1; d < end && d < Height {
				if err := walk(p.Append(0)); err != nil {
					return err
				}
				return walk(p.Append(1))
			}
		case KindEdge:
			l := n.Edge.Len()
			if l == 0 || p.Len()+l > Height {
				return fmt.Errorf("trie page %q: edge %q of length %d", prefix, p, l)
			}
			dst = append(dst, byte(KindEdge), byte(l))
			dst = appendFelt(dst, n.Child)
			v := n.Edge.Value().BytesBE()
			dst = append(dst, v[32-(l+7)/8:]...)
			if d := p.Len() + l; d < end && d < Height {
				return walk(p.Concat(n.Edge))
			}
		default:
			return fmt.Errorf("trie page %q: node %q of unknown kind %d", prefix, p, n.Kind)
		}
		return nil
	}
	if err := walk(top); err != nil {
		return nil, err
	}
	if count != len(nodes) {
		return nil, fmt.Errorf("trie page %q: %d of its %d nodes are not below its top %q", prefix, len(nodes)-count, len(nodes), top)
	}
	return dst, nil
}

func appendFelt(dst []byte, f felt.Felt) []byte {
	b := f.BytesBE()
	return append(dst, b[:]...)
}

// DecodePage decodes a page of levels levels at prefix written by
// AppendPage, calling add for every node, top first. It checks the
// structure (sizes, canonical felts, edges within the trie, non-zero
// children, no trailing bytes) but not the hashes.
func DecodePage(prefix Path, levels int, data []byte, add func(p Path, n Node)) (top Path, err error) {
	end := prefix.Len() + levels
	if len(data) == 0 {
		return Path{}, fmt.Errorf("trie page %q: empty record", prefix)
	}
	r := int(data[0])
	if r >= levels || prefix.Len()+r >= Height {
		return Path{}, fmt.Errorf("trie page %q: top at depth %d below the prefix", prefix, r)
	}
	off := 1
	top = prefix
	if r > 0 {
		nb := (r + 7) / 8
		if len(data) < off+nb {
			return Path{}, fmt.Errorf("trie page %q: truncated", prefix)
		}
		var be [32]byte
		copy(be[:], data[off:off+nb])
		v := shr(fromBigEndian(&be), 256-Height)
		rel := Path{b: maskTop(v, r), len: uint8(r)}
		if rel.b != v {
			return Path{}, fmt.Errorf("trie page %q: bits set past the top's depth", prefix)
		}
		top = prefix.Concat(rel)
		off += nb
	}
	getFelt := func(what string, p Path) (felt.Felt, error) {
		if len(data) < off+32 {
			return felt.Zero, fmt.Errorf("trie page %q: truncated at node %q", prefix, p)
		}
		f, ok := felt.FromBytesBECanonical((*[32]byte)(data[off : off+32]))
		off += 32
		if !ok {
			return felt.Zero, fmt.Errorf("trie page %q: %s of node %q is not a canonical felt", prefix, what, p)
		}
		return f, nil
	}
	topHash, err := getFelt("hash", top)
	if err != nil {
		return Path{}, err
	}
	var walk func(p Path, h felt.Felt) error
	walk = func(p Path, h felt.Felt) error {
		if h.IsZero() {
			return fmt.Errorf("trie page %q: node %q has hash 0", prefix, p)
		}
		if len(data) <= off {
			return fmt.Errorf("trie page %q: truncated at node %q", prefix, p)
		}
		kind := Kind(data[off])
		off++
		switch kind {
		case KindBinary:
			n := Node{Kind: KindBinary, Hash: h}
			if n.Left, err = getFelt("left", p); err != nil {
				return err
			}
			if n.Right, err = getFelt("right", p); err != nil {
				return err
			}
			add(p, n)
			if d := p.Len() + 1; d < end && d < Height {
				if err := walk(p.Append(0), n.Left); err != nil {
					return err
				}
				return walk(p.Append(1), n.Right)
			}
			if n.Left.IsZero() || n.Right.IsZero() {
				return fmt.Errorf("trie page %q: binary node %q has an empty child", prefix, p)
			}
		case KindEdge:
			if len(data) <= off {
				return fmt.Errorf("trie page %q: truncated at node %q", prefix, p)
			}
			l := int(data[off])
			off++
			if l == 0 || p.Len()+l > Height {
				return fmt.Errorf("trie page %q: edge %q of length %d", prefix, p, l)
			}
			n := Node{Kind: KindEdge, Hash: h}
			if n.Child, err = getFelt("child", p); err != nil {
				return err
			}
			nb := (l + 7) / 8
			if len(data) < off+nb {
				return fmt.Errorf("trie page %q: truncated at node %q", prefix, p)
			}
			var b [32]byte
			copy(b[32-nb:], data[off:off+nb])
			off += nb
			if n.Edge, err = pathFromBigEndian(&b, l); err != nil {
				return fmt.Errorf("trie page %q: edge %q: %w", prefix, p, err)
			}
			add(p, n)
			if d := p.Len() + l; d < end && d < Height {
				return walk(p.Concat(n.Edge), n.Child)
			}
			if n.Child.IsZero() {
				return fmt.Errorf("trie page %q: edge %q has an empty child", prefix, p)
			}
		default:
			return fmt.Errorf("trie page %q: node %q: unknown kind byte 0x%02x", prefix, p, byte(kind))
		}
		return nil
	}
	if err := walk(top, topHash); err != nil {
		return Path{}, err
	}
	if off != len(data) {
		return Path{}, fmt.Errorf("trie page %q: %d bytes past its last node", prefix, len(data)-off)
	}
	return top, nil
}
