package hints

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/kairo-dev/kairo/vm/felt"
)

// Hint codes of starkware.cairo.common.uint256 and of the
// uint256_improvements whitelist.
const (
	codeUint256Add = "sum_low = ids.a.low + ids.b.low\n" +
		"ids.carry_low = 1 if sum_low >= ids.SHIFT else 0\n" +
		"sum_high = ids.a.high + ids.b.high + ids.carry_low\n" +
		"ids.carry_high = 1 if sum_high >= ids.SHIFT else 0"
	codeUint256AddLow = "res = ids.a + ids.b\n" +
		"ids.carry = 1 if res >= ids.SHIFT else 0"
	codeSplit64 = "ids.low = ids.a & ((1<<64) - 1)\n" +
		"ids.high = ids.a >> 64"
	codeUint256Sqrt = "from starkware.python.math_utils import isqrt\n" +
		"n = (ids.n.high << 128) + ids.n.low\n" +
		"root = isqrt(n)\n" +
		"assert 0 <= root < 2 ** 128\n" +
		"ids.root.low = root\n" +
		"ids.root.high = 0"
	codeUint256SqrtFelt = "from starkware.python.math_utils import isqrt\n" +
		"n = (ids.n.high << 128) + ids.n.low\n" +
		"root = isqrt(n)\n" +
		"assert 0 <= root < 2 ** 128\n" +
		"ids.root = root"
	codeUint256SignedNN       = "memory[ap] = 1 if 0 <= (ids.a.high % PRIME) < 2 ** 127 else 0"
	codeUint256UnsignedDivRem = "a = (ids.a.high << 128) + ids.a.low\n" +
		"div = (ids.div.high << 128) + ids.div.low\n" +
		"quotient, remainder = divmod(a, div)\n\n" +
		"ids.quotient.low = quotient & ((1 << 128) - 1)\n" +
		"ids.quotient.high = quotient >> 128\n" +
		"ids.remainder.low = remainder & ((1 << 128) - 1)\n" +
		"ids.remainder.high = remainder >> 128"
	codeUint256UnsignedDivRemExpanded = "a = (ids.a.high << 128) + ids.a.low\n" +
		"div = (ids.div.b23 << 128) + ids.div.b01\n" +
		"quotient, remainder = divmod(a, div)\n\n" +
		"ids.quotient.low = quotient & ((1 << 128) - 1)\n" +
		"ids.quotient.high = quotient >> 128\n" +
		"ids.remainder.low = remainder & ((1 << 128) - 1)\n" +
		"ids.remainder.high = remainder >> 128"
	codeUint256MulDivMod = "a = (ids.a.high << 128) + ids.a.low\n" +
		"b = (ids.b.high << 128) + ids.b.low\n" +
		"div = (ids.div.high << 128) + ids.div.low\n" +
		"quotient, remainder = divmod(a * b, div)\n\n" +
		"ids.quotient_low.low = quotient & ((1 << 128) - 1)\n" +
		"ids.quotient_low.high = (quotient >> 128) & ((1 << 128) - 1)\n" +
		"ids.quotient_high.low = (quotient >> 256) & ((1 << 128) - 1)\n" +
		"ids.quotient_high.high = quotient >> 384\n" +
		"ids.remainder.low = remainder & ((1 << 128) - 1)\n" +
		"ids.remainder.high = remainder >> 128"
	codeUint256Sub = "def split(num: int, num_bits_shift: int = 128, length: int = 2):\n" +
		"    a = []\n" +
		"    for _ in range(length):\n" +
		"        a.append( num & ((1 << num_bits_shift) - 1) )\n" +
		"        num = num >> num_bits_shift\n" +
		"    return tuple(a)\n\n" +
		"def pack(z, num_bits_shift: int = 128) -> int:\n" +
		"    limbs = (z.low, z.high)\n" +
		"    return sum(limb << (num_bits_shift * i) for i, limb in enumerate(limbs))\n\n" +
		"a = pack(ids.a)\n" +
		"b = pack(ids.b)\n" +
		"res = (a - b)%2**256\n" +
		"res_split = split(res)\n" +
		"ids.res.low = res_split[0]\n" +
		"ids.res.high = res_split[1]"
)

// Constants of the uint256 hints; never modified.
var (
	u256Mask128 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	u256Mask64  = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 64), big.NewInt(1))
	u256Pow128  = new(big.Int).Lsh(big.NewInt(1), 128)
	u256Pow256  = new(big.Int).Lsh(big.NewInt(1), 256)
)

var errU256ZeroDivision = errors.New("ZeroDivisionError: integer division or modulo by zero")

// uint256Hints are the hints of starkware.cairo.common.uint256 and the
// uint256_improvements whitelist.
func uint256Hints() map[string]Func {
	return map[string]Func{
		codeUint256Add:                    hintUint256Add,
		codeUint256AddLow:                 hintUint256AddLow,
		codeSplit64:                       hintSplit64,
		codeUint256Sqrt:                   func(c *Context) error { return hintUint256Sqrt(c, false) },
		codeUint256SqrtFelt:               func(c *Context) error { return hintUint256Sqrt(c, true) },
		codeUint256SignedNN:               hintUint256SignedNN,
		codeUint256UnsignedDivRem:         func(c *Context) error { return hintUint256DivRem(c, "high", "low") },
		codeUint256UnsignedDivRemExpanded: func(c *Context) error { return hintUint256DivRem(c, "b23", "b01") },
		codeUint256MulDivMod:              hintUint256MulDivMod,
		codeUint256Sub:                    hintUint256Sub,
	}
}

// u256Pack is (ids.<name>.<high> << 128) + ids.<name>.<low>.
func u256Pack(c *Context, name, high, low string) (*big.Int, error) {
	h, err := pyInt(c, name+"."+high)
	if err != nil {
		return nil, err
	}
	l, err := pyInt(c, name+"."+low)
	if err != nil {
		return nil, err
	}
	return h.Lsh(h, 128).Add(h, l), nil
}

// u256SetSplit writes v & (2^128-1) to ids.<name>.low and v >> 128 to
// ids.<name>.high.
func u256SetSplit(c *Context, name string, v *big.Int) error {
	if err := pySetInt(c, name+".low", new(big.Int).And(v, u256Mask128)); err != nil {
		return err
	}
	return pySetInt(c, name+".high", new(big.Int).Rsh(v, 128))
}

func hintUint256Add(c *Context) error {
	shift, err := pyInt(c, "SHIFT")
	if err != nil {
		return err
	}
	al, err := pyInt(c, "a.low")
	if err != nil {
		return err
	}
	bl, err := pyInt(c, "b.low")
	if err != nil {
		return err
	}
	sumLow := al.Add(al, bl)
	if err := pySetBool(c, "carry_low", sumLow.Cmp(shift) >= 0); err != nil {
		return err
	}
	ah, err := pyInt(c, "a.high")
	if err != nil {
		return err
	}
	bh, err := pyInt(c, "b.high")
	if err != nil {
		return err
	}
	carry, err := pyInt(c, "carry_low")
	if err != nil {
		return err
	}
	sumHigh := ah.Add(ah, bh).Add(ah, carry)
	c.Set("sum_low", sumLow)
	c.Set("sum_high", sumHigh)
	return pySetBool(c, "carry_high", sumHigh.Cmp(shift) >= 0)
}

func hintUint256AddLow(c *Context) error {
	a, err := c.Value("a")
	if err != nil {
		return err
	}
	b, err := c.Value("b")
	if err != nil {
		return err
	}
	if !a.IsFelt() || !b.IsFelt() {
		// A relocatable sum compared with an int.
		return fmt.Errorf("TypeError: '>=' not supported between instances of 'RelocatableValue' and 'int'")
	}
	shift, err := pyInt(c, "SHIFT")
	if err != nil {
		return err
	}
	res := a.Felt().BigInt()
	res.Add(res, b.Felt().BigInt())
	c.Set("res", res)
	return pySetBool(c, "carry", res.Cmp(shift) >= 0)
}

func hintSplit64(c *Context) error {
	a, err := pyFelt(c, "a")
	if err != nil {
		return err
	}
	l := a.Limbs()
	if err := c.SetFelt("low", felt.FromUint64(l[0])); err != nil {
		return err
	}
	return c.SetFelt("high", feltFromLimbs([4]uint64{l[1], l[2], l[3], 0}))
}

func hintUint256Sqrt(c *Context, feltRoot bool) error {
	n, err := u256Pack(c, "n", "high", "low")
	if err != nil {
		return err
	}
	root := new(big.Int).Sqrt(n)
	if root.Cmp(u256Pow128) >= 0 {
		return squashAssert("")
	}
	c.Set("n", n)
	c.Set("root", root)
	if feltRoot {
		return pySetInt(c, "root", root)
	}
	if err := pySetInt(c, "root.low", root); err != nil {
		return err
	}
	return c.SetFelt("root.high", felt.Zero)
}

func hintUint256SignedNN(c *Context) error {
	h, err := pyInt(c, "a.high")
	if err != nil {
		return err
	}
	return c.Mem().Set(c.AP(), pyBoolValue(h.BitLen() <= 127))
}

func hintUint256DivRem(c *Context, divHigh, divLow string) error {
	a, err := u256Pack(c, "a", "high", "low")
	if err != nil {
		return err
	}
	div, err := u256Pack(c, "div", divHigh, divLow)
	if err != nil {
		return err
	}
	if div.Sign() == 0 {
		return errU256ZeroDivision
	}
	q, r := new(big.Int).QuoRem(a, div, new(big.Int))
	c.Set("a", a)
	c.Set("div", div)
	c.Set("quotient", q)
	c.Set("remainder", r)
	if err := u256SetSplit(c, "quotient", q); err != nil {
		return err
	}
	return u256SetSplit(c, "remainder", r)
}

func hintUint256MulDivMod(c *Context) error {
	a, err := u256Pack(c, "a", "high", "low")
	if err != nil {
		return err
	}
	b, err := u256Pack(c, "b", "high", "low")
	if err != nil {
		return err
	}
	div, err := u256Pack(c, "div", "high", "low")
	if err != nil {
		return err
	}
	if div.Sign() == 0 {
		return errU256ZeroDivision
	}
	q, r := new(big.Int).QuoRem(new(big.Int).Mul(a, b), div, new(big.Int))
	c.Set("quotient", q)
	c.Set("remainder", r)
	limb := func(shift uint) *big.Int {
		x := new(big.Int).Rsh(q, shift)
		return x.And(x, u256Mask128)
	}
	for _, w := range []struct {
		name string
		v    *big.Int
	}{
		{"quotient_low.low", limb(0)},
		{"quotient_low.high", limb(128)},
		{"quotient_high.low", limb(256)},
		{"quotient_high.high", new(big.Int).Rsh(q, 384)},
	} {
		if err := pySetInt(c, w.name, w.v); err != nil {
			return err
		}
	}
	return u256SetSplit(c, "remainder", r)
}

func hintUint256Sub(c *Context) error {
	a, err := u256Pack(c, "a", "high", "low")
	if err != nil {
		return err
	}
	b, err := u256Pack(c, "b", "high", "low")
	if err != nil {
		return err
	}
	res := new(big.Int).Sub(a, b)
	res.Mod(res, u256Pow256)
	c.Set("a", a)
	c.Set("b", b)
	c.Set("res", res)
	return u256SetSplit(c, "res", res)
}
