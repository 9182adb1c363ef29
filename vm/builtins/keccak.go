package builtins

import (
	"encoding/binary"
	"fmt"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
	"github.com/kairo-dev/kairo/vm/memory"
)

// keccakStateBytes is the Keccak-f[1600] state size.
const keccakStateBytes = 200

// Keccak is the keccak builtin: instances of an input state of felts
// (8 felts of 200 bits in every layout) and the Keccak-f[1600]-permuted
// output state in the same representation.
type Keccak struct {
	simple
	order inputOrder
	// cache holds the output felts of every permuted instance.
	cache map[uint64][]felt.Felt
}

// NewKeccak returns a keccak runner for def.
func NewKeccak(def BuiltinDef, included bool) *Keccak {
	cells := def.MemoryCellsPerInstance()
	k := &Keccak{simple: newSimple(def, included, cells, cells/2), cache: map[uint64][]felt.Felt{}}
	if def.InstancesPerComponent > 0 {
		k.instancesPerComponent = def.InstancesPerComponent
	}
	return k
}

// AddValidationRules records the order of input writes (AIR private input).
func (k *Keccak) AddValidationRules(m *memory.Memory) {
	m.SetValidationRule(k.base.Segment, func(m *memory.Memory, addr memory.Relocatable) error {
		if addr.Offset%k.cellsPerInstance < k.nInputCells {
			k.order.record(addr.Offset)
		}
		return nil
	})
}

func (k *Keccak) deduce(m *memory.Memory, addr memory.Relocatable) (memory.Value, bool, error) {
	index := addr.Offset % k.cellsPerInstance
	if index < k.nInputCells {
		return memory.Value{}, false, nil
	}
	inst := addr.Offset / k.cellsPerInstance
	if out, ok := k.cache[inst]; ok {
		return memory.FeltValue(out[index-k.nInputCells]), true, nil
	}
	first := memory.Relocatable{Segment: addr.Segment, Offset: addr.Offset - index}
	for i := uint64(0); i < k.nInputCells; i++ {
		if !m.Get(first.Add(i)).IsSet() {
			return memory.Value{}, false, nil
		}
	}
	var buf [keccakStateBytes]byte
	pos := 0
	for i, nbits := range k.def.StateRep {
		a := first.Add(uint64(i))
		v := m.Get(a)
		if !v.IsFelt() {
			return memory.Value{}, false, fmt.Errorf("Keccak builtin: Expected integer at address %s. Got: %s.", a, pyStr(v))
		}
		if v.Felt().BitLen() > int(nbits) {
			return memory.Value{}, false, fmt.Errorf("Keccak builtin: Expected integer at address %s to be smaller than 2^%d. Got: %s.", a, nbits, pyStr(v))
		}
		le := v.Felt().BytesLE()
		n := int(nbits / 8)
		if pos+n > len(buf) || n > len(le) {
			return memory.Value{}, false, fmt.Errorf("keccak builtin: state representation %v does not fit 1600 bits", k.def.StateRep)
		}
		copy(buf[pos:pos+n], le[:n])
		pos += n
	}
	var lanes [25]uint64
	for i := range lanes {
		lanes[i] = binary.LittleEndian.Uint64(buf[8*i:])
	}
	hash.KeccakF1600(&lanes)
	for i := range lanes {
		binary.LittleEndian.PutUint64(buf[8*i:], lanes[i])
	}
	out := make([]felt.Felt, len(k.def.StateRep))
	pos = 0
	for i, nbits := range k.def.StateRep {
		n := int(nbits / 8)
		var le [32]byte
		copy(le[:], buf[pos:pos+n])
		pos += n
		out[i] = felt.FromLimbs([4]uint64{
			binary.LittleEndian.Uint64(le[0:]), binary.LittleEndian.Uint64(le[8:]),
			binary.LittleEndian.Uint64(le[16:]), binary.LittleEndian.Uint64(le[24:]),
		})
	}
	k.cache[inst] = out
	return memory.FeltValue(out[index-k.nInputCells]), true, nil
}

func (k *Keccak) AddAutoDeductionRules(m *memory.Memory) { m.SetDeducer(k.base.Segment, k.deduce) }

func (k *Keccak) AirPrivateInput(env *Env) (map[string]any, error) {
	entries, err := inputEntries(env.Mem, &k.simple, &k.order, stateInputNames(int(k.nInputCells)),
		func(idx uint64, missing string) string {
			return fmt.Sprintf("Missing input #%s of %s instance %d.", missing[len("input_s"):], k.name, idx)
		})
	if err != nil {
		return nil, err
	}
	return map[string]any{k.name: entries}, nil
}

// UsedDilutedCheckUnits is the diluted units of one instance.
func (k *Keccak) UsedDilutedCheckUnits(spacing, nBits uint64) uint64 {
	return k.def.DilutedUnitsPerBuiltin(spacing, nBits)
}
