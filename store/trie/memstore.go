package trie

import (
	"fmt"
	"sync"
)

// MemoryStore is an in-memory NodeReader holding the encoded records of one
// trie, keyed by Path. It is safe for concurrent use.
type MemoryStore struct {
	mu    sync.RWMutex
	nodes map[Path][]byte
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{nodes: make(map[Path][]byte)}
}

// Node implements NodeReader.
func (s *MemoryStore) Node(path Path) ([]byte, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	data, ok := s.nodes[path]
	return data, ok, nil
}

// Apply writes every update of set (a Commit's result) in one step.
func (s *MemoryStore) Apply(set *NodeSet) error {
	enc := make([][]byte, len(set.Updates))
	for i, u := range set.Updates {
		if u.Node == nil {
			continue
		}
		b, err := u.Node.MarshalBinary()
		if err != nil {
			return fmt.Errorf("trie: encode node %q: %w", u.Path, err)
		}
		enc[i] = b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, u := range set.Updates {
		if u.Node == nil {
			delete(s.nodes, u.Path)
		} else {
			s.nodes[u.Path] = enc[i]
		}
	}
	return nil
}

// Len returns the number of stored nodes.
func (s *MemoryStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.nodes)
}
