package hints

import (
	"fmt"
	"math"
	"math/big"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Hint codes of starkware.cairo.common.keccak, cairo_keccak/keccak,
// keccak_utils and builtin_keccak/keccak.
const (
	codeUnsafeKeccak = "from eth_hash.auto import keccak\n\n" +
		"data, length = ids.data, ids.length\n\n" +
		"if '__keccak_max_size' in globals():\n" +
		"    assert length <= __keccak_max_size, \\\n" +
		"        f'unsafe_keccak() can only be used with length<={__keccak_max_size}. ' \\\n" +
		"        f'Got: length={length}.'\n\n" +
		"keccak_input = bytearray()\n" +
		"for word_i, byte_i in enumerate(range(0, length, 16)):\n" +
		"    word = memory[data + word_i]\n" +
		"    n_bytes = min(16, length - byte_i)\n" +
		"    assert 0 <= word < 2 ** (8 * n_bytes)\n" +
		"    keccak_input += word.to_bytes(n_bytes, 'big')\n\n" +
		"hashed = keccak(keccak_input)\n" +
		"ids.high = int.from_bytes(hashed[:16], 'big')\n" +
		"ids.low = int.from_bytes(hashed[16:32], 'big')"
	codeUnsafeKeccakFinalize = "from eth_hash.auto import keccak\n" +
		"keccak_input = bytearray()\n" +
		"n_elms = ids.keccak_state.end_ptr - ids.keccak_state.start_ptr\n" +
		"for word in memory.get_range(ids.keccak_state.start_ptr, n_elms):\n" +
		"    keccak_input += word.to_bytes(16, 'big')\n" +
		"hashed = keccak(keccak_input)\n" +
		"ids.high = int.from_bytes(hashed[:16], 'big')\n" +
		"ids.low = int.from_bytes(hashed[16:32], 'big')"
	codeKeccakBlockPermutation = "from starkware.cairo.common.keccak_utils.keccak_utils import keccak_func\n" +
		"_keccak_state_size_felts = int(ids.KECCAK_STATE_SIZE_FELTS)\n" +
		"assert 0 <= _keccak_state_size_felts < 100\n\n" +
		"output_values = keccak_func(memory.get_range(\n" +
		"    ids.keccak_ptr - _keccak_state_size_felts, _keccak_state_size_felts))\n" +
		"segments.write_arg(ids.keccak_ptr, output_values)"
	codeKeccakBlockPermutationV1 = "from starkware.cairo.common.cairo_keccak.keccak_utils import keccak_func\n" +
		"_keccak_state_size_felts = int(ids.KECCAK_STATE_SIZE_FELTS)\n" +
		"assert 0 <= _keccak_state_size_felts < 100\n\n" +
		"output_values = keccak_func(memory.get_range(\n" +
		"    ids.keccak_ptr - _keccak_state_size_felts, _keccak_state_size_felts))\n" +
		"segments.write_arg(ids.keccak_ptr, output_values)"
	codeKeccakCompressAlt = "from starkware.cairo.common.cairo_keccak.keccak_utils import keccak_func\n" +
		"_keccak_state_size_felts = int(ids.KECCAK_STATE_SIZE_FELTS)\n" +
		"assert 0 <= _keccak_state_size_felts < 100\n" +
		"output_values = keccak_func(memory.get_range(\n" +
		"    ids.keccak_ptr_start, _keccak_state_size_felts))\n" +
		"segments.write_arg(ids.output, output_values)"
	codeFinalizeKeccak = "# Add dummy pairs of input and output.\n" +
		"_keccak_state_size_felts = int(ids.KECCAK_STATE_SIZE_FELTS)\n" +
		"_block_size = int(ids.BLOCK_SIZE)\n" +
		"assert 0 <= _keccak_state_size_felts < 100\n" +
		"assert 0 <= _block_size < 10\n" +
		"inp = [0] * _keccak_state_size_felts\n" +
		"padding = (inp + keccak_func(inp)) * _block_size\n" +
		"segments.write_arg(ids.keccak_ptr_end, padding)"
	codeFinalizeKeccak1000 = "# Add dummy pairs of input and output.\n" +
		"_keccak_state_size_felts = int(ids.KECCAK_STATE_SIZE_FELTS)\n" +
		"_block_size = int(ids.BLOCK_SIZE)\n" +
		"assert 0 <= _keccak_state_size_felts < 100\n" +
		"assert 0 <= _block_size < 1000\n" +
		"inp = [0] * _keccak_state_size_felts\n" +
		"padding = (inp + keccak_func(inp)) * _block_size\n" +
		"segments.write_arg(ids.keccak_ptr_end, padding)"
	codeKeccakFullWord8        = "ids.full_word = int(ids.n_bytes >= 8)"
	codeKeccakNBytesLtWord     = "memory[ap] = to_felt_or_relocatable(ids.n_bytes < ids.BYTES_IN_WORD)"
	codeKeccakNBytesFullRate   = "memory[ap] = to_felt_or_relocatable(ids.n_bytes >= ids.KECCAK_FULL_RATE_IN_BYTES)"
	codeKeccakWriteArgsUint256 = "segments.write_arg(ids.inputs, [ids.low % 2 ** 64, ids.low // 2 ** 64])\n" +
		"segments.write_arg(ids.inputs + 2, [ids.high % 2 ** 64, ids.high // 2 ** 64])"
	codeKeccakSplitOutput0 = "ids.output0_low = ids.output0 & ((1 << 128) - 1)\n" +
		"ids.output0_high = ids.output0 >> 128"
	codeKeccakSplitOutput1 = "tmp, ids.output1_low = divmod(ids.output1, 256 ** 7)\n" +
		"ids.output1_high, ids.output1_mid = divmod(tmp, 2 ** 128)"
	codeKeccakSplitNBytes = "ids.n_words_to_copy, ids.n_bytes_left = divmod(ids.n_bytes, ids.BYTES_IN_WORD)"
)

// keccakFuncName is the scope variable that "from ... import keccak_func"
// defines; finalize_keccak's hint calls it without importing it.
const keccakFuncName = "keccak_func"

// keccakImported is the value of the keccak_func scope variable.
type keccakImported struct{}

// keccakHints are the hints of the keccak modules.
func keccakHints() map[string]Func {
	hs := map[string]Func{
		codeUnsafeKeccak:             hintUnsafeKeccak,
		codeUnsafeKeccakFinalize:     hintUnsafeKeccakFinalize,
		codeKeccakBlockPermutation:   func(c *Context) error { return hintKeccakPermute(c, "", "keccak_ptr") },
		codeKeccakBlockPermutationV1: func(c *Context) error { return hintKeccakPermute(c, "", "keccak_ptr") },
		codeKeccakCompressAlt:        func(c *Context) error { return hintKeccakPermute(c, "keccak_ptr_start", "output") },
		codeFinalizeKeccak:           func(c *Context) error { return hintFinalizeKeccak(c, 10) },
		codeFinalizeKeccak1000:       func(c *Context) error { return hintFinalizeKeccak(c, 1000) },
		codeKeccakFullWord8: func(c *Context) error {
			n, err := pyInt(c, "n_bytes")
			if err != nil {
				return err
			}
			return pySetBool(c, "full_word", n.Cmp(big.NewInt(8)) >= 0)
		},
		codeKeccakNBytesLtWord:     func(c *Context) error { return keccakCompareToAP(c, "BYTES_IN_WORD", false) },
		codeKeccakNBytesFullRate:   func(c *Context) error { return keccakCompareToAP(c, "KECCAK_FULL_RATE_IN_BYTES", true) },
		codeKeccakWriteArgsUint256: hintKeccakWriteArgs,
		codeKeccakSplitOutput0: func(c *Context) error {
			v, err := pyInt(c, "output0")
			if err != nil {
				return err
			}
			if err := pySetInt(c, "output0_low", new(big.Int).And(v, u256Mask128)); err != nil {
				return err
			}
			return pySetInt(c, "output0_high", v.Rsh(v, 128))
		},
		codeKeccakSplitOutput1: func(c *Context) error {
			v, err := pyInt(c, "output1")
			if err != nil {
				return err
			}
			tmp, low := new(big.Int).QuoRem(v, new(big.Int).Lsh(bigOne, 56), new(big.Int))
			c.Set("tmp", tmp)
			if err := pySetInt(c, "output1_low", low); err != nil {
				return err
			}
			high, mid := new(big.Int).QuoRem(tmp, u256Pow128, new(big.Int))
			if err := pySetInt(c, "output1_high", high); err != nil {
				return err
			}
			return pySetInt(c, "output1_mid", mid)
		},
		codeKeccakSplitNBytes: func(c *Context) error {
			n, err := pyInt(c, "n_bytes")
			if err != nil {
				return err
			}
			w, err := pyInt(c, "BYTES_IN_WORD")
			if err != nil {
				return err
			}
			return keccakSetDivmod(c, n, w, "n_words_to_copy", "n_bytes_left")
		},
	}
	// ids.highK, ids.lowK = divmod(memory[ids.inputs + K], 256 ** j) of
	// _prepare_full_block.
	for _, s := range []struct{ k, j int }{{3, 1}, {6, 2}, {9, 3}, {12, 4}, {15, 5}} {
		k, j := s.k, s.j
		pow := ""
		if j > 1 {
			pow = fmt.Sprintf(" ** %d", j)
		}
		code := fmt.Sprintf("ids.high%d, ids.low%d = divmod(memory[ids.inputs + %d], 256%s)", k, k, k, pow)
		hs[code] = func(c *Context) error {
			inputs, err := c.Reloc("inputs")
			if err != nil {
				return err
			}
			v, err := pyRead(c, inputs.Add(uint64(k)))
			if err != nil {
				return err
			}
			if !v.IsFelt() {
				return fmt.Errorf("TypeError: unsupported operand type(s) for divmod(): 'RelocatableValue' and 'int'")
			}
			d := new(big.Int).Lsh(bigOne, uint(8*j))
			return keccakSetDivmod(c, v.Felt().BigInt(), d, fmt.Sprintf("high%d", k), fmt.Sprintf("low%d", k))
		}
	}
	return hs
}

// keccakSetDivmod is ids.<q>, ids.<r> = divmod(a, d).
func keccakSetDivmod(c *Context, a, d *big.Int, q, r string) error {
	if d.Sign() == 0 {
		return errU256ZeroDivision
	}
	quo, rem := new(big.Int).DivMod(a, d, new(big.Int))
	if err := pySetInt(c, q, quo); err != nil {
		return err
	}
	return pySetInt(c, r, rem)
}

// keccakCompareToAP writes to_felt_or_relocatable(ids.n_bytes < ids.<k>)
// (or >= when ge) to [ap].
func keccakCompareToAP(c *Context, k string, ge bool) error {
	n, err := pyInt(c, "n_bytes")
	if err != nil {
		return err
	}
	b, err := pyInt(c, k)
	if err != nil {
		return err
	}
	cmp := n.Cmp(b)
	return c.Mem().Set(c.AP(), pyBoolValue((cmp >= 0) == ge))
}

// hashStateSize reads int(ids.<name>) and checks 0 <= it < limit.
func hashStateSize(c *Context, name string, limit int64) (int, error) {
	v, err := pyInt(c, name)
	if err != nil {
		return 0, err
	}
	if v.Cmp(big.NewInt(limit)) >= 0 {
		return 0, squashAssert("")
	}
	return int(v.Int64()), nil
}

// hashReadWords is memory.get_range(ptr, n) of words that hash functions
// take as fixed-width integers; a word of more than bits bits is reported.
func hashReadWords(c *Context, ptr memory.Relocatable, n int, bits int) ([]uint64, error) {
	out := make([]uint64, n)
	for i := range out {
		v, err := pyRead(c, ptr.Add(uint64(i)))
		if err != nil {
			return nil, err
		}
		if !v.IsFelt() {
			return nil, fmt.Errorf("TypeError: unsupported operand type(s): 'RelocatableValue' is not an integer word")
		}
		if v.Felt().BitLen() > bits {
			return nil, fmt.Errorf("the word %s at %s does not fit in %d bits", v, ptr.Add(uint64(i)), bits)
		}
		out[i], _ = v.Felt().Uint64()
	}
	return out, nil
}

// hashWriteWords is segments.write_arg(ptr, words).
func hashWriteWords(c *Context, ptr memory.Relocatable, words []uint64) error {
	for i, w := range words {
		if err := c.Mem().Set(ptr.Add(uint64(i)), memory.FeltValue(felt.FromUint64(w))); err != nil {
			return err
		}
	}
	return nil
}

// keccakFunc is keccak_utils.keccak_func on n >= 25 values: Keccak-f[1600]
// of the first 25 (lane x + 5y at index x + 5y).
func keccakFunc(values []uint64) ([]uint64, error) {
	if len(values) < 25 {
		return nil, fmt.Errorf("IndexError: list index out of range")
	}
	var s [25]uint64
	copy(s[:], values)
	hash.KeccakF1600(&s)
	return s[:], nil
}

// hintKeccakPermute runs keccak_func on the state before ids.<dst> (or at
// ids.<src>) and writes the result at ids.<dst>.
func hintKeccakPermute(c *Context, src, dst string) error {
	c.Set(keccakFuncName, keccakImported{})
	n, err := hashStateSize(c, "KECCAK_STATE_SIZE_FELTS", 100)
	if err != nil {
		return err
	}
	out, err := c.Reloc(dst)
	if err != nil {
		return err
	}
	var in memory.Relocatable
	if src == "" {
		if in, err = out.AddInt(-int64(n)); err != nil {
			return err
		}
	} else if in, err = c.Reloc(src); err != nil {
		return err
	}
	words, err := hashReadWords(c, in, n, 64)
	if err != nil {
		return err
	}
	res, err := keccakFunc(words)
	if err != nil {
		return err
	}
	return hashWriteWords(c, out, res)
}

func hintFinalizeKeccak(c *Context, maxBlock int64) error {
	n, err := hashStateSize(c, "KECCAK_STATE_SIZE_FELTS", 100)
	if err != nil {
		return err
	}
	blocks, err := hashStateSize(c, "BLOCK_SIZE", maxBlock)
	if err != nil {
		return err
	}
	if _, err := c.Get(keccakFuncName); err != nil {
		return err
	}
	inp := make([]uint64, n)
	res, err := keccakFunc(inp)
	if err != nil {
		return err
	}
	end, err := c.Reloc("keccak_ptr_end")
	if err != nil {
		return err
	}
	one := append(inp, res...)
	for b := 0; b < blocks; b++ {
		if err := hashWriteWords(c, end.Add(uint64(b*len(one))), one); err != nil {
			return err
		}
	}
	return nil
}

func hintKeccakWriteArgs(c *Context) error {
	inputs, err := c.Reloc("inputs")
	if err != nil {
		return err
	}
	for i, name := range []string{"low", "high"} {
		v, err := pyInt(c, name)
		if err != nil {
			return err
		}
		lo := new(big.Int).And(v, u256Mask64)
		hi := v.Rsh(v, 64)
		if err := c.Mem().Set(inputs.Add(uint64(2*i)), memory.FeltValue(felt.FromBigInt(lo))); err != nil {
			return err
		}
		if err := c.Mem().Set(inputs.Add(uint64(2*i+1)), memory.FeltValue(felt.FromBigInt(hi))); err != nil {
			return err
		}
	}
	return nil
}

// keccakSetDigest writes the Keccak-256 digest of data as ids.high (first
// 16 bytes) and ids.low.
func keccakSetDigest(c *Context, data []byte) error {
	d := hash.Keccak256(data)
	if err := c.SetFelt("high", felt.FromBytesBE(d[:16])); err != nil {
		return err
	}
	return c.SetFelt("low", felt.FromBytesBE(d[16:]))
}

func hintUnsafeKeccak(c *Context) error {
	data, err := c.Value("data")
	if err != nil {
		return err
	}
	length, err := pyInt(c, "length")
	if err != nil {
		return err
	}
	limit, ok, err := pyScopeLimit(c, "__keccak_max_size")
	if err != nil {
		return err
	}
	if ok && length.Cmp(limit) > 0 {
		return squashAssert(fmt.Sprintf("unsafe_keccak() can only be used with length<=%s. Got: length=%s.", limit, length))
	}
	var input []byte
	if length.Sign() > 0 {
		if !data.IsReloc() {
			return fmt.Errorf("Memory address must be relocatable, found %s", data)
		}
		remaining := new(big.Int).Set(length)
		for wordI := uint64(0); remaining.Sign() > 0; wordI++ {
			w, err := pyRead(c, data.Reloc().Add(wordI))
			if err != nil {
				return err
			}
			nBytes := 16
			if remaining.Cmp(big.NewInt(16)) < 0 {
				nBytes = int(remaining.Int64())
			}
			if !w.IsFelt() || w.Felt().BitLen() > 8*nBytes {
				return squashAssert("")
			}
			b := w.Felt().BytesBE()
			input = append(input, b[32-nBytes:]...)
			remaining.Sub(remaining, big.NewInt(16))
		}
	}
	return keccakSetDigest(c, input)
}

func hintUnsafeKeccakFinalize(c *Context) error {
	end, err := c.Value("keccak_state.end_ptr")
	if err != nil {
		return err
	}
	start, err := c.Value("keccak_state.start_ptr")
	if err != nil {
		return err
	}
	d, err := end.Sub(start)
	if err != nil {
		return err
	}
	if !d.IsFelt() || !start.IsReloc() {
		return fmt.Errorf("TypeError: get_range() expects an address and a length, found %s and %s", start, d)
	}
	// A negative length gives an empty range; an absurd one fails at the
	// first unknown cell, as in cairo-lang.
	var n uint64
	if sd := d.Felt().SignedBigInt(); sd.Sign() > 0 {
		n = math.MaxUint64
		if sd.IsUint64() {
			n = sd.Uint64()
		}
	}
	var input []byte
	for i := uint64(0); i < n; i++ {
		w, err := pyRead(c, start.Reloc().Add(i))
		if err != nil {
			return err
		}
		if !w.IsFelt() {
			return fmt.Errorf("AttributeError: 'RelocatableValue' object has no attribute 'to_bytes'")
		}
		if w.Felt().BitLen() > 128 {
			return fmt.Errorf("OverflowError: int too big to convert")
		}
		b := w.Felt().BytesBE()
		input = append(input, b[16:]...)
	}
	return keccakSetDigest(c, input)
}
