package runner

import (
	"encoding/binary"
	"io"
	"testing"

	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/program"
)

// FuzzRun runs arbitrary instruction words as main and checks that the VM
// never panics: every input either runs or fails with an error.
func FuzzRun(f *testing.F) {
	seed := func(words ...uint64) []byte {
		b := make([]byte, 8*len(words))
		for i, w := range words {
			binary.LittleEndian.PutUint64(b[8*i:], w)
		}
		return b
	}
	f.Add(seed(0x40780017fff7fff, 1, 0x208b7fff7fff7ffe), uint8(0))
	f.Add(seed(0x480680017fff8000, 5, 0x400680017fff7fff, 5, 0x208b7fff7fff7ffe), uint8(1))
	f.Add(seed(0x1104800180018000, 2, 0x208b7fff7fff7ffe, 0x208b7fff7fff7ffe), uint8(2))
	f.Add(seed(0x10780017fff7fff, 0), uint8(3))
	layouts := []string{"plain", "small", "recursive", "all_solidity"}
	builtinSets := [][]string{nil, {"output"}, {"output", "pedersen", "range_check"}, {"output", "pedersen", "range_check", "bitwise"}}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		if len(data) > 8*256 {
			return
		}
		words := make([]memory.Value, 0, len(data)/8+1)
		for i := 0; i+8 <= len(data); i += 8 {
			words = append(words, memory.FeltValue(felt.FromUint64(binary.LittleEndian.Uint64(data[i:]))))
		}
		if len(words) == 0 {
			return
		}
		zero := uint64(0)
		p := &program.Program{
			Data:        words,
			Builtins:    builtinSets[int(mode)%len(builtinSets)],
			MainScope:   "__main__",
			Hints:       map[uint64][]program.Hint{},
			Identifiers: map[string]*program.Identifier{"__main__.main": {Type: "function", PC: &zero}},
		}
		layout, err := builtins.LayoutByName(layouts[int(mode/4)%len(layouts)])
		if err != nil {
			t.Fatal(err)
		}
		r, err := New(p, Config{Layout: layout, SecureRun: true, Steps: 0, Trace: true, TrackAccesses: true, Stdout: io.Discard})
		if err != nil {
			return
		}
		// Bound the run: a program that loops fails with "End of program
		// was not reached" after 2000 steps.
		limit := uint64(2000)
		if err := r.RunUntilPC(r.end, &limit); err != nil {
			_ = r.FormatError(err)
			return
		}
		if err := r.EndRun(false); err != nil {
			return
		}
		if err := r.ReadReturnValues(); err != nil {
			return
		}
		if err := r.VerifySecureRunner(); err != nil {
			return
		}
		if err := r.Relocate(); err != nil {
			return
		}
		_ = r.WriteTrace(io.Discard)
		_ = r.WriteMemory(io.Discard)
	})
}
