package hints

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Hint codes of starkware.cairo.common.math, shared with the tests.
const (
	codeAssertNotZero = "from starkware.cairo.common.math_utils import assert_integer\n" +
		"assert_integer(ids.value)\n" +
		"assert ids.value % PRIME != 0, f'assert_not_zero failed: {ids.value} = 0.'"
	codeAssertNotEqual = "from starkware.cairo.lang.vm.relocatable import RelocatableValue\n" +
		"both_ints = isinstance(ids.a, int) and isinstance(ids.b, int)\n" +
		"both_relocatable = (\n" +
		"    isinstance(ids.a, RelocatableValue) and isinstance(ids.b, RelocatableValue) and\n" +
		"    ids.a.segment_index == ids.b.segment_index)\n" +
		"assert both_ints or both_relocatable, \\\n" +
		"    f'assert_not_equal failed: non-comparable values: {ids.a}, {ids.b}.'\n" +
		"assert (ids.a - ids.b) % PRIME != 0, f'assert_not_equal failed: {ids.a} = {ids.b}.'"
	codeAssertNN = "from starkware.cairo.common.math_utils import assert_integer\n" +
		"assert_integer(ids.a)\n" +
		"assert 0 <= ids.a % PRIME < range_check_builtin.bound, f'a = {ids.a} is out of range.'"
	codeAssert250Bit = "from starkware.cairo.common.math_utils import as_int\n\n" +
		"# Correctness check.\n" +
		"value = as_int(ids.value, PRIME) % PRIME\n" +
		"assert value < ids.UPPER_BOUND, f'{value} is outside of the range [0, 2**250).'\n\n" +
		"# Calculation for the assertion.\n" +
		"ids.high, ids.low = divmod(ids.value, ids.SHIFT)"
	codeSplitFelt = "from starkware.cairo.common.math_utils import assert_integer\n" +
		"assert ids.MAX_HIGH < 2**128 and ids.MAX_LOW < 2**128\n" +
		"assert PRIME - 1 == ids.MAX_HIGH * 2**128 + ids.MAX_LOW\n" +
		"assert_integer(ids.value)\n" +
		"ids.low = ids.value & ((1 << 128) - 1)\n" +
		"ids.high = ids.value >> 128"
	codeAssertLeFelt = "import itertools\n\n" +
		"from starkware.cairo.common.math_utils import assert_integer\n" +
		"assert_integer(ids.a)\n" +
		"assert_integer(ids.b)\n" +
		"a = ids.a % PRIME\n" +
		"b = ids.b % PRIME\n" +
		"assert a <= b, f'a = {a} is not less than or equal to b = {b}.'\n\n" +
		"# Find an arc less than PRIME / 3, and another less than PRIME / 2.\n" +
		"lengths_and_indices = [(a, 0), (b - a, 1), (PRIME - 1 - b, 2)]\n" +
		"lengths_and_indices.sort()\n" +
		"assert lengths_and_indices[0][0] <= PRIME // 3 and lengths_and_indices[1][0] <= PRIME // 2\n" +
		"excluded = lengths_and_indices[2][1]\n\n" +
		"memory[ids.range_check_ptr + 1], memory[ids.range_check_ptr + 0] = (\n" +
		"    divmod(lengths_and_indices[0][0], ids.PRIME_OVER_3_HIGH))\n" +
		"memory[ids.range_check_ptr + 3], memory[ids.range_check_ptr + 2] = (\n" +
		"    divmod(lengths_and_indices[1][0], ids.PRIME_OVER_2_HIGH))"
	codeAssertLeFeltExcluded0 = "memory[ap] = 1 if excluded != 0 else 0"
	codeAssertLeFeltExcluded1 = "memory[ap] = 1 if excluded != 1 else 0"
	codeAssertLeFeltExcluded2 = "assert excluded == 2"
	codeAssertLeFeltV08       = "from starkware.cairo.common.math_utils import assert_integer\n" +
		"assert_integer(ids.a)\n" +
		"assert_integer(ids.b)\n" +
		"a = ids.a % PRIME\n" +
		"b = ids.b % PRIME\n" +
		"assert a <= b, f'a = {a} is not less than or equal to b = {b}.'\n\n" +
		"ids.small_inputs = int(\n" +
		"    a < range_check_builtin.bound and (b - a) < range_check_builtin.bound)"
	codeAssertLeFeltV06 = "from starkware.cairo.common.math_utils import assert_integer\n" +
		"assert_integer(ids.a)\n" +
		"assert_integer(ids.b)\n" +
		"assert (ids.a % PRIME) <= (ids.b % PRIME), \\\n" +
		"    f'a = {ids.a % PRIME} is not less than or equal to b = {ids.b % PRIME}.'"
	codeAssertLtFelt = "from starkware.cairo.common.math_utils import assert_integer\n" +
		"assert_integer(ids.a)\n" +
		"assert_integer(ids.b)\n" +
		"assert (ids.a % PRIME) < (ids.b % PRIME), \\\n" +
		"    f'a = {ids.a % PRIME} is not less than b = {ids.b % PRIME}.'"
	codeIsPositive = "from starkware.cairo.common.math_utils import is_positive\n" +
		"ids.is_positive = 1 if is_positive(\n" +
		"    value=ids.value, prime=PRIME, rc_bound=range_check_builtin.bound) else 0"
	codeUnsignedDivRem = "from starkware.cairo.common.math_utils import assert_integer\n" +
		"assert_integer(ids.div)\n" +
		"assert 0 < ids.div <= PRIME // range_check_builtin.bound, \\\n" +
		"    f'div={hex(ids.div)} is out of the valid range.'\n" +
		"ids.q, ids.r = divmod(ids.value, ids.div)"
	codeSignedDivRem = "from starkware.cairo.common.math_utils import as_int, assert_integer\n\n" +
		"assert_integer(ids.div)\n" +
		"assert 0 < ids.div <= PRIME // range_check_builtin.bound, \\\n" +
		"    f'div={hex(ids.div)} is out of the valid range.'\n\n" +
		"assert_integer(ids.bound)\n" +
		"assert ids.bound <= range_check_builtin.bound // 2, \\\n" +
		"    f'bound={hex(ids.bound)} is out of the valid range.'\n\n" +
		"int_value = as_int(ids.value, PRIME)\n" +
		"q, ids.r = divmod(int_value, ids.div)\n\n" +
		"assert -ids.bound <= q < ids.bound, \\\n" +
		"    f'{int_value} / {ids.div} = {q} is out of the range [{-ids.bound}, {ids.bound}).'\n\n" +
		"ids.biased_q = q + ids.bound"
	codeSplitIntAssertRange = "assert ids.value == 0, 'split_int(): value is out of range.'"
	codeSplitInt            = "memory[ids.output] = res = (int(ids.value) % PRIME) % ids.base\n" +
		"assert res < ids.bound, f'split_int(): Limb {res} is out of range.'"
	codeSqrt = "from starkware.python.math_utils import isqrt\n" +
		"value = ids.value % PRIME\n" +
		"assert value < 2 ** 250, f\"value={value} is outside of the range [0, 2**250).\"\n" +
		"assert 2 ** 250 < PRIME\n" +
		"ids.root = isqrt(value)"
	codeIsQuadResidue = "from starkware.crypto.signature.signature import FIELD_PRIME\n" +
		"from starkware.python.math_utils import div_mod, is_quad_residue, sqrt\n\n" +
		"x = ids.x\n" +
		"if is_quad_residue(x, FIELD_PRIME):\n" +
		"    ids.y = sqrt(x, FIELD_PRIME)\n" +
		"else:\n" +
		"    ids.y = sqrt(div_mod(x, 3, FIELD_PRIME), FIELD_PRIME)"
)

// mathHints are the hints of starkware.cairo.common.math.
func mathHints() map[string]Func {
	return map[string]Func{
		codeAssertNotZero:         hintAssertNotZero,
		codeAssertNotEqual:        hintAssertNotEqual,
		codeAssertNN:              hintAssertNN,
		codeAssert250Bit:          hintAssert250Bit,
		codeSplitFelt:             hintSplitFelt,
		codeAssertLeFelt:          hintAssertLeFelt,
		codeAssertLeFeltExcluded0: excludedFlag(0),
		codeAssertLeFeltExcluded1: excludedFlag(1),
		codeAssertLeFeltExcluded2: hintAssertExcluded2,
		codeAssertLeFeltV08:       hintAssertLeFeltV08,
		codeAssertLeFeltV06:       hintAssertLeFeltV06,
		codeAssertLtFelt:          hintAssertLtFelt,
		codeIsPositive:            hintIsPositive,
		codeUnsignedDivRem:        hintUnsignedDivRem,
		codeSignedDivRem:          hintSignedDivRem,
		codeSplitIntAssertRange:   hintSplitIntAssertRange,
		codeSplitInt:              hintSplitInt,
		codeSqrt:                  hintSqrt,
		codeIsQuadResidue:         hintIsQuadResidue,
	}
}

func hintAssertNotZero(c *Context) error {
	v, err := pyInt(c, "value")
	if err != nil {
		return err
	}
	if v.Sign() == 0 {
		return fmt.Errorf("assert_not_zero failed: %s = 0.", v)
	}
	return nil
}

func hintAssertNotEqual(c *Context) error {
	a, err := c.Value("a")
	if err != nil {
		return err
	}
	b, err := c.Value("b")
	if err != nil {
		return err
	}
	bothInts := a.IsFelt() && b.IsFelt()
	bothReloc := a.IsReloc() && b.IsReloc() && a.Reloc().Segment == b.Reloc().Segment
	if !bothInts && !bothReloc {
		return fmt.Errorf("assert_not_equal failed: non-comparable values: %s, %s.", a, b)
	}
	if a == b {
		return fmt.Errorf("assert_not_equal failed: %s = %s.", a, b)
	}
	return nil
}

func hintAssertNN(c *Context) error {
	a, err := pyFelt(c, "a")
	if err != nil {
		return err
	}
	if _, err := pyRangeCheckBound(c); err != nil {
		return err
	}
	// a < range_check_builtin.bound = 2^128.
	if l := a.Limbs(); l[2]|l[3] != 0 {
		return fmt.Errorf("a = %s is out of range.", a.Decimal())
	}
	return nil
}

func hintAssert250Bit(c *Context) error {
	value, err := pyInt(c, "value")
	if err != nil {
		return err
	}
	upper, err := pyInt(c, "UPPER_BOUND")
	if err != nil {
		return err
	}
	if value.Cmp(upper) >= 0 {
		return fmt.Errorf("%s is outside of the range [0, 2**250).", value)
	}
	shift, err := pyInt(c, "SHIFT")
	if err != nil {
		return err
	}
	if shift.Sign() == 0 {
		return fmt.Errorf("integer division or modulo by zero")
	}
	high, low := new(big.Int).DivMod(value, shift, new(big.Int))
	if err := pySetInt(c, "high", high); err != nil {
		return err
	}
	return pySetInt(c, "low", low)
}

func hintSplitFelt(c *Context) error {
	maxHigh, err := pyInt(c, "MAX_HIGH")
	if err != nil {
		return err
	}
	maxLow, err := pyInt(c, "MAX_LOW")
	if err != nil {
		return err
	}
	if maxHigh.BitLen() > 128 || maxLow.BitLen() > 128 {
		return fmt.Errorf("assert ids.MAX_HIGH < 2**128 and ids.MAX_LOW < 2**128 failed")
	}
	sum := new(big.Int).Lsh(maxHigh, 128)
	sum.Add(sum, maxLow)
	pm1 := felt.Prime()
	pm1.Sub(pm1, bigOne)
	if sum.Cmp(pm1) != 0 {
		return fmt.Errorf("assert PRIME - 1 == ids.MAX_HIGH * 2**128 + ids.MAX_LOW failed")
	}
	value, err := c.Value("value")
	if err != nil {
		return err
	}
	if !value.IsFelt() {
		return fmt.Errorf("Expected integer, found: %s.", value)
	}
	l := value.Felt().Limbs()
	if err := c.SetFelt("low", felt.FromLimbs([4]uint64{l[0], l[1], 0, 0})); err != nil {
		return err
	}
	return c.SetFelt("high", felt.FromLimbs([4]uint64{l[2], l[3], 0, 0}))
}

// feltPair reads ids.a and ids.b as integers (assert_integer on both).
func feltPair(c *Context) (a, b *big.Int, err error) {
	if a, err = pyInt(c, "a"); err != nil {
		return nil, nil, err
	}
	if b, err = pyInt(c, "b"); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

func hintAssertLeFelt(c *Context) error {
	a, b, err := feltPair(c)
	if err != nil {
		return err
	}
	if a.Cmp(b) > 0 {
		return fmt.Errorf("a = %s is not less than or equal to b = %s.", a, b)
	}
	p := felt.Prime()
	type arc struct {
		length *big.Int
		index  int
	}
	rest := new(big.Int).Sub(p, bigOne)
	rest.Sub(rest, b)
	arcs := []arc{{a, 0}, {new(big.Int).Sub(b, a), 1}, {rest, 2}}
	sort.Slice(arcs, func(i, j int) bool {
		if d := arcs[i].length.Cmp(arcs[j].length); d != 0 {
			return d < 0
		}
		return arcs[i].index < arcs[j].index
	})
	third := new(big.Int).Quo(p, big.NewInt(3))
	half := new(big.Int).Rsh(p, 1)
	if arcs[0].length.Cmp(third) > 0 || arcs[1].length.Cmp(half) > 0 {
		return fmt.Errorf("assert lengths_and_indices[0][0] <= PRIME // 3 and lengths_and_indices[1][0] <= PRIME // 2 failed")
	}
	c.Set("excluded", arcs[2].index)

	rc, err := c.Reloc("range_check_ptr")
	if err != nil {
		return err
	}
	for i, constName := range []string{"PRIME_OVER_3_HIGH", "PRIME_OVER_2_HIGH"} {
		d, err := pyInt(c, constName)
		if err != nil {
			return err
		}
		if d.Sign() == 0 {
			return fmt.Errorf("integer division or modulo by zero")
		}
		q, r := new(big.Int).DivMod(arcs[i].length, d, new(big.Int))
		base := uint64(2 * i)
		if err := c.Mem().Set(rc.Add(base+1), memory.FeltValue(felt.FromBigInt(q))); err != nil {
			return err
		}
		if err := c.Mem().Set(rc.Add(base), memory.FeltValue(felt.FromBigInt(r))); err != nil {
			return err
		}
	}
	return nil
}

// excludedFlag is "memory[ap] = 1 if excluded != k else 0".
func excludedFlag(k int) Func {
	return func(c *Context) error {
		ex, err := c.Get("excluded")
		if err != nil {
			return err
		}
		n, ok := pyScopeInt(ex)
		return c.Mem().Set(c.AP(), pyBoolValue(!ok || n.Cmp(big.NewInt(int64(k))) != 0))
	}
}

func hintAssertExcluded2(c *Context) error {
	ex, err := c.Get("excluded")
	if err != nil {
		return err
	}
	if n, ok := pyScopeInt(ex); !ok || n.Cmp(big.NewInt(2)) != 0 {
		return fmt.Errorf("assert excluded == 2 failed (excluded = %v)", ex)
	}
	return nil
}

func hintAssertLeFeltV08(c *Context) error {
	a, b, err := feltPair(c)
	if err != nil {
		return err
	}
	if a.Cmp(b) > 0 {
		return fmt.Errorf("a = %s is not less than or equal to b = %s.", a, b)
	}
	bound, err := pyRangeCheckBound(c)
	if err != nil {
		return err
	}
	small := a.Cmp(bound) < 0 && new(big.Int).Sub(b, a).Cmp(bound) < 0
	return pySetBool(c, "small_inputs", small)
}

func hintAssertLeFeltV06(c *Context) error {
	a, b, err := feltPair(c)
	if err != nil {
		return err
	}
	if a.Cmp(b) > 0 {
		return fmt.Errorf("a = %s is not less than or equal to b = %s.", a, b)
	}
	return nil
}

func hintAssertLtFelt(c *Context) error {
	a, b, err := feltPair(c)
	if err != nil {
		return err
	}
	if a.Cmp(b) >= 0 {
		return fmt.Errorf("a = %s is not less than b = %s.", a, b)
	}
	return nil
}

func hintIsPositive(c *Context) error {
	v, err := c.Value("value")
	if err != nil {
		return err
	}
	bound, err := pyRangeCheckBound(c)
	if err != nil {
		return err
	}
	if !v.IsFelt() {
		return fmt.Errorf("Expected integer, found: %s.", v)
	}
	val := pyAsInt(v.Felt())
	if new(big.Int).Abs(val).Cmp(bound) >= 0 {
		return fmt.Errorf("value=%s is out of the valid range.", val)
	}
	return pySetBool(c, "is_positive", val.Sign() > 0)
}

// checkDiv is the shared check of unsigned_div_rem and signed_div_rem:
// 0 < div <= PRIME // range_check_builtin.bound.
func checkDiv(c *Context) (div, bound *big.Int, err error) {
	if div, err = pyInt(c, "div"); err != nil {
		return nil, nil, err
	}
	if bound, err = pyRangeCheckBound(c); err != nil {
		return nil, nil, err
	}
	if div.Sign() <= 0 || div.Cmp(divLimit) > 0 {
		return nil, nil, fmt.Errorf("div=%s is out of the valid range.", pyHex(div))
	}
	return div, bound, nil
}

// checkDivU64 is checkDiv for the common divisor in (0, 2^64), which is
// always in the valid range (PRIME // 2^128 > 2^122): ok is false, with no
// error, for any other divisor, which checkDiv then checks.
func checkDivU64(c *Context) (div uint64, ok bool, err error) {
	f, err := pyFelt(c, "div")
	if err != nil {
		return 0, false, err
	}
	if _, err := pyRangeCheckBound(c); err != nil {
		return 0, false, err
	}
	l := f.Limbs()
	if l[1]|l[2]|l[3] != 0 || l[0] == 0 {
		return 0, false, nil
	}
	return l[0], true, nil
}

func hintUnsignedDivRem(c *Context) error {
	if d, ok, err := checkDivU64(c); err != nil {
		return err
	} else if ok {
		value, err := c.Value("value")
		if err != nil {
			return err
		}
		if !value.IsFelt() {
			return fmt.Errorf("unsupported operand type(s) for divmod(): 'RelocatableValue' and 'int'")
		}
		q, r := divRemLimbs(value.Felt().Limbs(), d)
		if err := c.SetFelt("q", feltFromLimbs(q)); err != nil {
			return err
		}
		return c.SetFelt("r", felt.FromUint64(r))
	}
	div, _, err := checkDiv(c)
	if err != nil {
		return err
	}
	value, err := c.Value("value")
	if err != nil {
		return err
	}
	if !value.IsFelt() {
		return fmt.Errorf("unsupported operand type(s) for divmod(): 'RelocatableValue' and 'int'")
	}
	q, r := new(big.Int).DivMod(value.Felt().BigInt(), div, new(big.Int))
	if err := pySetInt(c, "q", q); err != nil {
		return err
	}
	return pySetInt(c, "r", r)
}

func hintSignedDivRem(c *Context) error {
	if d, ok, err := checkDivU64(c); err != nil {
		return err
	} else if ok {
		if done, err := signedDivRemU64(c, d); done {
			return err
		}
	}
	div, rcBound, err := checkDiv(c)
	if err != nil {
		return err
	}
	bound, err := pyInt(c, "bound")
	if err != nil {
		return err
	}
	if bound.Cmp(new(big.Int).Rsh(rcBound, 1)) > 0 {
		return fmt.Errorf("bound=%s is out of the valid range.", pyHex(bound))
	}
	value, err := c.Value("value")
	if err != nil {
		return err
	}
	if !value.IsFelt() {
		return fmt.Errorf("Expected integer, found: %s.", value)
	}
	intValue := pyAsInt(value.Felt())
	// Python's divmod floors; with div > 0 that is Euclidean division.
	q, r := new(big.Int).DivMod(intValue, div, new(big.Int))
	if err := pySetInt(c, "r", r); err != nil {
		return err
	}
	negBound := new(big.Int).Neg(bound)
	if q.Cmp(negBound) < 0 || q.Cmp(bound) >= 0 {
		return fmt.Errorf("%s / %s = %s is out of the range [%s, %s).", intValue, div, q, negBound, bound)
	}
	return pySetInt(c, "biased_q", q.Add(q, bound))
}

func hintSplitIntAssertRange(c *Context) error {
	v, err := c.Value("value")
	if err != nil {
		return err
	}
	if !v.IsFelt() || !v.Felt().IsZero() {
		return fmt.Errorf("split_int(): value is out of range.")
	}
	return nil
}

func hintSplitInt(c *Context) error {
	value, err := c.Value("value")
	if err != nil {
		return err
	}
	if !value.IsFelt() {
		return fmt.Errorf("int() argument must be a string, a bytes-like object or a number, not 'RelocatableValue'")
	}
	base, err := pyInt(c, "base")
	if err != nil {
		return err
	}
	if base.Sign() == 0 {
		return fmt.Errorf("integer division or modulo by zero")
	}
	res := new(big.Int).Mod(value.Felt().BigInt(), base)
	out, err := c.Reloc("output")
	if err != nil {
		return err
	}
	if err := c.Mem().Set(out, memory.FeltValue(felt.FromBigInt(res))); err != nil {
		return err
	}
	bound, err := pyInt(c, "bound")
	if err != nil {
		return err
	}
	if res.Cmp(bound) >= 0 {
		return fmt.Errorf("split_int(): Limb %s is out of range.", res)
	}
	return nil
}

// pow2_250 is 2^250; it is never modified.
var pow2_250 = new(big.Int).Lsh(big.NewInt(1), 250)

func hintSqrt(c *Context) error {
	value, err := pyInt(c, "value")
	if err != nil {
		return err
	}
	if value.Cmp(pow2_250) >= 0 {
		return fmt.Errorf("value=%s is outside of the range [0, 2**250).", value)
	}
	return pySetInt(c, "root", new(big.Int).Sqrt(value))
}

func hintIsQuadResidue(c *Context) error {
	x, err := c.Value("x")
	if err != nil {
		return err
	}
	if !x.IsFelt() {
		return fmt.Errorf("Expected integer, found: %s.", x)
	}
	f := x.Felt()
	root, ok := f.Sqrt()
	if !ok {
		// x is not a residue: take the root of x / 3 (3 is a non-residue).
		if root, ok = f.Div(felt.FromUint64(3)).Sqrt(); !ok {
			return fmt.Errorf("%s / 3 has no square root modulo FIELD_PRIME", f)
		}
	}
	return c.SetFelt("y", minRoot(root))
}

// minRoot returns the smaller of r and -r, as sympy's min(sqrt_mod(...,
// all_roots=True)) does.
func minRoot(r felt.Felt) felt.Felt {
	if n := r.Neg(); n.Cmp(r) < 0 {
		return n
	}
	return r
}

// divLimit is PRIME // range_check_builtin.bound, the largest divisor of
// the div_rem hints; it is never modified.
var divLimit = new(big.Int).Quo(primeInt, rangeCheckBound)

// signedDivRemU64 is signed_div_rem for a divisor below 2^64 and a bound
// below 2^63, in 64-bit arithmetic: done is false, with nothing written,
// when the values need the general path.
func signedDivRemU64(c *Context, d uint64) (done bool, err error) {
	bf, err := pyFelt(c, "bound")
	if err != nil {
		return true, err
	}
	bl := bf.Limbs()
	if bl[1]|bl[2]|bl[3] != 0 || bl[0] >= 1<<63 {
		return false, nil
	}
	bound := int64(bl[0])
	value, err := c.Value("value")
	if err != nil {
		return true, err
	}
	if !value.IsFelt() {
		return false, nil
	}
	// value = as_int(value); q, r = divmod(value, div) with Python's
	// flooring, which for div > 0 keeps 0 <= r < div.
	l := value.Felt().Limbs()
	neg := isNegative(l)
	if neg {
		l = negLimbs(l) // |value|
	}
	ql, r := divRemLimbs(l, d)
	if ql[1]|ql[2]|ql[3] != 0 || ql[0] >= 1<<62 {
		return false, nil
	}
	q := int64(ql[0])
	if neg {
		q = -q
		if r != 0 {
			q--
			r = d - r
		}
	}
	if err := c.SetFelt("r", felt.FromUint64(r)); err != nil {
		return true, err
	}
	if q < -bound || q >= bound {
		// The general path reports it; r is written already, as there.
		return false, nil
	}
	return true, c.SetFelt("biased_q", felt.FromInt64(q+bound))
}
