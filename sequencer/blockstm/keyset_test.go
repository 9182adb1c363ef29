package blockstm

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

func TestKeySet(t *testing.T) {
	var keys []state.Key
	for i := range 300 {
		keys = append(keys, state.StorageKey(felt.FromUint64(uint64(i%3)), felt.FromUint64(uint64(i*7919%1000))))
	}
	keys = append(keys, state.NonceKey(felt.One), state.ClassHashKey(felt.Zero), keys[5], keys[5])
	ks := NewKeySet(keys)
	want := slices.Clone(keys)
	slices.SortFunc(want, state.Key.Compare)
	want = slices.Compact(want)
	if ks.Len() != len(want) {
		t.Fatalf("Len %d, want %d distinct keys", ks.Len(), len(want))
	}
	for id, k := range want {
		if !ks.Key(int32(id)).Equal(k) {
			t.Fatalf("Key(%d) = %s, want %s (key order)", id, ks.Key(int32(id)), k)
		}
		if got, ok := ks.ID(k); !ok || got != int32(id) {
			t.Fatalf("ID(%s) = %d, %v; want %d", k, got, ok, id)
		}
	}
	absent := state.NonceKey(felt.FromUint64(99))
	if id, ok := ks.ID(absent); ok || id != -1 {
		t.Fatalf("ID of an absent key = %d, %v", id, ok)
	}
	k3 := ks.Key(3)
	for _, c := range []struct {
		name string
		id   int32
		key  state.Key
		want int32
	}{
		{"right id", 3, k3, 3},
		{"id of another key", 4, k3, 3},
		{"negative id", -1, k3, 3},
		{"id past the end", int32(ks.Len()), k3, 3},
		{"absent key", 3, absent, -1},
	} {
		if got := ks.lookup(c.id, &c.key); got != c.want {
			t.Errorf("%s: lookup = %d, want %d", c.name, got, c.want)
		}
	}
	var none *KeySet
	if id, ok := none.ID(k3); ok || id != -1 || none.lookup(0, &k3) != -1 {
		t.Error("a nil KeySet holds a key")
	}
	if NewKeySet(nil).Len() != 0 {
		t.Error("empty KeySet not empty")
	}
}

func TestMergeDiff(t *testing.T) {
	kv := func(i uint64) state.KV {
		return state.KV{Key: state.StorageKey(felt.Zero, felt.FromUint64(i)), Value: felt.FromUint64(i)}
	}
	diff := func(xs ...uint64) state.Diff {
		d := state.Diff{}
		for _, x := range xs {
			d = append(d, kv(x))
		}
		return d
	}
	for _, c := range []struct{ a, b, want state.Diff }{
		{diff(), diff(), diff()},
		{diff(1, 3), diff(), diff(1, 3)},
		{diff(), diff(2), diff(2)},
		{diff(1, 3, 5), diff(2, 4, 6, 7), diff(1, 2, 3, 4, 5, 6, 7)},
		{diff(10), diff(1, 2), diff(1, 2, 10)},
	} {
		got := mergeDiff(c.a, c.b)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("mergeDiff(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
