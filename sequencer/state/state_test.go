package state

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
)

func TestKeyStringAndOrder(t *testing.T) {
	s := StorageKey(felt.FromUint64(1), felt.FromUint64(255))
	if s.String() != "storage:0x1:0xff" || NonceKey(felt.One).String() != "nonce:0x1" || ClassHashKey(felt.One).String() != "class:0x1" {
		t.Fatal(s.String(), NonceKey(felt.One).String(), ClassHashKey(felt.One).String())
	}
	ordered := []Key{
		StorageKey(felt.Zero, felt.FromUint64(2)),
		StorageKey(felt.Zero, felt.FromUint64(1<<40)),
		StorageKey(felt.One, felt.Zero),
		NonceKey(felt.Zero),
		NonceKey(felt.FromUint64(7)),
		ClassHashKey(felt.Zero),
	}
	if !slices.IsSortedFunc(ordered, Key.Compare) {
		t.Fatal("keys not in Compare order")
	}
	for i, a := range ordered {
		for j, b := range ordered {
			if a.Equal(b) != (i == j) || a.Equal(b) != (a == b) {
				t.Fatalf("Equal(%s, %s) = %v", a, b, a.Equal(b))
			}
		}
	}
	// Diff.Sort agrees with Key.Compare.
	rng := rand.New(rand.NewPCG(1, 2))
	var d Diff
	for i := range 500 {
		k := Key{Kind: KeyKind(rng.IntN(3)), Contract: felt.FromUint64(rng.Uint64N(4)), Slot: felt.FromUint64(rng.Uint64())}
		d = append(d, KV{Key: k, Value: felt.FromUint64(uint64(i))})
	}
	d.Sort()
	if !slices.IsSortedFunc(d, func(a, b KV) int { return a.Key.Compare(b.Key) }) {
		t.Fatal("Diff.Sort disagrees with Key.Compare")
	}
}

func TestMismatch(t *testing.T) {
	a := Diff{{Key: NonceKey(felt.One), Value: felt.One}, {Key: NonceKey(felt.FromUint64(2)), Value: felt.One}}
	if m := a.Mismatch(a); m != "" {
		t.Fatal(m)
	}
	b := Diff{{Key: NonceKey(felt.One), Value: felt.FromUint64(9)}}
	if m := a.Mismatch(b); !strings.Contains(m, "0x1 != 0x9") {
		t.Fatal(m)
	}
	if m := a[:1].Mismatch(a); !strings.Contains(m, "only on the right") {
		t.Fatal(m)
	}
	if m := a.Mismatch(a[:1]); !strings.Contains(m, "only on the left") {
		t.Fatal(m)
	}
	if v, _ := (Map{}).Get(NonceKey(felt.One)); v != felt.Zero {
		t.Fatal("absent key is not zero")
	}
}
