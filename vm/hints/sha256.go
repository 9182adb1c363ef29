package hints

import (
	"fmt"
	"math/big"
)

// Hint codes of cairo_sha256 (packed_sha256 and the arbitrary input length
// variant).
const (
	codeSha256Finalize = "# Add dummy pairs of input and output.\n" +
		"from starkware.cairo.common.cairo_sha256.sha256_utils import (\n" +
		"    IV, compute_message_schedule, sha2_compress_function)\n\n" +
		"_block_size = int(ids.BLOCK_SIZE)\n" +
		"assert 0 <= _block_size < 20\n" +
		"_sha256_input_chunk_size_felts = int(ids.SHA256_INPUT_CHUNK_SIZE_FELTS)\n" +
		"assert 0 <= _sha256_input_chunk_size_felts < 100\n\n" +
		"message = [0] * _sha256_input_chunk_size_felts\n" +
		"w = compute_message_schedule(message)\n" +
		"output = sha2_compress_function(IV, w)\n" +
		"padding = (message + IV + output) * (_block_size - 1)\n" +
		"segments.write_arg(ids.sha256_ptr_end, padding)"
	codeSha256Compress = "from starkware.cairo.common.cairo_sha256.sha256_utils import (\n" +
		"    IV, compute_message_schedule, sha2_compress_function)\n\n" +
		"_sha256_input_chunk_size_felts = int(ids.SHA256_INPUT_CHUNK_SIZE_FELTS)\n" +
		"assert 0 <= _sha256_input_chunk_size_felts < 100\n\n" +
		"w = compute_message_schedule(memory.get_range(\n" +
		"    ids.sha256_start, _sha256_input_chunk_size_felts))\n" +
		"new_state = sha2_compress_function(IV, w)\n" +
		"segments.write_arg(ids.output, new_state)"
	codeSha256CompressState = "from starkware.cairo.common.cairo_sha256.sha256_utils import (\n" +
		"    compute_message_schedule, sha2_compress_function)\n\n" +
		"_sha256_input_chunk_size_felts = int(ids.SHA256_INPUT_CHUNK_SIZE_FELTS)\n" +
		"assert 0 <= _sha256_input_chunk_size_felts < 100\n" +
		"_sha256_state_size_felts = int(ids.SHA256_STATE_SIZE_FELTS)\n" +
		"assert 0 <= _sha256_state_size_felts < 100\n" +
		"w = compute_message_schedule(memory.get_range(\n" +
		"    ids.sha256_start, _sha256_input_chunk_size_felts))\n" +
		"new_state = sha2_compress_function(memory.get_range(ids.state, _sha256_state_size_felts), w)\n" +
		"segments.write_arg(ids.output, new_state)"
	codeFullWord4 = "ids.full_word = int(ids.n_bytes >= 4)"
	// finalize_sha256 of cairo-lang 0.14's sha256_utils.cairo.
	codeSha256FinalizeBatch = "# Add dummy pairs of input and output.\n" +
		"from starkware.cairo.common.cairo_sha256.sha256_utils import (\n" +
		"    IV,\n" +
		"    compute_message_schedule,\n" +
		"    sha2_compress_function,\n" +
		")\n\n" +
		"number_of_missing_blocks = (-ids.n) % ids.BATCH_SIZE\n" +
		"assert 0 <= number_of_missing_blocks < 20\n" +
		"_sha256_input_chunk_size_felts = ids.SHA256_INPUT_CHUNK_SIZE_FELTS\n" +
		"assert 0 <= _sha256_input_chunk_size_felts < 100\n\n" +
		"message = [0] * _sha256_input_chunk_size_felts\n" +
		"w = compute_message_schedule(message)\n" +
		"output = sha2_compress_function(IV, w)\n" +
		"padding = (message + IV + output) * number_of_missing_blocks\n" +
		"segments.write_arg(ids.sha256_ptr_end, padding)"
)

// sha256IV is sha256_utils.IV.
var sha256IV = [8]uint64{
	0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
}

// sha256K is sha256_utils.ROUND_CONSTANTS.
var sha256K = [64]uint64{
	0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4, 0xAB1C5ED5,
	0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE, 0x9BDC06A7, 0xC19BF174,
	0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F, 0x4A7484AA, 0x5CB0A9DC, 0x76F988DA,
	0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7, 0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967,
	0x27B70A85, 0x2E1B2138, 0x4D2C6DFC, 0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85,
	0xA2BFE8A1, 0xA81A664B, 0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070,
	0x19A4C116, 0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
	0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7, 0xC67178F2,
}

const mask32 = 1<<32 - 1

// rightRot32 is right_rot of sha256_utils and blake2s_utils:
// (v >> n) | ((v & (2**n - 1)) << (32 - n)). The words are Python ints;
// uint64 arithmetic gives the same results for words below 2^64, the only
// ones hashReadWords accepts, because every sum is reduced modulo 2^32.
func rightRot32(v uint64, n uint) uint64 {
	return v>>n | (v&(1<<n-1))<<(32-n)
}

// sha256MessageSchedule is compute_message_schedule.
func sha256MessageSchedule(message []uint64) (*[64]uint64, error) {
	if len(message) != 16 {
		return nil, squashAssert("")
	}
	var w [64]uint64
	copy(w[:], message)
	for i := 16; i < 64; i++ {
		s0 := rightRot32(w[i-15], 7) ^ rightRot32(w[i-15], 18) ^ w[i-15]>>3
		s1 := rightRot32(w[i-2], 17) ^ rightRot32(w[i-2], 19) ^ w[i-2]>>10
		w[i] = (w[i-16] + s0 + w[i-7] + s1) & mask32
	}
	return &w, nil
}

// sha256Compress is sha2_compress_function.
func sha256Compress(state []uint64, w *[64]uint64) ([]uint64, error) {
	if len(state) != 8 {
		return nil, fmt.Errorf("ValueError: expected 8 values to unpack (got %d)", len(state))
	}
	a, b, c, d, e, f, g, h := state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7]
	for i := 0; i < 64; i++ {
		s0 := rightRot32(a, 2) ^ rightRot32(a, 13) ^ rightRot32(a, 22)
		s1 := rightRot32(e, 6) ^ rightRot32(e, 11) ^ rightRot32(e, 25)
		ch := e&f ^ g&^e
		temp1 := (h + s1 + ch + sha256K[i] + w[i]) & mask32
		maj := a&b ^ a&c ^ b&c
		temp2 := (s0 + maj) & mask32
		h, g, f = g, f, e
		e = (d + temp1) & mask32
		d, c, b = c, b, a
		a = (temp1 + temp2) & mask32
	}
	return []uint64{
		(state[0] + a) & mask32, (state[1] + b) & mask32, (state[2] + c) & mask32, (state[3] + d) & mask32,
		(state[4] + e) & mask32, (state[5] + f) & mask32, (state[6] + g) & mask32, (state[7] + h) & mask32,
	}, nil
}

// sha256Hints are the hints of cairo_sha256.
func sha256Hints() map[string]Func {
	return map[string]Func{
		codeSha256Finalize:      hintSha256Finalize,
		codeSha256FinalizeBatch: hintSha256FinalizeBatch,
		codeSha256Compress:      func(c *Context) error { return hintSha256Compress(c, false) },
		codeSha256CompressState: func(c *Context) error { return hintSha256Compress(c, true) },
		codeFullWord4: func(c *Context) error {
			n, err := pyInt(c, "n_bytes")
			if err != nil {
				return err
			}
			return pySetBool(c, "full_word", n.Cmp(big.NewInt(4)) >= 0)
		},
	}
}

func hintSha256Compress(c *Context, withState bool) error {
	n, err := hashStateSize(c, "SHA256_INPUT_CHUNK_SIZE_FELTS", 100)
	if err != nil {
		return err
	}
	state := sha256IV[:]
	nState := 0
	if withState {
		if nState, err = hashStateSize(c, "SHA256_STATE_SIZE_FELTS", 100); err != nil {
			return err
		}
	}
	start, err := c.Reloc("sha256_start")
	if err != nil {
		return err
	}
	msg, err := hashReadWords(c, start, n, 64)
	if err != nil {
		return err
	}
	w, err := sha256MessageSchedule(msg)
	if err != nil {
		return err
	}
	if withState {
		sp, err := c.Reloc("state")
		if err != nil {
			return err
		}
		if state, err = hashReadWords(c, sp, nState, 64); err != nil {
			return err
		}
	}
	out, err := sha256Compress(state, w)
	if err != nil {
		return err
	}
	dst, err := c.Reloc("output")
	if err != nil {
		return err
	}
	return hashWriteWords(c, dst, out)
}

func hintSha256Finalize(c *Context) error {
	blocks, err := hashStateSize(c, "BLOCK_SIZE", 20)
	if err != nil {
		return err
	}
	return sha256WritePadding(c, blocks-1)
}

func hintSha256FinalizeBatch(c *Context) error {
	n, err := pyInt(c, "n")
	if err != nil {
		return err
	}
	batch, err := pyInt(c, "BATCH_SIZE")
	if err != nil {
		return err
	}
	if batch.Sign() == 0 {
		return errU256ZeroDivision
	}
	// Python's % takes the sign of the divisor.
	missing := new(big.Int).Mod(n.Neg(n), batch)
	if missing.Cmp(big.NewInt(20)) >= 0 {
		return squashAssert("")
	}
	return sha256WritePadding(c, int(missing.Int64()))
}

// sha256WritePadding writes copies dummy instances (message, IV, output)
// at ids.sha256_ptr_end.
func sha256WritePadding(c *Context, copies int) error {
	n, err := hashStateSize(c, "SHA256_INPUT_CHUNK_SIZE_FELTS", 100)
	if err != nil {
		return err
	}
	message := make([]uint64, n)
	w, err := sha256MessageSchedule(message)
	if err != nil {
		return err
	}
	out, err := sha256Compress(sha256IV[:], w)
	if err != nil {
		return err
	}
	one := make([]uint64, 0, n+16)
	one = append(append(append(one, message...), sha256IV[:]...), out...)
	end, err := c.Reloc("sha256_ptr_end")
	if err != nil {
		return err
	}
	for b := 0; b < copies; b++ {
		if err := hashWriteWords(c, end.Add(uint64(b*len(one))), one); err != nil {
			return err
		}
	}
	return nil
}
