package commitment

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

func vectorFile(t testing.TB) []byte {
	t.Helper()
	return shared.ReadVector(t, "starknet-state.json")
}

func sections(t testing.TB) map[string]json.RawMessage {
	var v map[string]json.RawMessage
	if err := json.Unmarshal(vectorFile(t), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMainnetBlock0(t *testing.T) {
	raw, ok := sections(t)["starknet_mainnet_block_0"]
	if !ok {
		t.Fatal("no starknet_mainnet_block_0 section")
	}
	d, err := ParseStateDiff(raw)
	if err != nil {
		t.Fatalf("ParseStateDiff(block 0): %v", err)
	}
	if len(d.Contracts) != 5 || d.ExpectedContractsTrieRoot == nil || d.ExpectedStateRoot == nil {
		t.Fatalf("block 0 parsed as %d contracts, expectations %v %v", len(d.Contracts), d.ExpectedContractsTrieRoot, d.ExpectedStateRoot)
	}
	for _, workers := range []int{1, 4} {
		state := NewMemoryState()
		res, err := NewCommitter(state, WithWorkers(workers), WithRootRule(RootRuleLegacy)).Commit(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Check(d); err != nil {
			t.Fatalf("block 0 (%d workers): %v", workers, err)
		}
		for i, c := range d.Contracts {
			if c.ExpectedStorageRoot == nil || res.Contracts[i].StorageRoot != *c.ExpectedStorageRoot {
				t.Fatalf("contract %s: storage root %s, expected %v", c.Address, res.Contracts[i].StorageRoot, c.ExpectedStorageRoot)
			}
		}
		want := felt.MustFromString("0x21870ba80540e7831fb21c591ee93481f5ae1bb71ff85a86ddd465be4eddee6")
		if res.ContractsRoot != want || res.StateRoot != want || !res.ClassesRoot.IsZero() {
			t.Fatalf("roots: contracts %s state %s classes %s", res.ContractsRoot, res.StateRoot, res.ClassesRoot)
		}
		// Under the 0.14 rule the same tries give poseidon_hash_many.
		if got := StateRoot(res.ContractsRoot, res.ClassesRoot, RootRuleV014); got == want {
			t.Fatal("RootRuleV014 gave the legacy root")
		}
		// Persist, reopen, and check every storage root from the stored tries.
		if err := state.Apply(res); err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Contracts {
			tr, err := trie.New(state.TrieNodes(TrieID{Kind: StorageTrie, Address: c.Address}), hash.Pedersen)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Root() != c.StorageRoot {
				t.Fatalf("stored storage root of %s = %s, want %s", c.Address, tr.Root(), c.StorageRoot)
			}
		}
	}
}

func TestGlobalRootRule(t *testing.T) {
	var rule struct {
		StateV0 string `json:"STARKNET_STATE_V0"`
		LeafV0  string `json:"CONTRACT_CLASS_LEAF_V0"`
		Checks  []struct {
			About, Hash string
		} `json:"consistency_checks"`
	}
	if err := json.Unmarshal(sections(t)["global_root_rule"], &rule); err != nil {
		t.Fatal(err)
	}
	if felt.MustFromString(rule.StateV0) != StarknetStateV0 || felt.MustFromString(rule.LeafV0) != ContractClassLeafV0 {
		t.Fatal("short-string constants differ from the vector file")
	}
	if len(rule.Checks) != 2 {
		t.Fatalf("want 2 consistency checks, have %d", len(rule.Checks))
	}
	block0 := felt.MustFromString("0x21870ba80540e7831fb21c591ee93481f5ae1bb71ff85a86ddd465be4eddee6")
	if got, want := StateRoot(block0, felt.One, RootRuleV014), felt.MustFromString(rule.Checks[0].Hash); got != want {
		t.Errorf("%s: got %s, want %s", rule.Checks[0].About, got, want)
	}
	if got, want := StateRoot(block0, felt.One, RootRuleLegacy), felt.MustFromString(rule.Checks[0].Hash); got != want {
		t.Errorf("legacy rule with a classes root: got %s, want %s", got, want)
	}
	if got, want := ClassLeaf(felt.One), felt.MustFromString(rule.Checks[1].Hash); got != want {
		t.Errorf("%s: got %s, want %s", rule.Checks[1].About, got, want)
	}
	tests := []struct {
		name            string
		contracts, cls  felt.Felt
		rule            RootRule
		wantZero, equal bool
	}{
		{"both zero", felt.Zero, felt.Zero, RootRuleV014, true, true},
		{"both zero legacy", felt.Zero, felt.Zero, RootRuleLegacy, true, true},
		{"classes zero legacy", block0, felt.Zero, RootRuleLegacy, false, true},
		{"classes zero v0.14", block0, felt.Zero, RootRuleV014, false, false},
	}
	for _, tc := range tests {
		got := StateRoot(tc.contracts, tc.cls, tc.rule)
		if got.IsZero() != tc.wantZero || (got == tc.contracts) != tc.equal {
			t.Errorf("%s: StateRoot = %s", tc.name, got)
		}
	}
}

// TestIncrementalCommits checks that committing diffs one after another
// over stored tries gives the roots of committing their union at once.
func TestIncrementalCommits(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	addrs := make([]felt.Felt, 12)
	for i := range addrs {
		addrs[i] = felt.FromUint64(r.Uint64() >> 1)
	}
	state := NewMemoryState()
	committer := NewCommitter(state, WithWorkers(3))
	final := map[felt.Felt]map[felt.Felt]felt.Felt{}
	nonces := map[felt.Felt]felt.Felt{}
	classes := map[felt.Felt]felt.Felt{}
	var res *Result
	for block := 0; block < 6; block++ {
		d := &StateDiff{}
		for _, a := range addrs[:4+block] {
			if r.IntN(3) == 0 && block > 0 {
				continue
			}
			cd := ContractDiff{Address: a}
			if _, ok := final[a]; !ok {
				final[a] = map[felt.Felt]felt.Felt{}
				ch := felt.FromUint64(0xc1a55)
				cd.ClassHash = &ch
			}
			if r.IntN(2) == 0 {
				n := felt.FromUint64(uint64(block + 1))
				cd.Nonce = &n
				nonces[a] = n
			}
			for k := 0; k < 5; k++ {
				key := felt.FromUint64(uint64(r.IntN(20)))
				val := felt.FromUint64(uint64(r.IntN(3)))
				if dup := func() bool {
					for _, w := range cd.Storage {
						if w.Key == key {
							return true
						}
					}
					return false
				}(); dup {
					continue
				}
				cd.Storage = append(cd.Storage, StorageWrite{key, val})
				final[a][key] = val
			}
			d.Contracts = append(d.Contracts, cd)
		}
		ch := felt.FromUint64(uint64(100 + block))
		d.Classes = []ClassDiff{{ClassHash: ch, CompiledClassHash: felt.FromUint64(uint64(block))}}
		classes[ch] = felt.FromUint64(uint64(block))
		var err error
		if res, err = committer.Commit(d); err != nil {
			t.Fatal(err)
		}
		if err := state.Apply(res); err != nil {
			t.Fatal(err)
		}
	}
	// Recompute everything from scratch.
	var contractLeaves, classLeaves []trie.Leaf
	for a, kv := range final {
		var leaves []trie.Leaf
		for k, v := range kv {
			leaves = append(leaves, trie.Leaf{Key: k, Value: v})
		}
		sr, err := trie.ComputeRoot(hash.Pedersen, leaves)
		if err != nil {
			t.Fatal(err)
		}
		contractLeaves = append(contractLeaves, trie.Leaf{Key: a, Value: ContractLeaf(felt.FromUint64(0xc1a55), sr, nonces[a])})
	}
	for ch, cch := range classes {
		v := felt.Zero
		if !cch.IsZero() {
			v = ClassLeaf(cch)
		}
		classLeaves = append(classLeaves, trie.Leaf{Key: ch, Value: v})
	}
	cr, _ := trie.ComputeRoot(hash.Pedersen, contractLeaves)
	kr, _ := trie.ComputeRoot(hash.PoseidonHash, classLeaves)
	if cr != res.ContractsRoot || kr != res.ClassesRoot {
		t.Fatalf("incremental roots %s / %s, from scratch %s / %s", res.ContractsRoot, res.ClassesRoot, cr, kr)
	}
	if want := StateRoot(cr, kr, RootRuleV014); res.StateRoot != want {
		t.Fatalf("state root %s, want %s", res.StateRoot, want)
	}
}

// TestCommitErrors checks that a store missing a node of one storage trie
// fails the commit with an error naming that contract, and that a failing
// contract read is reported.
func TestCommitErrors(t *testing.T) {
	good, bad := felt.FromUint64(0x51), felt.FromUint64(0x52)
	state := NewMemoryState()
	d := &StateDiff{}
	for _, a := range []felt.Felt{good, bad} {
		cd := ContractDiff{Address: a}
		for k := uint64(1); k <= 3; k++ {
			cd.Storage = append(cd.Storage, StorageWrite{Key: felt.FromUint64(k), Value: felt.FromUint64(k + 10)})
		}
		d.Contracts = append(d.Contracts, cd)
	}
	res, err := NewCommitter(state).Commit(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := state.Apply(res); err != nil {
		t.Fatal(err)
	}
	// Delete every non-root node of bad's storage trie.
	for _, tn := range res.Nodes {
		if tn.ID.Kind != StorageTrie || tn.ID.Address != bad {
			continue
		}
		var del trie.NodeSet
		for _, u := range tn.Nodes.Updates {
			if u.Path.Len() > 0 {
				del.Updates = append(del.Updates, trie.NodeUpdate{Path: u.Path})
			}
		}
		if err := state.tries[tn.ID].Apply(&del); err != nil {
			t.Fatal(err)
		}
	}
	next := &StateDiff{Contracts: []ContractDiff{
		{Address: good, Storage: []StorageWrite{{Key: felt.FromUint64(2), Value: felt.FromUint64(99)}}},
		{Address: bad, Storage: []StorageWrite{{Key: felt.FromUint64(2), Value: felt.FromUint64(99)}}},
	}}
	_, err = NewCommitter(state).Commit(next)
	if err == nil || !strings.Contains(err.Error(), "storage trie of "+bad.String()) {
		t.Fatalf("commit over a damaged storage trie: %v, want an error naming %s", err, bad)
	}
	if strings.Contains(err.Error(), good.String()) {
		t.Fatalf("error names the undamaged contract: %v", err)
	}

	_, err = NewCommitter(failingReader{state}).Commit(next)
	if err == nil || !strings.Contains(err.Error(), "contract read failed") {
		t.Fatalf("commit with a failing contract read: %v", err)
	}
}

// failingReader is a Reader whose contract reads fail.
type failingReader struct{ *MemoryState }

func (failingReader) Contract(felt.Felt) (felt.Felt, felt.Felt, error) {
	return felt.Zero, felt.Zero, errors.New("contract read failed")
}

// rootReader is a ContractStateReader over a MemoryState; shift is added
// to every storage root it reports.
type rootReader struct {
	*MemoryState
	shift felt.Felt
}

func (r rootReader) ContractState(address felt.Felt) (ContractState, error) {
	c, ok := r.MemoryState.ContractState(address)
	if !ok {
		return ContractState{Address: address}, nil
	}
	if !c.StorageRoot.IsZero() {
		c.StorageRoot = c.StorageRoot.Add(r.shift)
	}
	return c, nil
}

// TestContractStateReader checks that a committer over a
// ContractStateReader, which opens the storage tries with their roots'
// hashes, commits what one over a plain Reader does, and that a wrong
// storage root fails the commit instead of giving a root.
func TestContractStateReader(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	diff := func(contracts int) *StateDiff {
		d := &StateDiff{}
		for c := range contracts {
			cd := ContractDiff{Address: felt.FromUint64(0x100 + uint64(c))}
			for range 20 {
				cd.Storage = append(cd.Storage, StorageWrite{Key: felt.FromUint64(r.Uint64() >> 20), Value: felt.FromUint64(r.Uint64())})
			}
			d.Contracts = append(d.Contracts, cd)
		}
		return d
	}
	state := NewMemoryState()
	res, err := NewCommitter(state).Commit(diff(4))
	if err != nil {
		t.Fatal(err)
	}
	if err := state.Apply(res); err != nil {
		t.Fatal(err)
	}
	next := diff(6) // 4 contracts with storage, 2 new ones
	want, err := NewCommitter(state).Commit(next)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		shift   felt.Felt
		wantErr bool
	}{
		{"stored roots", felt.Zero, false},
		{"wrong roots", felt.One, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewCommitter(rootReader{state, tc.shift}).Commit(next)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("commit under wrong storage roots: state root %s, want an error", got.StateRoot)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.StateRoot != want.StateRoot || got.ContractsRoot != want.ContractsRoot {
				t.Fatalf("roots %s / %s, want %s / %s", got.StateRoot, got.ContractsRoot, want.StateRoot, want.ContractsRoot)
			}
		})
	}
}

// TestStorageSink checks that a committer handing the storage tries' node
// sets to a sink, in any number of groups, gives the roots and, sink and
// result together, the node sets of a plain commit, each storage trie's
// once and the groups in diff order.
func TestStorageSink(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	d := &StateDiff{Classes: []ClassDiff{{ClassHash: felt.FromUint64(9), CompiledClassHash: felt.FromUint64(10)}}}
	for c := range 9 {
		cd := ContractDiff{Address: felt.FromUint64(0x200 + uint64(c))}
		for range 1 + c%3*10 { // contract 0x200 + 3k writes 1 key
			cd.Storage = append(cd.Storage, StorageWrite{Key: felt.FromUint64(r.Uint64() >> 4), Value: felt.FromUint64(r.Uint64())})
		}
		d.Contracts = append(d.Contracts, cd)
	}
	want, err := NewCommitter(NewMemoryState()).Commit(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, groups := range []int{1, 2, 3, 4, 9, 20} {
		var sunk []TrieNodes
		calls := 0
		got, err := NewCommitter(NewMemoryState(), WithStorageSink(groups, func(sets []TrieNodes) {
			if len(sets) == 0 {
				t.Errorf("%d groups: an empty group", groups)
			}
			sunk = append(sunk, sets...)
			calls++
		})).Commit(d)
		if err != nil {
			t.Fatal(err)
		}
		if got.StateRoot != want.StateRoot {
			t.Fatalf("%d groups: state root %s, want %s", groups, got.StateRoot, want.StateRoot)
		}
		// Equal shares of 9 contracts: 3 groups of 3, 4 of 3, 2, 2, 2.
		if wantCalls := min(groups, 9); calls != wantCalls {
			t.Errorf("%d groups: %d calls of the sink, want %d", groups, calls, wantCalls)
		}
		all := append(sunk, got.Nodes...)
		if len(all) != len(want.Nodes) {
			t.Fatalf("%d groups: %d node sets, want %d", groups, len(all), len(want.Nodes))
		}
		for i, tn := range all {
			if tn.ID != want.Nodes[i].ID || !reflect.DeepEqual(tn.Nodes.Updates, want.Nodes[i].Nodes.Updates) {
				t.Fatalf("%d groups: node set %d is %s with %d updates, want %s with %d", groups, i, tn.ID, tn.Nodes.Len(), want.Nodes[i].ID, want.Nodes[i].Nodes.Len())
			}
		}
		for _, tn := range got.Nodes {
			if tn.ID.Kind == StorageTrie {
				t.Fatalf("%d groups: %s in the result, not the sink", groups, tn.ID)
			}
		}
	}
}
