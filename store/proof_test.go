package store

import (
	"strings"
	"testing"
)

const sampleProof = `{
  "classes_proof": [],
  "contracts_proof": {
    "nodes": [{"node": {"child": "0x1", "path": "0x1", "length": 1}}],
    "contract_leaves_data": [{"nonce": "0x0", "class_hash": "0x1", "storage_root": "0x0"}]
  },
  "contracts_storage_proofs": [[]],
  "global_roots": {"contracts_tree_root": "0x5", "classes_tree_root": "0x0", "block_hash": "0x7"}
}`

func TestParseStorageProofErrors(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"empty", "", "storage proof"},
		{"not an object", "[]", "storage proof"},
		{"unknown field", `{"extra": 1}`, "unknown field"},
		{"no contracts proof", `{"contracts_storage_proofs": [[]], "global_roots": {}}`, "contracts_proof"},
		{"bad node hash", strings.Replace(sampleProof, `{"node":`, `{"node_hash": "0x1", "node":`, 1), "node_hash"},
		{"decimal felt", strings.Replace(sampleProof, `"block_hash": "0x7"`, `"block_hash": "7"`, 1), "block_hash"},
		{"felt above prime", strings.Replace(sampleProof, `"block_hash": "0x7"`, `"block_hash": "0x800000000000011000000000000000000000000000000000000000000000001"`, 1), "prime"},
		{"trailing", sampleProof + "{}", "trailing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseStorageProof([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func FuzzParseStorageProof(f *testing.F) {
	f.Add([]byte(sampleProof))
	f.Add([]byte(`{"contracts_proof": {"nodes": [], "contract_leaves_data": [{}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseStorageProof(data)
		if err != nil {
			return
		}
		// A parsed proof re-encodes and parses back to the same proof.
		js, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParseStorageProof(js)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, js)
		}
		if q.ContractsRoot != p.ContractsRoot || q.StorageRoot != p.StorageRoot || len(q.ContractsProof) != len(p.ContractsProof) || len(q.StorageProof) != len(p.StorageProof) {
			t.Fatalf("round trip changed the proof")
		}
		p.Verify(p.ContractsRoot, p.StorageRoot) // must not panic
	})
}
