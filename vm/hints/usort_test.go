package hints

import (
	"math/big"
	"sort"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/memory"
)

func usortEnv(t testing.TB, input []uint64) *hintEnv {
	vals := make([]memory.Value, len(input))
	for i, v := range input {
		vals[i] = memory.Uint64Value(v)
	}
	return usortEnvValues(t, vals)
}

// usortEnvValues loads the input values in a new segment and points
// ids.input and ids.input_len at it.
func usortEnvValues(t testing.TB, input []memory.Value) *hintEnv {
	e := newHintEnv(t, map[string]string{
		"input":           "[cast(fp + (-4), felt**)]",
		"input_len":       feltRef(-3),
		"output_len":      feltRef(0),
		"output":          "[cast(fp + 1, felt**)]",
		"multiplicities":  "[cast(fp + 2, felt**)]",
		"value":           feltRef(3),
		"next_item_index": "[cast(ap + 0, felt*)]",
	}, nil, nil)
	in := e.Mem.AddSegment()
	for i, v := range input {
		if err := e.Mem.Set(in.Add(uint64(i)), v); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Mem.Set(memory.Relocatable{Segment: 1, Offset: 6}, memory.RelocValue(in)); err != nil {
		t.Fatal(err)
	}
	if err := e.Mem.Set(memory.Relocatable{Segment: 1, Offset: 7}, memory.Uint64Value(uint64(len(input)))); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestUsort(t *testing.T) {
	input := []uint64{7, 3, 7, 1, 3, 7, 100}
	e := usortEnv(t, input)
	if err := e.run(codeUsortEnterScope); err != nil {
		t.Fatal(err)
	}
	if v, ok := e.RT.Scopes[1]["__usort_max_size"]; !ok || v != nil {
		t.Fatalf("__usort_max_size = %v, %v; want None", v, ok)
	}
	if err := e.run(codeUsort); err != nil {
		t.Fatal(err)
	}
	// Expected output from a plain sort of the distinct values.
	count := map[uint64]int{}
	for _, v := range input {
		count[v]++
	}
	var distinct []uint64
	for v := range count {
		distinct = append(distinct, v)
	}
	sort.Slice(distinct, func(i, j int) bool { return distinct[i] < distinct[j] })
	if got := e.getFP(0); got != memory.Uint64Value(uint64(len(distinct))) {
		t.Fatalf("output_len = %v", got)
	}
	out, mult := e.getFP(1).Reloc(), e.getFP(2).Reloc()
	for i, v := range distinct {
		if got := e.Mem.Get(out.Add(uint64(i))); got != memory.Uint64Value(v) {
			t.Fatalf("output[%d] = %v, want %d", i, got, v)
		}
		if got := e.Mem.Get(mult.Add(uint64(i))); got != memory.Uint64Value(uint64(count[v])) {
			t.Fatalf("multiplicities[%d] = %v, want %d", i, got, count[v])
		}
	}
	// verify_usort / verify_multiplicity for value 7 at positions 0, 2, 5:
	// next_item_index is the gap from the previous position + 1.
	e.setFP(3, 7)
	if err := e.run(codeVerifyUsort); err != nil {
		t.Fatal(err)
	}
	for _, want := range []uint64{0, 1, 2} {
		if err := e.run(codeVerifyMultiplicityBody); err != nil {
			t.Fatal(err)
		}
		if got := e.Mem.Get(e.VM.AP); got != memory.Uint64Value(want) {
			t.Fatalf("next_item_index = %v, want %d", got, want)
		}
		e.VM.AP = e.VM.AP.Add(1)
	}
	if err := e.run(codeVerifyMultiplicityAssert); err != nil {
		t.Fatal(err)
	}
	if err := e.run(codeVerifyMultiplicityBody); err == nil || !strings.Contains(err.Error(), "pop from empty list") {
		t.Fatalf("pop past the end: %v", err)
	}
	// A value that is not in the input has no positions.
	e2 := usortEnv(t, input)
	e2.RT.Scopes[0]["__usort_max_size"] = nil
	if err := e2.run(codeUsort); err != nil {
		t.Fatal(err)
	}
	e2.setFP(3, 8)
	if err := e2.run(codeVerifyUsort); err != nil {
		t.Fatal(err)
	}
	if err := e2.run(codeVerifyMultiplicityAssert); err != nil {
		t.Fatal(err)
	}
}

func TestUsortErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scope Scope
		input []uint64
		want  string
	}{
		{"max size", Scope{"__usort_max_size": big.NewInt(2)}, []uint64{1, 2, 3}, "usort() can only be used with input_len<=2. Got: input_len=3."},
		{"no scope variable", Scope{}, []uint64{1}, "name '__usort_max_size' is not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := usortEnv(t, tc.input)
			e.RT.Scopes[0] = Scope{}
			for k, v := range tc.scope {
				e.RT.Scopes[0][k] = v
			}
			err := e.run(codeUsort)
			if tc.name == "no scope variable" {
				// usort reads __usort_max_size with globals().get() in its
				// enter-scope hint; without it the body sees no limit.
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("mixed values", func(t *testing.T) {
		e := usortEnvValues(t, []memory.Value{memory.Uint64Value(1), memory.RelocValue(memory.Relocatable{Segment: 1, Offset: 0})})
		e.RT.Scopes[0]["__usort_max_size"] = nil
		if err := e.run(codeUsort); err == nil {
			t.Fatal("sorting an int and an address succeeded")
		}
	})
}

// BenchmarkUsort measures the usort hint on 1000 values with repeats.
func BenchmarkUsort(b *testing.B) {
	input := make([]uint64, 1000)
	for i := range input {
		input[i] = uint64((i * 7919) % 613)
	}
	b.ReportAllocs()
	hints := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := usortEnv(b, input)
		e.RT.Scopes[0]["__usort_max_size"] = nil
		c := &compiled{rt: e.RT, hint: &e.hint, fn: e.RT.lookup(codeUsort)}
		b.StartTimer()
		if err := c.Execute(e.VM); err != nil {
			b.Fatal(err)
		}
		hints++
	}
	b.ReportMetric(float64(hints)/b.Elapsed().Seconds(), "hints/s")
}

// BenchmarkFindElement measures find_element over a 1000-element array
// whose key is in the middle.
func BenchmarkFindElement(b *testing.B) {
	keys := make([]uint64, 1000)
	for i := range keys {
		keys[i] = uint64(i)
	}
	e := arrayEnv(b, keys, 2, 1000, 500)
	c := &compiled{rt: e.RT, hint: &e.hint, fn: e.RT.lookup(codeFindElement)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Execute(e.VM); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hints/s")
}
