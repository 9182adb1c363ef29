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

// TestKeyedMixedAccess: a transaction that reaches one key through View
// and through KeyedView, with its right id, another key's id or an id out
// of range, and a key outside the KeySet through an id, sees one key: no
// duplicate read or write, the same results as without a KeySet, both
// executors, every scheduler.
func TestKeyedMixedAccess(t *testing.T) {
	in := []state.Key{key(0), key(1), key(2), key(3)}
	out := key(9) // not in the set
	ks := NewKeySet(in)
	id := func(k state.Key) int32 { i, _ := ks.ID(k); return i }
	base := state.Map{key(0): felt.FromUint64(100), key(1): felt.FromUint64(5), out: felt.FromUint64(7)}
	mk := func() []Tx[felt.Felt] {
		var fs []func(View, int) (felt.Felt, error)
		for i := range 12 {
			a, b := in[i%4], in[(i+1)%4]
			fs = append(fs, func(v View, _ int) (felt.Felt, error) {
				kv := v.(KeyedView)
				x, err := v.Read(a) // by key first
				if err != nil {
					return x, err
				}
				y, err := kv.ReadID(id(a), a) // right id: the same read
				if err != nil {
					return x, err
				}
				if err := kv.WriteID(id(b), a, x.Add(y)); err != nil { // another key's id
					return x, err
				}
				z, err := kv.ReadID(int32(ks.Len()+i), a) // out of range: own write
				if err != nil {
					return x, err
				}
				if err := kv.AddDeltaID(id(a), out, felt.One); err != nil { // key outside the set
					return x, err
				}
				if err := v.AddDelta(out, felt.One); err != nil {
					return x, err
				}
				w, err := kv.ReadID(id(b), b)
				if err != nil {
					return x, err
				}
				if err := v.Write(b, w.Add(z)); err != nil {
					return x, err
				}
				return z, kv.WriteID(id(b), b, w.Add(z).Add(felt.One))
			})
		}
		return txs(fs...)
	}
	want, err := Sequential(mk(), base)
	if err != nil {
		t.Fatal(err)
	}
	for j, r := range want.Txs {
		if len(r.Reads) != 2 || len(r.Writes) != 3 {
			t.Fatalf("tx %d: %d reads, %d writes; want 2 and 3", j, len(r.Reads), len(r.Writes))
		}
	}
	got, err := SequentialKeys(mk(), base, ks)
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(want, got, nil); err != nil {
		t.Fatalf("sequential with keys: %v", err)
	}
	for _, s := range []SchedulerKind{Classic, Dependents} {
		for _, w := range []int{1, 2, 4} {
			got, err := Run(mk(), base, Options{Workers: w, Scheduler: s, Keys: ks})
			if err != nil {
				t.Fatal(err)
			}
			if err := Compare(want, got, nil); err != nil {
				t.Fatalf("%s, %d workers, with keys: %v", s, w, err)
			}
		}
	}
}
