package sqlite

import (
	"bytes"
	"hash/maphash"
	"sync"

	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
)

// DefaultNodeCache is the default capacity of a store's trie-node cache, in
// nodes (about 140 bytes each).
const DefaultNodeCache = 1 << 20

// nodeRecordMax is the size of the largest node record (an edge node).
const nodeRecordMax = 98

// cachedRecord is a node record kept inline.
type cachedRecord struct {
	n    uint8
	data [nodeRecordMax]byte
}

// nodeCache keeps trie-node records in memory between block commits: the
// upper levels of every trie are read by nearly every block. It is keyed
// by a hash of (trie, path) and holds no authority: a record is only used
// when its hash is the one the node's parent expects (trie.HashedNodeReader),
// so a stale record (another process committed, a commit rolled back) or a
// key collision costs a read from the database, never a wrong root. When
// full, it drops an arbitrary sixteenth of its records.
type nodeCache struct {
	seed maphash.Seed
	max  int

	mu      sync.Mutex
	records map[uint64]cachedRecord
}

func newNodeCache(capacity int) *nodeCache {
	if capacity <= 0 {
		return nil
	}
	return &nodeCache{seed: maphash.MakeSeed(), max: capacity, records: make(map[uint64]cachedRecord)}
}

func (c *nodeCache) key(trieID, path []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.Write(trieID)
	h.Write(path)
	return h.Sum64()
}

// get returns a copy of the record at key if its hash is want.
func (c *nodeCache) get(key uint64, want felt.Felt) ([]byte, bool) {
	c.mu.Lock()
	r, ok := c.records[key]
	c.mu.Unlock()
	if !ok || r.n < 33 {
		return nil, false
	}
	wb := want.BytesBE()
	if !bytes.Equal(r.data[1:33], wb[:]) {
		return nil, false
	}
	return append([]byte(nil), r.data[:r.n]...), true
}

// put records data (a node record) at key; delete forgets it.
func (c *nodeCache) put(key uint64, data []byte) {
	if len(data) > nodeRecordMax {
		return
	}
	var r cachedRecord
	r.n = uint8(copy(r.data[:], data))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.records) >= c.max {
		drop := max(c.max/16, 1)
		for k := range c.records {
			delete(c.records, k)
			if drop--; drop == 0 {
				break
			}
		}
	}
	c.records[key] = r
}

func (c *nodeCache) delete(key uint64) {
	c.mu.Lock()
	delete(c.records, key)
	c.mu.Unlock()
}

// cachedNodeReader reads one trie's nodes through the cache, then the
// database.
type cachedNodeReader struct {
	nodeReader
	cache *nodeCache
}

var _ trie.HashedNodeReader = cachedNodeReader{}

// HashedNode implements trie.HashedNodeReader.
func (r cachedNodeReader) HashedNode(p trie.Path, want felt.Felt) ([]byte, bool, error) {
	path, err := p.MarshalBinary()
	if err != nil {
		return nil, false, err
	}
	key := r.cache.key(r.trie, path)
	if data, ok := r.cache.get(key, want); ok {
		return data, true, nil
	}
	data, found, err := r.Node(p)
	if err == nil && found {
		r.cache.put(key, data)
	}
	return data, found, err
}
