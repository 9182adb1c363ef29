package hash

import (
	"encoding/binary"

	"github.com/kairo-dev/kairo/vm/felt"
)

// keccak256Rate is the rate of Keccak-256 in bytes (1600 - 2*256 bits).
const keccak256Rate = 136

// Keccak256 returns the Keccak-256 digest of data: the original Keccak
// padding (0x01 ... 0x80), as Ethereum and Starknet use it, not SHA3-256.
func Keccak256(data []byte) [32]byte {
	var s [25]uint64
	for len(data) >= keccak256Rate {
		for i := 0; i < keccak256Rate/8; i++ {
			s[i] ^= binary.LittleEndian.Uint64(data[i*8:])
		}
		KeccakF1600(&s)
		data = data[keccak256Rate:]
	}
	var last [keccak256Rate]byte
	copy(last[:], data)
	last[len(data)] ^= 0x01
	last[keccak256Rate-1] ^= 0x80
	for i := 0; i < keccak256Rate/8; i++ {
		s[i] ^= binary.LittleEndian.Uint64(last[i*8:])
	}
	KeccakF1600(&s)
	var out [32]byte
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint64(out[i*8:], s[i])
	}
	return out
}

// StarknetKeccak returns Keccak-256 of data masked to its low 250 bits, the
// sn_keccak of Starknet selectors: StarknetKeccak([]byte("transfer")).
func StarknetKeccak(data []byte) felt.Felt {
	d := Keccak256(data)
	d[0] &= 0x03
	return felt.FromBytesBE(d[:])
}
