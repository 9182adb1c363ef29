// Package felt implements the field elements of the Cairo VM: integers modulo
// the Stark prime P = 2^251 + 17*2^192 + 1.
//
// A Felt is gnark-crypto's stark-curve fp.Element (Montgomery form, four
// 64-bit limbs), so arithmetic never allocates and never touches math/big.
// Conversions to and from math/big exist for hints and parsing only.
package felt

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
	"strings"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt/fmul"
)

// Felt is an element of the Stark field, in Montgomery form.
type Felt fp.Element

// PrimeHex is the Stark prime in hexadecimal, as compiled programs spell it.
const PrimeHex = "0x800000000000011000000000000000000000000000000000000000000000001"

var (
	// Zero and One are the field's identities.
	Zero = Felt{}
	One  = FromUint64(1)
)

// Prime returns P as a fresh big.Int.
func Prime() *big.Int { return fp.Modulus() }

// FromUint64 returns v as a felt.
func FromUint64(v uint64) Felt {
	var e fp.Element
	e.SetUint64(v)
	return Felt(e)
}

// FromInt64 returns v as a felt (negative values wrap modulo P).
func FromInt64(v int64) Felt {
	var e fp.Element
	e.SetInt64(v)
	return Felt(e)
}

// FromBigInt returns v reduced modulo P (negative values wrap).
func FromBigInt(v *big.Int) Felt {
	var e fp.Element
	e.SetBigInt(v)
	return Felt(e)
}

// FromBytesBE reduces a big-endian byte string modulo P.
func FromBytesBE(b []byte) Felt {
	var e fp.Element
	e.SetBytes(b)
	return Felt(e)
}

// FromBytesBECanonical decodes the 32-byte big-endian encoding of a felt;
// ok is false when the integer is not below P (it has no such encoding).
func FromBytesBECanonical(b *[32]byte) (f Felt, ok bool) {
	e, err := fp.BigEndian.Element(b)
	return Felt(e), err == nil
}

// FromString parses a decimal or 0x-prefixed hexadecimal integer, optionally
// negative, and reduces it modulo P.
func FromString(s string) (Felt, error) {
	t := strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(t, "-") {
		neg = true
		t = t[1:]
	}
	var v big.Int
	var ok bool
	if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
		if len(t) == 2 {
			return Zero, fmt.Errorf("invalid felt %q", s)
		}
		_, ok = v.SetString(t[2:], 16)
	} else {
		_, ok = v.SetString(t, 10)
	}
	if !ok || t == "" {
		return Zero, fmt.Errorf("invalid felt %q", s)
	}
	if neg {
		v.Neg(&v)
	}
	return FromBigInt(&v), nil
}

// ParseCanonical parses a felt as block and transaction files spell one: a
// decimal or 0x-hexadecimal integer below P, without sign, spaces or
// underscores, and never reduced. The error names s.
func ParseCanonical(s string) (Felt, error) {
	var v big.Int
	ok := false
	if h, hex := strings.CutPrefix(s, "0x"); hex {
		_, ok = v.SetString(h, 16)
	} else if s != "" && s[0] >= '0' && s[0] <= '9' {
		_, ok = v.SetString(s, 10)
	}
	if !ok || strings.ContainsAny(s, "_+- ") {
		return Zero, fmt.Errorf("invalid number %q (want a decimal or 0x-hexadecimal integer)", s)
	}
	if v.Cmp(fp.Modulus()) >= 0 {
		return Zero, fmt.Errorf("%s is not below the field prime", s)
	}
	return FromBigInt(&v), nil
}

// MustFromString is FromString for constants known to be valid.
func MustFromString(s string) Felt {
	f, err := FromString(s)
	if err != nil {
		panic(err)
	}
	return f
}

func (f *Felt) el() *fp.Element { return (*fp.Element)(f) }

// Add returns f + g.
func (f Felt) Add(g Felt) Felt {
	var r fp.Element
	r.Add(f.el(), g.el())
	return Felt(r)
}

// Sub returns f - g.
func (f Felt) Sub(g Felt) Felt {
	var r fp.Element
	r.Sub(f.el(), g.el())
	return Felt(r)
}

// Mul returns f * g.
func (f Felt) Mul(g Felt) Felt {
	var r fp.Element
	fmul.Mul(&r, f.el(), g.el())
	return Felt(r)
}

// Neg returns -f.
func (f Felt) Neg() Felt {
	var r fp.Element
	r.Neg(f.el())
	return Felt(r)
}

// Inverse returns 1/f (0 for 0).
func (f Felt) Inverse() Felt {
	var r fp.Element
	r.Inverse(f.el())
	return Felt(r)
}

// Div returns f / g in the field; the caller checks g != 0.
func (f Felt) Div(g Felt) Felt {
	var r fp.Element
	r.Div(f.el(), g.el())
	return Felt(r)
}

// Square returns f^2.
func (f Felt) Square() Felt {
	var r fp.Element
	fmul.Square(&r, f.el())
	return Felt(r)
}

// Sqrt returns a square root of f and whether one exists.
func (f Felt) Sqrt() (Felt, bool) {
	var r fp.Element
	if r.Sqrt(f.el()) == nil {
		return Zero, false
	}
	return Felt(r), true
}

// Exp returns f^k for a non-negative k.
func (f Felt) Exp(k *big.Int) Felt {
	var r fp.Element
	r.Exp(fp.Element(f), k)
	return Felt(r)
}

// IsZero reports whether f == 0.
func (f Felt) IsZero() bool { return f == Zero }

// IsOne reports whether f == 1.
func (f Felt) IsOne() bool { return f == One }

// Equal reports whether f == g.
func (f Felt) Equal(g Felt) bool { return f == g }

// Cmp compares the canonical integer representatives of f and g.
func (f Felt) Cmp(g Felt) int { return f.el().Cmp(g.el()) }

// Uint64 returns f as a uint64 when its canonical value fits in 64 bits.
func (f Felt) Uint64() (uint64, bool) {
	e := fp.Element(f)
	if !e.IsUint64() {
		return 0, false
	}
	return e.Uint64(), true
}

// Limbs returns the canonical (non-Montgomery) value as four little-endian
// 64-bit limbs.
func (f Felt) Limbs() [4]uint64 { return f.el().Bits() }

// FromLimbs builds a felt from four little-endian limbs of a value < P.
func FromLimbs(l [4]uint64) Felt {
	var b [32]byte
	binary.BigEndian.PutUint64(b[0:], l[3])
	binary.BigEndian.PutUint64(b[8:], l[2])
	binary.BigEndian.PutUint64(b[16:], l[1])
	binary.BigEndian.PutUint64(b[24:], l[0])
	return FromBytesBE(b[:])
}

// BitLen returns the bit length of the canonical value.
func (f Felt) BitLen() int {
	l := f.Limbs()
	for i := 3; i >= 0; i-- {
		if l[i] != 0 {
			return i*64 + bits.Len64(l[i])
		}
	}
	return 0
}

// BigInt returns the canonical value in [0, P).
func (f Felt) BigInt() *big.Int {
	var r big.Int
	return f.el().BigInt(&r)
}

// SignedBigInt returns the representative in (-P/2, P/2], as cairo-run
// prints output values.
func (f Felt) SignedBigInt() *big.Int {
	v := f.BigInt()
	half := new(big.Int).Rsh(Prime(), 1)
	if v.Cmp(half) > 0 {
		v.Sub(v, Prime())
	}
	return v
}

// BytesBE returns the canonical value as 32 big-endian bytes.
func (f Felt) BytesBE() [32]byte { return f.el().Bytes() }

// BytesLE returns the canonical value as 32 little-endian bytes, the layout
// of cairo-run's memory files.
func (f Felt) BytesLE() [32]byte {
	l := f.Limbs()
	var b [32]byte
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint64(b[i*8:], l[i])
	}
	return b
}

// String returns the canonical value in 0x-prefixed lower-case hex.
func (f Felt) String() string { return "0x" + f.el().Text(16) }

// Decimal returns the canonical value in decimal (gnark's Text prints values
// near P as negative numbers, so this goes through big.Int).
func (f Felt) Decimal() string { return f.BigInt().String() }

// SignedDecimal returns the signed representative in decimal.
func (f Felt) SignedDecimal() string { return f.SignedBigInt().String() }
