package hints

import (
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Hint codes of cairo_blake2s.
const (
	codeBlake2sCompute = "from starkware.cairo.common.cairo_blake2s.blake2s_utils import compute_blake2s_func\n" +
		"compute_blake2s_func(segments=segments, output_ptr=ids.output)"
	codeBlake2sLastBlock = "from starkware.cairo.common.cairo_blake2s.blake2s_utils import IV, blake2s_compress\n\n" +
		"_blake2s_input_chunk_size_felts = int(ids.BLAKE2S_INPUT_CHUNK_SIZE_FELTS)\n" +
		"assert 0 <= _blake2s_input_chunk_size_felts < 100\n\n" +
		"new_state = blake2s_compress(\n" +
		"    message=memory.get_range(ids.blake2s_start, _blake2s_input_chunk_size_felts),\n" +
		"    h=[IV[0] ^ 0x01010020] + IV[1:],\n" +
		"    t0=ids.n_bytes,\n" +
		"    t1=0,\n" +
		"    f0=0xffffffff,\n" +
		"    f1=0,\n" +
		")\n\n" +
		"segments.write_arg(ids.output, new_state)"
	blake2sFinalizeHead = "# Add dummy pairs of input and output.\n" +
		"from starkware.cairo.common.cairo_blake2s.blake2s_utils import IV, blake2s_compress\n\n" +
		"_n_packed_instances = int(ids.N_PACKED_INSTANCES)\n" +
		"assert 0 <= _n_packed_instances < 20\n"
	blake2sFinalizeBody = "assert 0 <= _blake2s_input_chunk_size_felts < 100\n\n" +
		"message = [0] * _blake2s_input_chunk_size_felts\n" +
		"modified_iv = [IV[0] ^ 0x01010020] + IV[1:]\n" +
		"output = blake2s_compress(\n" +
		"    message=message,\n" +
		"    h=modified_iv,\n" +
		"    t0=0,\n" +
		"    t1=0,\n" +
		"    f0=0xffffffff,\n" +
		"    f1=0,\n" +
		")\n"
	// finalize_blake2s of cairo-lang (INPUT_BLOCK_FELTS), of the v2
	// library (BLAKE2S_INPUT_CHUNK_SIZE_FELTS) and of the v3 library, which
	// puts the message before the IV.
	codeBlake2sFinalize = blake2sFinalizeHead +
		"_blake2s_input_chunk_size_felts = int(ids.INPUT_BLOCK_FELTS)\n" + blake2sFinalizeBody +
		"padding = (modified_iv + message + [0, 0xffffffff] + output) * (_n_packed_instances - 1)\n" +
		"segments.write_arg(ids.blake2s_ptr_end, padding)"
	codeBlake2sFinalizeV2 = blake2sFinalizeHead +
		"_blake2s_input_chunk_size_felts = int(ids.BLAKE2S_INPUT_CHUNK_SIZE_FELTS)\n" + blake2sFinalizeBody +
		"padding = (modified_iv + message + [0, 0xffffffff] + output) * (_n_packed_instances - 1)\n" +
		"segments.write_arg(ids.blake2s_ptr_end, padding)"
	codeBlake2sFinalizeV3 = blake2sFinalizeHead +
		"_blake2s_input_chunk_size_felts = int(ids.BLAKE2S_INPUT_CHUNK_SIZE_FELTS)\n" + blake2sFinalizeBody +
		"padding = (message + modified_iv + [0, 0xffffffff] + output) * (_n_packed_instances - 1)\n" +
		"segments.write_arg(ids.blake2s_ptr_end, padding)"
	codeBlake2sAddUint256 = "B = 32\n" +
		"MASK = 2 ** 32 - 1\n" +
		"segments.write_arg(ids.data, [(ids.low >> (B * i)) & MASK for i in range(4)])\n" +
		"segments.write_arg(ids.data + 4, [(ids.high >> (B * i)) & MASK for i in range(4)])"
	codeBlake2sAddUint256Bigend = "B = 32\n" +
		"MASK = 2 ** 32 - 1\n" +
		"segments.write_arg(ids.data, [(ids.high >> (B * (3 - i))) & MASK for i in range(4)])\n" +
		"segments.write_arg(ids.data + 4, [(ids.low >> (B * (3 - i))) & MASK for i in range(4)])"
)

var (
	errHashIndexOutOfRange = errors.New("IndexError: list index out of range")
	errBlake2sNotInt       = errors.New("TypeError: unsupported operand type(s) for ^: 'int' and 'RelocatableValue'")
	errBlake2sNotAddress   = errors.New("TypeError: segments.write_arg() expects an address")
)

// Hints of encode_felt252_to_u32s in cairo-lang 0.14's blake2s.cairo.
const (
	codeBlake2sEncodeFelts = "offset = 0\n" +
		"for i in range(ids.packed_values_len):\n" +
		"    val = (memory[ids.packed_values + i] % PRIME)\n" +
		"    val_len = 2 if val < 2**63 else 8\n" +
		"    if val_len == 8:\n" +
		"        val += 2**255\n" +
		"    for i in range(val_len - 1, -1, -1):\n" +
		"        val, memory[ids.unpacked_u32s + offset + i] = divmod(val, 2**32)\n" +
		"    assert val == 0\n" +
		"    offset += val_len"
	codeBlake2sEncodeIsSmall = "memory[ap] = to_felt_or_relocatable((ids.end != ids.packed_values) and (memory[ids.packed_values] < 2**63))"
)

// blake2sIV is blake2s_utils.IV.
var blake2sIV = [8]uint64{
	0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
}

// blake2sSigma is blake2s_utils.SIGMA.
var blake2sSigma = [10][16]uint8{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
	{11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
	{7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
	{9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
	{2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
	{12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
	{13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
	{6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
	{10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
}

// blake2sMix is blake2s_utils.mix on the state words a, b, c, d.
func blake2sMix(v *[16]uint64, a, b, c, d int, m0, m1 uint64) {
	v[a] = (v[a] + v[b] + m0) & mask32
	v[d] = rightRot32(v[d]^v[a], 16)
	v[c] = (v[c] + v[d]) & mask32
	v[b] = rightRot32(v[b]^v[c], 12)
	v[a] = (v[a] + v[b] + m1) & mask32
	v[d] = rightRot32(v[d]^v[a], 8)
	v[c] = (v[c] + v[d]) & mask32
	v[b] = rightRot32(v[b]^v[c], 7)
}

// blake2sCompress is blake2s_utils.blake2s_compress: h is 8 words, message
// at least 16; t0, t1, f0 and f1 enter only modulo 2^32. Words are Python
// ints below 2^64 (see rightRot32).
func blake2sCompress(h [8]uint64, message []uint64, t0, t1, f0, f1 uint64) ([8]uint64, error) {
	var out [8]uint64
	if len(message) < 16 {
		return out, errHashIndexOutOfRange
	}
	var v [16]uint64
	copy(v[:8], h[:])
	copy(v[8:12], blake2sIV[:4])
	v[12] = (blake2sIV[4] ^ t0) & mask32
	v[13] = (blake2sIV[5] ^ t1) & mask32
	v[14] = (blake2sIV[6] ^ f0) & mask32
	v[15] = (blake2sIV[7] ^ f1) & mask32
	for i := 0; i < 10; i++ {
		s := &blake2sSigma[i]
		blake2sMix(&v, 0, 4, 8, 12, message[s[0]], message[s[1]])
		blake2sMix(&v, 1, 5, 9, 13, message[s[2]], message[s[3]])
		blake2sMix(&v, 2, 6, 10, 14, message[s[4]], message[s[5]])
		blake2sMix(&v, 3, 7, 11, 15, message[s[6]], message[s[7]])
		blake2sMix(&v, 0, 5, 10, 15, message[s[8]], message[s[9]])
		blake2sMix(&v, 1, 6, 11, 12, message[s[10]], message[s[11]])
		blake2sMix(&v, 2, 7, 8, 13, message[s[12]], message[s[13]])
		blake2sMix(&v, 3, 4, 9, 14, message[s[14]], message[s[15]])
	}
	for i := range out {
		out[i] = h[i] ^ v[i] ^ v[i+8]
	}
	return out, nil
}

// blake2sModifiedIV is [IV[0] ^ 0x01010020] + IV[1:].
func blake2sModifiedIV() [8]uint64 {
	iv := blake2sIV
	iv[0] ^= 0x01010020
	return iv
}

// blake2sLow32 is the value of a felt modulo 2^32, which is all
// blake2s_compress uses of t0 and f0.
func blake2sLow32(v memory.Value) (uint64, error) {
	if !v.IsFelt() {
		return 0, errBlake2sNotInt
	}
	return v.Felt().Limbs()[0] & mask32, nil
}

// blake2sHints are the hints of cairo_blake2s.
func blake2sHints() map[string]Func {
	return map[string]Func{
		codeBlake2sCompute:   hintBlake2sCompute,
		codeBlake2sLastBlock: hintBlake2sLastBlock,
		codeBlake2sFinalize: func(c *Context) error {
			return hintBlake2sFinalize(c, "INPUT_BLOCK_FELTS", false)
		},
		codeBlake2sFinalizeV2: func(c *Context) error {
			return hintBlake2sFinalize(c, "BLAKE2S_INPUT_CHUNK_SIZE_FELTS", false)
		},
		codeBlake2sFinalizeV3: func(c *Context) error {
			return hintBlake2sFinalize(c, "BLAKE2S_INPUT_CHUNK_SIZE_FELTS", true)
		},
		codeBlake2sEncodeFelts:      hintBlake2sEncodeFelts,
		codeBlake2sEncodeIsSmall:    hintBlake2sEncodeIsSmall,
		codeBlake2sAddUint256:       func(c *Context) error { return hintBlake2sAddUint256(c, false) },
		codeBlake2sAddUint256Bigend: func(c *Context) error { return hintBlake2sAddUint256(c, true) },
	}
}

func hintBlake2sCompute(c *Context) error {
	out, err := c.Reloc("output")
	if err != nil {
		return err
	}
	base, err := out.AddInt(-26)
	if err != nil {
		return err
	}
	hw, err := hashReadWords(c, base, 8, 64)
	if err != nil {
		return err
	}
	msg, err := hashReadWords(c, base.Add(8), 16, 64)
	if err != nil {
		return err
	}
	tv, err := pyRead(c, base.Add(24))
	if err != nil {
		return err
	}
	fv, err := pyRead(c, base.Add(25))
	if err != nil {
		return err
	}
	t0, err := blake2sLow32(tv)
	if err != nil {
		return err
	}
	f0, err := blake2sLow32(fv)
	if err != nil {
		return err
	}
	var h [8]uint64
	copy(h[:], hw)
	res, err := blake2sCompress(h, msg, t0, 0, f0, 0)
	if err != nil {
		return err
	}
	return hashWriteWords(c, out, res[:])
}

func hintBlake2sLastBlock(c *Context) error {
	n, err := hashStateSize(c, "BLAKE2S_INPUT_CHUNK_SIZE_FELTS", 100)
	if err != nil {
		return err
	}
	start, err := c.Reloc("blake2s_start")
	if err != nil {
		return err
	}
	msg, err := hashReadWords(c, start, n, 64)
	if err != nil {
		return err
	}
	nb, err := c.Value("n_bytes")
	if err != nil {
		return err
	}
	t0, err := blake2sLow32(nb)
	if err != nil {
		return err
	}
	res, err := blake2sCompress(blake2sModifiedIV(), msg, t0, 0, 0xffffffff, 0)
	if err != nil {
		return err
	}
	out, err := c.Reloc("output")
	if err != nil {
		return err
	}
	return hashWriteWords(c, out, res[:])
}

func hintBlake2sFinalize(c *Context, chunkName string, messageFirst bool) error {
	instances, err := hashStateSize(c, "N_PACKED_INSTANCES", 20)
	if err != nil {
		return err
	}
	n, err := hashStateSize(c, chunkName, 100)
	if err != nil {
		return err
	}
	message := make([]uint64, n)
	iv := blake2sModifiedIV()
	res, err := blake2sCompress(iv, message, 0, 0, 0xffffffff, 0)
	if err != nil {
		return err
	}
	one := make([]uint64, 0, n+18)
	if messageFirst {
		one = append(append(one, message...), iv[:]...)
	} else {
		one = append(append(one, iv[:]...), message...)
	}
	one = append(append(one, 0, 0xffffffff), res[:]...)
	end, err := c.Reloc("blake2s_ptr_end")
	if err != nil {
		return err
	}
	for i := 0; i < instances-1; i++ {
		if err := hashWriteWords(c, end.Add(uint64(i*len(one))), one); err != nil {
			return err
		}
	}
	return nil
}

func hintBlake2sAddUint256(c *Context, bigend bool) error {
	data, err := c.Value("data")
	if err != nil {
		return err
	}
	if !data.IsReloc() {
		return errBlake2sNotAddress
	}
	first, second := "low", "high"
	if bigend {
		first, second = "high", "low"
	}
	for half, name := range []string{first, second} {
		v, err := pyInt(c, name)
		if err != nil {
			return err
		}
		for i := 0; i < 4; i++ {
			shift := 32 * i
			if bigend {
				shift = 32 * (3 - i)
			}
			w := new(big.Int).Rsh(v, uint(shift))
			w.And(w, big.NewInt(mask32))
			if err := c.Mem().Set(data.Reloc().Add(uint64(4*half+i)), memory.FeltValue(felt.FromBigInt(w))); err != nil {
				return err
			}
		}
	}
	return nil
}

func hintBlake2sEncodeFelts(c *Context) error {
	n, err := pyInt(c, "packed_values_len")
	if err != nil {
		return err
	}
	packed, err := c.Value("packed_values")
	if err != nil {
		return err
	}
	out, err := c.Value("unpacked_u32s")
	if err != nil {
		return err
	}
	if n.Sign() == 0 {
		return nil
	}
	if !packed.IsReloc() || !out.IsReloc() {
		return errBlake2sNotAddress
	}
	count := uint64(math.MaxUint64) // range(n) of a huge n ends at the first unknown cell
	if n.IsUint64() {
		count = n.Uint64()
	}
	offset := uint64(0)
	for i := uint64(0); i < count; i++ {
		v, err := pyRead(c, packed.Reloc().Add(i))
		if err != nil {
			return err
		}
		if !v.IsFelt() {
			return fmt.Errorf("TypeError: unsupported operand type(s) for %%: 'RelocatableValue' and 'int'")
		}
		limbs := v.Felt().Limbs()
		valLen := uint64(2)
		if v.Felt().BitLen() > 63 {
			valLen = 8
			limbs[3] |= 1 << 63 // val += 2**255
		}
		for j := int(valLen) - 1; j >= 0; j-- {
			// The j-th 32-bit word, from the least significant.
			w := (limbs[j/2] >> (32 * uint(j%2))) & mask32
			k := int(valLen) - 1 - j
			if err := c.Mem().Set(out.Reloc().Add(offset+uint64(k)), memory.FeltValue(felt.FromUint64(w))); err != nil {
				return err
			}
		}
		offset += valLen
	}
	return nil
}

func hintBlake2sEncodeIsSmall(c *Context) error {
	end, err := c.Value("end")
	if err != nil {
		return err
	}
	packed, err := c.Value("packed_values")
	if err != nil {
		return err
	}
	small := false
	if end != packed {
		if !packed.IsReloc() {
			return fmt.Errorf("Memory address must be relocatable, found %s", packed)
		}
		v, err := pyRead(c, packed.Reloc())
		if err != nil {
			return err
		}
		if !v.IsFelt() {
			return fmt.Errorf("TypeError: '<' not supported between instances of 'RelocatableValue' and 'int'")
		}
		small = v.Felt().BitLen() <= 63
	}
	return c.Mem().Set(c.AP(), pyBoolValue(small))
}
