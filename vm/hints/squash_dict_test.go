package hints

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// squashEnv has the squash_dict references: dict_accesses (fp-5),
// ptr_diff (fp-4), n_accesses (fp-3), big_keys (fp-2), first_key (fp-1),
// range_check_ptr (fp), should_skip_loop (fp+1), loop_temps (a
// LoopTemps* at fp+10), n_used_accesses (fp+2), next_key (fp+3).
func squashEnv(t testing.TB, accesses [][3]uint64) *hintEnv {
	e := newHintEnv(t,
		map[string]string{
			"dict_accesses":    "[cast(fp + (-5), __main__.DictAccess**)]",
			"ptr_diff":         "[cast(fp + (-4), felt*)]",
			"n_accesses":       "[cast(fp + (-3), felt*)]",
			"big_keys":         "[cast(fp + (-2), felt*)]",
			"first_key":        "[cast(fp + (-1), felt*)]",
			"range_check_ptr":  "[cast(fp, felt*)]",
			"should_skip_loop": "[cast(fp + 1, felt*)]",
			"n_used_accesses":  "[cast(fp + 2, felt*)]",
			"next_key":         "[cast(fp + 3, felt*)]",
			"loop_temps":       "cast(fp + 10, __main__.LoopTemps*)",
		},
		nil,
		map[string]map[string]int{
			"DictAccess": {"key": 0, "prev_value": 1, "new_value": 2},
			"LoopTemps":  {"index_delta_minus1": 0, "index_delta": 1, "ptr_delta": 2, "should_continue": 3},
		},
	)
	e.withRangeCheck()
	acc := e.Mem.AddSegment() // 2: the accesses
	e.Mem.AddSegment()        // 3: the range-check cells
	for i, a := range accesses {
		for j, v := range a {
			if err := e.Mem.Set(acc.Add(uint64(3*i+j)), fv(v)); err != nil {
				t.Fatal(err)
			}
		}
	}
	n := uint64(len(accesses))
	e.frame(1, map[int64]memory.Value{-5: rv(2, 0), -4: fv(3 * n), -3: fv(n)})
	return e
}

func TestSquashDictWalk(t *testing.T) {
	// Keys 3, 1, 3, 2: key 1 once (index 1), key 2 once (index 3), key 3
	// twice (indices 0 and 2).
	e := squashEnv(t, [][3]uint64{{3, 0, 5}, {1, 0, 1}, {3, 5, 6}, {2, 0, 2}})
	if err := e.run(codeSquashDict); err != nil {
		t.Fatal(err)
	}
	if e.getFP(-2) != fv(0) || e.getFP(-1) != fv(1) {
		t.Fatalf("big_keys, first_key = %v, %v; want 0, 1", e.getFP(-2), e.getFP(-1))
	}
	scope := e.RT.Scopes[0]
	wantIdx := squashAccessIndices{fv(3): {0, 2}, fv(1): {1}, fv(2): {3}}
	if !reflect.DeepEqual(scope[scopeAccessIndices], wantIdx) {
		t.Fatalf("access_indices = %v", scope[scopeAccessIndices])
	}
	if !reflect.DeepEqual(scope[scopeKeys], []memory.Value{fv(3), fv(2)}) {
		t.Fatalf("keys = %v", scope[scopeKeys])
	}
	rc := uint64(0)
	// walkKey runs squash_dict_inner's hints for the current key and
	// returns the index deltas it wrote.
	walkKey := func(frame uint64, nAccesses uint64) []uint64 {
		t.Helper()
		e.frame(frame, map[int64]memory.Value{0: rv(3, rc), 2: fv(nAccesses)})
		if err := e.run(codeSquashDictInnerFirstIteration); err != nil {
			t.Fatal(err)
		}
		rc++
		if err := e.run(codeSquashDictInnerSkipLoop); err != nil {
			t.Fatal(err)
		}
		var deltas []uint64
		if e.getFP(1) == fv(0) {
			for i := int64(0); ; i++ {
				e.VM.FP = e.VM.FP.Add(100) // a fresh loop_temps
				if err := e.run(codeSquashDictInnerCheckAccessIndex); err != nil {
					t.Fatal(err)
				}
				d, _ := e.getFP(10).Felt().Uint64()
				deltas = append(deltas, d)
				if err := e.run(codeSquashDictInnerContinueLoop); err != nil {
					t.Fatal(err)
				}
				if e.getFP(13) == fv(0) {
					break
				}
			}
		}
		if err := e.run(codeSquashDictInnerAssertLenCurrentAccessIndices); err != nil {
			t.Fatal(err)
		}
		e.frame(frame+50, map[int64]memory.Value{2: fv(nAccesses)})
		if err := e.run(codeSquashDictInnerUsedAccessesAssert); err != nil {
			t.Fatal(err)
		}
		e.frame(frame+60, map[int64]memory.Value{2: fv(nAccesses + 1)})
		if err := e.run(codeSquashDictInnerUsedAccessesAssert); err == nil || err.Error() != "Got an exception while executing a hint: AssertionError" {
			t.Fatalf("wrong n_used_accesses: %v", err)
		}
		return deltas
	}
	if d := walkKey(2, 1); d != nil {
		t.Fatalf("key 1 deltas %v", d)
	}
	e.frame(3, nil)
	if err := e.run(codeSquashDictInnerNextKey); err != nil {
		t.Fatal(err)
	}
	if e.getFP(3) != fv(2) {
		t.Fatalf("next_key = %v, want 2", e.getFP(3))
	}
	if err := e.run(codeSquashDictInnerAssertLenKeys); err == nil {
		t.Fatal("assert len(keys) == 0 passed with a key left")
	}
	walkKey(4, 1)
	e.frame(5, nil)
	if err := e.run(codeSquashDictInnerNextKey); err != nil {
		t.Fatal(err)
	}
	if d := walkKey(6, 2); !reflect.DeepEqual(d, []uint64{1}) {
		t.Fatalf("key 3 deltas %v, want [1]", d)
	}
	if err := e.run(codeSquashDictInnerAssertLenKeys); err != nil {
		t.Fatal(err)
	}
	e.frame(7, nil)
	if err := e.run(codeSquashDictInnerNextKey); err == nil || !strings.Contains(err.Error(), "No keys left but remaining_accesses > 0.") {
		t.Fatalf("next key with none left: %v", err)
	}
	// The first access index of each key went to the range-check cells.
	for i, want := range []uint64{1, 3, 0} {
		if got := e.Mem.Get(memory.Relocatable{Segment: 3, Offset: uint64(i)}); got != fv(want) {
			t.Fatalf("range check cell %d = %v, want %d", i, got, want)
		}
	}
}

func TestSquashDictErrors(t *testing.T) {
	big := felt.MustFromString("340282366920938463463374607431768211456") // 2^128
	tests := []struct {
		name    string
		setup   func(e *hintEnv)
		want    string
		bigKeys bool
	}{
		{name: "big keys", setup: func(e *hintEnv) {
			if err := e.Mem.Set(memory.Relocatable{Segment: 2, Offset: 3}, memory.FeltValue(big)); err != nil {
				t.Fatal(err)
			}
		}, bigKeys: true},
		{name: "max size", setup: func(e *hintEnv) { e.RT.Scopes[0][scopeSquashDictMaxSize] = 1 },
			want: "squash_dict() can only be used with n_accesses<=1. Got: n_accesses=2."},
		{name: "no range check", setup: func(e *hintEnv) { e.RT.Builtins = nil }, want: "name 'range_check_builtin' is not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := squashEnv(t, [][3]uint64{{7, 0, 0}})
			// A second access whose key is set by setup or defaults to 9.
			tc.setup(e)
			if !e.Mem.Get(memory.Relocatable{Segment: 2, Offset: 3}).IsSet() {
				if err := e.Mem.Set(memory.Relocatable{Segment: 2, Offset: 3}, fv(9)); err != nil {
					t.Fatal(err)
				}
			}
			e.frame(2, map[int64]memory.Value{-5: rv(2, 0), -4: fv(6), -3: fv(2)})
			err := e.run(codeSquashDict)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := e.getFP(-2) == fv(1); got != tc.bigKeys {
				t.Fatalf("big_keys = %v", e.getFP(-2))
			}
		})
	}
	e := squashEnv(t, [][3]uint64{{7, 0, 0}})
	e.frame(2, map[int64]memory.Value{-5: rv(2, 0), -4: fv(4), -3: fv(1)})
	if err := e.run(codeSquashDict); err == nil || !strings.Contains(err.Error(), "Accesses array size must be divisible by DictAccess.SIZE") {
		t.Fatalf("ptr_diff 4: %v", err)
	}
}
