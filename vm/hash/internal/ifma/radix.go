package ifma

import "math/bits"

// pWords is p as four words.
var pWords = [4]uint64{1, 0, 0, 0x0800000000000011}

const mask52 = 1<<52 - 1

// limbs cuts the words of a value below 2^256 into five 52-bit limbs.
func limbs(w [4]uint64) [5]uint64 {
	return [5]uint64{
		w[0] & mask52,
		(w[0]>>52 | w[1]<<12) & mask52,
		(w[1]>>40 | w[2]<<24) & mask52,
		(w[2]>>28 | w[3]<<36) & mask52,
		w[3] >> 16,
	}
}

// words joins normalized limbs of a value below 2^256 into words,
// reduced below p (the value must be below 3p).
func words(l [5]uint64) [4]uint64 {
	w := [4]uint64{
		l[0] | l[1]<<52,
		l[1]>>12 | l[2]<<40,
		l[2]>>24 | l[3]<<28,
		l[3]>>36 | l[4]<<16,
	}
	for range 2 {
		var d [4]uint64
		var b uint64
		d[0], b = bits.Sub64(w[0], pWords[0], 0)
		d[1], b = bits.Sub64(w[1], pWords[1], b)
		d[2], b = bits.Sub64(w[2], pWords[2], b)
		d[3], b = bits.Sub64(w[3], pWords[3], b)
		if b != 0 {
			break
		}
		w = d
	}
	return w
}

// quarter returns the limbs of w/4 mod p for canonical words w (below p):
// (w + k*p)/4 with k = -w mod 4, below p.
func quarter(w [4]uint64) [5]uint64 {
	k := -w[0] & 3
	var t [4]uint64
	var c uint64
	t[0], c = bits.Add64(w[0], k, 0)
	t[1], c = bits.Add64(w[1], 0, c)
	t[2], c = bits.Add64(w[2], 0, c)
	t[3], _ = bits.Add64(w[3], k*pWords[3], c) // below 2^253: no carry out
	for i := range 3 {
		t[i] = t[i]>>2 | t[i+1]<<62
	}
	t[3] >>= 2
	return limbs(t)
}
