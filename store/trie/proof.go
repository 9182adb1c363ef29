package trie

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"github.com/kairo-dev/kairo/vm/felt"
)

// ProofNode is one node of a Merkle path, as starknet_getStorageProof lists
// them: a binary node {left, right} or an edge node {child, path, length}.
type ProofNode struct {
	Binary bool
	// Left and Right are the children's hashes of a binary node.
	Left, Right felt.Felt
	// Child, Path and Length describe an edge node: the child's hash, the
	// skipped bits as an integer, and their number.
	Child  felt.Felt
	Path   felt.Felt
	Length int
}

// Hash returns the node's hash under h.
func (n ProofNode) Hash(h HashFunc) felt.Felt {
	if n.Binary {
		return h(n.Left, n.Right)
	}
	return h(n.Child, n.Path).Add(felt.FromUint64(uint64(n.Length)))
}

type proofJSON struct {
	NodeHash string         `json:"node_hash"`
	Node     map[string]any `json:"node"`
}

// MarshalProof encodes a proof as JSON in the shape of Starknet's
// getStorageProof: a list of {"node_hash", "node": {"left", "right"} or
// {"child", "path", "length"}}, hex felts and a numeric length.
func MarshalProof(proof []ProofNode, h HashFunc) ([]byte, error) {
	out := make([]proofJSON, len(proof))
	for i, n := range proof {
		out[i].NodeHash = n.Hash(h).String()
		if n.Binary {
			out[i].Node = map[string]any{"left": n.Left.String(), "right": n.Right.String()}
		} else {
			out[i].Node = map[string]any{"child": n.Child.String(), "path": n.Path.String(), "length": n.Length}
		}
	}
	return json.MarshalIndent(out, "", "  ")
}

// UnmarshalProof parses MarshalProof's JSON strictly; node_hash is optional
// and, when present, must match the node.
func UnmarshalProof(data []byte, h HashFunc) ([]ProofNode, error) {
	type binJSON struct {
		Left  *string `json:"left"`
		Right *string `json:"right"`
	}
	type edgeJSON struct {
		Child  *string `json:"child"`
		Path   *string `json:"path"`
		Length *int    `json:"length"`
	}
	var raw []struct {
		NodeHash *string         `json:"node_hash"`
		Node     json.RawMessage `json:"node"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("proof: %w", err)
	}
	hexFelt := func(i int, field string, s *string) (felt.Felt, error) {
		if s == nil {
			return felt.Zero, fmt.Errorf("proof node %d: missing %q", i, field)
		}
		v, err := parseHexFelt(*s)
		if err != nil {
			return felt.Zero, fmt.Errorf("proof node %d: %q: %w", i, field, err)
		}
		return v, nil
	}
	proof := make([]ProofNode, len(raw))
	for i, r := range raw {
		if r.Node == nil {
			return nil, fmt.Errorf("proof node %d: missing \"node\"", i)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(r.Node, &keys); err != nil {
			return nil, fmt.Errorf("proof node %d: %w", i, err)
		}
		_, isBin := keys["left"]
		var err error
		if isBin {
			var b binJSON
			d := json.NewDecoder(bytes.NewReader(r.Node))
			d.DisallowUnknownFields()
			if err := d.Decode(&b); err != nil {
				return nil, fmt.Errorf("proof node %d: %w", i, err)
			}
			proof[i].Binary = true
			if proof[i].Left, err = hexFelt(i, "left", b.Left); err != nil {
				return nil, err
			}
			if proof[i].Right, err = hexFelt(i, "right", b.Right); err != nil {
				return nil, err
			}
		} else {
			var e edgeJSON
			d := json.NewDecoder(bytes.NewReader(r.Node))
			d.DisallowUnknownFields()
			if err := d.Decode(&e); err != nil {
				return nil, fmt.Errorf("proof node %d: %w", i, err)
			}
			if proof[i].Child, err = hexFelt(i, "child", e.Child); err != nil {
				return nil, err
			}
			if proof[i].Path, err = hexFelt(i, "path", e.Path); err != nil {
				return nil, err
			}
			if e.Length == nil {
				return nil, fmt.Errorf("proof node %d: missing \"length\"", i)
			}
			if *e.Length < 1 || *e.Length > Height {
				return nil, fmt.Errorf("proof node %d: length %d out of range [1, %d]", i, *e.Length, Height)
			}
			proof[i].Length = *e.Length
		}
		if r.NodeHash != nil {
			want, err := hexFelt(i, "node_hash", r.NodeHash)
			if err != nil {
				return nil, err
			}
			if got := proof[i].Hash(h); got != want {
				return nil, fmt.Errorf("proof node %d: node_hash %s, but the node hashes to %s", i, want, got)
			}
		}
	}
	return proof, nil
}

// parseHexFelt parses a 0x-prefixed hexadecimal felt, rejecting anything
// else and values of P or more.
func parseHexFelt(s string) (felt.Felt, error) {
	if len(s) < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || len(s) > 2+64 {
		return felt.Zero, fmt.Errorf("%q is not a 0x-prefixed hex felt", s)
	}
	for _, c := range s[2:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return felt.Zero, fmt.Errorf("%q is not a 0x-prefixed hex felt", s)
		}
	}
	var v big.Int
	if _, ok := v.SetString(s[2:], 16); !ok {
		return felt.Zero, fmt.Errorf("%q is not a 0x-prefixed hex felt", s)
	}
	if v.Cmp(felt.Prime()) >= 0 {
		return felt.Zero, fmt.Errorf("%q is not below the field prime", s)
	}
	return felt.FromBigInt(&v), nil
}

// ErrUncommitted reports a proof asked of a trie with pending changes.
var ErrUncommitted = errors.New("trie has uncommitted changes")

// Prove returns the nodes on the path from the root towards key, root
// first: a membership proof when key is set, otherwise a non-membership
// proof that ends at the edge the key leaves (empty for the empty trie).
func (t *Trie) Prove(key felt.Felt) ([]ProofNode, error) {
	if t.Dirty() {
		return nil, fmt.Errorf("trie: prove: %w", ErrUncommitted)
	}
	p, err := KeyPath(key)
	if err != nil {
		return nil, err
	}
	var proof []ProofNode
	n := t.root
	for n != nil {
		if err := t.resolve(n); err != nil {
			return nil, err
		}
		switch n.kind {
		case kindLeaf:
			return proof, nil
		case kindBinary:
			proof = append(proof, ProofNode{Binary: true, Left: n.child[0].hash, Right: n.child[1].hash})
			n = n.child[p.Bit(n.path.Len())]
		case kindEdge:
			proof = append(proof, ProofNode{Child: n.child[0].hash, Path: n.edge.Value(), Length: n.edge.Len()})
			d := n.path.Len()
			if p.Slice(d, d+n.edge.Len()) != n.edge {
				return proof, nil
			}
			n = n.child[0]
		}
	}
	return proof, nil
}

// VerifyProof checks that proof shows key holding value (0: key absent) in
// the trie whose root is root. It returns nil when the proof holds.
func VerifyProof(root, key, value felt.Felt, proof []ProofNode, h HashFunc) error {
	p, err := KeyPath(key)
	if err != nil {
		return err
	}
	if root.IsZero() {
		if len(proof) != 0 {
			return errors.New("proof: the trie is empty, but the proof has nodes")
		}
		if !value.IsZero() {
			return fmt.Errorf("proof: the trie is empty, so key %s holds 0, not %s", key, value)
		}
		return nil
	}
	want := root
	depth := 0
	for i, n := range proof {
		if depth == Height {
			return fmt.Errorf("proof: node %d lies below the leaf", i)
		}
		if got := n.Hash(h); got != want {
			return fmt.Errorf("proof: node %d hashes to %s, expected %s", i, got, want)
		}
		if n.Binary {
			if p.Bit(depth) == 0 {
				want = n.Left
			} else {
				want = n.Right
			}
			depth++
			continue
		}
		if n.Length < 1 || depth+n.Length > Height {
			return fmt.Errorf("proof: node %d: edge length %d at depth %d", i, n.Length, depth)
		}
		edge, err := PathFromValue(n.Path, n.Length)
		if err != nil {
			return fmt.Errorf("proof: node %d: %w", i, err)
		}
		if p.Slice(depth, depth+n.Length) != edge {
			// The key leaves the edge: it is absent.
			if i != len(proof)-1 {
				return fmt.Errorf("proof: node %d: the key leaves this edge, but the proof goes on", i)
			}
			if !value.IsZero() {
				return fmt.Errorf("proof: key %s is absent, not %s", key, value)
			}
			return nil
		}
		want = n.Child
		depth += n.Length
	}
	if depth != Height {
		return fmt.Errorf("proof: ends at depth %d, before the leaf", depth)
	}
	if value.IsZero() {
		return fmt.Errorf("proof: key %s holds %s, not 0", key, want)
	}
	if want != value {
		return fmt.Errorf("proof: key %s holds %s, not %s", key, want, value)
	}
	return nil
}
