// Package memory implements the Cairo VM's memory: relocatable addresses,
// values that are either field elements or addresses, segments, write-once
// cells with validation rules, temporary segments and relocation.
package memory

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
)

// Relocatable is an address: a segment index and an offset in it. Temporary
// segments have negative indexes.
type Relocatable struct {
	Segment int
	Offset  uint64
}

// String formats the address as cairo-lang does: "segment:offset".
func (r Relocatable) String() string { return fmt.Sprintf("%d:%d", r.Segment, r.Offset) }

// Add returns r advanced by n cells.
func (r Relocatable) Add(n uint64) Relocatable { return Relocatable{r.Segment, r.Offset + n} }

// AddInt returns r moved by a signed number of cells; it fails below offset 0.
func (r Relocatable) AddInt(n int64) (Relocatable, error) {
	if n < 0 && uint64(-n) > r.Offset {
		return Relocatable{}, fmt.Errorf("address %s%+d has a negative offset", r, n)
	}
	return Relocatable{r.Segment, uint64(int64(r.Offset) + n)}, nil
}

// AddFelt returns r + f, reading f as a signed offset modulo P, as
// cairo-lang computes (offset + f) % P.
func (r Relocatable) AddFelt(f felt.Felt) (Relocatable, error) {
	l := canonical(f[0], f[1], f[2], f[3])
	if l[1]|l[2]|l[3] == 0 {
		u := l[0]
		if r.Offset+u < r.Offset {
			return Relocatable{}, fmt.Errorf("offset of %s + %d overflows", r, u)
		}
		return Relocatable{r.Segment, r.Offset + u}, nil
	}
	// P - f, for a small negative offset.
	var n, hi, b uint64
	n, b = bits.Sub64(1, l[0], 0)
	hi, b = bits.Sub64(0, l[1], b)
	x, b := bits.Sub64(0, l[2], b)
	hi |= x
	x, _ = bits.Sub64(modulusTop, l[3], b)
	if hi|x == 0 && n <= r.Offset {
		return Relocatable{r.Segment, r.Offset - n}, nil
	}
	return Relocatable{}, fmt.Errorf("address %s + %s is out of range", r, f.SignedDecimal())
}

// modulusTop is the top limb of the field's prime P = 2^251 + 17*2^192 + 1
// (its other limbs are 0, 0 and 1).
const modulusTop = 0x0800000000000011

// Sub returns r - o as a number of cells; both must be in the same segment.
func (r Relocatable) Sub(o Relocatable) (int64, error) {
	if r.Segment != o.Segment {
		return 0, fmt.Errorf("cannot subtract %s from %s: different segments", o, r)
	}
	return int64(r.Offset - o.Offset), nil
}

// Kind says what a memory value holds.
type Kind uint8

// Value kinds.
const (
	KindNone  Kind = iota // an unset cell
	KindFelt              // a field element
	KindReloc             // an address
)

// Value is a field element or an address (cairo-lang's MaybeRelocatable),
// in 32 bytes. A felt is stored in Montgomery form; since every reduced
// element is below P < 2^252, the top bits of the last limb are free and
// hold the kind. An address keeps its offset in the first limb and its
// segment in the second. The zero Value is "unset".
type Value struct {
	w [4]uint64
}

const (
	tagFelt  = uint64(1) << 62
	tagReloc = uint64(1) << 63
	tagMask  = tagFelt | tagReloc
)

// FeltValue wraps a field element.
func FeltValue(f felt.Felt) Value {
	f[3] |= tagFelt
	return Value{w: f}
}

// Uint64Value wraps a small integer.
func Uint64Value(u uint64) Value { return FeltValue(felt.FromUint64(u)) }

// RelocValue wraps an address.
func RelocValue(r Relocatable) Value {
	return Value{w: [4]uint64{r.Offset, uint64(int64(r.Segment)), 0, tagReloc}}
}

// Kind returns what v holds.
func (v Value) Kind() Kind {
	switch v.w[3] & tagMask {
	case tagFelt:
		return KindFelt
	case tagReloc:
		return KindReloc
	}
	return KindNone
}

// IsSet reports whether v holds anything.
func (v Value) IsSet() bool { return v.w[3]&tagMask != 0 }

// IsFelt reports whether v is a field element.
func (v Value) IsFelt() bool { return v.w[3]&tagFelt != 0 }

// IsReloc reports whether v is an address.
func (v Value) IsReloc() bool { return v.w[3]&tagReloc != 0 }

// Felt returns v's field element; v must be a felt.
func (v Value) Felt() felt.Felt {
	f := felt.Felt(v.w)
	f[3] &^= tagMask
	return f
}

// Reloc returns v's address; v must be an address.
func (v Value) Reloc() Relocatable { return Relocatable{int(int64(v.w[1])), v.w[0]} }

// segment returns the segment of an address value.
func (v Value) segment() int { return int(int64(v.w[1])) }

// ErrNotFelt and ErrNotReloc describe values of the wrong kind.
var (
	ErrNotFelt  = errors.New("expected a field element")
	ErrNotReloc = errors.New("expected an address")
)

// AsFelt returns v's field element or an error naming what v is.
func (v Value) AsFelt() (felt.Felt, error) {
	if !v.IsFelt() {
		return felt.Zero, fmt.Errorf("%w, found %s", ErrNotFelt, v.describe())
	}
	return v.Felt(), nil
}

// AsReloc returns v's address or an error naming what v is.
func (v Value) AsReloc() (Relocatable, error) {
	if !v.IsReloc() {
		return Relocatable{}, fmt.Errorf("%w, found %s", ErrNotReloc, v.describe())
	}
	return v.Reloc(), nil
}

func (v Value) describe() string {
	switch v.Kind() {
	case KindFelt:
		return "the field element " + v.Felt().SignedDecimal()
	case KindReloc:
		return "the address " + v.Reloc().String()
	}
	return "an unset cell"
}

// AddFelts returns a + b for two felt values (the caller checks IsFelt);
// it is the VM's fast path for res = op0 + op1.
func AddFelts(a, b *Value) Value {
	x := fp.Element{a.w[0], a.w[1], a.w[2], a.w[3] &^ tagMask}
	y := fp.Element{b.w[0], b.w[1], b.w[2], b.w[3] &^ tagMask}
	x.Add(&x, &y)
	x[3] |= tagFelt
	return Value{w: x}
}

// MulFelts returns a * b for two felt values (the caller checks IsFelt).
func MulFelts(a, b *Value) Value {
	x := fp.Element{a.w[0], a.w[1], a.w[2], a.w[3] &^ tagMask}
	y := fp.Element{b.w[0], b.w[1], b.w[2], b.w[3] &^ tagMask}
	x.Mul(&x, &y)
	x[3] |= tagFelt
	return Value{w: x}
}

// Add returns v + o: felt + felt, address + felt or felt + address.
func (v Value) Add(o Value) (Value, error) {
	if v.w[3]&o.w[3]&tagFelt != 0 {
		return AddFelts(&v, &o), nil
	}
	vk, ok := v.Kind(), o.Kind()
	switch {
	case vk == KindFelt && ok == KindFelt:
		return FeltValue(v.Felt().Add(o.Felt())), nil
	case vk == KindReloc && ok == KindFelt:
		r, err := v.Reloc().AddFelt(o.Felt())
		return RelocValue(r), err
	case vk == KindFelt && ok == KindReloc:
		r, err := o.Reloc().AddFelt(v.Felt())
		return RelocValue(r), err
	case vk == KindReloc && ok == KindReloc:
		return Value{}, fmt.Errorf("cannot add two addresses (%s + %s)", v, o)
	}
	return Value{}, fmt.Errorf("cannot add %s and %s", v.describe(), o.describe())
}

// Sub returns v - o: felt - felt, address - felt, or address - address in
// one segment (a felt).
func (v Value) Sub(o Value) (Value, error) {
	vk, ok := v.Kind(), o.Kind()
	switch {
	case vk == KindFelt && ok == KindFelt:
		return FeltValue(v.Felt().Sub(o.Felt())), nil
	case vk == KindReloc && ok == KindFelt:
		r, err := v.Reloc().AddFelt(o.Felt().Neg())
		return RelocValue(r), err
	case vk == KindReloc && ok == KindReloc:
		a, b := v.Reloc(), o.Reloc()
		if a.Segment != b.Segment {
			return Value{}, fmt.Errorf("cannot subtract addresses of different segments (%s - %s)", a, b)
		}
		return FeltValue(felt.FromUint64(a.Offset).Sub(felt.FromUint64(b.Offset))), nil
	}
	return Value{}, fmt.Errorf("cannot subtract %s from %s", o.describe(), v.describe())
}

// Mul returns v * o; both must be felts.
func (v Value) Mul(o Value) (Value, error) {
	if v.IsFelt() && o.IsFelt() {
		return FeltValue(v.Felt().Mul(o.Felt())), nil
	}
	return Value{}, fmt.Errorf("cannot multiply %s by %s", v.describe(), o.describe())
}

// String formats v as cairo-lang does: a decimal felt or "segment:offset".
func (v Value) String() string {
	switch v.Kind() {
	case KindFelt:
		return v.Felt().Decimal()
	case KindReloc:
		return v.Reloc().String()
	}
	return "<unset>"
}

// FeltLimbs returns the canonical value of a felt value (the caller checks
// IsFelt) as four little-endian limbs, as felt.Felt.Limbs does, with a
// Montgomery reduction specialised to the field's prime: P = 1 modulo
// 2^64 and its middle limbs are zero, so each of the four rounds costs one
// multiplication instead of four.
func (v Value) FeltLimbs() [4]uint64 {
	return canonical(v.w[0], v.w[1], v.w[2], v.w[3]&^tagMask)
}

// canonical leaves Montgomery form: it returns a*R^-1 mod P for the
// limbs a < P.
func canonical(t0, t1, t2, t3 uint64) [4]uint64 {
	var t4 uint64
	for range 4 {
		// m = t0 * (-P^-1 mod 2^64) = -t0; t = (t + m*P) / 2^64, where
		// m*P = m + m*modulusTop*2^192 and t0 + m = 0 (carry when t0 != 0).
		m := -t0
		hi, lo := bits.Mul64(m, modulusTop)
		var c uint64
		if t0 != 0 {
			c = 1
		}
		var s1, s2, s3 uint64
		s1, c = bits.Add64(t1, 0, c)
		s2, c = bits.Add64(t2, 0, c)
		s3, c = bits.Add64(t3, lo, c)
		t4, _ = bits.Add64(hi, 0, c)
		t0, t1, t2, t3 = s1, s2, s3, t4
	}
	// The result is below 2P: subtract P once when it is not below P.
	r0, b := bits.Sub64(t0, 1, 0)
	r1, b := bits.Sub64(t1, 0, b)
	r2, b := bits.Sub64(t2, 0, b)
	r3, b := bits.Sub64(t3, modulusTop, b)
	if b == 0 {
		return [4]uint64{r0, r1, r2, r3}
	}
	return [4]uint64{t0, t1, t2, t3}
}

// montR2 is R^2 mod P (R = 2^256), little-endian: a Montgomery product
// with it takes a canonical value into Montgomery form.
var montR2 = fp.Element{0xfffffd737e000401, 0x1330fffff, 0xffffffffff6f8000, 0x7ffd4ab5e008810}

// FeltValueFromLimbs wraps the felt whose canonical value has the four
// little-endian limbs l, reduced modulo P, as felt.FromLimbs does, with
// one Montgomery multiplication and no byte conversion when l < P.
func FeltValueFromLimbs(l [4]uint64) Value {
	if l[3] < modulusTop || (l[3] == modulusTop && l[2]|l[1] == 0 && l[0] == 0) {
		x := fp.Element(l)
		x.Mul(&x, &montR2)
		return Value{w: [4]uint64{x[0], x[1], x[2], x[3] | tagFelt}}
	}
	return FeltValue(felt.FromLimbs(l))
}
