package hash

import "math/bits"

// keccakRoundConstants are the iota constants of Keccak-f[1600].
var keccakRoundConstants = [24]uint64{
	0x0000000000000001,
	0x0000000000008082,
	0x800000000000808A,
	0x8000000080008000,
	0x000000000000808B,
	0x0000000080000001,
	0x8000000080008081,
	0x8000000000008009,
	0x000000000000008A,
	0x0000000000000088,
	0x0000000080008009,
	0x000000008000000A,
	0x000000008000808B,
	0x800000000000008B,
	0x8000000000008089,
	0x8000000000008003,
	0x8000000000008002,
	0x8000000000000080,
	0x000000000000800A,
	0x800000008000000A,
	0x8000000080008081,
	0x8000000000008080,
	0x0000000080000001,
	0x8000000080008008,
}

// KeccakF1600 applies the Keccak-f[1600] permutation to the 25 lanes of s
// (lane x + 5*y at index x + 5*y), the permutation of the VM's keccak
// builtin. The round is written out lane by lane, with the state in locals.
func KeccakF1600(s *[25]uint64) {
	a0 := s[0]
	a1 := s[1]
	a2 := s[2]
	a3 := s[3]
	a4 := s[4]
	a5 := s[5]
	a6 := s[6]
	a7 := s[7]
	a8 := s[8]
	a9 := s[9]
	a10 := s[10]
	a11 := s[11]
	a12 := s[12]
	a13 := s[13]
	a14 := s[14]
	a15 := s[15]
	a16 := s[16]
	a17 := s[17]
	a18 := s[18]
	a19 := s[19]
	a20 := s[20]
	a21 := s[21]
	a22 := s[22]
	a23 := s[23]
	a24 := s[24]
	for _, rc := range keccakRoundConstants {
		// theta
		c0 := a0 ^ a5 ^ a10 ^ a15 ^ a20
		c1 := a1 ^ a6 ^ a11 ^ a16 ^ a21
		c2 := a2 ^ a7 ^ a12 ^ a17 ^ a22
		c3 := a3 ^ a8 ^ a13 ^ a18 ^ a23
		c4 := a4 ^ a9 ^ a14 ^ a19 ^ a24
		d0 := c4 ^ bits.RotateLeft64(c1, 1)
		d1 := c0 ^ bits.RotateLeft64(c2, 1)
		d2 := c1 ^ bits.RotateLeft64(c3, 1)
		d3 := c2 ^ bits.RotateLeft64(c4, 1)
		d4 := c3 ^ bits.RotateLeft64(c0, 1)
		// rho and pi
		b0 := a0 ^ d0
		b10 := bits.RotateLeft64(a1^d1, 1)
		b20 := bits.RotateLeft64(a2^d2, 62)
		b5 := bits.RotateLeft64(a3^d3, 28)
		b15 := bits.RotateLeft64(a4^d4, 27)
		b16 := bits.RotateLeft64(a5^d0, 36)
		b1 := bits.RotateLeft64(a6^d1, 44)
		b11 := bits.RotateLeft64(a7^d2, 6)
		b21 := bits.RotateLeft64(a8^d3, 55)
		b6 := bits.RotateLeft64(a9^d4, 20)
		b7 := bits.RotateLeft64(a10^d0, 3)
		b17 := bits.RotateLeft64(a11^d1, 10)
		b2 := bits.RotateLeft64(a12^d2, 43)
		b12 := bits.RotateLeft64(a13^d3, 25)
		b22 := bits.RotateLeft64(a14^d4, 39)
		b23 := bits.RotateLeft64(a15^d0, 41)
		b8 := bits.RotateLeft64(a16^d1, 45)
		b18 := bits.RotateLeft64(a17^d2, 15)
		b3 := bits.RotateLeft64(a18^d3, 21)
		b13 := bits.RotateLeft64(a19^d4, 8)
		b14 := bits.RotateLeft64(a20^d0, 18)
		b24 := bits.RotateLeft64(a21^d1, 2)
		b9 := bits.RotateLeft64(a22^d2, 61)
		b19 := bits.RotateLeft64(a23^d3, 56)
		b4 := bits.RotateLeft64(a24^d4, 14)
		// chi
		a0 = b0 ^ (^b1 & b2)
		a1 = b1 ^ (^b2 & b3)
		a2 = b2 ^ (^b3 & b4)
		a3 = b3 ^ (^b4 & b0)
		a4 = b4 ^ (^b0 & b1)
		a5 = b5 ^ (^b6 & b7)
		a6 = b6 ^ (^b7 & b8)
		a7 = b7 ^ (^b8 & b9)
		a8 = b8 ^ (^b9 & b5)
		a9 = b9 ^ (^b5 & b6)
		a10 = b10 ^ (^b11 & b12)
		a11 = b11 ^ (^b12 & b13)
		a12 = b12 ^ (^b13 & b14)
		a13 = b13 ^ (^b14 & b10)
		a14 = b14 ^ (^b10 & b11)
		a15 = b15 ^ (^b16 & b17)
		a16 = b16 ^ (^b17 & b18)
		a17 = b17 ^ (^b18 & b19)
		a18 = b18 ^ (^b19 & b15)
		a19 = b19 ^ (^b15 & b16)
		a20 = b20 ^ (^b21 & b22)
		a21 = b21 ^ (^b22 & b23)
		a22 = b22 ^ (^b23 & b24)
		a23 = b23 ^ (^b24 & b20)
		a24 = b24 ^ (^b20 & b21)
		// iota
		a0 ^= rc
	}
	s[0] = a0
	s[1] = a1
	s[2] = a2
	s[3] = a3
	s[4] = a4
	s[5] = a5
	s[6] = a6
	s[7] = a7
	s[8] = a8
	s[9] = a9
	s[10] = a10
	s[11] = a11
	s[12] = a12
	s[13] = a13
	s[14] = a14
	s[15] = a15
	s[16] = a16
	s[17] = a17
	s[18] = a18
	s[19] = a19
	s[20] = a20
	s[21] = a21
	s[22] = a22
	s[23] = a23
	s[24] = a24
}
