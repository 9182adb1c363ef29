package commitment

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// Short strings of the commitment, as felts.
var (
	// StarknetStateV0 is the short string "STARKNET_STATE_V0".
	StarknetStateV0 = felt.MustFromString("0x535441524b4e45545f53544154455f5630")
	// ContractClassLeafV0 is the short string "CONTRACT_CLASS_LEAF_V0".
	ContractClassLeafV0 = felt.MustFromString("0x434f4e54524143545f434c4153535f4c4541465f5630")
)

// ContractLeaf returns a contract's leaf in the contracts trie:
// Pedersen(Pedersen(Pedersen(class_hash, storage_root), nonce), 0).
func ContractLeaf(classHash, storageRoot, nonce felt.Felt) felt.Felt {
	return hash.Pedersen(hash.Pedersen(hash.Pedersen(classHash, storageRoot), nonce), felt.Zero)
}

// ClassLeaf returns a class's leaf in the classes trie:
// poseidon_hash("CONTRACT_CLASS_LEAF_V0", compiled_class_hash).
func ClassLeaf(compiledClassHash felt.Felt) felt.Felt {
	return hash.PoseidonHash(ContractClassLeafV0, compiledClassHash)
}

// RootRule chooses how the state root treats empty tries.
type RootRule uint8

const (
	// RootRuleV014 is Starknet's rule since 0.14.0: the state root is 0
	// when both roots are 0, otherwise poseidon_hash_many(
	// ["STARKNET_STATE_V0", contracts_root, classes_root]).
	RootRuleV014 RootRule = iota
	// RootRuleLegacy is the rule before 0.14.0: a zero classes root makes
	// the state root the contracts root (so block 0's state root is its
	// contracts-trie root); otherwise as RootRuleV014.
	RootRuleLegacy
)

// StateRoot combines the two roots into the global state root.
func StateRoot(contractsRoot, classesRoot felt.Felt, rule RootRule) felt.Felt {
	switch {
	case contractsRoot.IsZero() && classesRoot.IsZero():
		return felt.Zero
	case classesRoot.IsZero() && rule == RootRuleLegacy:
		return contractsRoot
	}
	return hash.PoseidonHashMany([]felt.Felt{StarknetStateV0, contractsRoot, classesRoot})
}

// TrieKind names one of the state's tries.
type TrieKind uint8

// The tries of the state.
const (
	ContractsTrie TrieKind = iota // Pedersen, keyed by address
	ClassesTrie                   // Poseidon, keyed by class hash
	StorageTrie                   // Pedersen, one per contract, keyed by storage key
)

// TrieID identifies one trie: Address is set for a StorageTrie only.
type TrieID struct {
	Kind    TrieKind
	Address felt.Felt
}

func (id TrieID) String() string {
	switch id.Kind {
	case ContractsTrie:
		return "contracts trie"
	case ClassesTrie:
		return "classes trie"
	default:
		return "storage trie of " + id.Address.String()
	}
}

// Reader is what a Committer reads from the committed state.
type Reader interface {
	// TrieNodes returns the node reader of a trie (nil: the trie is empty).
	TrieNodes(id TrieID) trie.NodeReader
	// Contract returns the class hash and nonce of the contract at address,
	// zeros when there is none.
	Contract(address felt.Felt) (classHash, nonce felt.Felt, err error)
}

// ContractStateReader is a Reader that also reads a contract's storage root. The
// committer then opens each storage trie knowing its root's hash, so that
// the reader's trie.NodeReader may serve the root from a cache
// (trie.HashedNodeReader), and a contract without storage reads nothing.
type ContractStateReader interface {
	Reader
	// ContractState returns the class hash, nonce and storage root of the
	// contract at address, zeros when there is none.
	ContractState(address felt.Felt) (ContractState, error)
}

// ContractState is a contract after a commit.
type ContractState struct {
	Address     felt.Felt
	ClassHash   felt.Felt
	Nonce       felt.Felt
	StorageRoot felt.Felt
}

// TrieNodes is the node set one trie's commit produced.
type TrieNodes struct {
	ID    TrieID
	Nodes *trie.NodeSet
}

// Result is everything a commit produced.
type Result struct {
	// Contracts lists the diff's contracts in diff order, with their new
	// class hash, nonce and storage root.
	Contracts     []ContractState
	ContractsRoot felt.Felt
	ClassesRoot   felt.Felt
	StateRoot     felt.Felt
	// Nodes holds the node sets to persist, one per changed trie: storage
	// tries in diff order, then the contracts trie, then the classes trie.
	Nodes []TrieNodes
}

// Check compares the result with the roots the diff expects, if any, and
// returns an error listing every mismatch.
func (r *Result) Check(d *StateDiff) error {
	var errs []error
	for i, c := range d.Contracts {
		if c.ExpectedStorageRoot != nil && i < len(r.Contracts) && r.Contracts[i].StorageRoot != *c.ExpectedStorageRoot {
			errs = append(errs, fmt.Errorf("contract %s: storage root %s, expected %s", c.Address, r.Contracts[i].StorageRoot, *c.ExpectedStorageRoot))
		}
	}
	if e := d.ExpectedContractsTrieRoot; e != nil && r.ContractsRoot != *e {
		errs = append(errs, fmt.Errorf("contracts-trie root %s, expected %s", r.ContractsRoot, *e))
	}
	if e := d.ExpectedStateRoot; e != nil && r.StateRoot != *e {
		errs = append(errs, fmt.Errorf("state root %s, expected %s", r.StateRoot, *e))
	}
	return errors.Join(errs...)
}

// Committer applies state diffs on top of the state a Reader holds.
type Committer struct {
	reader  Reader
	workers int
	rule    RootRule
	// groups and sink: see WithStorageSink
	groups int
	sink   func([]TrieNodes)
}

// Option configures a Committer.
type Option func(*Committer)

// WithWorkers bounds the number of storage tries committed at once
// (default GOMAXPROCS).
func WithWorkers(n int) Option { return func(c *Committer) { c.workers = max(n, 1) } }

// WithRootRule selects the state-root rule (default RootRuleV014).
func WithRootRule(r RootRule) Option { return func(c *Committer) { c.rule = r } }

// WithStorageSink makes Commit hash the storage tries in up to groups
// groups and hand each group's node sets to sink as soon as they are
// final, from the committing goroutine, while it goes on with the next
// group: a caller can persist them beside the hashing. Those sets are then
// not in Result.Nodes. The groups follow the diff's order, each an equal
// share of the contracts left: the caller starts persisting after the
// first group, and the last one, persisted after the hashing, is small.
// sink must not keep the goroutine long (it should pass the sets on to a
// goroutine of its own).
func WithStorageSink(groups int, sink func([]TrieNodes)) Option {
	return func(c *Committer) { c.groups, c.sink = max(groups, 1), sink }
}

// NewCommitter returns a Committer over reader.
func NewCommitter(reader Reader, opts ...Option) *Committer {
	c := &Committer{reader: reader, workers: runtime.GOMAXPROCS(0)}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Commit applies d and returns the new roots and the nodes to persist. It
// does not modify the Reader's state: the caller writes Result.Nodes (and
// its own flat state) in one transaction.
//
// The storage tries are opened and updated in parallel, then committed
// together (trie.CommitAll): the dirty nodes of every storage trie of the
// block are hashed height by height in large batches with
// hash.PedersenBatch, on all the workers (with a sink, one group of tries
// per worker at a time: commitStorage). The contract leaves follow in
// three batches, each split over the workers, then the contracts trie,
// beside the classes trie.
func (c *Committer) Commit(d *StateDiff) (*Result, error) {
	res := &Result{Contracts: make([]ContractState, len(d.Contracts))}

	// The classes trie (Poseidon) is independent of the rest.
	var classErr error
	var classSet *trie.NodeSet
	var cwg sync.WaitGroup
	cwg.Add(1)
	go func() {
		defer cwg.Done()
		res.ClassesRoot, classSet, classErr = c.commitClasses(d.Classes)
	}()
	defer cwg.Wait()

	// Open the storage tries and buffer their writes, in parallel: this
	// reads each contract and its trie's root. The first job opens the
	// contracts trie and reads the paths to the diff's contracts, so that
	// after the storage tries it is only hashed.
	tries := make([]*trie.Trie, len(d.Contracts))
	errs := make([]error, len(d.Contracts))
	var contracts *trie.Trie
	var contractsErr error
	parallel(len(d.Contracts)+1, c.workers, func(i int) {
		if i == 0 {
			contracts, contractsErr = c.openContracts(d)
			return
		}
		res.Contracts[i-1], tries[i-1], errs[i-1] = c.openContract(&d.Contracts[i-1])
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := c.commitStorage(d, res, tries); err != nil {
		return nil, err
	}

	// Contract leaves, Pedersen(Pedersen(Pedersen(class_hash,
	// storage_root), nonce), 0), one batch per step.
	n := len(res.Contracts)
	leaves, a, b := make([]felt.Felt, n), make([]felt.Felt, n), make([]felt.Felt, n)
	for i, st := range res.Contracts {
		a[i], b[i] = st.ClassHash, st.StorageRoot
	}
	c.pedersenBatch(leaves, a, b)
	for i, st := range res.Contracts {
		b[i] = st.Nonce
	}
	c.pedersenBatch(leaves, leaves, b)
	clear(b)
	c.pedersenBatch(leaves, leaves, b)

	err := contractsErr
	if err == nil {
		for i, st := range res.Contracts {
			if err = contracts.Put(st.Address, leaves[i]); err != nil {
				break
			}
		}
	}
	var contractSet *trie.NodeSet
	if err == nil {
		var croots []felt.Felt
		var csets []*trie.NodeSet
		croots, csets, err = trie.CommitAll(hash.PedersenBatch, c.workers, contracts)
		var te *trie.TrieError
		if errors.As(err, &te) {
			err = te.Err
		}
		if err == nil {
			res.ContractsRoot, contractSet = croots[0], csets[0]
		}
	}
	cwg.Wait()
	if err != nil {
		return nil, fmt.Errorf("contracts trie: %w", err)
	}
	if classErr != nil {
		return nil, fmt.Errorf("classes trie: %w", classErr)
	}
	res.StateRoot = StateRoot(res.ContractsRoot, res.ClassesRoot, c.rule)

	if contractSet.Len() > 0 {
		res.Nodes = append(res.Nodes, TrieNodes{ID: TrieID{Kind: ContractsTrie}, Nodes: contractSet})
	}
	if classSet != nil && classSet.Len() > 0 {
		res.Nodes = append(res.Nodes, TrieNodes{ID: TrieID{Kind: ClassesTrie}, Nodes: classSet})
	}
	return res, nil
}

// commitStorage commits the storage tries opened for d's contracts, sets
// their roots in res.Contracts and hands their node sets to the sink, or
// appends them to res.Nodes without one.
//
// With a sink the tries are committed in groups (WithStorageSink), each
// group by one worker on its own, the workers taking the groups in turn,
// and the node sets go to the sink in the diff's order. A worker hashes a
// whole group height by height: batches twice as large as those of
// workers sharing each height, so half the batch rounds and their field
// inversions, and no worker waits for another at every height.
func (c *Committer) commitStorage(d *StateDiff, res *Result, tries []*trie.Trie) error {
	// the groups' bounds: equal shares of the contracts left; one group
	// at least, for a diff without contracts
	groups := 1
	if c.sink != nil {
		groups = c.groups
	}
	bounds := [][2]int{}
	for g, lo := 1, 0; g == 1 || lo < len(tries); g++ {
		left := max(groups-g+1, 1) // groups left, this one included
		hi := lo + (len(tries)-lo+left-1)/left
		bounds = append(bounds, [2]int{lo, hi})
		lo = hi
	}
	type done struct {
		roots []felt.Felt
		sets  []*trie.NodeSet
		err   error
	}
	results := make([]chan done, len(bounds))
	for g := range results {
		results[g] = make(chan done, 1)
	}
	workers := c.workers // per group: all of them for a single group
	if len(bounds) > 1 {
		workers = 1
	}
	var next atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop.Store(true)
	for range min(c.workers, len(bounds)) {
		wg.Go(func() {
			for !stop.Load() {
				g := int(next.Add(1) - 1)
				if g >= len(bounds) {
					return
				}
				b := bounds[g]
				roots, sets, err := trie.CommitAll(hash.PedersenBatch, workers, tries[b[0]:b[1]]...)
				results[g] <- done{roots, sets, err}
			}
		})
	}
	for g, b := range bounds {
		r := <-results[g]
		if r.err != nil {
			var te *trie.TrieError
			if errors.As(r.err, &te) {
				return fmt.Errorf("storage trie of %s: %w", d.Contracts[b[0]+te.Index].Address, te.Err)
			}
			return r.err
		}
		var nodes []TrieNodes
		for i, root := range r.roots {
			st := &res.Contracts[b[0]+i]
			st.StorageRoot = root
			if r.sets[i].Len() > 0 {
				nodes = append(nodes, TrieNodes{ID: TrieID{Kind: StorageTrie, Address: st.Address}, Nodes: r.sets[i]})
			}
		}
		switch {
		case c.sink != nil && len(nodes) > 0:
			c.sink(nodes)
		case c.sink == nil:
			res.Nodes = append(res.Nodes, nodes...)
		}
	}
	return nil
}

// pedersenBatch is hash.PedersenBatch split over the workers.
func (c *Committer) pedersenBatch(dst, a, b []felt.Felt) {
	trie.BatchHashFunc(hash.PedersenBatch).Split(c.workers, dst, a, b)
}

// parallel calls f(0..n-1) from up to workers goroutines.
func parallel(n, workers int, f func(i int)) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// openContracts opens the contracts trie and reads the nodes on the paths
// to the contracts of d.
func (c *Committer) openContracts(d *StateDiff) (*trie.Trie, error) {
	t, err := trie.New(c.reader.TrieNodes(TrieID{Kind: ContractsTrie}), hash.Pedersen)
	if err != nil {
		return nil, err
	}
	for _, cd := range d.Contracts {
		if _, err := t.Get(cd.Address); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// openContract reads a contract's class hash and nonce where the diff does
// not set them and opens its storage trie with the diff's writes pending.
func (c *Committer) openContract(cd *ContractDiff) (ContractState, *trie.Trie, error) {
	st := ContractState{Address: cd.Address}
	nodes := c.reader.TrieNodes(TrieID{Kind: StorageTrie, Address: cd.Address})
	var t *trie.Trie
	var err error
	if sr, ok := c.reader.(ContractStateReader); ok {
		var old ContractState
		if old, err = sr.ContractState(cd.Address); err != nil {
			return st, nil, fmt.Errorf("contract %s: %w", cd.Address, err)
		}
		st.ClassHash, st.Nonce = old.ClassHash, old.Nonce
		t, err = trie.NewAt(nodes, hash.Pedersen, old.StorageRoot)
	} else {
		if cd.ClassHash == nil || cd.Nonce == nil {
			ch, n, err := c.reader.Contract(cd.Address)
			if err != nil {
				return st, nil, fmt.Errorf("contract %s: %w", cd.Address, err)
			}
			st.ClassHash, st.Nonce = ch, n
		}
		t, err = trie.New(nodes, hash.Pedersen)
	}
	if cd.ClassHash != nil {
		st.ClassHash = *cd.ClassHash
	}
	if cd.Nonce != nil {
		st.Nonce = *cd.Nonce
	}
	if err != nil {
		return st, nil, fmt.Errorf("storage trie of %s: %w", cd.Address, err)
	}
	for _, w := range cd.Storage {
		if err := t.Put(w.Key, w.Value); err != nil {
			return st, nil, fmt.Errorf("storage trie of %s: %w", cd.Address, err)
		}
	}
	return st, t, nil
}

func (c *Committer) commitClasses(classes []ClassDiff) (felt.Felt, *trie.NodeSet, error) {
	t, err := trie.New(c.reader.TrieNodes(TrieID{Kind: ClassesTrie}), hash.PoseidonHash)
	if err != nil {
		return felt.Zero, nil, err
	}
	for _, cl := range classes {
		leaf := felt.Zero
		if !cl.CompiledClassHash.IsZero() {
			leaf = ClassLeaf(cl.CompiledClassHash)
		}
		if err := t.Put(cl.ClassHash, leaf); err != nil {
			return felt.Zero, nil, err
		}
	}
	return t.Commit()
}
