package trie

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// TestPathKeyFormat pins the on-disk path key format.
func TestPathKeyFormat(t *testing.T) {
	full, err := KeyPath(felt.MustFromString("0x7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path Path
		want string
	}{
		{"root", Path{}, "00"},
		{"1", Path{}.Append(1), "0180"},
		{"0", Path{}.Append(0), "0100"},
		{"101010", mustPath(t, 0x2a, 6), "06a8"},
		{"9 bits", mustPath(t, 0x1ff, 9), "09ff80"},
		{"full", full, "fb" + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.path.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(b); got != tc.want {
				t.Fatalf("key = %s, want %s", got, tc.want)
			}
			var back Path
			if err := back.UnmarshalBinary(b); err != nil || back != tc.path {
				t.Fatalf("round trip = %v, %v; want %v", back, err, tc.path)
			}
		})
	}
}

func mustPath(t testing.TB, v uint64, n int) Path {
	t.Helper()
	p, err := PathFromValue(felt.FromUint64(v), n)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPathOps(t *testing.T) {
	p := mustPath(t, 0b1011, 4)
	if p.String() != "1011" || p.Value() != felt.FromUint64(11) {
		t.Fatalf("path = %s value %s", p, p.Value())
	}
	q := p.Concat(mustPath(t, 0b01, 2))
	if q.String() != "101101" || q.Slice(2, 5).String() != "110" || q.Prefix(3).String() != "101" {
		t.Fatalf("concat/slice/prefix: %s %s %s", q, q.Slice(2, 5), q.Prefix(3))
	}
	if c := q.CommonPrefix(mustPath(t, 0b1010, 4)); c != 3 {
		t.Fatalf("common prefix = %d, want 3", c)
	}
	if !q.HasPrefix(p) || p.HasPrefix(q) {
		t.Fatal("HasPrefix")
	}
	if _, err := PathFromValue(felt.FromUint64(4), 2); err == nil {
		t.Fatal("PathFromValue(4, 2) succeeded")
	}
}

func TestPathKeyRejects(t *testing.T) {
	for _, h := range []string{"", "fc" + string(bytes.Repeat([]byte("00"), 32)), "0180ff", "0101", "02", "06ab"} {
		b, _ := hex.DecodeString(h)
		var p Path
		if err := p.UnmarshalBinary(b); err == nil {
			t.Errorf("UnmarshalBinary(%s) accepted %v", h, p)
		}
	}
}

// TestNodeFormat pins the on-disk node record format.
func TestNodeFormat(t *testing.T) {
	bin := Node{Kind: KindBinary, Hash: felt.FromUint64(3), Left: felt.FromUint64(1), Right: felt.FromUint64(2)}
	b, err := bin.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := "00" + word(3) + word(1) + word(2)
	if got := hex.EncodeToString(b); got != want {
		t.Fatalf("binary record = %s, want %s", got, want)
	}
	edge := Node{Kind: KindEdge, Hash: felt.FromUint64(9), Child: felt.FromUint64(5), Edge: mustPath(t, 0x2a, 6)}
	if b, err = edge.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	want = "01" + word(9) + word(5) + word(0x2a) + "06"
	if got := hex.EncodeToString(b); got != want {
		t.Fatalf("edge record = %s, want %s", got, want)
	}
	for _, n := range []Node{bin, edge} {
		b, _ := n.MarshalBinary()
		var back Node
		if err := back.UnmarshalBinary(b); err != nil || back != n {
			t.Fatalf("round trip = %+v, %v; want %+v", back, err, n)
		}
	}
	bad := []string{
		"", "02", "00" + word(1), // unknown kind, short
		"01" + word(9) + word(5) + word(0x2a) + "05",  // path longer than length
		"01" + word(9) + word(5) + word(0) + "00",     // length 0
		"00" + "ff" + word(0)[2:] + word(1) + word(2), // hash >= P
	}
	for _, h := range bad {
		b, _ := hex.DecodeString(h)
		var n Node
		if err := n.UnmarshalBinary(b); err == nil {
			t.Errorf("UnmarshalBinary(%s) accepted %+v", h, n)
		}
	}
}

func word(v uint64) string {
	b := felt.FromUint64(v).BytesBE()
	return hex.EncodeToString(b[:])
}

func FuzzNodeRecord(f *testing.F) {
	e := Node{Kind: KindEdge, Hash: felt.FromUint64(9), Child: felt.FromUint64(5), Edge: Path{}.Append(1)}
	b, _ := e.MarshalBinary()
	f.Add(b)
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var n Node
		if err := n.UnmarshalBinary(data); err != nil {
			return
		}
		out, err := n.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded node does not encode: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("re-encoding differs: %x vs %x", out, data)
		}
	})
}

func FuzzPathKey(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{6, 0xa8})
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Path
		if err := p.UnmarshalBinary(data); err != nil {
			return
		}
		out, _ := p.MarshalBinary()
		if !bytes.Equal(out, data) {
			t.Fatalf("re-encoding differs: %x vs %x", out, data)
		}
	})
}

func TestProofJSON(t *testing.T) {
	tr, _ := New(nil, hash.Pedersen)
	for i := uint64(1); i <= 20; i++ {
		if err := tr.Put(felt.FromUint64(i*i*7919), felt.FromUint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	root, _, err := tr.Commit()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []uint64{7919, 5, 1 << 40} { // present, absent, absent
		key := felt.FromUint64(k)
		val, _ := tr.Get(key)
		proof, err := tr.Prove(key)
		if err != nil {
			t.Fatal(err)
		}
		data, err := MarshalProof(proof, hash.Pedersen)
		if err != nil {
			t.Fatal(err)
		}
		back, err := UnmarshalProof(data, hash.Pedersen)
		if err != nil {
			t.Fatalf("UnmarshalProof: %v\n%s", err, data)
		}
		if err := VerifyProof(root, key, val, back, hash.Pedersen); err != nil {
			t.Fatalf("key %d: %v", k, err)
		}
		if err := VerifyProof(root.Add(felt.One), key, val, back, hash.Pedersen); err == nil {
			t.Fatalf("key %d: proof accepted against a wrong root", k)
		}
		if len(back) > 1 {
			if err := VerifyProof(root, key, val, back[:len(back)-1], hash.Pedersen); err == nil {
				t.Fatalf("key %d: truncated proof accepted", k)
			}
		}
	}
	bad := []string{
		`[{"node":{"left":"0x1"}}]`,
		`[{"node":{"left":"0x1","right":"0x2","extra":"0x3"}}]`,
		`[{"node":{"child":"0x1","path":"0x1","length":0}}]`,
		`[{"node":{"child":"0x1","path":"1","length":1}}]`,
		`[{"node_hash":"0x1","node":{"left":"0x1","right":"0x2"}}]`,
		`[{"node":{"left":"0x-1","right":"0x2"}}]`,
	}
	for _, s := range bad {
		if _, err := UnmarshalProof([]byte(s), hash.Pedersen); err == nil {
			t.Errorf("UnmarshalProof(%s) succeeded", s)
		}
	}
}

func FuzzProofJSON(f *testing.F) {
	f.Add([]byte(`[{"node":{"left":"0x1","right":"0x2"}},{"node":{"child":"0x5","path":"0x2a","length":6}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		proof, err := UnmarshalProof(data, hash.PoseidonHash)
		if err != nil {
			return
		}
		out, err := MarshalProof(proof, hash.PoseidonHash)
		if err != nil {
			t.Fatal(err)
		}
		again, err := UnmarshalProof(out, hash.PoseidonHash)
		if err != nil || len(again) != len(proof) {
			t.Fatalf("round trip failed: %v", err)
		}
		for i := range proof {
			if again[i] != proof[i] {
				t.Fatalf("node %d: %+v became %+v", i, proof[i], again[i])
			}
		}
	})
}
