package hash

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/sha3"
)

func TestKeccakF1600ZeroState(t *testing.T) {
	var s [25]uint64
	KeccakF1600(&s)
	// Keccak-f[1600] of the all-zero state (the Keccak team's published
	// intermediate values): the first lanes.
	want := []uint64{0xF1258F7940E1DDE7, 0x84D5CCF933C0478A, 0xD598261EA65AA9EE, 0xBD1547306F80494D}
	for i, w := range want {
		if s[i] != w {
			t.Fatalf("lane %d = %016X, want %016X", i, s[i], w)
		}
	}
	// Applying it again gives the second published state.
	KeccakF1600(&s)
	if s[0] != 0x2D5C954DF96ECB3C {
		t.Fatalf("second permutation lane 0 = %016X, want 2D5C954DF96ECB3C", s[0])
	}
}

func TestKeccak256(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
		{"transfer(address,uint256)", "a9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b"},
	}
	for _, tc := range tests {
		got := Keccak256([]byte(tc.in))
		if hex.EncodeToString(got[:]) != tc.want {
			t.Errorf("Keccak256(%q) = %x, want %s", tc.in, got, tc.want)
		}
	}
	// Every length around the rate, against golang.org/x/crypto.
	r := rand.New(rand.NewPCG(1, 1))
	buf := make([]byte, 3*keccak256Rate+5)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for n := 0; n <= len(buf); n++ {
		h := sha3.NewLegacyKeccak256()
		h.Write(buf[:n])
		want := h.Sum(nil)
		if got := Keccak256(buf[:n]); !bytes.Equal(got[:], want) {
			t.Fatalf("length %d: %x, x/crypto says %x", n, got, want)
		}
	}
}

func TestStarknetKeccak(t *testing.T) {
	tests := []struct{ in, want string }{
		{"transfer", "0x83afd3f4caedc6eebf44246fe54e38c95e3179a5ec9ea81740eca5b482d12e"},
		{"__execute__", "0x15d40a3d6ca2ac30f4031e42be28da9b056fef9bb7357ac5e85627ee876e5ad"},
		{"balanceOf", "0x2e4263afad30923c891518314c3c95dbe830a16874e8abc5777a9a20b54c76e"},
	}
	for _, tc := range tests {
		if got := StarknetKeccak([]byte(tc.in)); got.String() != tc.want {
			t.Errorf("sn_keccak(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func BenchmarkKeccakF1600(b *testing.B) {
	var s [25]uint64
	for i := 0; i < b.N; i++ {
		KeccakF1600(&s)
	}
	reportHashes(b, 1)
}

func BenchmarkKeccak256(b *testing.B) {
	data := make([]byte, 64)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		d := Keccak256(data)
		data[0] = d[0]
	}
	reportHashes(b, 1)
}

func BenchmarkKeccak256XCrypto(b *testing.B) {
	data := make([]byte, 64)
	b.SetBytes(int64(len(data)))
	h := sha3.NewLegacyKeccak256()
	var out []byte
	for i := 0; i < b.N; i++ {
		h.Reset()
		h.Write(data)
		out = h.Sum(out[:0])
		data[0] = out[0]
	}
	reportHashes(b, 1)
}
