package hints

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// The STARK curve y^2 = x^3 + ALPHA * x + BETA over FIELD_PRIME
// (starkware.crypto.signature.signature).
var (
	starkAlpha = big.NewInt(1)
	starkBeta  = secpMustBig("0x6f21413efbe40de150e596d72f7a8c5609ad26c15c915c1f4cdfcb99cee9e89")
)

const (
	ecOpImports  = "from starkware.crypto.signature.signature import ALPHA, BETA, FIELD_PRIME\nfrom starkware.python.math_utils import random_ec_point\nfrom starkware.python.utils import to_bytes\n\n"
	ecOpSeedNote = "# Define a seed for random_ec_point that's dependent on all the input, so that:\n#   (1) The added point s is deterministic.\n#   (2) It's hard to choose inputs for which the builtin will fail.\n"
	ecOpChained  = "n_elms = ids.len\nassert isinstance(n_elms, int) and n_elms >= 0, \\\n    f'Invalid value for len. Got: {n_elms}.'\nif '__chained_ec_op_max_len' in globals():\n    assert n_elms <= __chained_ec_op_max_len, \\\n        f'chained_ec_op() can only be used with len<={__chained_ec_op_max_len}. ' \\\n        f'Got: n_elms={n_elms}.'\n\n" +
		ecOpSeedNote + "seed = b\"\".join(\n    map(\n        to_bytes,\n        [\n            ids.p.x,\n            ids.p.y,\n            *memory.get_range(ids.m, n_elms),\n            *memory.get_range(ids.q.address_, 2 * n_elms),\n        ],\n    )\n)\n"
	ecOpRandom = "ids.s.x, ids.s.y = random_ec_point(FIELD_PRIME, ALPHA, BETA, seed)"
)

// ecOpHints are the hints of starkware.cairo.common.ec (the STARK curve):
// ec_op's and chained_ec_op's random point and recover_y.
func ecOpHints() map[string]Func {
	return map[string]Func{
		ecOpImports + ecOpSeedNote + "seed = b\"\".join(map(to_bytes, [ids.p.x, ids.p.y, ids.m, ids.q.x, ids.q.y]))\n" + ecOpRandom: ecOpRandomPoint,
		ecOpImports + ecOpChained + ecOpRandom: ecOpChainedRandomPoint(false),
		// A test program's copy that prints the seed and the point.
		ecOpImports + ecOpChained + "print(seed)\n" + ecOpRandom + "\nprint(ids.s.x)\nprint(ids.s.y)\nprint(ids.s.x)\nprint(ids.s.y)":                                                                                                                                 ecOpChainedRandomPoint(true),
		"from starkware.crypto.signature.signature import ALPHA, BETA, FIELD_PRIME\nfrom starkware.python.math_utils import recover_y\nids.p.x = ids.x\n# This raises an exception if `x` is not on the curve.\nids.p.y = recover_y(ids.x, ALPHA, BETA, FIELD_PRIME)": ecOpRecoverY,
	}
}

// ecOpToBytes is starkware.python.utils.to_bytes: 32 bytes, big-endian.
func ecOpToBytes(v memory.Value) ([]byte, error) {
	if !v.IsFelt() {
		return nil, fmt.Errorf("TypeError: to_bytes of the address %s", v)
	}
	b := v.Felt().BytesBE()
	return b[:], nil
}

func ecOpRandomPoint(c *Context) error {
	var seed []byte
	for _, name := range []string{"p.x", "p.y", "m", "q.x", "q.y"} {
		v, err := c.Value(name)
		if err != nil {
			return err
		}
		b, err := ecOpToBytes(v)
		if err != nil {
			return err
		}
		seed = append(seed, b...)
	}
	c.Set("seed", seed)
	return ecOpWritePoint(c, seed)
}

func ecOpChainedRandomPoint(print bool) Func {
	return func(c *Context) error {
		lv, err := c.Value("len")
		if err != nil {
			return err
		}
		if !lv.IsFelt() {
			return secpAssertion(fmt.Sprintf("Invalid value for len. Got: %s.", lv))
		}
		n := lv.Felt().BigInt()
		c.Set("n_elms", n)
		if limit, ok := c.Scope()["__chained_ec_op_max_len"]; ok {
			max, err := secpScopeInt(c, "__chained_ec_op_max_len")
			if err != nil {
				return err
			}
			if n.Cmp(max) > 0 {
				return secpAssertion(fmt.Sprintf("chained_ec_op() can only be used with len<=%v. Got: n_elms=%s.", limit, n))
			}
		}
		if !n.IsInt64() || n.Int64() > 1<<24 {
			return fmt.Errorf("chained_ec_op: len %s is too large", n)
		}
		var seed []byte
		for _, name := range []string{"p.x", "p.y"} {
			v, err := c.Value(name)
			if err != nil {
				return err
			}
			b, err := ecOpToBytes(v)
			if err != nil {
				return err
			}
			seed = append(seed, b...)
		}
		m, err := c.Reloc("m")
		if err != nil {
			return err
		}
		q, err := c.Reloc("q")
		if err != nil {
			return err
		}
		for _, r := range []struct {
			base memory.Relocatable
			n    int64
		}{{m, n.Int64()}, {q, 2 * n.Int64()}} {
			for i := int64(0); i < r.n; i++ {
				v, err := c.Mem().Read(r.base.Add(uint64(i)))
				if err != nil {
					return err
				}
				b, err := ecOpToBytes(v)
				if err != nil {
					return err
				}
				seed = append(seed, b...)
			}
		}
		c.Set("seed", seed)
		if print {
			if _, err := fmt.Fprintln(c.Runtime().Out, pyBytesRepr(seed)); err != nil {
				return err
			}
		}
		if err := ecOpWritePoint(c, seed); err != nil {
			return err
		}
		if print {
			for _, name := range []string{"s.x", "s.y", "s.x", "s.y"} {
				v, err := c.Value(name)
				if err != nil {
					return err
				}
				s := v.String()
				if v.IsFelt() {
					s = v.Felt().Decimal()
				}
				if _, err := fmt.Fprintln(c.Runtime().Out, s); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// ecOpWritePoint writes random_ec_point(FIELD_PRIME, ALPHA, BETA, seed) to
// ids.s.
func ecOpWritePoint(c *Context, seed []byte) error {
	x, y, err := ecOpRandomECPoint(seed)
	if err != nil {
		return err
	}
	if err := secpSetInt(c, "s.x", x); err != nil {
		return err
	}
	return secpSetInt(c, "s.y", y)
}

// ecOpRandomECPoint is math_utils.random_ec_point with a seed: the first
// x = sha256(sha256(seed)[1:] || i as 10 little-endian bytes) on the curve,
// with the root's sign taken from the first byte of sha256(seed).
func ecOpRandomECPoint(seed []byte) (*big.Int, *big.Int, error) {
	p := secpFeltPrime
	h := sha256.Sum256(seed)
	for i := uint64(0); i < 100; i++ {
		var buf [10]byte
		binary.LittleEndian.PutUint64(buf[:8], i)
		d := sha256.Sum256(append(append([]byte{}, h[1:]...), buf[:]...))
		x := new(big.Int).SetBytes(d[:])
		y, ok, err := ecOpRecover(x, p)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		if h[0]&1 == 1 {
			y.Neg(y).Mod(y, p)
		}
		return x, y, nil
	}
	return nil, nil, errors.New("Exception: Could not find a point on the curve.")
}

// ecOpRecover is math_utils.recover_y on the STARK curve; ok is false when
// x is not the x coordinate of a point.
func ecOpRecover(x, p *big.Int) (*big.Int, bool, error) {
	y2 := new(big.Int).Exp(x, big.NewInt(3), p)
	y2.Add(y2, new(big.Int).Mul(starkAlpha, x))
	y2.Add(y2, starkBeta)
	y2.Mod(y2, p)
	ok, err := secpIsQuadResidue(y2, p)
	if err != nil || !ok {
		return nil, false, err
	}
	y, err := secpSqrtMod(y2, p)
	return y, err == nil, err
}

func ecOpRecoverY(c *Context) error {
	xv, err := c.Felt("x")
	if err != nil {
		return err
	}
	if err := c.SetFelt("p.x", xv); err != nil {
		return err
	}
	x := xv.BigInt()
	y, ok, err := ecOpRecover(x, secpFeltPrime)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("NotOnCurveException: %s does not represent the x coordinate of a point on the curve.", x)
	}
	return c.SetFelt("p.y", felt.FromBigInt(y))
}

// pyBytesRepr is Python's repr of a bytes object.
func pyBytesRepr(b []byte) string {
	quote := byte('\'')
	if strings.IndexByte(string(b), '\'') >= 0 && strings.IndexByte(string(b), '"') < 0 {
		quote = '"'
	}
	var sb strings.Builder
	sb.WriteString("b")
	sb.WriteByte(quote)
	for _, ch := range b {
		switch {
		case ch == quote || ch == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(ch)
		case ch == '\t':
			sb.WriteString(`\t`)
		case ch == '\n':
			sb.WriteString(`\n`)
		case ch == '\r':
			sb.WriteString(`\r`)
		case ch < 0x20 || ch >= 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, ch)
		default:
			sb.WriteByte(ch)
		}
	}
	sb.WriteByte(quote)
	return sb.String()
}
