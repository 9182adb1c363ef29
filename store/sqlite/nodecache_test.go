package sqlite

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
)

// TestNodeCache commits the same random blocks to a store with a node
// cache, one without, and one whose cache is poisoned before every block
// (every cached record replaced by a record of another node, as a stale
// cache would hold), and checks that the roots agree and that every store
// passes VerifyState.
func TestNodeCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(name string, capacity int) *Store {
		s, err := Open(ctx, filepath.Join(dir, name), Options{Create: true, NodeCache: capacity})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	cached, uncached, poisoned := open("cached.db", 0), open("uncached.db", -1), open("poisoned.db", 64)
	if uncached.pages != nil || cached.pages == nil || poisoned.pages == nil {
		t.Fatal("NodeCache option not applied")
	}
	r := rand.New(rand.NewPCG(31, 32))
	blocks := 8
	if testing.Short() {
		blocks = 4
	}
	for blk := 0; blk < blocks; blk++ {
		d := &commitment.StateDiff{}
		for c := 0; c < 5; c++ {
			cd := commitment.ContractDiff{Address: felt.FromUint64(0x100 + uint64(c))}
			for w := 0; w < 40; w++ {
				v := felt.FromUint64(r.Uint64())
				if r.IntN(6) == 0 {
					v = felt.Zero
				}
				cd.Storage = append(cd.Storage, commitment.StorageWrite{Key: felt.FromUint64(uint64(r.IntN(200))), Value: v})
			}
			d.Contracts = append(d.Contracts, cd)
		}
		// Poison: every cached page becomes the page of another key.
		poisoned.pages.mu.Lock()
		var recs [][]byte
		for _, rec := range poisoned.pages.pages {
			recs = append(recs, rec)
		}
		i := 1
		for k := range poisoned.pages.pages {
			poisoned.pages.pages[k] = recs[i%len(recs)]
			i++
		}
		poisoned.pages.mu.Unlock()

		var roots []felt.Felt
		for _, s := range []*Store{cached, uncached, poisoned} {
			h, err := s.CommitBlock(ctx, &store.Block{Diff: d})
			if err != nil {
				t.Fatalf("block %d: %v", blk, err)
			}
			roots = append(roots, h.StateRoot)
		}
		if roots[0] != roots[1] || roots[1] != roots[2] {
			t.Fatalf("block %d: state roots differ: cached %s, uncached %s, poisoned %s", blk, roots[0], roots[1], roots[2])
		}
	}
	if len(cached.pages.pages) == 0 {
		t.Fatal("the cache holds no page after the commits")
	}
	if max := 64 / nodesPerCachedPage; len(poisoned.pages.pages) > max {
		t.Fatalf("cache of capacity 64 nodes holds %d pages, more than %d", len(poisoned.pages.pages), max)
	}
	for _, s := range []*Store{cached, uncached, poisoned} {
		if err := s.VerifyState(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
