package blockstm

import (
	"slices"

	"github.com/kairo-dev/kairo/sequencer/state"
)

// sortDiff orders d by key, as state.Diff.Sort does (Key.Compare: kind,
// contract, slot), faster: each key's canonical value is computed once as
// nine words, most significant first; the words every key shares are
// dropped, and the sort moves small (first differing word, index) pairs,
// comparing further words only on ties. (Keys of one contract, or short
// names, usually differ in a single word.)
func sortDiff(d state.Diff) {
	n := len(d)
	if n < 2 {
		return
	}
	const nw = 9
	words := make([]uint64, n*nw)
	for i, kv := range d {
		c, s := kv.Key.Contract.Limbs(), kv.Key.Slot.Limbs()
		copy(words[i*nw:], []uint64{uint64(kv.Key.Kind), c[3], c[2], c[1], c[0], s[3], s[2], s[1], s[0]})
	}
	var cols []int
	for j := range nw {
		for i := 1; i < n; i++ {
			if words[i*nw+j] != words[j] {
				cols = append(cols, j)
				break
			}
		}
	}
	if len(cols) == 0 {
		return // one key: a diff has distinct keys
	}
	type item struct {
		w uint64 // the first differing word
		i int32
	}
	items := make([]item, n)
	for i := range items {
		items[i] = item{w: words[i*nw+cols[0]], i: int32(i)}
	}
	rest := cols[1:]
	slices.SortFunc(items, func(a, b item) int {
		if a.w != b.w {
			if a.w < b.w {
				return -1
			}
			return 1
		}
		for _, j := range rest {
			x, y := words[int(a.i)*nw+j], words[int(b.i)*nw+j]
			if x != y {
				if x < y {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	sorted := make(state.Diff, n)
	for k, it := range items {
		sorted[k] = d[it.i]
	}
	copy(d, sorted)
}
