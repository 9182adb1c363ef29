package trie

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"

	"github.com/kairo-dev/kairo/vm/felt"
)

// Height is the number of bits of a key: the depth of every leaf.
const Height = 251

// Path is a sequence of at most Height bits: a node's position from the root
// (its key prefix), or the bits an edge node skips. The bits are kept
// left-aligned in a 251-bit integer: bit i of the path (i = 0 first, nearest
// the root) is bit 250-i of the integer, and every bit past the path's length
// is zero. The zero Path is the empty path, the root's position.
type Path struct {
	b   [4]uint64 // little-endian limbs; bit 250 is the path's first bit
	len uint8
}

// ErrKeyTooLarge reports a key that does not fit the trie's 251 bits.
var ErrKeyTooLarge = errors.New("key is 2^251 or more")

// KeyPath returns the full 251-bit path of a key, which must be below 2^251.
func KeyPath(key felt.Felt) (Path, error) {
	l := key.Limbs()
	if l[3]>>59 != 0 {
		return Path{}, fmt.Errorf("trie key %s: %w", key, ErrKeyTooLarge)
	}
	return Path{b: l, len: Height}, nil
}

// PathFromValue returns the path of length n whose bits are the n low bits of
// v, most significant first: the (path, length) pair of a Starknet edge node.
// It fails when n > 251 or v >= 2^n.
func PathFromValue(v felt.Felt, n int) (Path, error) { return pathFromLimbs(v.Limbs(), n) }

// pathFromBigEndian is PathFromValue of the value whose 32-byte big-endian
// encoding is b, without converting it to a felt and back.
func pathFromBigEndian(b *[32]byte, n int) (Path, error) { return pathFromLimbs(fromBigEndian(b), n) }

// pathFromLimbs is PathFromValue of the integer x (little-endian limbs).
func pathFromLimbs(x [4]uint64, n int) (Path, error) {
	if n < 0 || n > Height {
		return Path{}, fmt.Errorf("path length %d out of range [0, %d]", n, Height)
	}
	if bitLen(x) > n {
		be := bigEndian(x)
		return Path{}, fmt.Errorf("path value 0x%s has more than %d bits", new(big.Int).SetBytes(be[:]).Text(16), n)
	}
	if n == 0 {
		return Path{}, nil
	}
	return Path{b: shl(x, uint(Height-n)), len: uint8(n)}, nil
}

// Len returns the number of bits.
func (p Path) Len() int { return int(p.len) }

// Bit returns bit i (0 = nearest the root) as 0 or 1.
func (p Path) Bit(i int) uint8 {
	pos := Height - 1 - i
	return uint8(p.b[pos/64] >> (pos % 64) & 1)
}

// Value returns the path's bits as an integer, the last bit least
// significant: the "path" felt of a Starknet edge node.
func (p Path) Value() felt.Felt {
	if p.len == 0 {
		return felt.Zero
	}
	return felt.FromLimbs(shr(p.b, uint(Height-int(p.len))))
}

// Key returns the felt whose full path p is; p must have length 251.
func (p Path) Key() felt.Felt { return felt.FromLimbs(p.b) }

// Append returns p followed by one bit.
func (p Path) Append(bit uint8) Path {
	q := p
	if bit != 0 {
		pos := Height - 1 - int(p.len)
		q.b[pos/64] |= 1 << (pos % 64)
	}
	q.len++
	return q
}

// Concat returns p followed by q; the total length must not exceed 251.
func (p Path) Concat(q Path) Path {
	r := shr(q.b, uint(p.len))
	return Path{
		b:   [4]uint64{p.b[0] | r[0], p.b[1] | r[1], p.b[2] | r[2], p.b[3] | r[3]},
		len: p.len + q.len,
	}
}

// Prefix returns the first n bits of p (n <= p.Len()).
func (p Path) Prefix(n int) Path {
	return Path{b: maskTop(p.b, n), len: uint8(n)}
}

// Slice returns bits [i, j) of p as a path of its own.
func (p Path) Slice(i, j int) Path {
	return Path{b: maskTop(shl(p.b, uint(i)), j-i), len: uint8(j - i)}
}

// CommonPrefix returns the length of the longest common prefix of p and q.
func (p Path) CommonPrefix(q Path) int {
	n := min(int(p.len), int(q.len))
	for i := 3; i >= 0; i-- {
		if x := p.b[i] ^ q.b[i]; x != 0 {
			c := (3-i)*64 + bits.LeadingZeros64(x) - (256 - Height)
			return min(c, n)
		}
	}
	return n
}

// HasPrefix reports whether q is a prefix of p.
func (p Path) HasPrefix(q Path) bool {
	return q.len <= p.len && p.CommonPrefix(q) == int(q.len)
}

// String returns the bits as 0s and 1s ("" for the empty path).
func (p Path) String() string {
	buf := make([]byte, p.len)
	for i := range buf {
		buf[i] = '0' + p.Bit(i)
	}
	return string(buf)
}

// Compare orders paths as the on-disk keys do not: bit by bit, a prefix
// before its extensions. It is meant for deterministic output.
func (p Path) Compare(q Path) int {
	c := p.CommonPrefix(q)
	switch {
	case c == int(p.len) && c == int(q.len):
		return 0
	case c == int(p.len):
		return -1
	case c == int(q.len):
		return 1
	case p.Bit(c) == 0:
		return -1
	default:
		return 1
	}
}

// MarshalBinary encodes p as its storage key. The format is an on-disk
// format and must not change:
//
//	byte 0      the length n (0..251)
//	bytes 1..   ceil(n/8) bytes holding the bits, first bit in the most
//	            significant bit of byte 1, unused trailing bits zero
//
// The root's key is the single byte 0x00.
func (p Path) MarshalBinary() ([]byte, error) { return p.AppendBinary(nil) }

// AppendBinary appends the storage key of p (see MarshalBinary) to dst.
func (p Path) AppendBinary(dst []byte) ([]byte, error) {
	n := (int(p.len) + 7) / 8
	dst = append(dst, p.len)
	be := bigEndian(shl(p.b, 256-Height))
	return append(dst, be[:n]...), nil
}

// EncodedKey returns MarshalBinary's encoding as a string, for map keys.
func (p Path) EncodedKey() string {
	b, _ := p.AppendBinary(make([]byte, 0, 33))
	return string(b)
}

// UnmarshalBinary decodes a storage key written by MarshalBinary, rejecting
// every non-canonical encoding.
func (p *Path) UnmarshalBinary(data []byte) error {
	if len(data) == 0 {
		return errors.New("trie path: empty key")
	}
	n := int(data[0])
	if n > Height {
		return fmt.Errorf("trie path: length %d exceeds %d", n, Height)
	}
	if len(data) != 1+(n+7)/8 {
		return fmt.Errorf("trie path: length %d needs %d bytes, have %d", n, (n+7)/8, len(data)-1)
	}
	var be [32]byte
	copy(be[:], data[1:])
	v := shr(fromBigEndian(&be), 256-Height)
	q := Path{b: maskTop(v, n), len: uint8(n)}
	if q.b != v || shl(v, 256-Height) != fromBigEndian(&be) {
		return fmt.Errorf("trie path: bits set past length %d", n)
	}
	*p = q
	return nil
}

// shl shifts a 256-bit little-endian integer left by s bits (s < 256).
func shl(x [4]uint64, s uint) [4]uint64 {
	var r [4]uint64
	w, b := int(s/64), s%64
	for i := 3; i >= w; i-- {
		r[i] = x[i-w] << b
		if b != 0 && i-w-1 >= 0 {
			r[i] |= x[i-w-1] >> (64 - b)
		}
	}
	return r
}

// shr shifts a 256-bit little-endian integer right by s bits (s < 256).
func shr(x [4]uint64, s uint) [4]uint64 {
	var r [4]uint64
	w, b := int(s/64), s%64
	for i := 0; i+w < 4; i++ {
		r[i] = x[i+w] >> b
		if b != 0 && i+w+1 < 4 {
			r[i] |= x[i+w+1] << (64 - b)
		}
	}
	return r
}

// maskTop keeps the first n path bits (bits 250 down to 251-n) of x and
// clears every other bit.
func maskTop(x [4]uint64, n int) [4]uint64 {
	low := Height - n // bits below this position are cleared
	var r [4]uint64
	for i := 0; i < 4; i++ {
		lo := i * 64
		switch {
		case low <= lo:
			r[i] = x[i]
		case low >= lo+64:
			r[i] = 0
		default:
			r[i] = x[i] &^ (1<<(low-lo) - 1)
		}
	}
	r[3] &= 1<<(Height-192) - 1 // nothing above bit 250
	return r
}

func bigEndian(x [4]uint64) [32]byte {
	var b [32]byte
	for i := 0; i < 4; i++ {
		v := x[3-i]
		for j := 0; j < 8; j++ {
			b[i*8+j] = byte(v >> (56 - 8*j))
		}
	}
	return b
}

func fromBigEndian(b *[32]byte) [4]uint64 {
	var x [4]uint64
	for i := 0; i < 4; i++ {
		var v uint64
		for j := 0; j < 8; j++ {
			v = v<<8 | uint64(b[i*8+j])
		}
		x[3-i] = v
	}
	return x
}

// bitLen is the number of bits of the integer x (little-endian limbs).
func bitLen(x [4]uint64) int {
	for i := 3; i >= 0; i-- {
		if x[i] != 0 {
			return 64*i + bits.Len64(x[i])
		}
	}
	return 0
}
