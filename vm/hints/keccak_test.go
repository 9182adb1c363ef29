package hints

import (
	"math/big"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// keccakFuncVector is keccak_utils.keccak_func (cairo-lang's Python) on
// the lanes i * 0x0101010101010101, i = 0..24.
var keccakFuncVector = []uint64{
	0x9228104e8e6aadae, 0xcfab7e1a0fde91c4, 0x2d0b412547799456, 0x68e01354fcab18d7, 0xcb2a452f0a2e76bb,
	0x14cf4f051aebe17a, 0xffff4672254e2eff, 0x6042d21ff1e240fe, 0x3f78769cf1886a69, 0xf2e8a62ba1048b61,
	0x7b0ad6372677db21, 0x17d5fd006bf1feb6, 0x158c3084cc7d47f6, 0x35ccc1aab02dd9ef, 0xfe3f4d09a9ff6d3f,
	0xa7c0e43f0c99e52e, 0xa7fa0b4c8329a845, 0xbe39502800acf9dc, 0x056172170b551473, 0x1a7c4c2f8826fc9b,
	0x79ffe34ef1dc2f60, 0xb54a26257f4ee911, 0xc5737d24f3bed743, 0xc045876047a9c2ff, 0xde39cf1e73cfd3b8,
}

// keccakEnv: keccak_ptr at fp-1, keccak_ptr_start fp-2, output fp-3,
// keccak_ptr_end fp-4 (all felt*), constants of cairo_keccak.
func keccakEnv(t testing.TB) *hintEnv {
	return newHintEnv(t,
		map[string]string{
			"keccak_ptr":       "[cast(fp + (-1), felt**)]",
			"keccak_ptr_start": "[cast(fp + (-2), felt**)]",
			"output":           "[cast(fp + (-3), felt**)]",
			"keccak_ptr_end":   "[cast(fp + (-4), felt**)]",
		},
		map[string]string{"KECCAK_STATE_SIZE_FELTS": "25", "BLOCK_SIZE": "3"},
		nil,
	)
}

func (e *hintEnv) words(seg int, off uint64, n int) []uint64 {
	e.t.Helper()
	out := make([]uint64, n)
	for i := range out {
		v := e.Mem.Get(memory.Relocatable{Segment: seg, Offset: off + uint64(i)})
		u, ok := v.Felt().Uint64()
		if !v.IsFelt() || !ok {
			e.t.Fatalf("cell %d:%d = %v", seg, off+uint64(i), v)
		}
		out[i] = u
	}
	return out
}

func equalWords(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestKeccakBlockPermutation(t *testing.T) {
	for _, tc := range []struct {
		name, code string
		src, dst   int64 // fp offsets of the input and output pointers
		inOff      uint64
		outOff     uint64
	}{
		{"keccak_utils", codeKeccakBlockPermutation, -1, -1, 0, 25},
		{"cairo_keccak", codeKeccakBlockPermutationV1, -1, -1, 0, 25},
		{"alternative", codeKeccakCompressAlt, -2, -3, 0, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := keccakEnv(t)
			seg := e.Mem.AddSegment()
			for i := 0; i < 25; i++ {
				if err := e.Mem.Set(seg.Add(uint64(i)), fv(uint64(i)*0x0101010101010101)); err != nil {
					t.Fatal(err)
				}
			}
			e.setFPValue(tc.src, memory.RelocValue(seg.Add(tc.inOff)))
			if tc.dst != tc.src {
				e.setFPValue(tc.dst, memory.RelocValue(seg.Add(tc.outOff)))
			} else {
				// keccak_ptr points past the input.
				e.frame(2, map[int64]memory.Value{tc.dst: memory.RelocValue(seg.Add(25))})
			}
			if err := e.run(tc.code); err != nil {
				t.Fatal(err)
			}
			if got := e.words(seg.Segment, tc.outOff, 25); !equalWords(got, keccakFuncVector) {
				t.Fatalf("output %x", got)
			}
			if _, ok := e.RT.Scopes[0][keccakFuncName]; !ok {
				t.Fatal("keccak_func was not imported into the scope")
			}
		})
	}
}

func TestKeccakPermutationRejectsWideWords(t *testing.T) {
	e := keccakEnv(t)
	seg := e.Mem.AddSegment()
	for i := 0; i < 25; i++ {
		v := fv(1)
		if i == 7 {
			v = memory.FeltValue(felt.FromBigInt(new(big.Int).Lsh(bigOne, 64)))
		}
		if err := e.Mem.Set(seg.Add(uint64(i)), v); err != nil {
			t.Fatal(err)
		}
	}
	e.setFPValue(-1, memory.RelocValue(seg.Add(25)))
	if err := e.run(codeKeccakBlockPermutation); err == nil || !strings.Contains(err.Error(), "does not fit in 64 bits") {
		t.Fatalf("error %v", err)
	}
}

func TestFinalizeKeccak(t *testing.T) {
	e := keccakEnv(t)
	seg := e.Mem.AddSegment()
	e.setFPValue(-4, memory.RelocValue(seg))
	if err := e.run(codeFinalizeKeccak); err == nil || !strings.Contains(err.Error(), "name 'keccak_func' is not defined") {
		t.Fatalf("finalize without keccak_func: %v", err)
	}
	e.RT.Scopes[0][keccakFuncName] = keccakImported{}
	if err := e.run(codeFinalizeKeccak); err != nil {
		t.Fatal(err)
	}
	zeroPerm := []uint64{0xf1258f7940e1dde7, 0x84d5ccf933c0478a, 0xd598261ea65aa9ee}
	for b := uint64(0); b < 3; b++ {
		if got := e.words(seg.Segment, 50*b, 25); !equalWords(got, make([]uint64, 25)) {
			t.Fatalf("block %d input %x", b, got)
		}
		if got := e.words(seg.Segment, 50*b+25, 3); !equalWords(got, zeroPerm) {
			t.Fatalf("block %d output %x", b, got)
		}
	}
	if e.Mem.Get(seg.Add(150)).IsSet() {
		t.Fatal("padding longer than BLOCK_SIZE instances")
	}
}

func TestUnsafeKeccak(t *testing.T) {
	tests := []struct {
		name    string
		words   []string // decimal
		length  uint64
		max     any
		digest  string // hex, 32 bytes
		wantErr string
	}{
		{name: "empty", length: 0, digest: "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{name: "abc", words: []string{"6382179"}, length: 3, digest: "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
		{name: "32 zero bytes", words: []string{"0", "0"}, length: 32, digest: "290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563"},
		{name: "word too wide", words: []string{"6382179"}, length: 2, wantErr: "AssertionError"},
		{name: "max size", words: []string{"0", "0"}, length: 32, max: 16, wantErr: "unsafe_keccak() can only be used with length<=16. Got: length=32."},
		{name: "missing word", words: []string{"0"}, length: 17, wantErr: "Unknown value for memory cell"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newHintEnv(t, map[string]string{
				"data":   "[cast(fp + (-4), felt**)]",
				"length": "[cast(fp + (-3), felt*)]",
				"high":   "[cast(fp + (-2), felt*)]",
				"low":    "[cast(fp + (-1), felt*)]",
			}, nil, nil)
			if tc.max != nil {
				e.RT.Scopes[0]["__keccak_max_size"] = tc.max
			}
			seg := e.Mem.AddSegment()
			for i, w := range tc.words {
				if err := e.Mem.Set(seg.Add(uint64(i)), memory.FeltValue(felt.FromBigInt(bigDec(w)))); err != nil {
					t.Fatal(err)
				}
			}
			e.setFPValue(-4, memory.RelocValue(seg))
			e.setFP(-3, tc.length)
			err := e.run(codeUnsafeKeccak)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkDigest(t, e, tc.digest)
		})
	}
}

func checkDigest(t *testing.T, e *hintEnv, digest string) {
	t.Helper()
	high, _ := new(big.Int).SetString(digest[:32], 16)
	low, _ := new(big.Int).SetString(digest[32:], 16)
	if got := e.getFP(-2); got != memory.FeltValue(felt.FromBigInt(high)) {
		t.Fatalf("high = %v, want %s", got, high)
	}
	if got := e.getFP(-1); got != memory.FeltValue(felt.FromBigInt(low)) {
		t.Fatalf("low = %v, want %s", got, low)
	}
}

func TestUnsafeKeccakFinalize(t *testing.T) {
	e := newHintEnv(t, map[string]string{
		"keccak_state": "[cast(fp + (-6), __main__.KeccakState*)]",
		"high":         "[cast(fp + (-2), felt*)]",
		"low":          "[cast(fp + (-1), felt*)]",
	}, nil, map[string]map[string]int{"KeccakState": {"start_ptr": 0, "end_ptr": 1}})
	seg := e.Mem.AddSegment()
	for i := uint64(0); i < 2; i++ {
		if err := e.Mem.Set(seg.Add(i), fv(0)); err != nil {
			t.Fatal(err)
		}
	}
	e.setFPValue(-6, memory.RelocValue(seg))
	e.setFPValue(-5, memory.RelocValue(seg.Add(2)))
	if err := e.run(codeUnsafeKeccakFinalize); err != nil {
		t.Fatal(err)
	}
	// Two 16-byte zero words: Keccak-256 of 32 zero bytes.
	checkDigest(t, e, "290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563")
}

func TestKeccakSmallHints(t *testing.T) {
	runCellCases(t, []cellCase{
		{name: "full_word 8", code: codeKeccakFullWord8, refs: map[string]string{"n_bytes": feltRef(-1), "full_word": feltRef(0)}, in: map[int64]string{-1: "8"}, want: map[int64]string{0: "1"}},
		{name: "full_word 7", code: codeKeccakFullWord8, refs: map[string]string{"n_bytes": feltRef(-1), "full_word": feltRef(0)}, in: map[int64]string{-1: "7"}, want: map[int64]string{0: "0"}},
		{name: "split n_bytes", code: codeKeccakSplitNBytes, consts: map[string]string{"BYTES_IN_WORD": "8"},
			refs: map[string]string{"n_bytes": feltRef(-1), "n_words_to_copy": feltRef(0), "n_bytes_left": feltRef(1)},
			in:   map[int64]string{-1: "43"}, want: map[int64]string{0: "5", 1: "3"}},
		{name: "output0", code: codeKeccakSplitOutput0,
			refs: map[string]string{"output0": feltRef(-1), "output0_low": feltRef(0), "output0_high": feltRef(1)},
			in:   map[int64]string{-1: "680564733841876926926749214863536422915"}, // 2*2^128 + 3
			want: map[int64]string{0: "3", 1: "2"}},
		{name: "output1", code: codeKeccakSplitOutput1,
			refs: map[string]string{"output1": feltRef(-1), "output1_low": feltRef(0), "output1_mid": feltRef(1), "output1_high": feltRef(2)},
			// 5 * 2^184 + 9 * 2^56 + 4
			in:   map[int64]string{-1: "122599643269271108668667762172024734690147648121029525508"},
			want: map[int64]string{0: "4", 1: "9", 2: "5"}},
	})
}

func TestKeccakPrepareBlockDivmods(t *testing.T) {
	for _, tc := range []struct {
		k, j int
	}{{3, 1}, {6, 2}, {9, 3}, {12, 4}, {15, 5}} {
		code := "ids.high" + itoa(tc.k) + ", ids.low" + itoa(tc.k) + " = divmod(memory[ids.inputs + " + itoa(tc.k) + "], 256"
		if tc.j > 1 {
			code += " ** " + itoa(tc.j)
		}
		code += ")"
		e := newHintEnv(t, map[string]string{
			"inputs":            "[cast(fp + (-1), felt**)]",
			"high" + itoa(tc.k): feltRef(0),
			"low" + itoa(tc.k):  feltRef(1),
		}, nil, nil)
		seg := e.Mem.AddSegment()
		// high = 77, low = 2^(8j) - 1.
		low := uint64(1)<<(8*tc.j) - 1
		if err := e.Mem.Set(seg.Add(uint64(tc.k)), fv(77<<(8*tc.j)+low)); err != nil {
			t.Fatal(err)
		}
		e.setFPValue(-1, memory.RelocValue(seg))
		if err := e.run(code); err != nil {
			t.Fatal(err)
		}
		if e.getFP(0) != fv(77) || e.getFP(1) != fv(low) {
			t.Fatalf("k=%d: high, low = %v, %v", tc.k, e.getFP(0), e.getFP(1))
		}
	}
}

func TestKeccakNBytesToAP(t *testing.T) {
	for _, tc := range []struct {
		code  string
		konst string
		n     uint64
		want  uint64
	}{
		{codeKeccakNBytesLtWord, "BYTES_IN_WORD", 7, 1},
		{codeKeccakNBytesLtWord, "BYTES_IN_WORD", 8, 0},
		{codeKeccakNBytesFullRate, "KECCAK_FULL_RATE_IN_BYTES", 136, 1},
		{codeKeccakNBytesFullRate, "KECCAK_FULL_RATE_IN_BYTES", 135, 0},
	} {
		k := map[string]string{"BYTES_IN_WORD": "8", "KECCAK_FULL_RATE_IN_BYTES": "136"}
		e := newHintEnv(t, map[string]string{"n_bytes": feltRef(-1)}, k, nil)
		e.setFP(-1, tc.n)
		if err := e.run(tc.code); err != nil {
			t.Fatal(err)
		}
		if got := e.Mem.Get(e.VM.AP); got != fv(tc.want) {
			t.Fatalf("%s n=%d: [ap] = %v, want %d", tc.konst, tc.n, got, tc.want)
		}
	}
}

func TestKeccakAddUint256WriteArgs(t *testing.T) {
	e := newHintEnv(t, map[string]string{
		"inputs": "[cast(fp + (-3), felt**)]",
		"low":    "[cast(fp + (-2), felt*)]",
		"high":   "[cast(fp + (-1), felt*)]",
	}, nil, nil)
	seg := e.Mem.AddSegment()
	e.setFPValue(-3, memory.RelocValue(seg))
	e.setFPDec(-2, "36893488147419103233") // 2*2^64 + 1
	e.setFPDec(-1, "18446744073709551620") // 2^64 + 4
	if err := e.run(codeKeccakWriteArgsUint256); err != nil {
		t.Fatal(err)
	}
	if got := e.words(seg.Segment, 0, 4); !equalWords(got, []uint64{1, 2, 4, 1}) {
		t.Fatalf("inputs = %v", got)
	}
}
