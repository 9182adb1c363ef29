package hints

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/memory"
)

// The ecdsa builtin runner registers signatures for the hint.
var _ signatureAdder = (*builtins.Ecdsa)(nil)

type recordedSignature struct {
	addr memory.Value
	r, s *big.Int
}

type fakeEcdsa struct {
	got []recordedSignature
	err error
}

func (f *fakeEcdsa) AddSignature(addr memory.Value, r, s *big.Int) error {
	f.got = append(f.got, recordedSignature{addr, r, s})
	return f.err
}

func TestAddSignature(t *testing.T) {
	const code = "ecdsa_builtin.add_signature(ids.ecdsa_ptr.address_, (ids.signature_r, ids.signature_s))"
	refs := map[string]string{"ecdsa_ptr": "[cast(fp + (-5), felt**)]", "signature_r": feltRef(-4), "signature_s": feltRef(-3)}
	e := newHintEnv(t, refs, nil, nil)
	ptr := memory.Relocatable{Segment: 3, Offset: 4}
	e.setFPValue(-5, memory.RelocValue(ptr))
	e.setFPDec(-4, "1234")
	e.setFPDec(-3, sub(primeDec, 1))
	if err := e.run(code); err == nil || !strings.Contains(err.Error(), "name 'ecdsa_builtin' is not defined") {
		t.Fatalf("without an ecdsa builtin: %v", err)
	}
	fake := &fakeEcdsa{}
	e.RT.Builtins = map[string]any{"ecdsa": fake}
	if err := e.run(code); err != nil {
		t.Fatal(err)
	}
	if len(fake.got) != 1 || fake.got[0].addr != memory.RelocValue(ptr) || fake.got[0].r.String() != "1234" || fake.got[0].s.String() != sub(primeDec, 1) {
		t.Fatalf("registered %+v", fake.got)
	}
	fake.err = errors.New("Signature hint must point to the signature builtin segment")
	if err := e.run(code); err == nil || !strings.Contains(err.Error(), "signature builtin segment") {
		t.Fatalf("runner error not returned: %v", err)
	}
	e.RT.Builtins = map[string]any{"ecdsa": struct{}{}}
	if err := e.run(code); err == nil {
		t.Fatal("a runner without AddSignature was accepted")
	}
}

func TestSegmentsHints(t *testing.T) {
	const reloc = "memory.add_relocation_rule(src_ptr=ids.src_ptr, dest_ptr=ids.dest_ptr)"
	const temp = "ids.temporary_array = segments.add_temp_segment()"
	e := newHintEnv(t, map[string]string{
		"temporary_array": "[cast(fp + 0, felt**)]",
		"src_ptr":         "[cast(fp + 0, felt**)]",
		"dest_ptr":        "[cast(fp + 1, felt**)]",
	}, nil, nil)
	if err := e.run(temp); err != nil {
		t.Fatal(err)
	}
	tmp := e.getFP(0)
	if !tmp.IsReloc() || tmp.Reloc() != (memory.Relocatable{Segment: -1, Offset: 0}) {
		t.Fatalf("temporary_array = %v, want -1:0", tmp)
	}
	dst := e.Mem.AddSegment().Add(3)
	e.setFPValue(1, memory.RelocValue(dst))
	if err := e.run(reloc); err != nil {
		t.Fatal(err)
	}
	if got := e.Mem.RelocateAddr(memory.Relocatable{Segment: -1, Offset: 2}); got != dst.Add(2) {
		t.Fatalf("-1:2 relocates to %v, want %v", got, dst.Add(2))
	}
	// Reads relocate: ids.src_ptr now reads as the destination.
	if err := e.run(reloc); err == nil || !strings.Contains(err.Error(), "src_ptr.segment_index must be < 0, src_ptr="+dst.String()+".") {
		t.Fatalf("second rule: %v", err)
	}
	e2 := newHintEnv(t, map[string]string{"src_ptr": "[cast(fp + 0, felt**)]", "dest_ptr": "[cast(fp + 1, felt**)]"}, nil, nil)
	e2.setFPValue(0, memory.RelocValue(memory.Relocatable{Segment: 1, Offset: 0}))
	e2.setFPValue(1, memory.RelocValue(memory.Relocatable{Segment: 1, Offset: 5}))
	if err := e2.run(reloc); err == nil || !strings.Contains(err.Error(), "src_ptr.segment_index must be < 0") {
		t.Fatalf("rule from a real segment: %v", err)
	}
}

func TestStorageAndPoseidonHints(t *testing.T) {
	addrRefs := map[string]string{"addr": feltRef(-3), "is_small": feltRef(0), "is_250": feltRef(1)}
	bound := map[string]string{"ADDR_BOUND": addrBoundDec}
	runCellCases(t, []cellCase{
		{name: "normalize_address small", code: codeNormalizeAddressIsSmall, refs: addrRefs, consts: bound, in: map[int64]string{-3: sub(addrBoundDec, 1)}, want: map[int64]string{0: "1"}},
		{name: "normalize_address large", code: codeNormalizeAddressIsSmall, refs: addrRefs, consts: bound, in: map[int64]string{-3: addrBoundDec}, want: map[int64]string{0: "0"}},
		{name: "normalize_address bad bound", code: codeNormalizeAddressIsSmall, refs: addrRefs, consts: map[string]string{"ADDR_BOUND": pow250Dec}, in: map[int64]string{-3: "1"},
			wantErr: "normalize_address() cannot be used with the current constants."},
		{name: "is_250 below", code: codeNormalizeAddressIs250, refs: addrRefs, in: map[int64]string{-3: sub(pow250Dec, 1)}, want: map[int64]string{1: "1"}},
		{name: "is_250 at", code: codeNormalizeAddressIs250, refs: addrRefs, in: map[int64]string{-3: pow250Dec}, want: map[int64]string{1: "0"}},
		{name: "poseidon n >= 10", code: "memory[ap] = to_felt_or_relocatable(ids.n >= 10)", refs: map[string]string{"n": feltRef(-3)}, in: map[int64]string{-3: "10"}, want: map[int64]string{10: "1"}},
		{name: "poseidon n < 10", code: "memory[ap] = to_felt_or_relocatable(ids.n >= 10)", refs: map[string]string{"n": feltRef(-3)}, in: map[int64]string{-3: "9"}, want: map[int64]string{10: "0"}},
		{name: "poseidon n >= 2", code: "memory[ap] = to_felt_or_relocatable(ids.n >= 2)", refs: map[string]string{"n": feltRef(-3)}, in: map[int64]string{-3: "2"}, want: map[int64]string{10: "1"}},
		{name: "poseidon span", code: "memory[ap] = to_felt_or_relocatable(ids.elements_end - ids.elements >= 2)",
			refs: map[string]string{"elements": "[cast(fp + (-4), felt**)]", "elements_end": "[cast(fp + (-3), felt**)]"},
			setup: func(e *hintEnv) {
				e.setFPValue(-4, memory.RelocValue(memory.Relocatable{Segment: 1, Offset: 3}))
				e.setFPValue(-3, memory.RelocValue(memory.Relocatable{Segment: 1, Offset: 4}))
			},
			want: map[int64]string{10: "0"}},
		{name: "poseidon span 10", code: "memory[ap] = to_felt_or_relocatable(ids.elements_end - ids.elements >= 10)",
			refs: map[string]string{"elements": "[cast(fp + (-4), felt**)]", "elements_end": "[cast(fp + (-3), felt**)]"},
			setup: func(e *hintEnv) {
				e.setFPValue(-4, memory.RelocValue(memory.Relocatable{Segment: 1, Offset: 0}))
				e.setFPValue(-3, memory.RelocValue(memory.Relocatable{Segment: 1, Offset: 10}))
			},
			want: map[int64]string{10: "1"}},
	})
}

func TestMiscHints(t *testing.T) {
	scalars := map[string]string{"scalar_u": feltRef(-5), "scalar_v": feltRef(-4), "m": feltRef(-3), "dibit": feltRef(0), "quad_bit": feltRef(1)}
	runCellCases(t, []cellCase{
		{name: "empty hint", code: "", noRC: true},
		{name: "import math", code: "import math", noRC: true},
		{name: "lsb", code: codeLSBs, refs: map[string]string{"a": feltRef(-4), "b": feltRef(-3), "a_lsb": feltRef(0), "b_lsb": feltRef(1)},
			in: map[int64]string{-4: "7", -3: sub(primeDec, 1)}, want: map[int64]string{0: "1", 1: "0"}},
		// u = 0b1010, v = 0b0110, m = 2: bit 2 of u is 0, of v is 1.
		{name: "dibit", code: codeDibit, refs: scalars, in: map[int64]string{-5: "10", -4: "6", -3: "2"}, want: map[int64]string{0: "2"}},
		{name: "dibit m=3", code: codeDibit, refs: scalars, in: map[int64]string{-5: "10", -4: "6", -3: "3"}, want: map[int64]string{0: "1"}},
		// quad_bit = 8*v[m] + 4*u[m] + 2*v[m-1] + u[m-1] with m = 2: 8*1 + 4*0 + 2*1 + 1 = 11.
		{name: "quad_bit", code: codeQuadBit, refs: scalars, in: map[int64]string{-5: "10", -4: "6", -3: "2"}, want: map[int64]string{1: "11"}},
		{name: "quad_bit m=0", code: codeQuadBit, refs: scalars, in: map[int64]string{-5: "10", -4: "6", -3: "0"}, wantErr: "negative shift count"},
		{name: "len_hi", code: codeHighLen, refs: map[string]string{"scalar_u": "[cast(fp + (-6), __main__.BigInt3*)]", "scalar_v": "[cast(fp + (-3), __main__.BigInt3*)]", "len_hi": feltRef(0)},
			structs: map[string]map[string]int{"BigInt3": {"d0": 0, "d1": 1, "d2": 2}},
			in:      map[int64]string{-4: "1000", -1: "5"}, want: map[int64]string{0: "9"}},
		{name: "len_hi zero", code: codeHighLen, refs: map[string]string{"scalar_u": "[cast(fp + (-6), __main__.BigInt3*)]", "scalar_v": "[cast(fp + (-3), __main__.BigInt3*)]", "len_hi": feltRef(0)},
			structs: map[string]map[string]int{"BigInt3": {"d0": 0, "d1": 1, "d2": 2}},
			in:      map[int64]string{-4: "0", -1: "0"}, want: map[int64]string{0: sub(primeDec, 1)}},
		{name: "bit_length", code: codeBitLength, refs: map[string]string{"x": feltRef(-3), "bit_length": feltRef(0)}, in: map[int64]string{-3: pow128Dec}, want: map[int64]string{0: "129"},
			check: func(t *testing.T, e *hintEnv) {
				if x, ok := e.RT.Scopes[0]["x"].(*big.Int); !ok || x.String() != pow128Dec {
					t.Fatalf("scope x = %v", e.RT.Scopes[0]["x"])
				}
			}},
	})
}

func TestPrintHints(t *testing.T) {
	var out bytes.Buffer
	e := newHintEnv(t, map[string]string{"x": feltRef(-3)}, nil, nil)
	e.RT.Out = &out
	e.setFPDec(-3, sub(primeDec, 1))
	if err := e.run(codePrintFelt); err != nil {
		t.Fatal(err)
	}
	if out.String() != sub(primeDec, 1)+"\n" {
		t.Fatalf("printed %q", out.String())
	}

	out.Reset()
	e = newHintEnv(t, map[string]string{"name": "cast(1263227476, felt)", "arr": "[cast(fp + (-4), felt**)]", "arr_len": feltRef(-3)}, nil, nil)
	e.RT.Out = &out
	arr := e.Mem.AddSegment()
	for i, v := range []memory.Value{memory.Uint64Value(1), memory.Uint64Value(22), memory.RelocValue(memory.Relocatable{Segment: 1, Offset: 7})} {
		_ = e.Mem.Set(arr.Add(uint64(i)), v)
	}
	e.setFPValue(-4, memory.RelocValue(arr))
	e.setFP(-3, 3)
	if err := e.run(codePrintArray); err != nil {
		t.Fatal(err)
	}
	// 1263227476 is the short string 'KKRT'.
	want := "KKRT\n[1, 22, RelocatableValue(segment_index=1, offset=7)]\n"
	if out.String() != want {
		t.Fatalf("printed %q, want %q", out.String(), want)
	}
	if vals, ok := e.RT.Scopes[0]["arr"].([]memory.Value); !ok || len(vals) != 3 {
		t.Fatalf("scope arr = %v", e.RT.Scopes[0]["arr"])
	}
	e.setFPValue(-4, memory.RelocValue(arr))
	e2 := newHintEnv(t, map[string]string{"name": "cast(1263227476, felt)", "arr": "[cast(fp + (-4), felt**)]", "arr_len": feltRef(-3)}, nil, nil)
	e2.setFPValue(-4, memory.RelocValue(e2.Mem.AddSegment()))
	e2.setFP(-3, 1)
	if err := e2.run(codePrintArray); err == nil || !strings.Contains(err.Error(), "Unknown value for memory cell") {
		t.Fatalf("reading past the array: %v", err)
	}
}
