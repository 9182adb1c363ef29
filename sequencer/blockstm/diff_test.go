package blockstm

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// TestSortDiff: sortDiff orders like state.Diff.Sort, over keys that differ
// in every part (kind, high and low limbs of contract and slot).
func TestSortDiff(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	parts := []felt.Felt{felt.Zero, felt.One, felt.FromUint64(1 << 63), felt.MustFromString("0x800000000000000000000000000000000000000000000000000000000000000"),
		felt.MustFromString("0x10000000000000000"), felt.FromInt64(-1)}
	var d state.Diff
	for range 500 {
		c, s := parts[rng.IntN(len(parts))], parts[rng.IntN(len(parts))].Add(felt.FromUint64(rng.Uint64N(3)))
		var k state.Key
		switch rng.IntN(3) {
		case 0:
			k = state.StorageKey(c, s)
		case 1:
			k = state.NonceKey(c)
		default:
			k = state.ClassHashKey(c)
		}
		d = append(d, state.KV{Key: k, Value: felt.FromUint64(rng.Uint64())})
	}
	want := slices.Clone(d)
	want.Sort()
	sortDiff(d)
	for i := range d {
		if d[i].Key != want[i].Key {
			t.Fatalf("position %d: %s, want %s", i, d[i].Key, want[i].Key)
		}
	}
}
