package trie

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
)

func cheapHash(a, b felt.Felt) felt.Felt {
	return a.Mul(felt.FromUint64(0x9e3779b97f4a7c15)).Add(b).Add(felt.One)
}

// pagesOf groups the nodes of a node set into pages of levels levels.
func pagesOf(set *NodeSet, levels int) map[Path]PageNodes {
	pages := map[Path]PageNodes{}
	for _, u := range set.Updates {
		if u.Node == nil {
			continue
		}
		p := PagePrefix(u.Path, levels)
		if pages[p] == nil {
			pages[p] = PageNodes{}
		}
		pages[p][u.Path] = *u.Node
	}
	return pages
}

// TestPageFormat pins the page encoding on a trie of three keys.
func TestPageFormat(t *testing.T) {
	tr, err := New(nil, cheapHash)
	if err != nil {
		t.Fatal(err)
	}
	// Keys 0b000.., 0b001.. and 0b1..: a binary root, a binary node at
	// depth 1 (path 0) and edges to the leaves.
	for i, k := range []string{"0x0", "0x200000000000000000000000000000000000000000000000000000000000000", "0x400000000000000000000000000000000000000000000000000000000000000"} {
		if err := tr.Put(felt.MustFromString(k), felt.FromUint64(uint64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	_, set, err := tr.Commit()
	if err != nil {
		t.Fatal(err)
	}
	pages := pagesOf(set, 2)
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3 (root page, and the pages at 00 and 01)", len(pages))
	}
	root := pages[Path{}]
	data, err := AppendPage(nil, Path{}, 2, root)
	if err != nil {
		t.Fatal(err)
	}
	// Root page: r=0, the root's hash, the root (binary), its left child
	// (binary at depth 1); its right child is an edge at depth 1.
	rootNode, left, right := root[Path{}], root[Path{}.Append(0)], root[Path{}.Append(1)]
	want := "00" + feltHex(rootNode.Hash) +
		"00" + feltHex(rootNode.Left) + feltHex(rootNode.Right) +
		"00" + feltHex(left.Left) + feltHex(left.Right) +
		"01" + "fa" + feltHex(right.Child) + strings.Repeat("00", 32)
	if got := hex.EncodeToString(data); got != want {
		t.Fatalf("root page\n got %s\nwant %s", got, want)
	}
	// The page at 00: its top, an edge at depth 2 reaching the leaf.
	p00 := Path{}.Append(0).Append(0)
	data, err = AppendPage(nil, p00, 2, pages[p00])
	if err != nil {
		t.Fatal(err)
	}
	e := pages[p00][p00]
	if want := "00" + feltHex(e.Hash) + "01" + "f9" + feltHex(e.Child) + strings.Repeat("00", 32); hex.EncodeToString(data) != want {
		t.Fatalf("page 00\n got %x\nwant %s", data, want)
	}
}

func feltHex(f felt.Felt) string {
	b := f.BytesBE()
	return hex.EncodeToString(b[:])
}

// TestPageRoundTrip splits random tries into pages of 1 to 5 levels and
// checks that every page decodes to its nodes and that every node is in
// exactly one page.
func TestPageRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, shape := range []struct {
		name string
		base [4]uint64
		keys int
	}{
		{"random keys", [4]uint64{}, 300},
		{"small keys", [4]uint64{0, 0, 0, 0}, 200},
		{"one key", [4]uint64{}, 1},
	} {
		tr, err := New(nil, cheapHash)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < shape.keys; i++ {
			k := randomKey(r, shape.base)
			if shape.name == "small keys" {
				k = felt.FromUint64(uint64(r.IntN(1 << 20)))
			}
			if err := tr.Put(k, felt.FromUint64(uint64(i+1))); err != nil {
				t.Fatal(err)
			}
		}
		_, set, err := tr.Commit()
		if err != nil {
			t.Fatal(err)
		}
		for levels := 1; levels <= 5; levels++ {
			total := 0
			for prefix, nodes := range pagesOf(set, levels) {
				data, err := AppendPage(nil, prefix, levels, nodes)
				if err != nil {
					t.Fatalf("%s, %d levels: %v", shape.name, levels, err)
				}
				got := PageNodes{}
				if _, err := DecodePage(prefix, levels, data, func(p Path, n Node) { got[p] = n }); err != nil {
					t.Fatalf("%s, %d levels: decode page %q: %v", shape.name, levels, prefix, err)
				}
				if len(got) != len(nodes) {
					t.Fatalf("%s, %d levels: page %q decodes to %d nodes, want %d", shape.name, levels, prefix, len(got), len(nodes))
				}
				for p, n := range nodes {
					if got[p] != n {
						t.Fatalf("%s, %d levels: page %q node %q = %+v, want %+v", shape.name, levels, prefix, p, got[p], n)
					}
				}
				if max := 2 + 32 + ((1<<levels)-1)*66; len(data) > max {
					t.Fatalf("%s, %d levels: page of %d bytes, more than %d", shape.name, levels, len(data), max)
				}
				total += len(nodes)
			}
			if total != set.Len() {
				t.Fatalf("%s, %d levels: pages hold %d nodes, the trie %d", shape.name, levels, total, set.Len())
			}
		}
	}
}

func TestPageRejects(t *testing.T) {
	h := felt.FromUint64(7)
	bin := Node{Kind: KindBinary, Hash: h, Left: h, Right: h}
	p1 := Path{}.Append(1)
	if _, err := AppendPage(nil, Path{}, 3, PageNodes{}); err == nil {
		t.Error("empty page encoded")
	}
	if _, err := AppendPage(nil, Path{}, 1, PageNodes{p1: bin}); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("node below the page's levels: %v", err)
	}
	if _, err := AppendPage(nil, Path{}, 3, PageNodes{Path{}: bin}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("binary node without its children in the page: %v", err)
	}
	if _, err := AppendPage(nil, Path{}, 2, PageNodes{Path{}.Append(0): bin, p1: bin}); err == nil || !strings.Contains(err.Error(), "not below its top") {
		t.Errorf("two subtrees in one page: %v", err)
	}
	good, err := AppendPage(nil, Path{}, 1, PageNodes{Path{}: bin})
	if err != nil {
		t.Fatal(err)
	}
	nonCanonical := bytes.Clone(good)
	copy(nonCanonical[1:33], bytes.Repeat([]byte{0xff}, 32))
	edge, err := AppendPage(nil, Path{}, 1, PageNodes{Path{}: {Kind: KindEdge, Hash: h, Child: h, Edge: Path{}.Append(1).Append(0)}})
	if err != nil {
		t.Fatal(err)
	}
	wideEdge := bytes.Clone(edge)
	wideEdge[len(wideEdge)-1] = 0x07 // 3 bits in an edge of 2
	for name, data := range map[string][]byte{
		"empty":         nil,
		"truncated":     good[:len(good)-1],
		"trailing":      append(bytes.Clone(good), 0),
		"deep top":      append([]byte{1, 0x80}, good[1:]...),
		"non-canonical": nonCanonical,
		"unknown kind":  append(bytes.Clone(good[:33]), 7),
		"wide edge":     wideEdge,
	} {
		if _, err := DecodePage(Path{}, 1, data, func(Path, Node) {}); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// FuzzPage decodes arbitrary pages: a page that decodes encodes back to
// the same bytes.
func FuzzPage(f *testing.F) {
	h := felt.FromUint64(7)
	for _, nodes := range []PageNodes{
		{Path{}: {Kind: KindBinary, Hash: h, Left: h, Right: h}},
		{Path{}: {Kind: KindEdge, Hash: h, Child: h, Edge: Path{}.Append(1).Append(0)}},
	} {
		data, err := AppendPage(nil, Path{}, 1, nodes)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(1), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, levels, prefixLen uint8) {
		lv := int(levels%6) + 1
		n := int(prefixLen) % (Height + 1)
		n -= n % lv
		prefix := Path{}.Concat(Path{len: uint8(n)})
		got := PageNodes{}
		if _, err := DecodePage(prefix, lv, data, func(p Path, nd Node) { got[p] = nd }); err != nil {
			return
		}
		back, err := AppendPage(nil, prefix, lv, got)
		if err != nil {
			t.Fatalf("decoded page does not encode: %v", err)
		}
		if !bytes.Equal(back, data) {
			t.Fatalf("re-encoding differs:\n%x\n%x", data, back)
		}
	})
}
