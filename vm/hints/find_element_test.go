package hints

import (
	"math/big"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// arrayEnv loads an array of felts (elm_size 2: key, payload) in a new
// segment and references array_ptr, elm_size, n_elms, key, index and
// exists.
func arrayEnv(t testing.TB, keys []uint64, elmSize, nElms, key uint64) *hintEnv {
	e := newHintEnv(t, map[string]string{
		"array_ptr": "[cast(fp + (-6), felt**)]",
		"elm_size":  feltRef(-5),
		"n_elms":    feltRef(-4),
		"key":       feltRef(-3),
		"index":     feltRef(0),
		"exists":    feltRef(1),
	}, nil, nil)
	base := e.Mem.AddSegment()
	stride := max(elmSize, 1)
	for i, k := range keys {
		if err := e.Mem.Set(base.Add(uint64(i)*stride), memory.Uint64Value(k)); err != nil {
			t.Fatal(err)
		}
		if stride > 1 {
			if err := e.Mem.Set(base.Add(uint64(i)*stride+1), memory.Uint64Value(1000+k)); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.setFPValue(-6, memory.RelocValue(base))
	e.setFP(-5, elmSize)
	e.setFP(-4, nElms)
	e.setFP(-3, key)
	return e
}

func TestFindElement(t *testing.T) {
	keys := []uint64{5, 9, 9, 20, 31}
	for _, tc := range []struct {
		name       string
		code       string
		elmSize    uint64
		nElms, key uint64
		scope      Scope
		wantIndex  int64 // -1: unset
		wantExists int64 // -1: unset
		wantErr    string
	}{
		{"find first", codeFindElement, 2, 5, 9, nil, 1, -1, ""},
		{"find last", codeFindElement, 2, 5, 31, nil, 4, -1, ""},
		{"find elm_size 1", codeFindElement, 1, 5, 20, nil, 3, -1, ""},
		{"find missing", codeFindElement, 2, 5, 10, nil, -1, -1, "Key 10 was not found."},
		{"find beyond n_elms", codeFindElement, 2, 3, 20, nil, -1, -1, "Key 20 was not found."},
		{"find max size", codeFindElement, 2, 5, 9, Scope{"__find_element_max_size": 4}, -1, -1, "find_element() can only be used with n_elms<=4. Got: n_elms=5."},
		{"find within max size", codeFindElement, 2, 5, 9, Scope{"__find_element_max_size": big.NewInt(5)}, 1, -1, ""},
		{"find given index", codeFindElement, 2, 5, 9, Scope{"__find_element_index": 2}, 2, -1, ""},
		{"find wrong given index", codeFindElement, 2, 5, 9, Scope{"__find_element_index": 3}, -1, -1, "Invalid index found in __find_element_index. index: 3, expected key 9, found key: 20."},
		{"find zero elm_size", codeFindElement, 0, 5, 9, nil, -1, -1, "Invalid value for elm_size. Got: 0."},
		{"lower exact", codeSearchSortedLower, 2, 5, 9, nil, 1, -1, ""},
		{"lower between", codeSearchSortedLower, 2, 5, 10, nil, 3, -1, ""},
		{"lower first", codeSearchSortedLower, 2, 5, 0, nil, 0, -1, ""},
		{"lower past end", codeSearchSortedLower, 2, 5, 32, nil, 5, -1, ""},
		{"lower empty", codeSearchSortedLower, 2, 0, 1, nil, 0, -1, ""},
		{"lower max size", codeSearchSortedLower, 2, 5, 1, Scope{"__find_element_max_size": 0}, -1, -1, "n_elms<=0. Got: n_elms=5."},
		{"sorted exists", codeSearchSorted, 2, 5, 20, nil, 3, 1, ""},
		{"sorted not exists", codeSearchSorted, 2, 5, 21, nil, 4, 0, ""},
		{"sorted past end", codeSearchSorted, 2, 5, 99, nil, 5, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := arrayEnv(t, keys, tc.elmSize, tc.nElms, tc.key)
			for k, v := range tc.scope {
				e.RT.Scopes[0][k] = v
			}
			err := e.run(tc.code)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			check := func(off int64, want int64) {
				got := e.getFP(off)
				if want < 0 {
					if got.IsSet() {
						t.Fatalf("fp%+d = %v, want unset", off, got)
					}
					return
				}
				if got != memory.FeltValue(felt.FromInt64(want)) {
					t.Fatalf("fp%+d = %v, want %d", off, got, want)
				}
			}
			check(0, tc.wantIndex)
			check(1, tc.wantExists)
			if _, ok := tc.scope["__find_element_index"]; ok {
				if _, still := e.RT.Scopes[0]["__find_element_index"]; still {
					t.Fatal("__find_element_index was not deleted")
				}
			}
		})
	}
}

func TestSetAdd(t *testing.T) {
	// A set of three pairs; elm is looked up in it.
	set := []uint64{1, 2, 3, 4, 5, 6}
	for _, tc := range []struct {
		name      string
		elm       []uint64
		setLen    uint64
		wantIn    uint64
		wantIndex int64
	}{
		{"found middle", []uint64{3, 4}, 6, 1, 1},
		{"found last", []uint64{5, 6}, 6, 1, 2},
		{"not found", []uint64{4, 5}, 6, 0, -1},
		{"outside end", []uint64{5, 6}, 4, 0, -1},
		{"empty set", []uint64{1, 2}, 0, 0, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newHintEnv(t, map[string]string{
				"set_ptr":       "[cast(fp + (-6), felt**)]",
				"set_end_ptr":   "[cast(fp + (-5), felt**)]",
				"elm_ptr":       "[cast(fp + (-4), felt**)]",
				"elm_size":      feltRef(-3),
				"index":         feltRef(0),
				"is_elm_in_set": feltRef(1),
			}, nil, nil)
			s := e.Mem.AddSegment()
			for i, v := range set {
				_ = e.Mem.Set(s.Add(uint64(i)), memory.Uint64Value(v))
			}
			el := e.Mem.AddSegment()
			for i, v := range tc.elm {
				_ = e.Mem.Set(el.Add(uint64(i)), memory.Uint64Value(v))
			}
			e.setFPValue(-6, memory.RelocValue(s))
			e.setFPValue(-5, memory.RelocValue(s.Add(tc.setLen)))
			e.setFPValue(-4, memory.RelocValue(el))
			e.setFP(-3, 2)
			if err := e.run(codeSetAdd); err != nil {
				t.Fatal(err)
			}
			if got := e.getFP(1); got != memory.Uint64Value(tc.wantIn) {
				t.Fatalf("is_elm_in_set = %v, want %d", got, tc.wantIn)
			}
			idx := e.getFP(0)
			if tc.wantIndex < 0 {
				if idx.IsSet() {
					t.Fatalf("index = %v, want unset", idx)
				}
			} else if idx != memory.Uint64Value(uint64(tc.wantIndex)) {
				t.Fatalf("index = %v, want %d", idx, tc.wantIndex)
			}
		})
	}
	t.Run("set_ptr after end", func(t *testing.T) {
		e := newHintEnv(t, map[string]string{
			"set_ptr": "[cast(fp + (-6), felt**)]", "set_end_ptr": "[cast(fp + (-5), felt**)]",
			"elm_ptr": "[cast(fp + (-4), felt**)]", "elm_size": feltRef(-3),
		}, nil, nil)
		s := e.Mem.AddSegment()
		e.setFPValue(-6, memory.RelocValue(s.Add(2)))
		e.setFPValue(-5, memory.RelocValue(s))
		e.setFPValue(-4, memory.RelocValue(s))
		e.setFP(-3, 1)
		if err := e.run(codeSetAdd); err == nil {
			t.Fatal("set_ptr > set_end_ptr accepted")
		}
	})
}
