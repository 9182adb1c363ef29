package builtins

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// MaxModN is the largest n FillMemory accepts (MAX_N).
const MaxModN = 100000

// modInputNames are the cells of a mod builtin instance.
var modInputNames = [modInputCells]string{"p0", "p1", "p2", "p3", "values_ptr", "offsets_ptr", "n"}

const (
	modValuesPtr  = 4
	modOffsetsPtr = 5
	modN          = 6
)

// Mod is the add_mod or mul_mod builtin (cairo-lang's ModBuiltinRunner):
// instances of p (n_words words), values_ptr, offsets_ptr and n, each
// checking batch_size operations a op b = c (mod p) over a values table
// addressed through an offsets table.
type Mod struct {
	simple
	isMul     bool
	nWords    uint64
	wordBits  uint64
	batchSize uint64
	shift     *big.Int // 2^word_bit_len
	intLim    *big.Int // 2^(n_words*word_bit_len)
	kBound    *big.Int
	zero      memory.Relocatable
	hasZero   bool
	order     inputOrder
}

// NewMod returns an add_mod or mul_mod runner for def.
func NewMod(def BuiltinDef, included bool) *Mod {
	m := &Mod{
		simple:    newSimple(def, included, modInputCells, modInputCells),
		isMul:     def.Name == NameMulMod,
		nWords:    def.NWords,
		wordBits:  def.WordBitLen,
		batchSize: max(def.BatchSize, 1),
	}
	m.additionalUnits = modMemoryVars
	m.shift = new(big.Int).Lsh(big.NewInt(1), uint(m.wordBits))
	m.intLim = new(big.Int).Lsh(big.NewInt(1), uint(m.wordBits*m.nWords))
	if m.isMul {
		m.kBound = m.intLim
	} else {
		m.kBound = big.NewInt(2)
	}
	return m
}

// BatchSize is the number of operations per instance.
func (m *Mod) BatchSize() uint64 { return m.batchSize }

// NWords and WordBitLen describe the representation of values.
func (m *Mod) NWords() uint64     { return m.nWords }
func (m *Mod) WordBitLen() uint64 { return m.wordBits }

// NeededAllocatedZeros is max(n_words, 3*batch_size).
func (m *Mod) NeededAllocatedZeros() uint64 { return max(m.nWords, 3*m.batchSize) }

// SetAllocatedZeros records the zero segment's address.
func (m *Mod) SetAllocatedZeros(addr memory.Relocatable) { m.zero, m.hasZero = addr, true }

// AddValidationRules records the order of writes (AIR private input); the
// mod builtins validate nothing on write.
func (m *Mod) AddValidationRules(mem *memory.Memory) {
	mem.SetValidationRule(m.base.Segment, func(_ *memory.Memory, addr memory.Relocatable) error {
		m.order.record(addr.Offset)
		return nil
	})
}

func (m *Mod) opName() string {
	if m.isMul {
		return "<built-in function mul>"
	}
	return "<built-in function add>"
}

func (m *Mod) op(a, b *big.Int) *big.Int {
	if m.isMul {
		return new(big.Int).Mul(a, b)
	}
	return new(big.Int).Add(a, b)
}

// pyDict is a Python dict repr built in insertion order.
type pyDict []Field

func (d pyDict) String() string {
	parts := make([]string, len(d))
	for i, f := range d {
		var v string
		switch x := f.Value.(type) {
		case memory.Relocatable:
			v = fmt.Sprintf("RelocatableValue(segment_index=%d, offset=%d)", x.Segment, x.Offset)
		default:
			v = fmt.Sprint(x)
		}
		parts[i] = "'" + f.Key + "': " + v
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// modInputs are the decoded inputs of an instance (read_inputs).
type modInputs struct {
	valuesPtr, offsetsPtr memory.Relocatable
	n                     *big.Int // nil when not read
	p                     *big.Int
	words                 []*big.Int
}

func (in *modInputs) dict() pyDict {
	d := pyDict{{"values_ptr", in.valuesPtr}, {"offsets_ptr", in.offsetsPtr}}
	if in.n != nil {
		d = append(d, Field{"n", in.n})
	}
	d = append(d, Field{"p", in.p})
	for i, w := range in.words {
		d = append(d, Field{fmt.Sprintf("p%d", i), w})
	}
	return d
}

// readWords is read_n_words_value: the words and value at addr, or a nil
// value when a word is missing.
func (m *Mod) readWords(mem *memory.Memory, addr memory.Relocatable) ([]*big.Int, *big.Int, error) {
	words := make([]*big.Int, 0, m.nWords)
	value := new(big.Int)
	for i := uint64(0); i < m.nWords; i++ {
		a := addr.Add(i)
		v := mem.Get(a)
		if !v.IsSet() {
			return words, nil, nil
		}
		if !v.IsFelt() {
			return words, nil, fmt.Errorf("Expected integer at address %s. Got: %s.", a, pyStr(v))
		}
		if v.Felt().BitLen() > int(m.wordBits) {
			return words, nil, fmt.Errorf("Expected integer at address %s to be smaller than 2^%d. Got: %s.", a, m.wordBits, pyStr(v))
		}
		w := v.Felt().BigInt()
		words = append(words, w)
		value.Add(value, new(big.Int).Lsh(w, uint(i*m.wordBits)))
	}
	return words, value, nil
}

func (m *Mod) readPtr(mem *memory.Memory, addr memory.Relocatable) (memory.Relocatable, error) {
	v, err := mem.Read(addr)
	if err != nil {
		return memory.Relocatable{}, err
	}
	if !v.IsReloc() {
		return memory.Relocatable{}, fmt.Errorf("%s builtin: Expected RelocatableValue at address %s. Got: %s.", m.name, addr, pyStr(v))
	}
	return v.Reloc(), nil
}

// readInputs is read_inputs.
func (m *Mod) readInputs(mem *memory.Memory, addr memory.Relocatable, readN bool) (*modInputs, error) {
	in := &modInputs{}
	var err error
	if in.valuesPtr, err = m.readPtr(mem, addr.Add(modValuesPtr)); err != nil {
		return nil, err
	}
	if in.offsetsPtr, err = m.readPtr(mem, addr.Add(modOffsetsPtr)); err != nil {
		return nil, err
	}
	if readN {
		nAddr := addr.Add(modN)
		v, err := mem.Read(nAddr)
		if err != nil {
			return nil, err
		}
		if !v.IsFelt() {
			return nil, fmt.Errorf("%s builtin: Expected integer at address %s. Got: %s.", m.name, nAddr, pyStr(v))
		}
		if v.Felt().IsZero() {
			return nil, fmt.Errorf("%s builtin: Expected n >= 1. Got: 0.", m.name)
		}
		in.n = v.Felt().BigInt()
	}
	words, value, err := m.readWords(mem, addr)
	if err != nil {
		return nil, err
	}
	if value == nil {
		return nil, fmt.Errorf("%s builtin: Missing value at address %s.", m.name, addr.Add(uint64(len(words))))
	}
	in.p, in.words = value, words
	return in, nil
}

// valueAddr is values_ptr + offset for an offset read from memory.
func valueAddr(valuesPtr memory.Relocatable, off felt.Felt) (memory.Relocatable, bool) {
	u, ok := off.Uint64()
	if !ok || valuesPtr.Offset+u < valuesPtr.Offset || valuesPtr.Offset+u >= 1<<62 {
		return memory.Relocatable{}, false
	}
	return valuesPtr.Add(u), true
}

func bigAddrString(base memory.Relocatable, off felt.Felt, extra uint64) string {
	o := new(big.Int).Add(new(big.Int).SetUint64(base.Offset), off.BigInt())
	o.Add(o, new(big.Int).SetUint64(extra))
	return fmt.Sprintf("%d:%s", base.Segment, o)
}

// readMemoryVars is read_memory_vars: the offsets and values of a, b, c of
// one operation of a batch.
func (m *Mod) readMemoryVars(mem *memory.Memory, valuesPtr, offsetsPtr memory.Relocatable, inBatch uint64) (pyDict, [3]*big.Int, error) {
	var d pyDict
	var vals [3]*big.Int
	for i, s := range "abc" {
		oa := offsetsPtr.Add(uint64(i) + 3*inBatch)
		ov, err := mem.Read(oa)
		if err != nil {
			return nil, vals, err
		}
		if !ov.IsFelt() {
			return nil, vals, fmt.Errorf("%s builtin: Expected integer at address %s. Got: %s.", m.name, offsetsPtr.Add(uint64(i)), pyStr(ov))
		}
		d = append(d, Field{string(s) + "_offset", ov.Felt().BigInt()})
		va, ok := valueAddr(valuesPtr, ov.Felt())
		if !ok {
			return nil, vals, fmt.Errorf("%s builtin: Missing value at address %s.", m.name, bigAddrString(valuesPtr, ov.Felt(), 0))
		}
		words, value, err := m.readWords(mem, va)
		if err != nil {
			return nil, vals, err
		}
		if value == nil {
			return nil, vals, fmt.Errorf("%s builtin: Missing value at address %s.", m.name, va.Add(uint64(len(words))))
		}
		vals[i] = value
		d = append(d, Field{string(s), value})
		for j, w := range words {
			d = append(d, Field{fmt.Sprintf("%c%d", s, j), w})
		}
	}
	return d, vals, nil
}

// RunSecurityChecks adds to the simple checks that consecutive instances
// chain (same p and values_ptr, offsets_ptr advancing by 3*batch_size, n
// decreasing by batch_size, the last n equal to batch_size) and that every
// operation holds: a op b = c (mod p) with (a op b - c)/p in [0, k_bound).
func (m *Mod) RunSecurityChecks(env *Env) error {
	if err := m.simple.RunSecurityChecks(env); err != nil {
		return err
	}
	mem := env.Mem
	nInst := ceilDiv(mem.UsedSize(m.base.Segment), m.cellsPerInstance)
	bs := new(big.Int).SetUint64(m.batchSize)
	var prev *modInputs
	for inst := uint64(0); inst < nInst; inst++ {
		in, err := m.readInputs(mem, m.base.Add(inst*m.nInputCells), true)
		if err != nil {
			return err
		}
		if prev != nil && prev.n.Cmp(bs) > 0 {
			for i := range in.words {
				if in.words[i].Cmp(prev.words[i]) != 0 {
					return fmt.Errorf("%s builtin: instance %d has a different p%d than instance %d", m.name, inst, i, inst-1)
				}
			}
			if in.valuesPtr != prev.valuesPtr {
				return fmt.Errorf("%s builtin: instance %d has a different values_ptr than instance %d", m.name, inst, inst-1)
			}
			if in.offsetsPtr != prev.offsetsPtr.Add(3*m.batchSize) {
				return fmt.Errorf("%s builtin: the offsets_ptr of instance %d is not %s", m.name, inst, prev.offsetsPtr.Add(3*m.batchSize))
			}
			if want := new(big.Int).Sub(prev.n, bs); in.n.Cmp(want) != 0 {
				return fmt.Errorf("%s builtin: the n of instance %d is not %s", m.name, inst, want)
			}
		}
		for b := uint64(0); b < m.batchSize; b++ {
			vars, v, err := m.readMemoryVars(mem, in.valuesPtr, in.offsetsPtr, b)
			if err != nil {
				return err
			}
			if in.p.Sign() == 0 {
				return errors.New("integer modulo by zero")
			}
			res := m.op(v[0], v[1])
			got := fmt.Sprintf("instance=%d, batch=%d, inputs=%s, values=%s.", inst, b, in.dict(), vars)
			if new(big.Int).Mod(res, in.p).Cmp(new(big.Int).Mod(v[2], in.p)) != 0 {
				return fmt.Errorf("%s builtin: Expected a %s b == c (mod p). Got: %s", m.name, m.opName(), got)
			}
			diff := new(big.Int).Sub(res, v[2])
			if diff.Cmp(new(big.Int).Mul(m.kBound, in.p)) >= 0 || diff.Sign() < 0 {
				return fmt.Errorf("%s builtin: Expected (a %s b - c)/p to be in {0,1,...,%s} Got: %s",
					m.name, m.opName(), new(big.Int).Sub(m.kBound, big.NewInt(1)), got)
			}
		}
		prev = in
	}
	if prev != nil && prev.n.Cmp(bs) != 0 {
		return fmt.Errorf("%s builtin: the last instance has n = %s, expected %d", m.name, prev.n, m.batchSize)
	}
	return nil
}

// MemoryAccesses marks the segment and, for every instance, its offsets
// table entries and the values they point to.
func (m *Mod) MemoryAccesses(env *Env, mark func(memory.Relocatable)) error {
	mem := env.Mem
	size := mem.Size(m.base.Segment)
	for inst := uint64(0); inst < ceilDiv(size, m.cellsPerInstance); inst++ {
		at := m.base.Add(inst * m.nInputCells)
		offsets, err := m.readAnyPtr(mem, at.Add(modOffsetsPtr))
		if err != nil {
			return err
		}
		values, err := m.readAnyPtr(mem, at.Add(modValuesPtr))
		if err != nil {
			return err
		}
		for i := uint64(0); i < 3*m.batchSize; i++ {
			oa := offsets.Add(i)
			mark(oa)
			ov, err := mem.Read(oa)
			if err != nil {
				return err
			}
			if !ov.IsFelt() {
				return fmt.Errorf("%s builtin: Expected integer at address %s. Got: %s.", m.name, oa, pyStr(ov))
			}
			va, ok := valueAddr(values, ov.Felt())
			if !ok {
				return fmt.Errorf("%s builtin: value address %s is out of range", m.name, bigAddrString(values, ov.Felt(), 0))
			}
			for j := uint64(0); j < m.nWords; j++ {
				mark(va.Add(j))
			}
		}
	}
	for i := uint64(0); i < size; i++ {
		mark(m.base.Add(i))
	}
	return nil
}

func (m *Mod) readAnyPtr(mem *memory.Memory, addr memory.Relocatable) (memory.Relocatable, error) {
	v, err := mem.Read(addr)
	if err != nil {
		return memory.Relocatable{}, err
	}
	if !v.IsReloc() {
		return memory.Relocatable{}, fmt.Errorf("%s builtin: Expected RelocatableValue at address %s. Got: %s.", m.name, addr, pyStr(v))
	}
	return v.Reloc(), nil
}

// jsonInteger writes a non-negative integer as a JSON number.
func jsonInteger(b *big.Int) json.Number { return json.Number(b.String()) }

// AirPrivateInput lists every instance (index, batch, then its inputs in
// the order they were written; p words in hex, pointers relocated, n as a
// number) with the values of each operation of its batch, and the
// relocated address of the zero segment.
func (m *Mod) AirPrivateInput(env *Env) (map[string]any, error) {
	mem := env.Mem
	bases := mem.RelocationTable()
	relocate := func(r memory.Relocatable) (uint64, error) {
		if r.Segment < 0 || r.Segment >= len(bases)-1 {
			return 0, fmt.Errorf("%s private input: cannot relocate %s", m.name, r)
		}
		return bases[r.Segment] + r.Offset, nil
	}
	type inst struct {
		obj     Object
		batch   []Object
		seen    uint8
		values  memory.Relocatable
		offsets memory.Relocatable
		hasVals bool
		hasOffs bool
	}
	byIdx := map[uint64]*inst{}
	var idxs []uint64
	add := func(off uint64) error {
		v := mem.Get(memory.Relocatable{Segment: m.base.Segment, Offset: off})
		if !v.IsSet() {
			return nil
		}
		idx, typ := off/modInputCells, off%modInputCells
		e := byIdx[idx]
		if e == nil {
			e = &inst{batch: make([]Object, m.batchSize)}
			for i := range e.batch {
				e.batch[i] = Object{}
			}
			byIdx[idx] = e
			idxs = append(idxs, idx)
		}
		if e.seen&(1<<typ) != 0 {
			return nil
		}
		e.seen |= 1 << typ
		name := modInputNames[typ]
		var val any
		if v.IsReloc() {
			switch typ {
			case modValuesPtr:
				e.values, e.hasVals = v.Reloc(), true
			case modOffsetsPtr:
				e.offsets, e.hasOffs = v.Reloc(), true
			default:
				return fmt.Errorf("%s private input: %s of instance %d is an address", m.name, name, idx)
			}
			r, err := relocate(v.Reloc())
			if err != nil {
				return err
			}
			if typ < 4 {
				val = fmt.Sprintf("0x%x", r)
			} else {
				val = r
			}
		} else if typ < 4 {
			val = v.Felt().String()
		} else {
			val = jsonInteger(v.Felt().BigInt())
		}
		e.obj = append(e.obj, Field{name, val})
		return nil
	}
	for _, off := range m.order.offsets {
		if err := add(off); err != nil {
			return nil, err
		}
	}
	for off := range mem.Cells(m.base.Segment) {
		if err := add(off); err != nil {
			return nil, err
		}
	}
	sortUint64(idxs)
	for _, idx := range idxs {
		e := byIdx[idx]
		if !e.hasOffs {
			continue
		}
		if !e.hasVals {
			return nil, fmt.Errorf("%s private input: instance %d has offsets_ptr but no values_ptr", m.name, idx)
		}
		for b := uint64(0); b < m.batchSize; b++ {
			for i, s := range "abc" {
				oa := e.offsets.Add(uint64(i) + 3*b)
				ov, err := mem.Read(oa)
				if err != nil {
					return nil, err
				}
				if !ov.IsFelt() {
					return nil, fmt.Errorf("%s builtin: Expected integer at address %s. Got: %s.", m.name, oa, pyStr(ov))
				}
				e.batch[b] = append(e.batch[b], Field{string(s) + "_offset", jsonInteger(ov.Felt().BigInt())})
				va, ok := valueAddr(e.values, ov.Felt())
				if !ok {
					return nil, fmt.Errorf("%s private input: value address %s is out of range", m.name, bigAddrString(e.values, ov.Felt(), 0))
				}
				for d := uint64(0); d < m.nWords; d++ {
					w, err := mem.Read(va.Add(d))
					if err != nil {
						return nil, err
					}
					if !w.IsFelt() {
						return nil, fmt.Errorf("%s private input: value word at %s is an address", m.name, va.Add(d))
					}
					e.batch[b] = append(e.batch[b], Field{fmt.Sprintf("%c%d", s, d), w.Felt().String()})
				}
			}
		}
	}
	out := make([]Object, len(idxs))
	for i, idx := range idxs {
		e := byIdx[idx]
		for t, name := range modInputNames {
			if e.seen&(1<<t) == 0 {
				return nil, fmt.Errorf("Missing input '%s' of %s instance %d.", name, m.name, idx)
			}
		}
		for b := range e.batch {
			for _, s := range "abc" {
				names := []string{string(s) + "_offset"}
				for d := uint64(0); d < m.nWords; d++ {
					names = append(names, fmt.Sprintf("%c%d", s, d))
				}
				for _, n := range names {
					if _, ok := e.batch[b].Get(n); !ok {
						return nil, fmt.Errorf("Missing memory variable '%s' of %s instance %d, batch %d.", n, m.name, idx, b)
					}
				}
			}
		}
		out[i] = append(Object{{"index", idx}, {"batch", e.batch}}, e.obj...)
	}
	if !m.hasZero {
		return nil, errors.New("Uninitialized self.zero_value.")
	}
	zero, err := relocate(m.zero)
	if err != nil {
		return nil, err
	}
	return map[string]any{m.name: Object{{"instances", out}, {"zero_value_address", zero}}}, nil
}

// ModFill names one builtin's part of FillMemory: the builtin pointer of
// its first instance, its runner and the number of operations n in the
// offsets table.
type ModFill struct {
	Ptr    memory.Relocatable
	Runner *Mod
	N      felt.Felt
}

type fillResult int

const (
	fillSuccess fillResult = iota
	fillMissingOperand
	fillZeroDivisor
)

// FillMemory is ModBuiltinRunner.fill_memory, used by the run_mod_p_circuit
// hints: from the inputs of each builtin's first instance it writes the
// inputs of the following instances, pads the offsets tables and computes
// the missing values of the values table. add or mul may be nil.
func FillMemory(mem *memory.Memory, add, mul *ModFill) error {
	if add != nil && mul != nil && (add.Runner.nWords != mul.Runner.nWords || add.Runner.wordBits != mul.Runner.wordBits) {
		return errors.New("add_mod and mul_mod builtins must have the same n_words and word_bit_len.")
	}
	if add != nil && add.N.IsZero() {
		add = nil
	}
	if mul != nil && mul.N.IsZero() {
		mul = nil
	}
	var addN, mulN uint64
	var addIn, mulIn *modInputs
	if add != nil {
		n, ok := add.N.Uint64()
		if !ok || n > MaxModN {
			return fmt.Errorf("%s builtin: n must be <= %d", add.Runner.name, MaxModN)
		}
		addN = n
		in, err := add.Runner.readInputs(mem, add.Ptr, true)
		if err != nil {
			return err
		}
		addIn = in
		if err := add.Runner.fillInputs(mem, add.Ptr, in); err != nil {
			return err
		}
		copies := new(big.Int).Sub(in.n, new(big.Int).SetUint64(addN))
		if err := add.Runner.fillOffsets(mem, in, addN, copies); err != nil {
			return err
		}
	}
	if mul != nil {
		n, ok := mul.N.Uint64()
		if !ok || n > MaxModN {
			return fmt.Errorf("%s builtin: n must be <= %d", mul.Runner.name, MaxModN)
		}
		mulN = n
		in, err := mul.Runner.readInputs(mem, mul.Ptr, false)
		if err != nil {
			return err
		}
		mulIn = in
	}
	hasAdd := add != nil && !add.Runner.isMul
	hasMul := mul != nil && mul.Runner.isMul
	if !hasAdd && !hasMul {
		return errors.New("At least one of add_mod and mul_mod must be given.")
	}

	var addIdx, mulIdx uint64
	computed := int64(-1)
	for addIdx < addN || mulIdx < mulN {
		progressed := false
		if addIdx < addN && hasAdd {
			res, err := add.Runner.fillValue(mem, addIn, addIdx)
			if err != nil {
				return err
			}
			if res == fillSuccess {
				addIdx++
				continue
			}
		}
		if mulIdx < mulN && hasMul {
			res, err := mul.Runner.fillValue(mem, mulIn, mulIdx)
			if err != nil {
				return err
			}
			if res == fillMissingOperand {
				return fmt.Errorf("Could not fill the values table, add_mod_index=%d, mul_mod_index=%d", addIdx, mulIdx)
			}
			if res == fillZeroDivisor && computed < 0 {
				computed = int64(mulIdx)
			}
			mulIdx++
			progressed = true
		}
		if !progressed {
			// cairo-lang loops forever here; no operation can be filled.
			return fmt.Errorf("Could not fill the values table, add_mod_index=%d, mul_mod_index=%d", addIdx, mulIdx)
		}
	}

	if mul != nil {
		r := mul.Runner
		nPtr := mul.Ptr.Add(modN)
		var nComputed *big.Int
		if computed < 0 {
			v := mem.Get(nPtr)
			switch {
			case !v.IsSet():
				nComputed = new(big.Int).SetUint64(mulN)
			case v.IsFelt():
				nComputed = v.Felt().BigInt()
			default:
				return fmt.Errorf("%s builtin: Expected integer at address %s. Got: %s.", r.name, nPtr, pyStr(v))
			}
			mulIn.n = nComputed
			if err := r.fillOffsets(mem, mulIn, mulN, new(big.Int).Sub(nComputed, new(big.Int).SetUint64(mulN))); err != nil {
				return err
			}
		} else {
			if r.batchSize != 1 {
				return errors.New("Inverse failure is supported only at batch_size == 1.")
			}
			nComputed = big.NewInt(computed)
		}
		if err := mem.Set(nPtr, memory.FeltValue(felt.FromBigInt(nComputed))); err != nil {
			return err
		}
		mulIn.n = nComputed
		if err := r.fillInputs(mem, mul.Ptr, mulIn); err != nil {
			return err
		}
	}
	return nil
}

// fillInputs writes the inputs of instances 1.. from the first instance's.
func (m *Mod) fillInputs(mem *memory.Memory, ptr memory.Relocatable, in *modInputs) error {
	if in.n.Cmp(big.NewInt(MaxModN)) > 0 {
		return fmt.Errorf("%s builtin: n must be <= %d", m.name, MaxModN)
	}
	n := in.n.Uint64()
	if n%m.batchSize != 0 {
		return fmt.Errorf("%d is not divisible by %d.", n, m.batchSize)
	}
	for inst := uint64(1); inst < n/m.batchSize; inst++ {
		at := ptr.Add(inst * modInputCells)
		for i, w := range in.words {
			if err := mem.Set(at.Add(uint64(i)), memory.FeltValue(felt.FromBigInt(w))); err != nil {
				return err
			}
		}
		if err := mem.Set(at.Add(modValuesPtr), memory.RelocValue(in.valuesPtr)); err != nil {
			return err
		}
		if err := mem.Set(at.Add(modOffsetsPtr), memory.RelocValue(in.offsetsPtr.Add(3*inst*m.batchSize))); err != nil {
			return err
		}
		if err := mem.Set(at.Add(modN), memory.Uint64Value(n-inst*m.batchSize)); err != nil {
			return err
		}
	}
	return nil
}

// fillOffsets copies the first operation's offsets copies times, from
// operation index on.
func (m *Mod) fillOffsets(mem *memory.Memory, in *modInputs, index uint64, copies *big.Int) error {
	var offs [3]memory.Value
	for i := range offs {
		v, err := mem.Read(in.offsetsPtr.Add(uint64(i)))
		if err != nil {
			return err
		}
		offs[i] = v
	}
	if copies.Sign() <= 0 {
		return nil
	}
	if !copies.IsUint64() || copies.Uint64() > MaxModN {
		return fmt.Errorf("%s builtin: n must be <= %d", m.name, MaxModN)
	}
	c := copies.Uint64()
	for i := uint64(0); i < c; i++ {
		for j := range offs {
			if err := mem.Set(in.offsetsPtr.Add(3*(index+i)+uint64(j)), offs[j]); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeWords is write_n_words_value.
func (m *Mod) writeWords(mem *memory.Memory, addr memory.Relocatable, value *big.Int) error {
	v := new(big.Int).Set(value)
	word := new(big.Int)
	for i := uint64(0); i < m.nWords; i++ {
		v.DivMod(v, m.shift, word)
		if err := mem.Set(addr.Add(i), memory.FeltValue(felt.FromBigInt(word))); err != nil {
			return err
		}
	}
	if v.Sign() != 0 {
		return fmt.Errorf("%s builtin: value %s does not fit in %d words of %d bits", m.name, value, m.nWords, m.wordBits)
	}
	return nil
}

// fillValue computes the missing value of operation index when exactly one
// of a, b, c is unknown.
func (m *Mod) fillValue(mem *memory.Memory, in *modInputs, index uint64) (fillResult, error) {
	var addrs [3]memory.Relocatable
	var vals [3]*big.Int
	for k := range addrs {
		ov, err := mem.Read(in.offsetsPtr.Add(3*index + uint64(k)))
		if err != nil {
			return 0, err
		}
		if !ov.IsFelt() {
			return 0, fmt.Errorf("%s builtin: Expected integer at address %s. Got: %s.", m.name, in.offsetsPtr.Add(3*index+uint64(k)), pyStr(ov))
		}
		a, ok := valueAddr(in.valuesPtr, ov.Felt())
		if !ok {
			return 0, fmt.Errorf("%s builtin: value address %s is out of range", m.name, bigAddrString(in.valuesPtr, ov.Felt(), 0))
		}
		addrs[k] = a
		_, v, err := m.readWords(mem, a)
		if err != nil {
			return 0, err
		}
		vals[k] = v
	}
	a, b, c := vals[0], vals[1], vals[2]
	if a != nil && b != nil && c != nil {
		return fillSuccess, nil
	}
	p := in.p
	one := big.NewInt(1)
	if c == nil && a != nil && b != nil {
		tmp := m.op(a, b)
		kMinus1 := new(big.Int).Sub(m.kBound, one)
		shifted := new(big.Int).Sub(tmp, new(big.Int).Mul(kMinus1, p))
		limMinus1 := new(big.Int).Sub(m.intLim, one)
		if shifted.Cmp(limMinus1) > 0 {
			return 0, fmt.Errorf("%s builtin: Expected a %s b - %s * p <= %s. Got: values=[%s, %s, None], p=%s.",
				m.name, m.opName(), kMinus1, limMinus1, a, b, p)
		}
		var value *big.Int
		if tmp.Cmp(new(big.Int).Mul(m.kBound, p)) < 0 {
			if p.Sign() == 0 {
				return 0, errors.New("integer modulo by zero")
			}
			value = new(big.Int).Mod(tmp, p)
		} else {
			value = shifted
		}
		return fillSuccess, m.writeWords(mem, addrs[2], value)
	}
	var res fillResult
	var value *big.Int
	var ind int
	var err error
	switch {
	case b == nil && a != nil && c != nil:
		res, value, err = m.calcOperand(a, c, p)
		ind = 1
	case a == nil && b != nil && c != nil:
		res, value, err = m.calcOperand(b, c, p)
		ind = 0
	default:
		return fillMissingOperand, nil
	}
	if err != nil {
		return 0, err
	}
	return res, m.writeWords(mem, addrs[ind], value)
}

// calcOperand finds the smallest x with op(x, known) = res + k*p for k in
// [0, k_bound); for mul with gcd(known, p) != 1 it returns a nullifier.
func (m *Mod) calcOperand(known, res, p *big.Int) (fillResult, *big.Int, error) {
	if !m.isMul {
		sum := new(big.Int).Add(res, p)
		if known.Cmp(sum) > 0 {
			return 0, nil, fmt.Errorf("add_mod builtin: addend greater than sum + p: %s > %s + %s.", known, res, p)
		}
		if known.Cmp(res) <= 0 {
			return fillSuccess, new(big.Int).Sub(res, known), nil
		}
		return fillSuccess, sum.Sub(sum, known), nil
	}
	x := new(big.Int)
	g := new(big.Int).GCD(x, nil, known, p)
	if g.Cmp(big.NewInt(1)) != 0 {
		if g.Sign() == 0 {
			return 0, nil, errors.New("integer division or modulo by zero")
		}
		return fillZeroDivisor, new(big.Int).Quo(p, g), nil
	}
	if p.Sign() == 0 {
		return 0, nil, errors.New("integer modulo by zero")
	}
	tmpVal := new(big.Int).Mul(res, x)
	tmpVal.Mod(tmpVal, p)
	num := new(big.Int).Mul(known, tmpVal)
	num.Sub(num, res)
	tmpK, rem := new(big.Int).DivMod(num, p, new(big.Int))
	if rem.Sign() != 0 {
		return 0, nil, fmt.Errorf("%s is not divisible by %s.", num, p)
	}
	if tmpK.Cmp(m.kBound) >= 0 {
		return 0, nil, fmt.Errorf("mul_mod builtin: ((%s * q) - %s) / %s > %s for any q > 0, such that %s * q = %s (mod %s).",
			known, res, p, m.kBound, known, res, p)
	}
	if tmpK.Sign() >= 0 {
		return fillSuccess, tmpVal, nil
	}
	if known.Sign() == 0 {
		return 0, nil, errors.New("integer division or modulo by zero")
	}
	q := new(big.Int).Sub(known, big.NewInt(1))
	q.Sub(q, tmpK)
	q.Div(q, known)
	return fillSuccess, q.Mul(q, p).Add(q, tmpVal), nil
}
