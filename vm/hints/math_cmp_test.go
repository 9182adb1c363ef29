package hints

import (
	"math/big"
	"testing"
)

func TestMathCmpAndPowHints(t *testing.T) {
	const (
		isNN     = "memory[ap] = 0 if 0 <= (ids.a % PRIME) < range_check_builtin.bound else 1"
		isNNNeg  = "memory[ap] = 0 if 0 <= ((-ids.a - 1) % PRIME) < range_check_builtin.bound else 1"
		isLeFelt = "memory[ap] = 0 if (ids.a % PRIME) <= (ids.b % PRIME) else 1"
		powBit   = "ids.locs.bit = (ids.prev_locs.exp % PRIME) & 1"
		powNeg   = `assert ids.base != 0, "Cannot raise 0 to a negative power."`
	)
	a := map[string]string{"a": feltRef(-3)}
	ab := map[string]string{"a": feltRef(-4), "b": feltRef(-3)}
	// [ap] is fp+10 in the test environment.
	pm1 := sub(primeDec, 1)
	locs := map[string]string{"locs": "[cast(fp + 1, __main__.LoopLocals*)]", "prev_locs": "[cast(fp + (-5), __main__.LoopLocals*)]"}
	structs := map[string]map[string]int{"LoopLocals": {"bit": 0, "temp0": 1, "res": 2, "base": 3, "exp": 4}}
	runCellCases(t, []cellCase{
		{name: "is_nn small", code: isNN, refs: a, in: map[int64]string{-3: "5"}, want: map[int64]string{10: "0"}},
		{name: "is_nn max", code: isNN, refs: a, in: map[int64]string{-3: sub(pow128Dec, 1)}, want: map[int64]string{10: "0"}},
		{name: "is_nn bound", code: isNN, refs: a, in: map[int64]string{-3: pow128Dec}, want: map[int64]string{10: "1"}},
		{name: "is_nn negative", code: isNN, refs: a, in: map[int64]string{-3: pm1}, want: map[int64]string{10: "1"}},
		{name: "is_nn without range_check", code: isNN, refs: a, in: map[int64]string{-3: "1"}, noRC: true, wantErr: "range_check_builtin"},
		{name: "is_nn -a-1 of -1", code: isNNNeg, refs: a, in: map[int64]string{-3: pm1}, want: map[int64]string{10: "0"}},
		{name: "is_nn -a-1 of -2^128", code: isNNNeg, refs: a, in: map[int64]string{-3: new(big.Int).Sub(bigDec(primeDec), bigDec(pow128Dec)).String()}, want: map[int64]string{10: "0"}},
		{name: "is_nn -a-1 of -2^128-1", code: isNNNeg, refs: a, in: map[int64]string{-3: sub(new(big.Int).Sub(bigDec(primeDec), bigDec(pow128Dec)).String(), 1)}, want: map[int64]string{10: "1"}},
		{name: "is_nn -a-1 of 0", code: isNNNeg, refs: a, in: map[int64]string{-3: "0"}, want: map[int64]string{10: "1"}},
		{name: "is_le_felt equal", code: isLeFelt, refs: ab, in: map[int64]string{-4: "7", -3: "7"}, want: map[int64]string{10: "0"}},
		{name: "is_le_felt greater", code: isLeFelt, refs: ab, in: map[int64]string{-4: pm1, -3: "7"}, want: map[int64]string{10: "1"}},
		{name: "pow bit odd", code: powBit, refs: locs, structs: structs, in: map[int64]string{-1: "13"}, want: map[int64]string{1: "1"}},
		{name: "pow bit even", code: powBit, refs: locs, structs: structs, in: map[int64]string{-1: "12"}, want: map[int64]string{1: "0"}},
		{name: "pow bit of P-1", code: powBit, refs: locs, structs: structs, in: map[int64]string{-1: pm1}, want: map[int64]string{1: "0"}},
		{name: "pow negative exponent", code: powNeg, refs: map[string]string{"base": feltRef(-3)}, in: map[int64]string{-3: "2"}},
		{name: "pow zero base", code: powNeg, refs: map[string]string{"base": feltRef(-3)}, in: map[int64]string{-3: "0"}, wantErr: "Cannot raise 0 to a negative power."},
	})
}
