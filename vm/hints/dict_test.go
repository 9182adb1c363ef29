package hints

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// dictEnv is a hint environment with the references the dict hints use,
// all relative to fp: dict_ptr at fp-3 (DictAccess*), key fp-2,
// value/new_value/prev_value fp-1/0/1, default_value fp+2,
// dict_accesses_end fp+3, squashed_dict_start fp+4, squashed_dict_end
// fp+5, name fp+6, pointer_size fp+7.
func dictEnv(t testing.TB) *hintEnv {
	return newHintEnv(t,
		map[string]string{
			"dict_ptr":            "[cast(fp + (-3), __main__.DictAccess**)]",
			"key":                 "[cast(fp + (-2), felt*)]",
			"value":               "[cast(fp + (-1), felt*)]",
			"new_value":           "[cast(fp, felt*)]",
			"prev_value":          "[cast(fp + 1, felt*)]",
			"default_value":       "[cast(fp + 2, felt*)]",
			"dict_accesses_end":   "[cast(fp + 3, __main__.DictAccess**)]",
			"squashed_dict_start": "[cast(fp + 4, __main__.DictAccess**)]",
			"squashed_dict_end":   "[cast(fp + 5, __main__.DictAccess**)]",
			"name":                "[cast(fp + 6, felt*)]",
			"pointer_size":        "[cast(fp + 7, felt*)]",
		},
		nil,
		map[string]map[string]int{"DictAccess": {"key": 0, "prev_value": 1, "new_value": 2}},
	)
}

// frame moves fp to a fresh area (so that write-once cells can be set
// again) and writes the given cells relative to it.
func (e *hintEnv) frame(n uint64, cells map[int64]memory.Value) {
	e.t.Helper()
	e.VM.FP = memory.Relocatable{Segment: 1, Offset: 100 * n}
	e.VM.AP = memory.Relocatable{Segment: 1, Offset: 100*n + 50}
	for off, v := range cells {
		e.setFPValue(off, v)
	}
}

func fv(v uint64) memory.Value { return memory.FeltValue(felt.FromUint64(v)) }

func rv(seg int, off uint64) memory.Value {
	return memory.RelocValue(memory.Relocatable{Segment: seg, Offset: off})
}

func TestDictDefaultReadWriteUpdate(t *testing.T) {
	e := dictEnv(t)
	e.frame(1, map[int64]memory.Value{2: fv(7)})
	if err := e.run(codeDefaultDictNew); err != nil {
		t.Fatal(err)
	}
	base := e.Mem.Get(e.VM.AP)
	if base != rv(2, 0) {
		t.Fatalf("[ap] = %v, want 2:0", base)
	}
	steps := []struct {
		name    string
		code    string
		cells   map[int64]memory.Value
		check   map[int64]memory.Value // fp-relative cells after the hint
		wantErr string
	}{
		{name: "read default", code: codeDictRead, cells: map[int64]memory.Value{-3: rv(2, 0), -2: fv(5)}, check: map[int64]memory.Value{-1: fv(7)}},
		{name: "write", code: codeDictWrite, cells: map[int64]memory.Value{-3: rv(2, 3), -2: fv(5), 0: fv(9)}},
		{name: "stale pointer", code: codeDictRead, cells: map[int64]memory.Value{-3: rv(2, 3), -2: fv(5)}, wantErr: "Wrong dict pointer supplied. Got 2:3, expected 2:6."},
		{name: "read written", code: codeDictRead, cells: map[int64]memory.Value{-3: rv(2, 6), -2: fv(5)}, check: map[int64]memory.Value{-1: fv(9)}},
		{name: "update wrong prev", code: codeDictUpdate, cells: map[int64]memory.Value{-3: rv(2, 9), -2: fv(5), 1: fv(8), 0: fv(1)}, wantErr: "Wrong previous value in dict. Got 8, expected 9."},
		{name: "update", code: codeDictUpdate, cells: map[int64]memory.Value{-3: rv(2, 9), -2: fv(5), 1: fv(9), 0: rv(4, 4)}},
		{name: "read pointer value", code: codeDictRead, cells: map[int64]memory.Value{-3: rv(2, 12), -2: fv(5)}, check: map[int64]memory.Value{-1: rv(4, 4)}},
		{name: "unknown dict", code: codeDictRead, cells: map[int64]memory.Value{-3: rv(1, 0), -2: fv(5)}, wantErr: "Dictionary pointer 1:0 was not created using dict_new()."},
		{name: "felt pointer", code: codeDictRead, cells: map[int64]memory.Value{-3: fv(3), -2: fv(5)}, wantErr: "segment_index"},
	}
	for i, s := range steps {
		e.frame(uint64(i+2), s.cells)
		err := e.run(s.code)
		if s.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), s.wantErr) {
				t.Fatalf("%s: error %v, want %q", s.name, err, s.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		for off, want := range s.check {
			if got := e.getFP(off); got != want {
				t.Fatalf("%s: fp%+d = %v, want %v", s.name, off, got, want)
			}
		}
	}
	// dict_write stored prev_value in the DictAccess it wrote.
	if got := e.Mem.Get(memory.Relocatable{Segment: 2, Offset: 4}); got != fv(7) {
		t.Fatalf("dict_ptr.prev_value = %v, want 7", got)
	}
}

func TestDictSquashCopyAndNew(t *testing.T) {
	e := dictEnv(t)
	e.frame(1, map[int64]memory.Value{2: fv(0)})
	if err := e.run(codeDefaultDictNew); err != nil {
		t.Fatal(err)
	}
	// Read key 4 (inserts the default), write key 2.
	e.frame(2, map[int64]memory.Value{-3: rv(2, 0), -2: fv(4)})
	if err := e.run(codeDictRead); err != nil {
		t.Fatal(err)
	}
	e.frame(3, map[int64]memory.Value{-3: rv(2, 3), -2: fv(2), 0: fv(8)})
	if err := e.run(codeDictWrite); err != nil {
		t.Fatal(err)
	}
	outer := e.RT.Scopes[len(e.RT.Scopes)-1]
	e.frame(4, map[int64]memory.Value{3: rv(2, 6)})
	if err := e.run(codeDictSquashCopyDict); err != nil {
		t.Fatal(err)
	}
	if len(e.RT.Scopes) != 2 {
		t.Fatalf("%d scopes, want 2", len(e.RT.Scopes))
	}
	inner := e.RT.Scopes[1]
	if inner[scopeDictManager] != outer[scopeDictManager] {
		t.Fatal("the new scope does not share __dict_manager")
	}
	if err := e.run(codeDictNew); err != nil {
		t.Fatal(err)
	}
	if _, ok := inner[scopeInitialDict]; ok {
		t.Fatal("initial_dict was not deleted")
	}
	if got := e.Mem.Get(e.VM.AP); got != rv(3, 0) {
		t.Fatalf("[ap] = %v, want 3:0", got)
	}
	// The squashed dict is a plain dict with the items of the original.
	for _, tc := range []struct {
		key     uint64
		want    memory.Value
		wantErr string
	}{{4, fv(0), ""}, {2, fv(8), ""}, {5, memory.Value{}, "KeyError: 5"}} {
		e.frame(5+tc.key, map[int64]memory.Value{-3: rv(3, 0), -2: fv(tc.key)})
		err := e.run(codeDictRead)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("key %d: error %v, want %q", tc.key, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := e.getFP(-1); got != tc.want {
			t.Fatalf("key %d: value %v, want %v", tc.key, got, tc.want)
		}
		// Rewind the tracker for the next read.
		e.frame(20, map[int64]memory.Value{4: rv(3, 3), 5: rv(3, 0)})
		if err := e.run(codeDictSquashUpdatePtr); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.run(codeDictNew); err == nil || !strings.Contains(err.Error(), "name 'initial_dict' is not defined") {
		t.Fatalf("dict_new without initial_dict: %v", err)
	}
}

func TestDictManagerRequired(t *testing.T) {
	for _, code := range []string{codeDictRead, codeDictWrite, codeDictUpdate, codeDictSquashCopyDict, codeDictSquashUpdatePtr} {
		e := dictEnv(t)
		e.frame(1, map[int64]memory.Value{-3: rv(1, 0), -2: fv(1), 0: fv(1), 1: fv(0), 3: rv(1, 0), 4: rv(1, 0), 5: rv(1, 0)})
		if err := e.run(code); err == nil || !strings.Contains(err.Error(), "name '__dict_manager' is not defined") {
			t.Fatalf("%q: error %v", code[:20], err)
		}
	}
}

func TestPrintDict(t *testing.T) {
	e := dictEnv(t)
	var out bytes.Buffer
	e.RT.Out = &out
	e.frame(1, map[int64]memory.Value{2: fv(0)})
	if err := e.run(codeDefaultDictNew); err != nil {
		t.Fatal(err)
	}
	// A felt value and a pointer value (to two cells).
	if err := e.Mem.Set(memory.Relocatable{Segment: 1, Offset: 900}, fv(11)); err != nil {
		t.Fatal(err)
	}
	if err := e.Mem.Set(memory.Relocatable{Segment: 1, Offset: 901}, rv(2, 0)); err != nil {
		t.Fatal(err)
	}
	e.frame(2, map[int64]memory.Value{-3: rv(2, 0), -2: fv(3), 0: fv(30)})
	if err := e.run(codeDictWrite); err != nil {
		t.Fatal(err)
	}
	e.frame(3, map[int64]memory.Value{-3: rv(2, 3), -2: fv(1), 0: rv(1, 900)})
	if err := e.run(codeDictWrite); err != nil {
		t.Fatal(err)
	}
	e.frame(4, map[int64]memory.Value{-3: rv(2, 6), 6: fv(0x4b4b5254), 7: fv(2)})
	if err := e.run(codePrintDict); err != nil {
		t.Fatal(err)
	}
	want := "KKRT\n{3: 30, 1: [11, RelocatableValue(segment_index=2, offset=0)]}\n"
	if out.String() != want {
		t.Fatalf("printed %q, want %q", out.String(), want)
	}
}
