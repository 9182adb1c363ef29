package sqlite

import (
	"sync"
)

// DefaultNodeCache is the default capacity of a store's trie-node cache, in
// nodes (about 100 bytes each; the cache keeps pages of up to 7 nodes and
// counts a page as nodesPerCachedPage nodes).
const DefaultNodeCache = 1 << 20

// nodesPerCachedPage converts Options.NodeCache (nodes) into pages: the
// benchmark's pages hold 3 to 4 nodes on average.
const nodesPerCachedPage = 4

// pageCache keeps encoded trie pages in memory between block commits: the
// upper levels of every trie are read by nearly every block. It is keyed
// by pageKey and holds no authority: a page is only used when its top node
// is the node the trie asks for and has the hash the node's parent
// expects (trie.HashedNodeReader). That hash fixes the content of the
// whole subtree the page holds, so a stale page (another process
// committed, a commit was rolled back) costs a read from the database,
// never a wrong root. When full, it drops an arbitrary sixteenth of its
// pages.
type pageCache struct {
	max int

	mu    sync.Mutex
	pages map[string][]byte
}

func newPageCache(nodes int) *pageCache {
	if nodes <= 0 {
		return nil
	}
	return &pageCache{max: max(nodes/nodesPerCachedPage, 1), pages: make(map[string][]byte)}
}

// get returns the encoded page at key (not to be modified).
func (c *pageCache) get(key []byte) ([]byte, bool) {
	c.mu.Lock()
	data, ok := c.pages[string(key)]
	c.mu.Unlock()
	return data, ok
}

// put records data (an encoded page, not modified afterwards) at key;
// delete forgets it.
func (c *pageCache) put(key string, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pages[key]; !ok && len(c.pages) >= c.max {
		drop := max(c.max/16, 1)
		for k := range c.pages {
			delete(c.pages, k)
			if drop--; drop == 0 {
				break
			}
		}
	}
	c.pages[key] = data
}

func (c *pageCache) delete(key string) {
	c.mu.Lock()
	delete(c.pages, key)
	c.mu.Unlock()
}
