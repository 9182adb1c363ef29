package hints

import (
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// u256Refs places Uint256 values at fp+0 (a), fp+2 (b), fp+4 (div), fp+6
// (quotient / res / root / n), fp+8 (remainder), fp+10 (quotient_low),
// fp+12 (quotient_high) and felts at fp+20.. (carry_low, carry_high,
// carry, low, high, a as a felt, root as a felt).
var u256Refs = map[string]string{
	"a":             "[cast(fp, __main__.Uint256*)]",
	"b":             "[cast(fp + 2, __main__.Uint256*)]",
	"div":           "[cast(fp + 4, __main__.Uint256*)]",
	"quotient":      "[cast(fp + 6, __main__.Uint256*)]",
	"res":           "[cast(fp + 6, __main__.Uint256*)]",
	"n":             "[cast(fp + 6, __main__.Uint256*)]",
	"root":          "[cast(fp + 8, __main__.Uint256*)]",
	"remainder":     "[cast(fp + 8, __main__.Uint256*)]",
	"quotient_low":  "[cast(fp + 10, __main__.Uint256*)]",
	"quotient_high": "[cast(fp + 12, __main__.Uint256*)]",
	"carry_low":     "[cast(fp + 20, felt*)]",
	"carry_high":    "[cast(fp + 21, felt*)]",
	"carry":         "[cast(fp + 22, felt*)]",
	"low":           "[cast(fp + 23, felt*)]",
	"high":          "[cast(fp + 24, felt*)]",
}

// u256FeltRefs replaces a and root by felts for the hints on felts.
var u256FeltRefs = map[string]string{
	"a":    "[cast(fp, felt*)]",
	"b":    "[cast(fp + 2, felt*)]",
	"root": "[cast(fp + 8, felt*)]",
}

const (
	two128    = "340282366920938463463374607431768211456"
	two128m1  = "340282366920938463463374607431768211455"
	u256Shift = two128
)

func TestUint256Hints(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		feltRefs bool
		expanded bool
		in       map[int64]string
		want     map[int64]string
		wantAP   string
		wantErr  string
	}{
		{name: "add no carry", code: codeUint256Add, in: map[int64]string{0: "1", 1: "2", 2: "3", 3: "4"}, want: map[int64]string{20: "0", 21: "0"}},
		{name: "add carries", code: codeUint256Add, in: map[int64]string{0: two128m1, 1: two128m1, 2: "1", 3: "0"}, want: map[int64]string{20: "1", 21: "1"}},
		{name: "add low carry only", code: codeUint256Add, in: map[int64]string{0: two128m1, 1: "5", 2: "1", 3: "0"}, want: map[int64]string{20: "1", 21: "0"}},
		{name: "add low felts", code: codeUint256AddLow, feltRefs: true, in: map[int64]string{0: two128m1, 2: "1"}, want: map[int64]string{22: "1"}},
		{name: "add low felts no carry", code: codeUint256AddLow, feltRefs: true, in: map[int64]string{0: "7", 2: "1"}, want: map[int64]string{22: "0"}},
		{name: "split_64", code: codeSplit64, feltRefs: true, in: map[int64]string{0: "340282366920938463463374607431768211455"}, want: map[int64]string{23: "18446744073709551615", 24: "18446744073709551615"}},
		{name: "split_64 small", code: codeSplit64, feltRefs: true, in: map[int64]string{0: "18446744073709551617"}, want: map[int64]string{23: "1", 24: "1"}},
		{name: "sqrt", code: codeUint256Sqrt, in: map[int64]string{6: "6789", 7: "12345"}, want: map[int64]string{8: "2049581864585795297394", 9: "0"}},
		{name: "sqrt felt root", code: codeUint256SqrtFelt, feltRefs: true, in: map[int64]string{6: "6789", 7: "12345"}, want: map[int64]string{8: "2049581864585795297394"}},
		{name: "sqrt out of range", code: codeUint256Sqrt, in: map[int64]string{6: "0", 7: "340282366920938463463374607431768211456"}, wantErr: "AssertionError"},
		{name: "signed_nn positive", code: codeUint256SignedNN, in: map[int64]string{0: "0", 1: "170141183460469231731687303715884105727"}, wantAP: "1"},
		{name: "signed_nn negative", code: codeUint256SignedNN, in: map[int64]string{0: "0", 1: "170141183460469231731687303715884105728"}, wantAP: "0"},
		{name: "unsigned_div_rem", code: codeUint256UnsignedDivRem,
			in:   map[int64]string{0: "123456789", 1: "5", 4: "17", 5: "3"},
			want: map[int64]string{6: "1", 7: "0", 8: "123456772", 9: "2"}},
		{name: "unsigned_div_rem expanded", code: codeUint256UnsignedDivRemExpanded, expanded: true,
			in:   map[int64]string{0: "123456789", 1: "5", 4: "17", 5: "3"},
			want: map[int64]string{6: "1", 7: "0", 8: "123456772", 9: "2"}},
		{name: "unsigned_div_rem by zero", code: codeUint256UnsignedDivRem, in: map[int64]string{0: "1", 1: "0", 4: "0", 5: "0"}, wantErr: "ZeroDivisionError"},
		{name: "mul_div_mod", code: codeUint256MulDivMod,
			in: map[int64]string{0: "123456789", 1: "5", 2: "987654321", 3: "7", 4: "17", 5: "3"},
			want: map[int64]string{
				10: "226854911280625642308916404956446297280", 11: "11", 12: "0", 13: "0",
				8: "226854911280625642309038337552744118981", 9: "1",
			}},
		{name: "sub", code: codeUint256Sub, in: map[int64]string{0: "987654321", 1: "7", 2: "123456789", 3: "5"}, want: map[int64]string{6: "864197532", 7: "2"}},
		{name: "sub wraps", code: codeUint256Sub, in: map[int64]string{0: "123456789", 1: "5", 2: "987654321", 3: "7"},
			want: map[int64]string{6: "340282366920938463463374607430904013924", 7: "340282366920938463463374607431768211453"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			refs := map[string]string{}
			for k, v := range u256Refs {
				refs[k] = v
			}
			if tc.feltRefs {
				for k, v := range u256FeltRefs {
					refs[k] = v
				}
			}
			structs := map[string]map[string]int{"Uint256": {"low": 0, "high": 1}}
			if tc.expanded {
				refs["div"] = "[cast(fp + 4, __main__.Uint256Expand*)]"
				structs["Uint256Expand"] = map[string]int{"b01": 0, "b23": 1}
			}
			e := newHintEnv(t, refs, map[string]string{"SHIFT": u256Shift}, structs)
			for off, v := range tc.in {
				e.setFPDec(off, v)
			}
			err := e.run(tc.code)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for off, w := range tc.want {
				if got, want := e.getFP(off), memory.FeltValue(felt.FromBigInt(bigDec(w))); got != want {
					t.Fatalf("fp+%d = %v, want %v", off, got, want)
				}
			}
			if tc.wantAP != "" {
				if got := e.Mem.Get(e.VM.AP); got != memory.FeltValue(felt.FromBigInt(bigDec(tc.wantAP))) {
					t.Fatalf("[ap] = %v, want %s", got, tc.wantAP)
				}
			}
		})
	}
}
