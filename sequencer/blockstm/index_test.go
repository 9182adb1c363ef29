package blockstm

import (
	"sync"
	"testing"
	"unsafe"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// TestIndexOneEntryPerKey: goroutines creating and looking up the same keys
// at once agree on one entry per key, in the table and, once it is half
// full, in the overflow maps; every entry is listed once.
func TestIndexOneEntryPerKey(t *testing.T) {
	for _, c := range []struct {
		name       string
		hint, keys int
	}{
		{"table", 1000, 300},
		{"overflow", 1, 5000}, // a 1024-slot table: most keys overflow
	} {
		t.Run(c.name, func(t *testing.T) {
			var x index
			x.init(c.hint)
			const workers = 8
			got := make([][]*entry, workers)
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[w] = make([]*entry, c.keys)
					for i := range c.keys {
						j := (i*7 + w*131) % c.keys // each worker its own order
						got[w][j] = x.get(key(uint64(j)))
					}
				}()
			}
			wg.Wait()
			for j := range c.keys {
				e := got[0][j]
				if e == nil || *e.key != key(uint64(j)) || e.hash != key(uint64(j)).Hash() {
					t.Fatalf("key %d: entry %+v", j, e)
				}
				for w := 1; w < workers; w++ {
					if got[w][j] != e {
						t.Fatalf("key %d: workers 0 and %d got different entries", j, w)
					}
				}
				if x.find(key(uint64(j)), key(uint64(j)).Hash()) != e {
					t.Fatalf("key %d: find does not return its entry", j)
				}
			}
			if n := x.count(); n != c.keys {
				t.Fatalf("%d entries for %d keys", n, c.keys)
			}
			seen := map[state.Key]bool{}
			x.each(func(e *entry) error {
				if seen[*e.key] {
					t.Fatalf("%s listed twice", e.key)
				}
				seen[*e.key] = true
				return nil
			})
			if x.find(state.StorageKey(felt.One, felt.One), state.StorageKey(felt.One, felt.One).Hash()) != nil {
				t.Fatal("find invented an entry")
			}
		})
	}
}

// TestLayout keeps an entry at two cache lines and a transaction status
// at one (entrySize, statusSize): elements of a large array then start on
// a line boundary and share no line.
func TestLayout(t *testing.T) {
	if got := unsafe.Sizeof(entry{}); got != entrySize {
		t.Fatalf("entry is %d bytes, want %d", got, entrySize)
	}
	if got := unsafe.Sizeof(txStatus{}); got != statusSize {
		t.Fatalf("txStatus is %d bytes, want %d", got, statusSize)
	}
}
