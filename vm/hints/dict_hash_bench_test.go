package hints

import (
	"testing"

	"github.com/kairo-dev/kairo/vm/memory"
)

// benchHint compiles code in e once and runs it b.N times, with reset
// (when set) before every run, reporting hints per second.
func benchHint(b *testing.B, e *hintEnv, code string, reset func()) {
	b.Helper()
	fn := e.RT.lookup(code)
	if fn == nil {
		b.Fatalf("hint not implemented:\n%s", code)
	}
	h := &compiled{rt: e.RT, hint: &e.hint, fn: fn}
	if reset != nil {
		reset()
	}
	if err := h.Execute(e.VM); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if reset != nil {
			reset()
		}
		if err := h.Execute(e.VM); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hints/s")
}

func BenchmarkDictRead(b *testing.B) {
	e := dictEnv(b)
	e.frame(1, map[int64]memory.Value{2: fv(7)})
	if err := e.run(codeDefaultDictNew); err != nil {
		b.Fatal(err)
	}
	dm := e.RT.Scopes[0][scopeDictManager].(*dictManager)
	t := dm.trackers[2]
	e.frame(2, map[int64]memory.Value{-3: rv(2, 0), -2: fv(5)})
	benchHint(b, e, codeDictRead, func() { t.currentPtr = memory.Relocatable{Segment: 2} })
}

func BenchmarkDictUpdate(b *testing.B) {
	e := dictEnv(b)
	e.frame(1, map[int64]memory.Value{2: fv(7)})
	if err := e.run(codeDefaultDictNew); err != nil {
		b.Fatal(err)
	}
	dm := e.RT.Scopes[0][scopeDictManager].(*dictManager)
	t := dm.trackers[2]
	e.frame(2, map[int64]memory.Value{-3: rv(2, 0), -2: fv(5), 1: fv(7), 0: fv(7)})
	benchHint(b, e, codeDictUpdate, func() { t.currentPtr = memory.Relocatable{Segment: 2} })
}

// BenchmarkSquashDict100 runs squash_dict's first hint on 100 accesses to
// 10 keys.
func BenchmarkSquashDict100(b *testing.B) {
	acc := make([][3]uint64, 100)
	for i := range acc {
		acc[i] = [3]uint64{uint64(i*7) % 10, 0, 0}
	}
	e := squashEnv(b, acc)
	benchHint(b, e, codeSquashDict, nil)
}

func BenchmarkSquashDictInnerLoop(b *testing.B) {
	e := squashEnv(b, [][3]uint64{{1, 0, 0}})
	e.VM.FP = e.VM.FP.Add(1000)
	cur := make([]uint64, 0, 1)
	benchHint(b, e, codeSquashDictInnerCheckAccessIndex, func() {
		e.RT.Scopes[0][scopeCurrentAccessIndices] = append(cur[:0], 5)
		e.RT.Scopes[0][scopeCurrentAccessIndex] = uint64(2)
	})
}

func BenchmarkKeccakBlockPermutation(b *testing.B) {
	e := keccakEnv(b)
	seg := e.Mem.AddSegment()
	for i := 0; i < 25; i++ {
		if err := e.Mem.Set(seg.Add(uint64(i)), fv(uint64(i)*0x0101010101010101)); err != nil {
			b.Fatal(err)
		}
	}
	e.setFPValue(-1, memory.RelocValue(seg.Add(25)))
	benchHint(b, e, codeKeccakBlockPermutation, nil)
}

func BenchmarkUnsafeKeccak(b *testing.B) {
	e := newHintEnv(b, map[string]string{
		"data":   "[cast(fp + (-4), felt**)]",
		"length": "[cast(fp + (-3), felt*)]",
		"high":   "[cast(fp + (-2), felt*)]",
		"low":    "[cast(fp + (-1), felt*)]",
	}, nil, nil)
	seg := e.Mem.AddSegment()
	for i := uint64(0); i < 8; i++ {
		if err := e.Mem.Set(seg.Add(i), fv(i*0x1234567)); err != nil {
			b.Fatal(err)
		}
	}
	e.setFPValue(-4, memory.RelocValue(seg))
	e.setFP(-3, 128)
	benchHint(b, e, codeUnsafeKeccak, nil)
}

func BenchmarkSha256Compress(b *testing.B) {
	e := hashEnv(b, map[string]string{"SHA256_INPUT_CHUNK_SIZE_FELTS": "16"})
	in, out := e.Mem.AddSegment(), e.Mem.AddSegment()
	e.load(in, abcBlock)
	e.setFPValue(-1, memory.RelocValue(in))
	e.setFPValue(-2, memory.RelocValue(out))
	benchHint(b, e, codeSha256Compress, nil)
}

func BenchmarkBlake2sCompute(b *testing.B) {
	e := hashEnv(b, nil)
	seg := e.Mem.AddSegment()
	iv := blake2sModifiedIV()
	e.load(seg, append(append(iv[:], append([]uint64{0x636261}, make([]uint64, 15)...)...), 3, 0xffffffff))
	e.setFPValue(-2, memory.RelocValue(seg.Add(26)))
	benchHint(b, e, codeBlake2sCompute, nil)
}
