// Package storetest is the conformance suite of store.Store: every
// implementation runs Run with its own constructor, so the SQLite store and
// the in-memory store answer every question the same way, down to the state
// roots, which the suite recomputes from scratch from its own model of the
// state.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// Open returns a new, empty store whose state roots follow
// commitment.RootRuleV014. The suite closes it.
type Open func(t testing.TB) store.Store

// Run runs every conformance test against stores made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"Empty", testEmpty},
		{"Chain", testChain},
		{"StateAndHistory", testStateAndHistory},
		{"Classes", testClasses},
		{"RandomRoots", testRandomRoots},
		{"RandomRootsManyContracts", testRandomRootsMany},
		{"RejectedBlockChangesNothing", testRejected},
		{"ConcurrentReads", testConcurrentReads},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			tt.fn(t, s)
		})
	}
}

var ctx = context.Background()

func f(v uint64) felt.Felt { return felt.FromUint64(v) }
func p(v uint64) *felt.Felt {
	x := f(v)
	return &x
}

func commit(t testing.TB, s store.Store, b *store.Block) store.Header {
	t.Helper()
	h, err := s.CommitBlock(ctx, b)
	if err != nil {
		t.Fatalf("CommitBlock: %v", err)
	}
	return h
}

func wantFelt(t testing.TB, what string, got felt.Felt, err error, want felt.Felt) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if got != want {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func wantNotFound(t testing.TB, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: error %v, want store.ErrNotFound", what, err)
	}
}

func testEmpty(t *testing.T, s store.Store) {
	_, err := s.Head(ctx)
	wantNotFound(t, "Head", err)
	_, err = s.BlockByNumber(ctx, 0)
	wantNotFound(t, "BlockByNumber(0)", err)
	v, err := s.Storage(ctx, f(1), f(2))
	wantFelt(t, "Storage", v, err, felt.Zero)
	v, err = s.Nonce(ctx, f(1))
	wantFelt(t, "Nonce", v, err, felt.Zero)
	v, err = s.ClassHash(ctx, f(1))
	wantFelt(t, "ClassHash", v, err, felt.Zero)
	_, err = s.Class(ctx, f(1))
	wantNotFound(t, "Class", err)
	_, err = s.StorageAt(ctx, f(1), f(2), 0)
	wantNotFound(t, "StorageAt(block 0)", err)
	_, err = s.Transactions(ctx, 0)
	wantNotFound(t, "Transactions(0)", err)
}

func testChain(t *testing.T, s store.Store) {
	txs := []store.Transaction{
		{Hash: f(0xa1), Type: "INVOKE", Payload: []byte(`{"calldata":[1,2]}`)},
		{Hash: f(0xa2), Type: "DECLARE"},
	}
	receipts := []store.Receipt{
		{TxHash: f(0xa1), Status: "SUCCEEDED", ActualFee: f(100), Payload: []byte{1, 2, 3}},
		{TxHash: f(0xa2), Status: "REVERTED", ActualFee: f(7), RevertReason: "out of gas"},
	}
	events := []store.Event{
		{TxIndex: 0, FromAddress: f(0x100), Keys: []felt.Felt{f(1)}, Data: []felt.Felt{f(2), f(3)}},
		{TxIndex: 0, FromAddress: f(0x101)},
		{TxIndex: 1, FromAddress: f(0x100), Keys: []felt.Felt{f(9), f(8)}},
	}
	h0 := commit(t, s, &store.Block{
		Header:       store.Header{Timestamp: 1700000000, SequencerAddress: f(0x5e9), StarknetVersion: "0.14.0"},
		Transactions: txs, Receipts: receipts, Events: events,
		Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{{Address: f(0x100), ClassHash: p(0xc1), Nonce: p(1)}}},
	})
	if h0.Number != 0 || !h0.ParentHash.IsZero() || h0.Hash.IsZero() || h0.StateRoot.IsZero() {
		t.Errorf("block 0 header %+v: want number 0, zero parent, non-zero hash and root", h0)
	}
	if h0.TxCount != 2 || h0.EventCount != 3 || h0.Timestamp != 1700000000 || h0.SequencerAddress != f(0x5e9) || h0.StarknetVersion != "0.14.0" {
		t.Errorf("block 0 header %+v: counts or given fields lost", h0)
	}
	if h0.Hash != store.DevnetBlockHash(h0) {
		t.Errorf("block 0 hash %s, want DevnetBlockHash %s", h0.Hash, store.DevnetBlockHash(h0))
	}
	h1 := commit(t, s, &store.Block{Header: store.Header{Hash: f(0xb10c), Timestamp: 1700000010}})
	if h1.Number != 1 || h1.ParentHash != h0.Hash || h1.Hash != f(0xb10c) || h1.StateRoot != h0.StateRoot {
		t.Errorf("block 1 header %+v: want number 1, parent %s, the given hash, unchanged root", h1, h0.Hash)
	}
	head, err := s.Head(ctx)
	if err != nil || head != h1 {
		t.Errorf("Head = %+v, %v; want %+v", head, err, h1)
	}
	got0, err := s.BlockByNumber(ctx, 0)
	if err != nil || got0 != h0 {
		t.Errorf("BlockByNumber(0) = %+v, %v; want %+v", got0, err, h0)
	}
	_, err = s.BlockByNumber(ctx, 2)
	wantNotFound(t, "BlockByNumber(2)", err)

	gotTxs, err := s.Transactions(ctx, 0)
	if err != nil || len(gotTxs) != len(txs) {
		t.Fatalf("Transactions(0) = %d, %v; want %d", len(gotTxs), err, len(txs))
	}
	for i := range txs {
		if gotTxs[i].Hash != txs[i].Hash || gotTxs[i].Type != txs[i].Type || !bytes.Equal(gotTxs[i].Payload, txs[i].Payload) {
			t.Errorf("transaction %d = %+v, want %+v", i, gotTxs[i], txs[i])
		}
	}
	gotR, err := s.Receipts(ctx, 0)
	if err != nil || len(gotR) != len(receipts) {
		t.Fatalf("Receipts(0) = %d, %v; want %d", len(gotR), err, len(receipts))
	}
	for i, r := range receipts {
		g := gotR[i]
		if g.TxHash != r.TxHash || g.Status != r.Status || g.ActualFee != r.ActualFee || g.RevertReason != r.RevertReason || !bytes.Equal(g.Payload, r.Payload) {
			t.Errorf("receipt %d = %+v, want %+v", i, g, r)
		}
	}
	gotE, err := s.Events(ctx, 0)
	if err != nil || len(gotE) != len(events) {
		t.Fatalf("Events(0) = %d, %v; want %d", len(gotE), err, len(events))
	}
	for i, e := range events {
		g := gotE[i]
		if g.TxIndex != e.TxIndex || g.FromAddress != e.FromAddress || !sameFelts(g.Keys, e.Keys) || !sameFelts(g.Data, e.Data) {
			t.Errorf("event %d = %+v, want %+v", i, g, e)
		}
	}
	if e1, err := s.Events(ctx, 1); err != nil || len(e1) != 0 {
		t.Errorf("Events(1) = %v, %v; want none", e1, err)
	}
}

func sameFelts(a, b []felt.Felt) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testStateAndHistory(t *testing.T, s store.Store) {
	a, b := f(0xaaa), f(0xbbb)
	commit(t, s, &store.Block{Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{
		{Address: a, ClassHash: p(0xc1), Nonce: p(0), Storage: []commitment.StorageWrite{{Key: f(1), Value: f(10)}, {Key: f(2), Value: f(20)}}},
		{Address: b, ClassHash: p(0xc2), Nonce: p(0), Storage: []commitment.StorageWrite{{Key: f(1), Value: f(30)}}},
	}}})
	commit(t, s, &store.Block{Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{
		{Address: a, Nonce: p(1), Storage: []commitment.StorageWrite{{Key: f(1), Value: f(11)}, {Key: f(2), Value: felt.Zero}, {Key: f(3), Value: f(33)}}},
		{Address: b, ClassHash: p(0xc3)},
	}}})
	commit(t, s, &store.Block{})
	commit(t, s, &store.Block{Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{
		{Address: a, Nonce: p(2), Storage: []commitment.StorageWrite{{Key: f(2), Value: f(22)}}},
	}}})

	type row struct {
		block          uint64
		a1, a2, a3, b1 uint64
		nonceA, classA uint64
		nonceB, classB uint64
	}
	for _, r := range []row{
		{block: 0, a1: 10, a2: 20, a3: 0, b1: 30, nonceA: 0, classA: 0xc1, nonceB: 0, classB: 0xc2},
		{block: 1, a1: 11, a2: 0, a3: 33, b1: 30, nonceA: 1, classA: 0xc1, nonceB: 0, classB: 0xc3},
		{block: 2, a1: 11, a2: 0, a3: 33, b1: 30, nonceA: 1, classA: 0xc1, nonceB: 0, classB: 0xc3},
		{block: 3, a1: 11, a2: 22, a3: 33, b1: 30, nonceA: 2, classA: 0xc1, nonceB: 0, classB: 0xc3},
	} {
		at := fmt.Sprintf(" at block %d", r.block)
		v, err := s.StorageAt(ctx, a, f(1), r.block)
		wantFelt(t, "a[1]"+at, v, err, f(r.a1))
		v, err = s.StorageAt(ctx, a, f(2), r.block)
		wantFelt(t, "a[2]"+at, v, err, f(r.a2))
		v, err = s.StorageAt(ctx, a, f(3), r.block)
		wantFelt(t, "a[3]"+at, v, err, f(r.a3))
		v, err = s.StorageAt(ctx, b, f(1), r.block)
		wantFelt(t, "b[1]"+at, v, err, f(r.b1))
		v, err = s.StorageAt(ctx, b, f(99), r.block)
		wantFelt(t, "b[99]"+at, v, err, felt.Zero)
		v, err = s.NonceAt(ctx, a, r.block)
		wantFelt(t, "nonce(a)"+at, v, err, f(r.nonceA))
		v, err = s.ClassHashAt(ctx, a, r.block)
		wantFelt(t, "class(a)"+at, v, err, f(r.classA))
		v, err = s.NonceAt(ctx, b, r.block)
		wantFelt(t, "nonce(b)"+at, v, err, f(r.nonceB))
		v, err = s.ClassHashAt(ctx, b, r.block)
		wantFelt(t, "class(b)"+at, v, err, f(r.classB))
	}
	v, err := s.Storage(ctx, a, f(2))
	wantFelt(t, "a[2] now", v, err, f(22))
	v, err = s.Storage(ctx, a, f(1))
	wantFelt(t, "a[1] now", v, err, f(11))
	v, err = s.Nonce(ctx, a)
	wantFelt(t, "nonce(a) now", v, err, f(2))
	v, err = s.ClassHash(ctx, b)
	wantFelt(t, "class(b) now", v, err, f(0xc3))
	_, err = s.StorageAt(ctx, a, f(1), 4)
	wantNotFound(t, "StorageAt(block 4)", err)
	_, err = s.NonceAt(ctx, a, 4)
	wantNotFound(t, "NonceAt(block 4)", err)
	_, err = s.ClassHashAt(ctx, a, 4)
	wantNotFound(t, "ClassHashAt(block 4)", err)
}

func testClasses(t *testing.T, s store.Store) {
	def, casm := []byte(`{"abi":[]}`), []byte{0xca, 0x53}
	h := commit(t, s, &store.Block{
		Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{}, Classes: []commitment.ClassDiff{
			{ClassHash: f(0xc1), CompiledClassHash: f(0xcc1)},
			{ClassHash: f(0xc2), CompiledClassHash: f(0xcc2)},
		}},
		Classes: []store.Class{{ClassHash: f(0xc1), Definition: def, Compiled: casm}},
	})
	if h.ClassesRoot.IsZero() || !h.ContractsRoot.IsZero() {
		t.Errorf("roots %s / %s: want a classes root and an empty contracts trie", h.ContractsRoot, h.ClassesRoot)
	}
	c, err := s.Class(ctx, f(0xc1))
	if err != nil || c.CompiledClassHash != f(0xcc1) || c.Block != 0 || !bytes.Equal(c.Definition, def) || !bytes.Equal(c.Compiled, casm) {
		t.Errorf("Class(0xc1) = %+v, %v", c, err)
	}
	c.Definition[0] = 'X' // the store's copy must not change
	c, err = s.Class(ctx, f(0xc2))
	if err != nil || c.CompiledClassHash != f(0xcc2) || len(c.Definition) != 0 {
		t.Errorf("Class(0xc2) = %+v, %v", c, err)
	}
	commit(t, s, &store.Block{Diff: &commitment.StateDiff{Classes: []commitment.ClassDiff{{ClassHash: f(0xc2)}}}})
	_, err = s.Class(ctx, f(0xc2))
	wantNotFound(t, "Class after removal", err)
	if c, err := s.Class(ctx, f(0xc1)); err != nil || !bytes.Equal(c.Definition, def) {
		t.Errorf("Class(0xc1) after a later block = %+v, %v", c, err)
	}
}

// model is the suite's own account of the state.
type model struct {
	storage   map[felt.Felt]map[felt.Felt]felt.Felt
	classHash map[felt.Felt]felt.Felt
	nonce     map[felt.Felt]felt.Felt
	classes   map[felt.Felt]felt.Felt
}

func newModel() *model {
	return &model{map[felt.Felt]map[felt.Felt]felt.Felt{}, map[felt.Felt]felt.Felt{}, map[felt.Felt]felt.Felt{}, map[felt.Felt]felt.Felt{}}
}

func (m *model) apply(d *commitment.StateDiff) {
	for _, c := range d.Contracts {
		if m.storage[c.Address] == nil {
			m.storage[c.Address] = map[felt.Felt]felt.Felt{}
		}
		if c.ClassHash != nil {
			m.classHash[c.Address] = *c.ClassHash
		} else if _, ok := m.classHash[c.Address]; !ok {
			m.classHash[c.Address] = felt.Zero
		}
		if c.Nonce != nil {
			m.nonce[c.Address] = *c.Nonce
		}
		for _, w := range c.Storage {
			m.storage[c.Address][w.Key] = w.Value
		}
	}
	for _, c := range d.Classes {
		m.classes[c.ClassHash] = c.CompiledClassHash
	}
}

// roots recomputes every root from scratch.
func (m *model) roots(t testing.TB) (contracts, classes, state felt.Felt) {
	t.Helper()
	var leaves []trie.Leaf
	for addr := range m.classHash {
		var sl []trie.Leaf
		for k, v := range m.storage[addr] {
			sl = append(sl, trie.Leaf{Key: k, Value: v})
		}
		sr, err := trie.ComputeRoot(hash.Pedersen, sl)
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, trie.Leaf{Key: addr, Value: commitment.ContractLeaf(m.classHash[addr], sr, m.nonce[addr])})
	}
	contracts, err := trie.ComputeRoot(hash.Pedersen, leaves)
	if err != nil {
		t.Fatal(err)
	}
	var cl []trie.Leaf
	for k, v := range m.classes {
		if !v.IsZero() {
			cl = append(cl, trie.Leaf{Key: k, Value: commitment.ClassLeaf(v)})
		}
	}
	classes, err = trie.ComputeRoot(hash.PoseidonHash, cl)
	if err != nil {
		t.Fatal(err)
	}
	return contracts, classes, commitment.StateRoot(contracts, classes, commitment.RootRuleV014)
}

// RandomDiff returns a diff over a small key space, so that later diffs
// overwrite and delete earlier writes.
func RandomDiff(r *rand.Rand, contracts, keys, writes int) *commitment.StateDiff {
	d := &commitment.StateDiff{}
	byAddr := map[felt.Felt]int{}
	for range writes {
		addr := f(0x1000 + uint64(r.IntN(contracts)))
		i, ok := byAddr[addr]
		if !ok {
			i = len(d.Contracts)
			byAddr[addr] = i
			d.Contracts = append(d.Contracts, commitment.ContractDiff{Address: addr})
			if r.IntN(4) == 0 {
				d.Contracts[i].ClassHash = p(0xc0 + uint64(r.IntN(3)))
			}
			if r.IntN(3) == 0 {
				d.Contracts[i].Nonce = p(uint64(r.IntN(5)))
			}
		}
		c := &d.Contracts[i]
		key := f(uint64(r.IntN(keys)))
		if r.IntN(5) == 0 {
			key = felt.FromLimbs([4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64() >> 6})
		}
		val := f(uint64(r.IntN(1000)))
		if r.IntN(4) == 0 {
			val = felt.Zero
		}
		dup := false
		for j := range c.Storage {
			if c.Storage[j].Key == key {
				c.Storage[j].Value, dup = val, true
			}
		}
		if !dup {
			c.Storage = append(c.Storage, commitment.StorageWrite{Key: key, Value: val})
		}
	}
	if r.IntN(3) == 0 {
		cc := f(uint64(r.IntN(3)))
		d.Classes = append(d.Classes, commitment.ClassDiff{ClassHash: f(0xc0 + uint64(r.IntN(4))), CompiledClassHash: cc})
	}
	return d
}

func testRandomRoots(t *testing.T, s store.Store) {
	randomRoots(t, s, rand.New(rand.NewPCG(5, 6)), 12, 6, 60)
}

// testRandomRootsMany commits blocks of a few hundred contracts: a store
// that reads or writes contracts and tries in batches, or commits the
// tries in groups, crosses its batch and group boundaries.
func testRandomRootsMany(t *testing.T, s store.Store) {
	randomRoots(t, s, rand.New(rand.NewPCG(7, 8)), 4, 300, 900)
}

// randomRoots commits blocks random diffs over contracts contracts with up
// to writes writes each and checks every root against a model recomputed
// from scratch, and the storage and nonces read back.
func randomRoots(t *testing.T, s store.Store, r *rand.Rand, blocks, contracts, writes int) {
	m := newModel()
	for n := range blocks {
		d := RandomDiff(r, contracts, 40, 1+r.IntN(writes))
		h := commit(t, s, &store.Block{Diff: d})
		m.apply(d)
		cr, kr, sr := m.roots(t)
		if h.ContractsRoot != cr || h.ClassesRoot != kr || h.StateRoot != sr {
			t.Fatalf("block %d roots (%s, %s, %s), recomputed from scratch (%s, %s, %s)", n, h.ContractsRoot, h.ClassesRoot, h.StateRoot, cr, kr, sr)
		}
		for addr, kv := range m.storage {
			for k, v := range kv {
				got, err := s.Storage(ctx, addr, k)
				wantFelt(t, fmt.Sprintf("block %d storage %s[%s]", n, addr, k), got, err, v)
			}
			got, err := s.Nonce(ctx, addr)
			wantFelt(t, fmt.Sprintf("block %d nonce %s", n, addr), got, err, m.nonce[addr])
		}
	}
}

func testRejected(t *testing.T, s store.Store) {
	h0 := commit(t, s, &store.Block{Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{
		{Address: f(1), ClassHash: p(2), Storage: []commitment.StorageWrite{{Key: f(3), Value: f(4)}}},
	}}})
	tooBig := felt.MustFromString("0x800000000000000000000000000000000000000000000000000000000000000")
	bad := []struct {
		name string
		b    *store.Block
	}{
		{"receipts missing", &store.Block{Transactions: []store.Transaction{{Hash: f(1)}}}},
		{"receipt for another transaction", &store.Block{Transactions: []store.Transaction{{Hash: f(1)}}, Receipts: []store.Receipt{{TxHash: f(2)}}}},
		{"event of no transaction", &store.Block{Events: []store.Event{{TxIndex: 0}}}},
		{"artifacts of an undeclared class", &store.Block{Classes: []store.Class{{ClassHash: f(9)}}}},
		{"contract twice in the diff", &store.Block{Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{
			{Address: f(1), Storage: []commitment.StorageWrite{{Key: f(3), Value: f(5)}}},
			{Address: f(7), Storage: []commitment.StorageWrite{{Key: f(3), Value: f(1)}}},
			{Address: f(1), Storage: []commitment.StorageWrite{{Key: f(8), Value: f(1)}}},
		}}}},
		{"storage key of 2^251", &store.Block{Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{
			{Address: f(1), Storage: []commitment.StorageWrite{{Key: f(3), Value: f(5)}}},
			{Address: f(7), Storage: []commitment.StorageWrite{{Key: tooBig, Value: f(1)}}},
		}}}},
	}
	for _, tt := range bad {
		if _, err := s.CommitBlock(ctx, tt.b); err == nil {
			t.Errorf("%s: CommitBlock succeeded", tt.name)
		}
		head, err := s.Head(ctx)
		if err != nil || head != h0 {
			t.Errorf("%s: head %+v, %v after a rejected block; want %+v", tt.name, head, err, h0)
		}
		v, err := s.Storage(ctx, f(1), f(3))
		wantFelt(t, tt.name+": storage after a rejected block", v, err, f(4))
	}
	h1 := commit(t, s, &store.Block{})
	if h1.Number != 1 {
		t.Errorf("next block after rejections is %d, want 1", h1.Number)
	}
}

func testConcurrentReads(t *testing.T, s store.Store) {
	r := rand.New(rand.NewPCG(7, 8))
	commit(t, s, &store.Block{Diff: RandomDiff(r, 4, 20, 30)})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	stop := make(chan struct{})
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Storage(ctx, f(0x1000+uint64(i%4)), f(uint64(i%20))); err != nil {
					errs <- fmt.Errorf("reader %d: %w", w, err)
					return
				}
				if _, err := s.StorageAt(ctx, f(0x1000), f(1), 0); err != nil {
					errs <- fmt.Errorf("reader %d: %w", w, err)
					return
				}
			}
		}()
	}
	for range 5 {
		commit(t, s, &store.Block{Diff: RandomDiff(r, 4, 20, 30)})
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
