package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// StorageProof proves the value of one storage key of one contract against
// the global roots, in the JSON shape of Starknet's
// starknet_getStorageProof result:
//
//	{"classes_proof": [],
//	 "contracts_proof": {"nodes": [NODE], "contract_leaves_data": [{"nonce", "class_hash", "storage_root"}]},
//	 "contracts_storage_proofs": [[NODE]],
//	 "global_roots": {"contracts_tree_root", "classes_tree_root", "block_hash"}}
//
// where NODE is {"node_hash", "node": {"left", "right"} | {"child", "path", "length"}}.
// The nodes of each list may come in any order.
type StorageProof struct {
	ContractsProof []trie.ProofNode
	StorageProof   []trie.ProofNode
	// The contract's leaf data; all zero for an absent contract.
	ClassHash, Nonce, StorageRoot felt.Felt
	ContractsRoot, ClassesRoot    felt.Felt
	BlockHash                     felt.Felt
}

type leafJSON struct {
	Nonce       *string `json:"nonce"`
	ClassHash   *string `json:"class_hash"`
	StorageRoot *string `json:"storage_root"`
}

type proofDoc struct {
	ClassesProof   json.RawMessage `json:"classes_proof"`
	ContractsProof *struct {
		Nodes              json.RawMessage `json:"nodes"`
		ContractLeavesData []leafJSON      `json:"contract_leaves_data"`
	} `json:"contracts_proof"`
	ContractsStorageProofs []json.RawMessage `json:"contracts_storage_proofs"`
	GlobalRoots            *struct {
		ContractsTreeRoot *string `json:"contracts_tree_root"`
		ClassesTreeRoot   *string `json:"classes_tree_root"`
		BlockHash         *string `json:"block_hash"`
	} `json:"global_roots"`
}

// MarshalJSON writes the proof in the getStorageProof shape.
func (p *StorageProof) MarshalJSON() ([]byte, error) {
	contracts, err := trie.MarshalProof(p.ContractsProof, hash.Pedersen)
	if err != nil {
		return nil, err
	}
	storage, err := trie.MarshalProof(p.StorageProof, hash.Pedersen)
	if err != nil {
		return nil, err
	}
	s := func(f felt.Felt) *string { v := f.String(); return &v }
	var doc proofDoc
	doc.ClassesProof = json.RawMessage("[]")
	doc.ContractsProof = &struct {
		Nodes              json.RawMessage `json:"nodes"`
		ContractLeavesData []leafJSON      `json:"contract_leaves_data"`
	}{contracts, []leafJSON{{s(p.Nonce), s(p.ClassHash), s(p.StorageRoot)}}}
	doc.ContractsStorageProofs = []json.RawMessage{storage}
	doc.GlobalRoots = &struct {
		ContractsTreeRoot *string `json:"contracts_tree_root"`
		ClassesTreeRoot   *string `json:"classes_tree_root"`
		BlockHash         *string `json:"block_hash"`
	}{s(p.ContractsRoot), s(p.ClassesRoot), s(p.BlockHash)}
	return json.MarshalIndent(doc, "", "  ")
}

// ParseStorageProof reads a proof of one contract and one key in the
// getStorageProof shape, strictly: unknown fields, missing fields,
// malformed felts, node hashes that do not match their nodes and trailing
// data are errors.
func ParseStorageProof(data []byte) (*StorageProof, error) {
	var doc proofDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("storage proof: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("storage proof: trailing data after the JSON object")
	}
	switch {
	case doc.ContractsProof == nil || doc.ContractsProof.Nodes == nil:
		return nil, errors.New(`storage proof: missing "contracts_proof.nodes"`)
	case len(doc.ContractsProof.ContractLeavesData) != 1:
		return nil, fmt.Errorf(`storage proof: "contracts_proof.contract_leaves_data" has %d entries, want 1`, len(doc.ContractsProof.ContractLeavesData))
	case len(doc.ContractsStorageProofs) != 1:
		return nil, fmt.Errorf(`storage proof: "contracts_storage_proofs" has %d lists, want 1`, len(doc.ContractsStorageProofs))
	case doc.GlobalRoots == nil:
		return nil, errors.New(`storage proof: missing "global_roots"`)
	}
	if doc.ClassesProof != nil {
		if nodes, err := trie.UnmarshalProof(doc.ClassesProof, hash.PoseidonHash); err != nil {
			return nil, fmt.Errorf("storage proof: classes_proof: %w", err)
		} else if len(nodes) != 0 {
			return nil, errors.New("storage proof: classes_proof: class proofs are not supported")
		}
	}
	p := &StorageProof{}
	var err error
	if p.ContractsProof, err = trie.UnmarshalProof(doc.ContractsProof.Nodes, hash.Pedersen); err != nil {
		return nil, fmt.Errorf("storage proof: contracts_proof.nodes: %w", err)
	}
	if p.StorageProof, err = trie.UnmarshalProof(doc.ContractsStorageProofs[0], hash.Pedersen); err != nil {
		return nil, fmt.Errorf("storage proof: contracts_storage_proofs[0]: %w", err)
	}
	leaf := doc.ContractsProof.ContractLeavesData[0]
	g := doc.GlobalRoots
	for _, fld := range []struct {
		name string
		src  *string
		dst  *felt.Felt
	}{
		{"contract_leaves_data[0].nonce", leaf.Nonce, &p.Nonce},
		{"contract_leaves_data[0].class_hash", leaf.ClassHash, &p.ClassHash},
		{"contract_leaves_data[0].storage_root", leaf.StorageRoot, &p.StorageRoot},
		{"global_roots.contracts_tree_root", g.ContractsTreeRoot, &p.ContractsRoot},
		{"global_roots.classes_tree_root", g.ClassesTreeRoot, &p.ClassesRoot},
		{"global_roots.block_hash", g.BlockHash, &p.BlockHash},
	} {
		if fld.src == nil {
			return nil, fmt.Errorf("storage proof: missing %q", fld.name)
		}
		if *fld.dst, err = parseHexFelt(*fld.src); err != nil {
			return nil, fmt.Errorf("storage proof: %s: %w", fld.name, err)
		}
	}
	return p, nil
}

// parseHexFelt parses a 0x-prefixed hex felt below P.
func parseHexFelt(s string) (felt.Felt, error) {
	if len(s) < 3 || len(s) > 66 || s[0] != '0' || s[1] != 'x' {
		return felt.Zero, fmt.Errorf("%q is not a 0x-prefixed hex felt", s)
	}
	for _, c := range s[2:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return felt.Zero, fmt.Errorf("%q is not a 0x-prefixed hex felt", s)
		}
	}
	f, err := felt.FromString(s)
	if err != nil {
		return felt.Zero, err
	}
	if f.BigInt().Text(16) != trimHex(s) {
		return felt.Zero, fmt.Errorf("%q is not below the field prime", s)
	}
	return f, nil
}

func trimHex(s string) string {
	t := bytes.ToLower([]byte(s[2:]))
	t = bytes.TrimLeft(t, "0")
	if len(t) == 0 {
		return "0"
	}
	return string(t)
}

// StateRoot returns the state root the proof's global roots commit to.
func (p *StorageProof) StateRoot(rule commitment.RootRule) felt.Felt {
	return commitment.StateRoot(p.ContractsRoot, p.ClassesRoot, rule)
}

// Verify checks the proof for the storage key of contract and returns the
// value it proves (0 for an absent key or contract).
func (p *StorageProof) Verify(contract, key felt.Felt) (felt.Felt, error) {
	absent := p.ClassHash.IsZero() && p.Nonce.IsZero() && p.StorageRoot.IsZero()
	leaf := felt.Zero
	if !absent {
		leaf = commitment.ContractLeaf(p.ClassHash, p.StorageRoot, p.Nonce)
	}
	nodes, err := orderProof(p.ContractsProof, p.ContractsRoot, contract)
	if err != nil {
		return felt.Zero, fmt.Errorf("contracts proof: %w", err)
	}
	if err := trie.VerifyProof(p.ContractsRoot, contract, leaf, nodes, hash.Pedersen); err != nil {
		return felt.Zero, fmt.Errorf("contracts proof of %s: %w", contract, err)
	}
	nodes, err = orderProof(p.StorageProof, p.StorageRoot, key)
	if err != nil {
		return felt.Zero, fmt.Errorf("storage proof: %w", err)
	}
	value := provenValue(nodes, key)
	if err := trie.VerifyProof(p.StorageRoot, key, value, nodes, hash.Pedersen); err != nil {
		return felt.Zero, fmt.Errorf("storage proof of key %s: %w", key, err)
	}
	return value, nil
}

// orderProof arranges a set of proof nodes as the path from root towards
// key, by following the hashes; nodes off the path are an error.
func orderProof(nodes []trie.ProofNode, root, key felt.Felt) ([]trie.ProofNode, error) {
	p, err := trie.KeyPath(key)
	if err != nil {
		return nil, err
	}
	byHash := make(map[felt.Felt]trie.ProofNode, len(nodes))
	for _, n := range nodes {
		byHash[n.Hash(hash.Pedersen)] = n
	}
	var out []trie.ProofNode
	want, depth := root, 0
	for depth < trie.Height {
		n, ok := byHash[want]
		if !ok {
			break
		}
		delete(byHash, want)
		out = append(out, n)
		if n.Binary {
			if p.Bit(depth) == 0 {
				want = n.Left
			} else {
				want = n.Right
			}
			depth++
			continue
		}
		edge, err := trie.PathFromValue(n.Path, n.Length)
		if err != nil || depth+n.Length > trie.Height || p.Slice(depth, depth+n.Length) != edge {
			break
		}
		want, depth = n.Child, depth+n.Length
	}
	if len(byHash) != 0 {
		return nil, fmt.Errorf("%d of %d nodes are not on the path of key %s", len(byHash), len(nodes), key)
	}
	return out, nil
}

// provenValue is the leaf an ordered proof reaches for key, 0 when the path
// leaves the trie before depth 251.
func provenValue(nodes []trie.ProofNode, key felt.Felt) felt.Felt {
	p, err := trie.KeyPath(key)
	if err != nil {
		return felt.Zero
	}
	depth := 0
	var want felt.Felt
	for _, n := range nodes {
		if n.Binary {
			if p.Bit(depth) == 0 {
				want = n.Left
			} else {
				want = n.Right
			}
			depth++
			continue
		}
		edge, err := trie.PathFromValue(n.Path, n.Length)
		if err != nil || depth+n.Length > trie.Height || p.Slice(depth, depth+n.Length) != edge {
			return felt.Zero
		}
		want, depth = n.Child, depth+n.Length
	}
	if depth != trie.Height {
		return felt.Zero
	}
	return want
}
