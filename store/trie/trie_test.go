package trie

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

func mustFelt(t testing.TB, s string) felt.Felt {
	t.Helper()
	v, err := felt.FromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEdgeNodeVector(t *testing.T) {
	data := shared.ReadVector(t, "starknet-state.json")
	var v struct {
		Edge []struct {
			Child, Path, Hash string
			Length            int
		} `json:"trie_edge_node"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Edge) == 0 {
		t.Fatal("no trie_edge_node vector")
	}
	for _, c := range v.Edge {
		n := ProofNode{Child: mustFelt(t, c.Child), Path: mustFelt(t, c.Path), Length: c.Length}
		if got, want := n.Hash(hash.Pedersen), mustFelt(t, c.Hash); got != want {
			t.Errorf("edge(%s, %s, %d) = %s, want %s", c.Child, c.Path, c.Length, got, want)
		}
	}
}

func TestEmptyAndSingleLeaf(t *testing.T) {
	tr, err := New(nil, hash.Pedersen)
	if err != nil {
		t.Fatal(err)
	}
	root, set, err := tr.Commit()
	if err != nil || !root.IsZero() || set.Len() != 0 {
		t.Fatalf("empty trie: root %s, %d updates, err %v; want 0, 0, nil", root, set.Len(), err)
	}
	key, val := felt.FromUint64(0x2a), felt.FromUint64(7)
	if err := tr.Put(key, val); err != nil {
		t.Fatal(err)
	}
	root, set, err = tr.Commit()
	if err != nil {
		t.Fatal(err)
	}
	// One leaf: the root is an edge of length 251 whose path is the key.
	want := hash.Pedersen(val, key).Add(felt.FromUint64(251))
	if root != want {
		t.Fatalf("single leaf root = %s, want %s", root, want)
	}
	if set.Len() != 1 || set.Updates[0].Path.Len() != 0 || set.Updates[0].Node.Kind != KindEdge {
		t.Fatalf("single leaf: updates %+v, want one edge at the root", set.Updates)
	}
	// Deleting it empties the trie and deletes the root record.
	if err := tr.Delete(key); err != nil {
		t.Fatal(err)
	}
	root, set, err = tr.Commit()
	if err != nil || !root.IsZero() {
		t.Fatalf("after delete: root %s, err %v", root, err)
	}
	if set.Len() != 1 || set.Updates[0].Node != nil {
		t.Fatalf("after delete: updates %+v, want the root's deletion", set.Updates)
	}
}

func TestKeyRange(t *testing.T) {
	tr, _ := New(nil, hash.Pedersen)
	big := felt.MustFromString("0x800000000000000000000000000000000000000000000000000000000000000") // 2^251
	if err := tr.Put(big, felt.One); err == nil {
		t.Fatal("Put(2^251) succeeded")
	}
	if err := tr.Put(big.Sub(felt.One), felt.One); err != nil {
		t.Fatalf("Put(2^251-1): %v", err)
	}
}

// randomKey returns keys of a few shapes: uniform, sharing a long prefix
// with a base key, or small.
func randomKey(r *rand.Rand, base [4]uint64) felt.Felt {
	switch r.IntN(3) {
	case 0:
		l := [4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64() >> 5}
		return felt.FromLimbs(l)
	case 1:
		l := base
		l[0] ^= uint64(r.IntN(16)) // differs in the last 4 bits
		if r.IntN(2) == 0 {
			l[r.IntN(4)] ^= 1 << r.IntN(59)
		}
		return felt.FromLimbs(l)
	default:
		return felt.FromUint64(uint64(r.IntN(64)))
	}
}

// runDifferential applies random batches to a stored trie, reopening it from
// its store after every commit, and checks every root against ComputeRoot,
// every Get against a map, and a few proofs.
func runDifferential(t testing.TB, seed uint64, batches, perBatch int, h HashFunc) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	base := [4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64() >> 5}
	store := NewMemoryStore()
	model := map[felt.Felt]felt.Felt{}
	var keys []felt.Felt
	for b := 0; b < batches; b++ {
		tr, err := New(store, h)
		if err != nil {
			t.Fatal(err)
		}
		tr.SetParallelism(r.IntN(3))
		for i := 0; i < perBatch; i++ {
			var k felt.Felt
			if len(keys) > 0 && r.IntN(3) == 0 {
				k = keys[r.IntN(len(keys))] // rewrite or delete an existing key
			} else {
				k = randomKey(r, base)
				keys = append(keys, k)
			}
			v := felt.FromUint64(uint64(r.IntN(4)))
			if r.IntN(2) == 0 {
				v = felt.FromUint64(r.Uint64())
			}
			if err := tr.Put(k, v); err != nil {
				t.Fatal(err)
			}
			if v.IsZero() {
				delete(model, k)
			} else {
				model[k] = v
			}
		}
		root, set, err := tr.Commit()
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(set.Updates); i++ {
			if set.Updates[i-1].Path.Compare(set.Updates[i].Path) >= 0 {
				t.Fatalf("seed %d batch %d: node set not in strictly increasing path order at %d: %q then %q", seed, b, i, set.Updates[i-1].Path, set.Updates[i].Path)
			}
		}
		if err := store.Apply(set); err != nil {
			t.Fatal(err)
		}
		leaves := make([]Leaf, 0, len(model))
		for k, v := range model {
			leaves = append(leaves, Leaf{k, v})
		}
		want, err := ComputeRoot(h, leaves)
		if err != nil {
			t.Fatal(err)
		}
		if root != want {
			t.Fatalf("seed %d batch %d: incremental root %s, from scratch %s (%d leaves)", seed, b, root, want, len(model))
		}
		// A fresh trie over the store sees the same root and values.
		fresh, err := New(store, h)
		if err != nil {
			t.Fatal(err)
		}
		if fresh.Root() != root {
			t.Fatalf("seed %d batch %d: reopened root %s, want %s", seed, b, fresh.Root(), root)
		}
		for i := 0; i < 4 && len(keys) > 0; i++ {
			k := keys[r.IntN(len(keys))]
			got, err := fresh.Get(k)
			if err != nil {
				t.Fatal(err)
			}
			if got != model[k] {
				t.Fatalf("seed %d batch %d: Get(%s) = %s, want %s", seed, b, k, got, model[k])
			}
			proof, err := fresh.Prove(k)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyProof(root, k, model[k], proof, h); err != nil {
				t.Fatalf("seed %d batch %d: proof of %s: %v", seed, b, k, err)
			}
			if err := VerifyProof(root, k, model[k].Add(felt.One), proof, h); err == nil {
				t.Fatalf("seed %d batch %d: proof of %s accepted a wrong value", seed, b, k)
			}
		}
	}
	// The store holds exactly the records reachable from the root.
	if got, want := store.Len(), countReachable(t, store, h); got != want {
		t.Fatalf("seed %d: store holds %d records, %d reachable from the root; deleted nodes leaked", seed, got, want)
	}
}

// countReachable counts the stored records reachable from the root.
func countReachable(t testing.TB, store *MemoryStore, h HashFunc) int {
	tr, err := New(store, h)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *mnode) int
	walk = func(n *mnode) int {
		if n == nil || n.kind == kindLeaf {
			return 0
		}
		if err := tr.resolve(n); err != nil {
			t.Fatal(err)
		}
		return 1 + walk(n.child[0]) + walk(n.child[1])
	}
	return walk(tr.root)
}

func TestDifferential(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 4
	}
	for s := 0; s < seeds; s++ {
		h := HashFunc(hash.Pedersen)
		if s%3 == 2 {
			h = hash.PoseidonHash
		}
		runDifferential(t, uint64(s), 8, 1+s*5, h)
	}
}

func FuzzDifferential(f *testing.F) {
	f.Add(uint64(1), uint8(5), uint8(10))
	f.Add(uint64(7), uint8(20), uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, batches, perBatch uint8) {
		runDifferential(t, seed, int(batches%12)+1, int(perBatch%40)+1, hash.PoseidonHash)
	})
}

// TestCommitAllMatchesCommit commits several tries together with
// hash.PedersenBatch, over several blocks, and checks every root and node
// set against the same changes committed trie by trie with hash.Pedersen,
// and every root against ComputeRoot.
func TestCommitAllMatchesCommit(t *testing.T) {
	const tries = 6
	r := rand.New(rand.NewPCG(21, 22))
	base := [4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64() >> 5}
	batchStores, singleStores := make([]*MemoryStore, tries), make([]*MemoryStore, tries)
	models := make([]map[felt.Felt]felt.Felt, tries)
	for i := range batchStores {
		batchStores[i], singleStores[i] = NewMemoryStore(), NewMemoryStore()
		models[i] = map[felt.Felt]felt.Felt{}
	}
	blocks := 6
	if testing.Short() {
		blocks = 3
	}
	for blk := 0; blk < blocks; blk++ {
		var batched []*Trie
		var singles []*Trie
		for i := 0; i < tries; i++ {
			bt, err := New(batchStores[i], hash.Pedersen)
			if err != nil {
				t.Fatal(err)
			}
			st, err := New(singleStores[i], hash.Pedersen)
			if err != nil {
				t.Fatal(err)
			}
			// Trie 0 stays untouched after the first block; the others get
			// from 1 to a few hundred writes, some of them deletions.
			writes := 0
			if i > 0 || blk == 0 {
				writes = 1 + r.IntN(60*i+1)
			}
			for w := 0; w < writes; w++ {
				k := randomKey(r, base)
				v := felt.FromUint64(r.Uint64())
				if r.IntN(5) == 0 {
					v = felt.Zero
				}
				if err := bt.Put(k, v); err != nil {
					t.Fatal(err)
				}
				if err := st.Put(k, v); err != nil {
					t.Fatal(err)
				}
				if v.IsZero() {
					delete(models[i], k)
				} else {
					models[i][k] = v
				}
			}
			batched, singles = append(batched, bt), append(singles, st)
		}
		roots, sets, err := CommitAll(hash.PedersenBatch, 1+blk%3, batched...)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < tries; i++ {
			root, set, err := singles[i].Commit()
			if err != nil {
				t.Fatal(err)
			}
			if roots[i] != root {
				t.Fatalf("block %d trie %d: CommitAll root %s, Commit root %s", blk, i, roots[i], root)
			}
			if len(sets[i].Updates) != len(set.Updates) {
				t.Fatalf("block %d trie %d: CommitAll wrote %d nodes, Commit %d", blk, i, len(sets[i].Updates), len(set.Updates))
			}
			for j, u := range set.Updates {
				v := sets[i].Updates[j]
				if u.Path != v.Path || (u.Node == nil) != (v.Node == nil) || (u.Node != nil && *u.Node != *v.Node) {
					t.Fatalf("block %d trie %d: update %d differs: %+v vs %+v", blk, i, j, v, u)
				}
			}
			leaves := make([]Leaf, 0, len(models[i]))
			for k, v := range models[i] {
				leaves = append(leaves, Leaf{k, v})
			}
			want, err := ComputeRoot(hash.Pedersen, leaves)
			if err != nil {
				t.Fatal(err)
			}
			if root != want {
				t.Fatalf("block %d trie %d: root %s, from scratch %s", blk, i, root, want)
			}
			if err := batchStores[i].Apply(sets[i]); err != nil {
				t.Fatal(err)
			}
			if err := singleStores[i].Apply(set); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestCommitAllErrors(t *testing.T) {
	if _, _, err := CommitAll(nil, 1); err == nil {
		t.Fatal("CommitAll with a nil batch function succeeded")
	}
	// A store whose root names a child that is missing fails with the
	// index of its trie.
	good, err := New(nil, hash.Pedersen)
	if err != nil {
		t.Fatal(err)
	}
	st := NewMemoryStore()
	src, _ := New(nil, hash.Pedersen)
	for _, k := range []uint64{1, 2, 3} {
		if err := src.Put(felt.FromUint64(k), felt.One); err != nil {
			t.Fatal(err)
		}
	}
	_, set, err := src.Commit()
	if err != nil {
		t.Fatal(err)
	}
	var kept NodeSet
	for _, u := range set.Updates {
		if u.Path.Len() == 0 || u.Node.Kind == KindEdge && u.Path.Len() < 200 {
			kept.Updates = append(kept.Updates, u)
		}
	}
	if err := st.Apply(&kept); err != nil {
		t.Fatal(err)
	}
	broken, err := New(st, hash.Pedersen)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range []*Trie{good, broken} {
		if err := tr.Put(felt.FromUint64(2), felt.FromUint64(9)); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err = CommitAll(hash.PedersenBatch, 2, good, broken)
	var te *TrieError
	if !errors.As(err, &te) || te.Index != 1 {
		t.Fatalf("CommitAll over a broken store: %v, want a TrieError of index 1", err)
	}
}

// TestNewAt checks that a trie opened with its root's hash reads and
// commits as one opened from its root record, that a wrong hash fails at
// the first read, and that a zero root opens the stored trie as New does.
func TestNewAt(t *testing.T) {
	st := NewMemoryStore()
	src, err := New(nil, hash.Pedersen)
	if err != nil {
		t.Fatal(err)
	}
	for k := range uint64(40) {
		if err := src.Put(felt.FromUint64(k*k+1), felt.FromUint64(k+7)); err != nil {
			t.Fatal(err)
		}
	}
	root, set, err := src.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(set); err != nil {
		t.Fatal(err)
	}
	want, err := New(st, hash.Pedersen)
	if err != nil {
		t.Fatal(err)
	}
	if err := want.Put(felt.FromUint64(5), felt.FromUint64(55)); err != nil {
		t.Fatal(err)
	}
	wantRoot, _, err := want.Commit()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		root    felt.Felt
		wantErr bool
	}{
		{"right root", root, false},
		{"zero root reads the root record", felt.Zero, false},
		{"wrong root", root.Add(felt.One), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := NewAt(st, hash.Pedersen, tc.root)
			if err != nil {
				t.Fatal(err)
			}
			v, err := tr.Get(felt.FromUint64(3*3 + 1))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Get under a wrong root hash = %s, want an error", v)
				}
				return
			}
			if err != nil || v != felt.FromUint64(3+7) {
				t.Fatalf("Get = %s, %v; want %d", v, err, 3+7)
			}
			if err := tr.Put(felt.FromUint64(5), felt.FromUint64(55)); err != nil {
				t.Fatal(err)
			}
			got, _, err := tr.Commit()
			if err != nil || got != wantRoot {
				t.Fatalf("Commit = %s, %v; want %s", got, err, wantRoot)
			}
		})
	}
}

// TestSplit checks that Split computes every hash of a batch exactly once,
// whatever the number of workers and the size of the batch.
func TestSplit(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{
		{0, 2}, {1, 2}, {63, 2}, {200, 1}, {200, 2}, {513, 2}, {1025, 3}, {5000, 2}, {5000, 8},
	} {
		a, b, dst := make([]felt.Felt, tc.n), make([]felt.Felt, tc.n), make([]felt.Felt, tc.n)
		for i := range tc.n {
			a[i], b[i] = felt.FromUint64(uint64(i)), felt.FromUint64(uint64(3*i+1))
		}
		var calls atomic.Int64
		BatchHashFunc(func(d, x, y []felt.Felt) {
			for i := range d {
				if !d[i].IsZero() {
					t.Errorf("n=%d workers=%d: a hash computed twice", tc.n, tc.workers)
				}
				d[i] = hash.Pedersen(x[i], y[i])
				calls.Add(1)
			}
		}).Split(tc.workers, dst, a, b)
		if calls.Load() != int64(tc.n) {
			t.Errorf("n=%d workers=%d: %d hashes computed, want %d", tc.n, tc.workers, calls.Load(), tc.n)
		}
		for i := range tc.n {
			if want := hash.Pedersen(a[i], b[i]); dst[i] != want {
				t.Fatalf("n=%d workers=%d: dst[%d] = %s, want %s", tc.n, tc.workers, i, dst[i], want)
			}
		}
	}
}
