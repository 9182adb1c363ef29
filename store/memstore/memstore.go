// Package memstore is an in-memory store.Store: the same state commitment,
// history and chain as store/sqlite, kept in maps, for tests and for
// sequencer runs that need no persistence.
package memstore

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
)

type slot struct{ contract, key felt.Felt }

// entry is one history record: the value set by a block.
type entry struct {
	block uint64
	value felt.Felt
}

type block struct {
	header   store.Header
	txs      []store.Transaction
	receipts []store.Receipt
	events   []store.Event
}

// Store is an in-memory chain store, safe for concurrent use.
type Store struct {
	rule commitment.RootRule

	mu        sync.RWMutex
	tries     *commitment.MemoryState
	storage   map[slot]felt.Felt
	contracts map[felt.Felt]commitment.ContractState
	classes   map[felt.Felt]store.Class
	storHist  map[slot][]entry
	nonceHist map[felt.Felt][]entry
	classHist map[felt.Felt][]entry
	blocks    []block
}

var _ store.Store = (*Store)(nil)

// New returns an empty store whose state roots follow rule.
func New(rule commitment.RootRule) *Store {
	return &Store{
		rule:      rule,
		tries:     commitment.NewMemoryState(),
		storage:   make(map[slot]felt.Felt),
		contracts: make(map[felt.Felt]commitment.ContractState),
		classes:   make(map[felt.Felt]store.Class),
		storHist:  make(map[slot][]entry),
		nonceHist: make(map[felt.Felt][]entry),
		classHist: make(map[felt.Felt][]entry),
	}
}

// Close releases nothing; it exists to satisfy store.Store.
func (s *Store) Close() error { return nil }

// Storage implements store.StateReader.
func (s *Store) Storage(_ context.Context, contract, key felt.Felt) (felt.Felt, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.storage[slot{contract, key}], nil
}

// Nonce implements store.StateReader.
func (s *Store) Nonce(_ context.Context, contract felt.Felt) (felt.Felt, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.contracts[contract].Nonce, nil
}

// ClassHash implements store.StateReader.
func (s *Store) ClassHash(_ context.Context, contract felt.Felt) (felt.Felt, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.contracts[contract].ClassHash, nil
}

// Class implements store.StateReader.
func (s *Store) Class(_ context.Context, classHash felt.Felt) (store.Class, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.classes[classHash]
	if !ok {
		return store.Class{}, fmt.Errorf("class %s: %w", classHash, store.ErrNotFound)
	}
	c.Definition, c.Compiled = clone(c.Definition), clone(c.Compiled)
	return c, nil
}

func (s *Store) checkBlock(n uint64) error {
	if n >= uint64(len(s.blocks)) {
		return fmt.Errorf("block %d: %w", n, store.ErrNotFound)
	}
	return nil
}

// at returns the last value set at or before block n.
func at(h []entry, n uint64) felt.Felt {
	i := sort.Search(len(h), func(i int) bool { return h[i].block > n })
	if i == 0 {
		return felt.Zero
	}
	return h[i-1].value
}

// StorageAt implements store.HistoryReader.
func (s *Store) StorageAt(_ context.Context, contract, key felt.Felt, n uint64) (felt.Felt, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkBlock(n); err != nil {
		return felt.Zero, err
	}
	return at(s.storHist[slot{contract, key}], n), nil
}

// NonceAt implements store.HistoryReader.
func (s *Store) NonceAt(_ context.Context, contract felt.Felt, n uint64) (felt.Felt, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkBlock(n); err != nil {
		return felt.Zero, err
	}
	return at(s.nonceHist[contract], n), nil
}

// ClassHashAt implements store.HistoryReader.
func (s *Store) ClassHashAt(_ context.Context, contract felt.Felt, n uint64) (felt.Felt, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkBlock(n); err != nil {
		return felt.Zero, err
	}
	return at(s.classHist[contract], n), nil
}

// Head implements store.ChainReader.
func (s *Store) Head(_ context.Context) (store.Header, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.blocks) == 0 {
		return store.Header{}, fmt.Errorf("head block: %w", store.ErrNotFound)
	}
	return s.blocks[len(s.blocks)-1].header, nil
}

// BlockByNumber implements store.ChainReader.
func (s *Store) BlockByNumber(_ context.Context, n uint64) (store.Header, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkBlock(n); err != nil {
		return store.Header{}, err
	}
	return s.blocks[n].header, nil
}

// Transactions implements store.ChainReader.
func (s *Store) Transactions(_ context.Context, n uint64) ([]store.Transaction, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkBlock(n); err != nil {
		return nil, err
	}
	return cloneTxs(s.blocks[n].txs), nil
}

// Receipts implements store.ChainReader.
func (s *Store) Receipts(_ context.Context, n uint64) ([]store.Receipt, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkBlock(n); err != nil {
		return nil, err
	}
	return cloneReceipts(s.blocks[n].receipts), nil
}

// Events implements store.ChainReader.
func (s *Store) Events(_ context.Context, n uint64) ([]store.Event, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkBlock(n); err != nil {
		return nil, err
	}
	return cloneEvents(s.blocks[n].events), nil
}

// CommitBlock implements store.BlockWriter. The roots are computed before
// anything changes, so a failed commit leaves the store as it was.
func (s *Store) CommitBlock(_ context.Context, b *store.Block) (store.Header, error) {
	if err := b.Validate(); err != nil {
		return store.Header{}, fmt.Errorf("memory store: commit block: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := b.Header
	h.Number, h.ParentHash = uint64(len(s.blocks)), felt.Zero
	if h.Number > 0 {
		h.ParentHash = s.blocks[h.Number-1].header.Hash
	}
	d := b.Diff
	if d == nil {
		d = &commitment.StateDiff{}
	}
	res, err := commitment.NewCommitter(s.tries, commitment.WithRootRule(s.rule)).Commit(d)
	if err != nil {
		return store.Header{}, fmt.Errorf("memory store: commit block %d: %w", h.Number, err)
	}
	if err := s.tries.Apply(res); err != nil {
		return store.Header{}, fmt.Errorf("memory store: commit block %d: %w", h.Number, err)
	}
	n := h.Number
	for i, c := range d.Contracts {
		s.contracts[c.Address] = res.Contracts[i]
		if c.ClassHash != nil {
			s.classHist[c.Address] = record(s.classHist[c.Address], n, *c.ClassHash)
		}
		if c.Nonce != nil {
			s.nonceHist[c.Address] = record(s.nonceHist[c.Address], n, *c.Nonce)
		}
		for _, w := range c.Storage {
			k := slot{c.Address, w.Key}
			if w.Value.IsZero() {
				delete(s.storage, k)
			} else {
				s.storage[k] = w.Value
			}
			s.storHist[k] = record(s.storHist[k], n, w.Value)
		}
	}
	art := make(map[felt.Felt]store.Class, len(b.Classes))
	for _, a := range b.Classes {
		art[a.ClassHash] = a
	}
	for _, c := range d.Classes {
		if c.CompiledClassHash.IsZero() {
			delete(s.classes, c.ClassHash)
			continue
		}
		a := art[c.ClassHash]
		s.classes[c.ClassHash] = store.Class{ClassHash: c.ClassHash, CompiledClassHash: c.CompiledClassHash,
			Block: n, Definition: clone(a.Definition), Compiled: clone(a.Compiled)}
	}
	h.StateRoot, h.ContractsRoot, h.ClassesRoot = res.StateRoot, res.ContractsRoot, res.ClassesRoot
	h.TxCount, h.EventCount = uint64(len(b.Transactions)), uint64(len(b.Events))
	if h.Hash.IsZero() {
		h.Hash = store.DevnetBlockHash(h)
	}
	s.blocks = append(s.blocks, block{header: h, txs: cloneTxs(b.Transactions),
		receipts: cloneReceipts(b.Receipts), events: cloneEvents(b.Events)})
	return h, nil
}

// record appends or, for a second write in the same block, replaces.
func record(h []entry, n uint64, v felt.Felt) []entry {
	if len(h) > 0 && h[len(h)-1].block == n {
		h[len(h)-1].value = v
		return h
	}
	return append(h, entry{n, v})
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return slices.Clone(b)
}

func cloneTxs(in []store.Transaction) []store.Transaction {
	out := make([]store.Transaction, len(in))
	for i, t := range in {
		t.Payload = clone(t.Payload)
		out[i] = t
	}
	return out
}

func cloneReceipts(in []store.Receipt) []store.Receipt {
	out := make([]store.Receipt, len(in))
	for i, r := range in {
		r.Payload = clone(r.Payload)
		out[i] = r
	}
	return out
}

func cloneEvents(in []store.Event) []store.Event {
	out := make([]store.Event, len(in))
	for i, e := range in {
		e.Keys, e.Data = slices.Clone(e.Keys), slices.Clone(e.Data)
		out[i] = e
	}
	return out
}
