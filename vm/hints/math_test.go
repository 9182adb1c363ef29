package hints

import (
	"math/big"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

const (
	primeDec       = "3618502788666131213697322783095070105623107215331596699973092056135872020481"
	halfPrimeDec   = "1809251394333065606848661391547535052811553607665798349986546028067936010240"
	pow128Dec      = "340282366920938463463374607431768211456"
	primeOver3High = "0x2aaaaaaaaaaaab05555555555555556"
	primeOver2High = "0x4000000000000088000000000000001"
	pow250Dec      = "1809251394333065553493296640760748560207343510400633813116524750123642650624"
	addrBoundDec   = "3618502788666131106986593281521497120414687020801267626233049500247285301248" // 2**251 - 256
)

func sub(a string, b int64) string { return new(big.Int).Sub(bigDec(a), big.NewInt(b)).String() }
func add(a string, b int64) string { return new(big.Int).Add(bigDec(a), big.NewInt(b)).String() }
func hexDec(h string) string {
	v, _ := new(big.Int).SetString(h[2:], 16)
	return v.String()
}

func TestMathHints(t *testing.T) {
	ab := map[string]string{"a": feltRef(-4), "b": feltRef(-3)}
	pm1 := sub(primeDec, 1)
	pm1High := new(big.Int).Rsh(bigDec(pm1), 128).String()
	p3h, p2h := hexDec(primeOver3High), hexDec(primeOver2High)
	leRefs := map[string]string{"a": feltRef(-5), "b": feltRef(-4), "range_check_ptr": "[cast(fp + (-3), felt*)]"}
	leConsts := map[string]string{"PRIME_OVER_3_HIGH": p3h, "PRIME_OVER_2_HIGH": p2h}
	divRefs := map[string]string{"value": feltRef(-5), "div": feltRef(-4), "bound": feltRef(-3), "q": feltRef(0), "r": feltRef(1), "biased_q": feltRef(2)}
	runCellCases(t, []cellCase{
		{name: "assert_not_zero ok", code: codeAssertNotZero, refs: map[string]string{"value": feltRef(-3)}, in: map[int64]string{-3: "5"}},
		{name: "assert_not_zero zero", code: codeAssertNotZero, refs: map[string]string{"value": feltRef(-3)}, in: map[int64]string{-3: "0"}, wantErr: "assert_not_zero failed: 0 = 0."},
		{name: "assert_not_equal ok", code: codeAssertNotEqual, refs: ab, in: map[int64]string{-4: "3", -3: "4"}},
		{name: "assert_not_equal equal", code: codeAssertNotEqual, refs: ab, in: map[int64]string{-4: "7", -3: "7"}, wantErr: "assert_not_equal failed: 7 = 7."},
		{name: "assert_nn ok", code: codeAssertNN, refs: map[string]string{"a": feltRef(-3)}, in: map[int64]string{-3: sub(pow128Dec, 1)}},
		{name: "assert_nn bound", code: codeAssertNN, refs: map[string]string{"a": feltRef(-3)}, in: map[int64]string{-3: pow128Dec}, wantErr: "a = " + pow128Dec + " is out of range."},
		{name: "assert_nn negative", code: codeAssertNN, refs: map[string]string{"a": feltRef(-3)}, in: map[int64]string{-3: pm1}, wantErr: "a = " + pm1 + " is out of range."},
		{name: "assert_nn without range_check", code: codeAssertNN, refs: map[string]string{"a": feltRef(-3)}, in: map[int64]string{-3: "1"}, noRC: true, wantErr: "name 'range_check_builtin' is not defined"},
		{name: "assert_250_bit", code: codeAssert250Bit, refs: map[string]string{"value": feltRef(-3), "high": feltRef(0), "low": feltRef(1)},
			consts: map[string]string{"UPPER_BOUND": pow250Dec, "SHIFT": pow128Dec},
			in:     map[int64]string{-3: add(new(big.Int).Lsh(big.NewInt(3), 130).String(), 7)}, want: map[int64]string{0: "12", 1: "7"}},
		{name: "assert_250_bit out of range", code: codeAssert250Bit, refs: map[string]string{"value": feltRef(-3), "high": feltRef(0), "low": feltRef(1)},
			consts: map[string]string{"UPPER_BOUND": pow250Dec, "SHIFT": pow128Dec},
			in:     map[int64]string{-3: pow250Dec}, wantErr: pow250Dec + " is outside of the range [0, 2**250).", want: map[int64]string{0: ""}},
		{name: "split_felt max", code: codeSplitFelt, refs: map[string]string{"value": feltRef(-3), "high": feltRef(0), "low": feltRef(1)},
			consts: map[string]string{"MAX_HIGH": pm1High, "MAX_LOW": "0"},
			in:     map[int64]string{-3: pm1}, want: map[int64]string{0: pm1High, 1: "0"}},
		{name: "split_felt small", code: codeSplitFelt, refs: map[string]string{"value": feltRef(-3), "high": feltRef(0), "low": feltRef(1)},
			consts: map[string]string{"MAX_HIGH": pm1High, "MAX_LOW": "0"},
			in:     map[int64]string{-3: add(pow128Dec, 5)}, want: map[int64]string{0: "1", 1: "5"}},
		{name: "split_felt wrong constants", code: codeSplitFelt, refs: map[string]string{"value": feltRef(-3), "high": feltRef(0), "low": feltRef(1)},
			consts: map[string]string{"MAX_HIGH": pm1High, "MAX_LOW": "1"}, in: map[int64]string{-3: "1"}, wantErr: "PRIME - 1"},
		{name: "assert_le_felt v0.6", code: codeAssertLeFeltV06, refs: ab, in: map[int64]string{-4: "3", -3: "3"}},
		{name: "assert_le_felt v0.6 fails", code: codeAssertLeFeltV06, refs: ab, in: map[int64]string{-4: "4", -3: "3"}, wantErr: "a = 4 is not less than or equal to b = 3."},
		{name: "assert_le_felt v0.8 small", code: codeAssertLeFeltV08, refs: map[string]string{"a": feltRef(-4), "b": feltRef(-3), "small_inputs": feltRef(0)},
			in: map[int64]string{-4: "3", -3: "10"}, want: map[int64]string{0: "1"}},
		{name: "assert_le_felt v0.8 large", code: codeAssertLeFeltV08, refs: map[string]string{"a": feltRef(-4), "b": feltRef(-3), "small_inputs": feltRef(0)},
			in: map[int64]string{-4: "3", -3: pm1}, want: map[int64]string{0: "0"}},
		{name: "assert_lt_felt", code: codeAssertLtFelt, refs: ab, in: map[int64]string{-4: "2", -3: "3"}},
		{name: "assert_lt_felt equal", code: codeAssertLtFelt, refs: ab, in: map[int64]string{-4: "3", -3: "3"}, wantErr: "a = 3 is not less than b = 3."},
		{name: "is_positive negative", code: codeIsPositive, refs: map[string]string{"value": feltRef(-3), "is_positive": feltRef(0)}, in: map[int64]string{-3: sub(primeDec, 5)}, want: map[int64]string{0: "0"}},
		{name: "is_positive positive", code: codeIsPositive, refs: map[string]string{"value": feltRef(-3), "is_positive": feltRef(0)}, in: map[int64]string{-3: "5"}, want: map[int64]string{0: "1"}},
		{name: "is_positive zero", code: codeIsPositive, refs: map[string]string{"value": feltRef(-3), "is_positive": feltRef(0)}, in: map[int64]string{-3: "0"}, want: map[int64]string{0: "0"}},
		{name: "is_positive out of range", code: codeIsPositive, refs: map[string]string{"value": feltRef(-3), "is_positive": feltRef(0)},
			in: map[int64]string{-3: new(big.Int).Sub(bigDec(primeDec), bigDec(pow128Dec)).String()}, wantErr: "value=-" + pow128Dec + " is out of the valid range."},
		{name: "unsigned_div_rem", code: codeUnsignedDivRem, refs: divRefs, in: map[int64]string{-5: "100", -4: "7"}, want: map[int64]string{0: "14", 1: "2"}},
		{name: "unsigned_div_rem zero div", code: codeUnsignedDivRem, refs: divRefs, in: map[int64]string{-5: "100", -4: "0"}, wantErr: "div=0x0 is out of the valid range."},
		{name: "unsigned_div_rem large div", code: codeUnsignedDivRem, refs: divRefs, in: map[int64]string{-5: "100", -4: pow128Dec}, wantErr: "div=0x100000000000000000000000000000000 is out of the valid range."},
		{name: "signed_div_rem negative", code: codeSignedDivRem, refs: divRefs, in: map[int64]string{-5: sub(primeDec, 100), -4: "7", -3: "18446744073709551616"},
			want: map[int64]string{0: "", 1: "5", 2: "18446744073709551601"}},
		{name: "signed_div_rem positive", code: codeSignedDivRem, refs: divRefs, in: map[int64]string{-5: "100", -4: "7", -3: "1000"}, want: map[int64]string{1: "2", 2: "1014"}},
		{name: "signed_div_rem q out of range", code: codeSignedDivRem, refs: divRefs, in: map[int64]string{-5: "100", -4: "7", -3: "10"}, wantErr: "100 / 7 = 14 is out of the range [-10, 10)."},
		{name: "signed_div_rem negative exact", code: codeSignedDivRem, refs: divRefs, in: map[int64]string{-5: sub(primeDec, 98), -4: "7", -3: "1000"},
			want: map[int64]string{1: "0", 2: "986"}},
		{name: "signed_div_rem negative q out of range", code: codeSignedDivRem, refs: divRefs, in: map[int64]string{-5: sub(primeDec, 100), -4: "7", -3: "14"},
			wantErr: "-100 / 7 = -15 is out of the range [-14, 14)."},
		{name: "signed_div_rem half prime", code: codeSignedDivRem, refs: divRefs, in: map[int64]string{-5: halfPrimeDec, -4: "1000", -3: pow128Dec[:30]},
			wantErr: "-" + sub(halfPrimeDec, -1) + " / 1000 = -"},
		{name: "signed_div_rem large div", code: codeSignedDivRem, refs: divRefs, in: map[int64]string{-5: sub(primeDec, 100), -4: pow128Dec[:25], -3: "10"},
			want: map[int64]string{1: sub(pow128Dec[:25], 100), 2: "9"}},
		{name: "unsigned_div_rem large value", code: codeUnsignedDivRem, refs: divRefs, in: map[int64]string{-5: pm1, -4: "18446744073709551557"},
			want: map[int64]string{0: new(big.Int).Quo(bigDec(pm1), bigDec("18446744073709551557")).String(), 1: new(big.Int).Rem(bigDec(pm1), bigDec("18446744073709551557")).String()}},
		{name: "signed_div_rem bound too large", code: codeSignedDivRem, refs: divRefs, in: map[int64]string{-5: "100", -4: "7", -3: pow128Dec}, wantErr: "bound=0x100000000000000000000000000000000 is out of the valid range."},
		{name: "split_int value zero", code: codeSplitIntAssertRange, refs: map[string]string{"value": feltRef(-3)}, in: map[int64]string{-3: "0"}},
		{name: "split_int value left", code: codeSplitIntAssertRange, refs: map[string]string{"value": feltRef(-3)}, in: map[int64]string{-3: "1"}, wantErr: "split_int(): value is out of range."},
		{name: "sqrt", code: codeSqrt, refs: map[string]string{"value": feltRef(-3), "root": feltRef(0)}, in: map[int64]string{-3: "1000001"}, want: map[int64]string{0: "1000"}},
		{name: "sqrt max", code: codeSqrt, refs: map[string]string{"value": feltRef(-3), "root": feltRef(0)}, in: map[int64]string{-3: sub(pow250Dec, 1)}, want: map[int64]string{0: sub(new(big.Int).Lsh(big.NewInt(1), 125).String(), 1)}},
		{name: "sqrt out of range", code: codeSqrt, refs: map[string]string{"value": feltRef(-3), "root": feltRef(0)}, in: map[int64]string{-3: pow250Dec}, wantErr: "value=" + pow250Dec + " is outside of the range [0, 2**250)."},
		{name: "is_quad_residue square", code: codeIsQuadResidue, refs: map[string]string{"x": feltRef(-3), "y": feltRef(0)}, in: map[int64]string{-3: "4"}, want: map[int64]string{0: "2"}},
		{name: "is_quad_residue non-residue", code: codeIsQuadResidue, refs: map[string]string{"x": feltRef(-3), "y": feltRef(0)}, in: map[int64]string{-3: "3"}, want: map[int64]string{0: "1"}},
		{name: "is_quad_residue zero", code: codeIsQuadResidue, refs: map[string]string{"x": feltRef(-3), "y": feltRef(0)}, in: map[int64]string{-3: "0"}, want: map[int64]string{0: "0"}},
		{name: "assert_le_felt excluded 2", code: codeAssertLeFelt, refs: leRefs, consts: leConsts, setup: rcSegmentAt(-3), in: map[int64]string{-5: "1", -4: "2"},
			check: func(t *testing.T, e *hintEnv) { checkExcluded(t, e, 2, []string{"1", "0", "1", "0"}) }},
		{name: "assert_le_felt excluded 1", code: codeAssertLeFelt, refs: leRefs, consts: leConsts, setup: rcSegmentAt(-3), in: map[int64]string{-5: "10", -4: sub(primeDec, 5)},
			check: func(t *testing.T, e *hintEnv) { checkExcluded(t, e, 1, []string{"4", "0", "10", "0"}) }},
		{name: "assert_le_felt excluded 0", code: codeAssertLeFelt, refs: leRefs, consts: leConsts, setup: rcSegmentAt(-3), in: map[int64]string{-5: sub(primeDec, 10), -4: sub(primeDec, 3)},
			check: func(t *testing.T, e *hintEnv) {
				// Arcs: a = P-10 (excluded), b-a = 7, P-1-b = 2.
				checkExcluded(t, e, 0, []string{"2", "0", "7", "0"})
			}},
		{name: "assert_le_felt big arcs", code: codeAssertLeFelt, refs: leRefs, consts: leConsts, setup: rcSegmentAt(-3),
			in: map[int64]string{-5: new(big.Int).Quo(bigDec(primeDec), big.NewInt(4)).String(), -4: new(big.Int).Quo(bigDec(primeDec), big.NewInt(2)).String()},
			check: func(t *testing.T, e *hintEnv) {
				p := bigDec(primeDec)
				a := new(big.Int).Quo(p, big.NewInt(4))
				b := new(big.Int).Quo(p, big.NewInt(2))
				ba := new(big.Int).Sub(b, a)
				// Arcs: a ≈ P/4 (index 0), b-a ≈ P/4 (index 1), P-1-b ≈ P/2 (index 2).
				q0, r0 := new(big.Int).DivMod(a, bigDec(p3h), new(big.Int))
				q1, r1 := new(big.Int).DivMod(ba, bigDec(p2h), new(big.Int))
				if a.Cmp(ba) > 0 {
					q0, r0 = new(big.Int).DivMod(ba, bigDec(p3h), new(big.Int))
					q1, r1 = new(big.Int).DivMod(a, bigDec(p2h), new(big.Int))
				}
				checkExcluded(t, e, 2, []string{r0.String(), q0.String(), r1.String(), q1.String()})
			}},
		{name: "assert_le_felt a > b", code: codeAssertLeFelt, refs: leRefs, consts: leConsts, setup: rcSegmentAt(-3), in: map[int64]string{-5: "3", -4: "2"}, wantErr: "a = 3 is not less than or equal to b = 2."},
	})
}

// checkExcluded checks the scope's excluded, the four range-check cells
// assert_le_felt writes, and the three hints that read excluded.
func checkExcluded(t *testing.T, e *hintEnv, excluded int, rc []string) {
	t.Helper()
	if got := e.RT.Scopes[len(e.RT.Scopes)-1]["excluded"]; got != excluded {
		t.Fatalf("excluded = %v, want %d", got, excluded)
	}
	base := e.getFP(-3).Reloc()
	for i, want := range rc {
		got := e.Mem.Get(base.Add(uint64(i)))
		if got != memory.FeltValue(felt.FromBigInt(bigDec(want))) {
			t.Fatalf("range_check_ptr[%d] = %v, want %s", i, got, want)
		}
	}
	for k, code := range []string{codeAssertLeFeltExcluded0, codeAssertLeFeltExcluded1} {
		e.VM.AP = e.VM.AP.Add(1)
		if err := e.run(code); err != nil {
			t.Fatal(err)
		}
		want := felt.One
		if k == excluded {
			want = felt.Zero
		}
		if got := e.Mem.Get(e.VM.AP); got != memory.FeltValue(want) {
			t.Fatalf("excluded != %d hint wrote %v", k, got)
		}
	}
	err := e.run(codeAssertLeFeltExcluded2)
	if (err == nil) != (excluded == 2) {
		t.Fatalf("assert excluded == 2 with excluded = %d: %v", excluded, err)
	}
}

// rcSegmentAt stores a pointer to a new segment at fp+off.
func rcSegmentAt(off int64) func(e *hintEnv) {
	return func(e *hintEnv) { e.setFPValue(off, memory.RelocValue(e.Mem.AddSegment())) }
}
