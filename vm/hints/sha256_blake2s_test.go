package hints

import (
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Inputs of the wide-word vectors: words between 2^32 and 2^64, on which
// the Python functions do not wrap to 32 bits.
func wideMessage() []uint64 {
	m := make([]uint64, 16)
	for i := range m {
		m[i] = uint64(i)*0x9e3779b97f4a7c15 + 0x12345
	}
	return m
}

func wideState() [8]uint64 {
	var h [8]uint64
	for i := range h {
		h[i] = uint64(i)*0x1234567890abcdef + 7
	}
	return h
}

// abcBlock is "abc" padded as one SHA-256 block.
var abcBlock = []uint64{0x61626380, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x18}

func TestSha256Compress(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state []uint64
		msg   []uint64
		want  []uint64
	}{
		{"abc", sha256IV[:], abcBlock, []uint64{0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad}},
		// sha256_utils.py on the same words.
		{"wide words", func() []uint64 { h := wideState(); return h[:] }(), wideMessage(),
			[]uint64{0xe7ceac9b, 0xb1e8d1e5, 0xc8736b39, 0x93c6d6fd, 0x2e4f2347, 0x9bba0558, 0xd8f474c0, 0x5b258710}},
	} {
		w, err := sha256MessageSchedule(tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sha256Compress(tc.state, w)
		if err != nil {
			t.Fatal(err)
		}
		if !equalWords(got, tc.want) {
			t.Fatalf("%s: %x, want %x", tc.name, got, tc.want)
		}
	}
	if _, err := sha256MessageSchedule(make([]uint64, 15)); err == nil {
		t.Fatal("15-word message accepted")
	}
	if _, err := sha256Compress(make([]uint64, 7), &[64]uint64{}); err == nil {
		t.Fatal("7-word state accepted")
	}
}

func TestBlake2sCompress(t *testing.T) {
	// BLAKE2s-256("abc") = 508c5e8c327c14e2..., little-endian words.
	abc := []uint64{0x8c5e8c50, 0xe2147c32, 0xa32ba7e1, 0x2f45eb4e, 0x208b4537, 0x293ad69e, 0x4c9b994d, 0x82596786}
	got, err := blake2sCompress(blake2sModifiedIV(), append([]uint64{0x636261}, make([]uint64, 15)...), 3, 0, 0xffffffff, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !equalWords(got[:], abc) {
		t.Fatalf("abc: %x", got)
	}
	// blake2s_utils.py with t0 = 2^70 + 5 and f0 = 2^40 + 0xffffffff
	// (both enter modulo 2^32).
	wide := []uint64{0x18d2e3f3, 0x12345678a150c749, 0x2468acf144c2ee9a, 0x369d0369bddb8793, 0x48d159e221409e2d, 0x5b05b05a20f3d2a0, 0x6d3a06d3977d74bb, 0x7f6e5d4bd662074e}
	got, err = blake2sCompress(wideState(), wideMessage(), 5, 0, 0xffffffff, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !equalWords(got[:], wide) {
		t.Fatalf("wide: %x", got)
	}
	if _, err := blake2sCompress(wideState(), make([]uint64, 15), 0, 0, 0, 0); err == nil {
		t.Fatal("15-word message accepted")
	}
}

// hashEnv has sha256_start/blake2s_start at fp-1, output fp-2, state fp-3,
// sha256_ptr_end/blake2s_ptr_end fp-4, n_bytes fp-5, data fp-6, low fp-7,
// high fp-8.
func hashEnv(t testing.TB, consts map[string]string) *hintEnv {
	return newHintEnv(t, map[string]string{
		"sha256_start":    "[cast(fp + (-1), felt**)]",
		"blake2s_start":   "[cast(fp + (-1), felt**)]",
		"output":          "[cast(fp + (-2), felt**)]",
		"state":           "[cast(fp + (-3), felt**)]",
		"sha256_ptr_end":  "[cast(fp + (-4), felt**)]",
		"blake2s_ptr_end": "[cast(fp + (-4), felt**)]",
		"n_bytes":         "[cast(fp + (-5), felt*)]",
		"data":            "[cast(fp + (-6), felt**)]",
		"low":             "[cast(fp + (-7), felt*)]",
		"high":            "[cast(fp + (-8), felt*)]",
	}, consts, nil)
}

func (e *hintEnv) load(seg memory.Relocatable, words []uint64) {
	e.t.Helper()
	for i, w := range words {
		if err := e.Mem.Set(seg.Add(uint64(i)), fv(w)); err != nil {
			e.t.Fatal(err)
		}
	}
}

func TestSha256Hints(t *testing.T) {
	abc := []uint64{0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad}
	t.Run("compress from IV", func(t *testing.T) {
		e := hashEnv(t, map[string]string{"SHA256_INPUT_CHUNK_SIZE_FELTS": "16"})
		in, out := e.Mem.AddSegment(), e.Mem.AddSegment()
		e.load(in, abcBlock)
		e.setFPValue(-1, memory.RelocValue(in))
		e.setFPValue(-2, memory.RelocValue(out))
		if err := e.run(codeSha256Compress); err != nil {
			t.Fatal(err)
		}
		if got := e.words(out.Segment, 0, 8); !equalWords(got, abc) {
			t.Fatalf("%x", got)
		}
	})
	t.Run("compress from state", func(t *testing.T) {
		e := hashEnv(t, map[string]string{"SHA256_INPUT_CHUNK_SIZE_FELTS": "16", "SHA256_STATE_SIZE_FELTS": "8"})
		in, out, st := e.Mem.AddSegment(), e.Mem.AddSegment(), e.Mem.AddSegment()
		e.load(in, abcBlock)
		e.load(st, sha256IV[:])
		e.setFPValue(-1, memory.RelocValue(in))
		e.setFPValue(-2, memory.RelocValue(out))
		e.setFPValue(-3, memory.RelocValue(st))
		if err := e.run(codeSha256CompressState); err != nil {
			t.Fatal(err)
		}
		if got := e.words(out.Segment, 0, 8); !equalWords(got, abc) {
			t.Fatalf("%x", got)
		}
	})
	t.Run("finalize", func(t *testing.T) {
		e := hashEnv(t, map[string]string{"SHA256_INPUT_CHUNK_SIZE_FELTS": "16", "BLOCK_SIZE": "3"})
		end := e.Mem.AddSegment()
		e.setFPValue(-4, memory.RelocValue(end))
		if err := e.run(codeSha256Finalize); err != nil {
			t.Fatal(err)
		}
		w, _ := sha256MessageSchedule(make([]uint64, 16))
		out, _ := sha256Compress(sha256IV[:], w)
		one := append(append(make([]uint64, 16), sha256IV[:]...), out...)
		for b := uint64(0); b < 2; b++ {
			if got := e.words(end.Segment, 32*b, 32); !equalWords(got, one) {
				t.Fatalf("instance %d: %x", b, got)
			}
		}
		if e.Mem.Get(end.Add(64)).IsSet() {
			t.Fatal("BLOCK_SIZE - 1 instances expected")
		}
	})
	t.Run("bad block size", func(t *testing.T) {
		e := hashEnv(t, map[string]string{"SHA256_INPUT_CHUNK_SIZE_FELTS": "16", "BLOCK_SIZE": "20"})
		e.setFPValue(-4, memory.RelocValue(e.Mem.AddSegment()))
		if err := e.run(codeSha256Finalize); err == nil || !strings.Contains(err.Error(), "AssertionError") {
			t.Fatalf("error %v", err)
		}
	})
	runCellCases(t, []cellCase{
		{name: "full_word 4", code: codeFullWord4, refs: map[string]string{"n_bytes": feltRef(-1), "full_word": feltRef(0)}, in: map[int64]string{-1: "4"}, want: map[int64]string{0: "1"}},
		{name: "full_word 3", code: codeFullWord4, refs: map[string]string{"n_bytes": feltRef(-1), "full_word": feltRef(0)}, in: map[int64]string{-1: "3"}, want: map[int64]string{0: "0"}},
	})
}

func TestBlake2sHints(t *testing.T) {
	abc := []uint64{0x8c5e8c50, 0xe2147c32, 0xa32ba7e1, 0x2f45eb4e, 0x208b4537, 0x293ad69e, 0x4c9b994d, 0x82596786}
	abcMsg := append([]uint64{0x636261}, make([]uint64, 15)...)
	t.Run("compute_blake2s_func", func(t *testing.T) {
		e := hashEnv(t, nil)
		seg := e.Mem.AddSegment()
		iv := blake2sModifiedIV()
		e.load(seg, append(append(iv[:], abcMsg...), 3, 0xffffffff))
		e.setFPValue(-2, memory.RelocValue(seg.Add(26)))
		if err := e.run(codeBlake2sCompute); err != nil {
			t.Fatal(err)
		}
		if got := e.words(seg.Segment, 26, 8); !equalWords(got, abc) {
			t.Fatalf("%x", got)
		}
	})
	t.Run("last block", func(t *testing.T) {
		e := hashEnv(t, map[string]string{"BLAKE2S_INPUT_CHUNK_SIZE_FELTS": "16"})
		in, out := e.Mem.AddSegment(), e.Mem.AddSegment()
		e.load(in, abcMsg)
		e.setFPValue(-1, memory.RelocValue(in))
		e.setFPValue(-2, memory.RelocValue(out))
		e.setFP(-5, 3)
		if err := e.run(codeBlake2sLastBlock); err != nil {
			t.Fatal(err)
		}
		if got := e.words(out.Segment, 0, 8); !equalWords(got, abc) {
			t.Fatalf("%x", got)
		}
	})
	iv := blake2sModifiedIV()
	zeroOut, _ := blake2sCompress(iv, make([]uint64, 16), 0, 0, 0xffffffff, 0)
	tail := append([]uint64{0, 0xffffffff}, zeroOut[:]...)
	ivFirst := append(append(append([]uint64{}, iv[:]...), make([]uint64, 16)...), tail...)
	msgFirst := append(append(make([]uint64, 16), iv[:]...), tail...)
	for _, tc := range []struct {
		name, code string
		consts     map[string]string
		instance   []uint64
	}{
		{"finalize", codeBlake2sFinalize, map[string]string{"N_PACKED_INSTANCES": "3", "INPUT_BLOCK_FELTS": "16"}, ivFirst},
		{"finalize v2", codeBlake2sFinalizeV2, map[string]string{"N_PACKED_INSTANCES": "3", "BLAKE2S_INPUT_CHUNK_SIZE_FELTS": "16"}, ivFirst},
		{"finalize v3", codeBlake2sFinalizeV3, map[string]string{"N_PACKED_INSTANCES": "3", "BLAKE2S_INPUT_CHUNK_SIZE_FELTS": "16"}, msgFirst},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := hashEnv(t, tc.consts)
			end := e.Mem.AddSegment()
			e.setFPValue(-4, memory.RelocValue(end))
			if err := e.run(tc.code); err != nil {
				t.Fatal(err)
			}
			for i := uint64(0); i < 2; i++ {
				if got := e.words(end.Segment, 34*i, 34); !equalWords(got, tc.instance) {
					t.Fatalf("instance %d: %x", i, got)
				}
			}
			if e.Mem.Get(end.Add(68)).IsSet() {
				t.Fatal("N_PACKED_INSTANCES - 1 instances expected")
			}
		})
	}
	for _, tc := range []struct {
		name, code string
		want       []uint64
	}{
		{"add_uint256", codeBlake2sAddUint256, []uint64{0x44444444, 0x33333333, 0x22222222, 0x11111111, 0x88888888, 0x77777777, 0x66666666, 0x55555555}},
		{"add_uint256_bigend", codeBlake2sAddUint256Bigend, []uint64{0x55555555, 0x66666666, 0x77777777, 0x88888888, 0x11111111, 0x22222222, 0x33333333, 0x44444444}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := hashEnv(t, nil)
			data := e.Mem.AddSegment()
			e.setFPValue(-6, memory.RelocValue(data))
			e.setFPDec(-7, "22685491133344441733072379273554445380")  // 0x11111111222222223333333344444444
			e.setFPDec(-8, "113427455645594698656638941255359301768") // 0x55555555666666667777777788888888
			if err := e.run(tc.code); err != nil {
				t.Fatal(err)
			}
			if got := e.words(data.Segment, 0, 8); !equalWords(got, tc.want) {
				t.Fatalf("%x", got)
			}
		})
	}
}

func TestBlake2sEncodeFelt252(t *testing.T) {
	e := newHintEnv(t, map[string]string{
		"packed_values_len": "[cast(fp + (-3), felt*)]",
		"packed_values":     "[cast(fp + (-2), felt**)]",
		"unpacked_u32s":     "[cast(fp + (-1), felt**)]",
		"end":               "[cast(fp, felt*)]",
	}, nil, nil)
	in, out := e.Mem.AddSegment(), e.Mem.AddSegment()
	// 7 * 2^32 + 5, 2^63 and PRIME - 1, checked against the Python hint.
	e.load(in, []uint64{7<<32 + 5, 1 << 63})
	if err := e.Mem.Set(in.Add(2), memory.FeltValue(felt.FromInt64(-1))); err != nil {
		t.Fatal(err)
	}
	e.setFP(-3, 3)
	e.setFPValue(-2, memory.RelocValue(in))
	e.setFPValue(-1, memory.RelocValue(out))
	if err := e.run(codeBlake2sEncodeFelts); err != nil {
		t.Fatal(err)
	}
	want := []uint64{7, 5, 2147483648, 0, 0, 0, 0, 0, 2147483648, 0, 2281701376, 17, 0, 0, 0, 0, 0, 0}
	if got := e.words(out.Segment, 0, len(want)); !equalWords(got, want) {
		t.Fatalf("%v", got)
	}
	// The nondet guess: small first value, big first value, end reached.
	for _, tc := range []struct {
		start, end uint64
		want       uint64
	}{{0, 3, 1}, {1, 3, 0}, {3, 3, 0}} {
		e.frame(10+tc.start*3+tc.end, map[int64]memory.Value{-2: memory.RelocValue(in.Add(tc.start)), 0: memory.RelocValue(in.Add(tc.end))})
		if err := e.run(codeBlake2sEncodeIsSmall); err != nil {
			t.Fatal(err)
		}
		if got := e.Mem.Get(e.VM.AP); got != fv(tc.want) {
			t.Fatalf("start %d end %d: [ap] = %v, want %d", tc.start, tc.end, got, tc.want)
		}
	}
}

func TestSha256FinalizeBatch(t *testing.T) {
	w, _ := sha256MessageSchedule(make([]uint64, 16))
	out, _ := sha256Compress(sha256IV[:], w)
	one := append(append(make([]uint64, 16), sha256IV[:]...), out...)
	for _, tc := range []struct {
		n, batch uint64
		copies   uint64
		wantErr  string
	}{{5, 4, 3, ""}, {8, 4, 0, ""}, {1, 7, 6, ""}, {1, 0, 0, "ZeroDivisionError"}, {1, 30, 0, "AssertionError"}} {
		e := hashEnv(t, map[string]string{"SHA256_INPUT_CHUNK_SIZE_FELTS": "16", "BATCH_SIZE": itoa(int(tc.batch))})
		end := e.Mem.AddSegment()
		e.setFPValue(-4, memory.RelocValue(end))
		e.setFP(-5, tc.n) // n_bytes stands for n below
		e.hint.FlowTrackingData.ReferenceIDs["__main__.n"] = e.hint.FlowTrackingData.ReferenceIDs["__main__.n_bytes"]
		e.Prog.Identifiers["__main__.n"] = e.Prog.Identifiers["__main__.n_bytes"]
		err := e.run(codeSha256FinalizeBatch)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("n=%d batch=%d: error %v, want %q", tc.n, tc.batch, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for b := uint64(0); b < tc.copies; b++ {
			if got := e.words(end.Segment, 32*b, 32); !equalWords(got, one) {
				t.Fatalf("instance %d: %x", b, got)
			}
		}
		if e.Mem.Get(end.Add(32 * tc.copies)).IsSet() {
			t.Fatalf("n=%d batch=%d: more than %d instances", tc.n, tc.batch, tc.copies)
		}
	}
}
