package commitment

import (
	"sync"

	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
)

// MemoryState is an in-memory Reader: the tries' nodes and the contracts'
// class hashes and nonces. Apply moves it to a commit's result. It is safe
// for concurrent use.
type MemoryState struct {
	mu        sync.RWMutex
	tries     map[TrieID]*trie.MemoryStore
	contracts map[felt.Felt]ContractState
}

// NewMemoryState returns the empty state.
func NewMemoryState() *MemoryState {
	return &MemoryState{
		tries:     make(map[TrieID]*trie.MemoryStore),
		contracts: make(map[felt.Felt]ContractState),
	}
}

// TrieNodes implements Reader.
func (m *MemoryState) TrieNodes(id TrieID) trie.NodeReader {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if s, ok := m.tries[id]; ok {
		return s
	}
	return nil
}

// Contract implements Reader.
func (m *MemoryState) Contract(address felt.Felt) (felt.Felt, felt.Felt, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c := m.contracts[address]
	return c.ClassHash, c.Nonce, nil
}

// ContractState returns a contract's state as of the last Apply.
func (m *MemoryState) ContractState(address felt.Felt) (ContractState, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.contracts[address]
	return c, ok
}

// Apply persists a commit's nodes and contract states.
func (m *MemoryState) Apply(r *Result) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, tn := range r.Nodes {
		s, ok := m.tries[tn.ID]
		if !ok {
			s = trie.NewMemoryStore()
			m.tries[tn.ID] = s
		}
		if err := s.Apply(tn.Nodes); err != nil {
			return err
		}
	}
	for _, c := range r.Contracts {
		m.contracts[c.Address] = c
	}
	return nil
}
