package hints

import (
	"bytes"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

const (
	codeNormalizeAddressIsSmall = "# Verify the assumptions on the relationship between 2**250, ADDR_BOUND and PRIME.\n" +
		"ADDR_BOUND = ids.ADDR_BOUND % PRIME\n" +
		"assert (2**250 < ADDR_BOUND <= 2**251) and (2 * 2**250 < PRIME) and (\n" +
		"        ADDR_BOUND * 2 > PRIME), \\\n" +
		"    'normalize_address() cannot be used with the current constants.'\n" +
		"ids.is_small = 1 if ids.addr < ADDR_BOUND else 0"
	codeNormalizeAddressIs250 = "ids.is_250 = 1 if ids.addr < 2**250 else 0"

	codePrintFelt  = "print(ids.x)"
	codePrintArray = "print(bytes.fromhex(f\"{ids.name:062x}\").decode().replace('\\x00',''))\n" +
		"arr = [memory[ids.arr + i] for i in range(ids.arr_len)]\n" +
		"print(arr)"
	codeBitLength = "x = ids.x\nids.bit_length = x.bit_length()"
	codeLSBs      = "ids.a_lsb = ids.a & 1\nids.b_lsb = ids.b & 1"
	codeDibit     = "ids.dibit = ((ids.scalar_u >> ids.m) & 1) + 2 * ((ids.scalar_v >> ids.m) & 1)"
	codeQuadBit   = "ids.quad_bit = (\n" +
		"    8 * ((ids.scalar_v >> ids.m) & 1)\n" +
		"    + 4 * ((ids.scalar_u >> ids.m) & 1)\n" +
		"    + 2 * ((ids.scalar_v >> (ids.m - 1)) & 1)\n" +
		"    + ((ids.scalar_u >> (ids.m - 1)) & 1)\n" +
		")"
	codeHighLen = "ids.len_hi = max(ids.scalar_u.d2.bit_length(), ids.scalar_v.d2.bit_length())-1"
)

// storageHints are the hints of starkware.starknet.common.storage.
func storageHints() map[string]Func {
	return map[string]Func{
		codeNormalizeAddressIsSmall: func(c *Context) error {
			bound, err := pyInt(c, "ADDR_BOUND")
			if err != nil {
				return err
			}
			p := felt.Prime()
			twice := new(big.Int).Lsh(bound, 1)
			if bound.Cmp(pow2_250) <= 0 || bound.Cmp(new(big.Int).Lsh(pow2_250, 1)) > 0 || twice.Cmp(p) <= 0 {
				return fmt.Errorf("normalize_address() cannot be used with the current constants.")
			}
			addr, err := pyInt(c, "addr")
			if err != nil {
				return err
			}
			return pySetBool(c, "is_small", addr.Cmp(bound) < 0)
		},
		codeNormalizeAddressIs250: func(c *Context) error {
			addr, err := pyInt(c, "addr")
			if err != nil {
				return err
			}
			return pySetBool(c, "is_250", addr.Cmp(pow2_250) < 0)
		},
	}
}

// poseidonHints are the nondeterministic branches of
// starkware.cairo.common.builtin_poseidon.poseidon (both the current and
// the earlier spelling).
func poseidonHints() map[string]Func {
	return map[string]Func{
		"memory[ap] = to_felt_or_relocatable(ids.n >= 10)":                           nAtLeast(10),
		"memory[ap] = to_felt_or_relocatable(ids.n >= 2)":                            nAtLeast(2),
		"memory[ap] = to_felt_or_relocatable(ids.elements_end - ids.elements >= 10)": spanAtLeast(10),
		"memory[ap] = to_felt_or_relocatable(ids.elements_end - ids.elements >= 2)":  spanAtLeast(2),
	}
}

func nAtLeast(k uint64) Func {
	return func(c *Context) error {
		n, err := pyInt(c, "n")
		if err != nil {
			return err
		}
		return c.Mem().Set(c.AP(), pyBoolValue(n.Cmp(new(big.Int).SetUint64(k)) >= 0))
	}
}

func spanAtLeast(k uint64) Func {
	return func(c *Context) error {
		end, err := c.Value("elements_end")
		if err != nil {
			return err
		}
		start, err := c.Value("elements")
		if err != nil {
			return err
		}
		d, err := end.Sub(start)
		if err != nil {
			return err
		}
		if !d.IsFelt() {
			return fmt.Errorf("'>=' not supported between instances of 'RelocatableValue' and 'int'")
		}
		return c.Mem().Set(c.AP(), pyBoolValue(d.Felt().BigInt().Cmp(new(big.Int).SetUint64(k)) >= 0))
	}
}

// miscHints are hints of test and example programs: printing, no-ops and
// simple assignments to ids.
func miscHints() map[string]Func {
	return map[string]Func{
		"":            func(*Context) error { return nil },
		"import math": func(*Context) error { return nil },
		codePrintFelt: func(c *Context) error {
			v, err := c.Value("x")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.Runtime().Out, v.String())
			return err
		},
		codePrintArray: hintPrintArray,
		codeBitLength: func(c *Context) error {
			v, err := c.Value("x")
			if err != nil {
				return err
			}
			if !v.IsFelt() {
				return fmt.Errorf("'RelocatableValue' object has no attribute 'bit_length'")
			}
			x := v.Felt().BigInt()
			c.Set("x", x)
			return c.SetFelt("bit_length", felt.FromUint64(uint64(x.BitLen())))
		},
		codeLSBs: func(c *Context) error {
			for _, n := range []string{"a", "b"} {
				v, err := pyInt(c, n)
				if err != nil {
					return err
				}
				if err := c.SetFelt(n+"_lsb", felt.FromUint64(uint64(v.Bit(0)))); err != nil {
					return err
				}
			}
			return nil
		},
		codeDibit: func(c *Context) error {
			bits, err := scalarBits(c, []scalarBit{{"scalar_u", 0, 1}, {"scalar_v", 0, 2}})
			if err != nil {
				return err
			}
			return c.SetFelt("dibit", felt.FromUint64(bits))
		},
		codeQuadBit: func(c *Context) error {
			bits, err := scalarBits(c, []scalarBit{{"scalar_v", 0, 8}, {"scalar_u", 0, 4}, {"scalar_v", 1, 2}, {"scalar_u", 1, 1}})
			if err != nil {
				return err
			}
			return c.SetFelt("quad_bit", felt.FromUint64(bits))
		},
		codeHighLen: func(c *Context) error {
			u, err := pyInt(c, "scalar_u.d2")
			if err != nil {
				return err
			}
			v, err := pyInt(c, "scalar_v.d2")
			if err != nil {
				return err
			}
			return c.SetFelt("len_hi", felt.FromInt64(int64(max(u.BitLen(), v.BitLen())-1)))
		},
	}
}

// scalarBit is one term weight * ((ids.<name> >> (ids.m - back)) & 1).
type scalarBit struct {
	name   string
	back   int64
	weight uint64
}

func scalarBits(c *Context, terms []scalarBit) (uint64, error) {
	m, err := pyInt(c, "m")
	if err != nil {
		return 0, err
	}
	var sum uint64
	for _, t := range terms {
		v, err := pyInt(c, t.name)
		if err != nil {
			return 0, err
		}
		shift := new(big.Int).Sub(m, big.NewInt(t.back))
		if shift.Sign() < 0 {
			return 0, fmt.Errorf("negative shift count")
		}
		if shift.IsInt64() && shift.Int64() < 256 {
			sum += t.weight * uint64(v.Bit(int(shift.Int64())))
		}
	}
	return sum, nil
}

// pyShortString is bytes.fromhex(f"{v:062x}").decode().replace('\x00',
// ”): a felt holding a short string, as test programs print names.
func pyShortString(v memory.Value) (string, error) {
	if !v.IsFelt() {
		return "", fmt.Errorf("unsupported format string passed to RelocatableValue.__format__")
	}
	h := v.Felt().BigInt().Text(16)
	if len(h) < 62 {
		h = strings.Repeat("0", 62-len(h)) + h
	}
	if len(h)%2 != 0 {
		return "", fmt.Errorf("non-hexadecimal number found in fromhex() arg at position %d", len(h)-1)
	}
	b := make([]byte, len(h)/2)
	for i := range b {
		var x byte
		if _, err := fmt.Sscanf(h[2*i:2*i+2], "%02x", &x); err != nil {
			return "", err
		}
		b[i] = x
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("'utf-8' codec can't decode bytes of %s", v)
	}
	return string(bytes.ReplaceAll(b, []byte{0}, nil)), nil
}

// pyRepr formats a memory value as Python's repr() does inside a list.
func pyRepr(v memory.Value) string {
	if v.IsReloc() {
		r := v.Reloc()
		return fmt.Sprintf("RelocatableValue(segment_index=%d, offset=%d)", r.Segment, r.Offset)
	}
	return v.String()
}

// printName prints ids.name, a short string, on its own line: the first
// line of print_array and print_dict.
func printName(c *Context) error {
	name, err := c.Value("name")
	if err != nil {
		return err
	}
	s, err := pyShortString(name)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.Runtime().Out, s)
	return err
}

func hintPrintArray(c *Context) error {
	if err := printName(c); err != nil {
		return err
	}
	arr, err := c.Reloc("arr")
	if err != nil {
		return err
	}
	n, err := pyInt64(c, "arr_len", "arr_len")
	if err != nil {
		return err
	}
	vals, err := pyGetRange(c, arr, uint64(n))
	if err != nil {
		return err
	}
	c.Set("arr", vals)
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = pyRepr(v)
	}
	_, err = fmt.Fprintln(c.Runtime().Out, "["+strings.Join(parts, ", ")+"]")
	return err
}
