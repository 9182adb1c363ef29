package builtins

import (
	"fmt"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Poseidon is the poseidon builtin: instances of a 3-felt input state and
// the permuted 3-felt output state.
type Poseidon struct {
	simple
	order inputOrder
	// cache holds the output state of every permuted instance, by instance.
	cache map[uint64][poseidonM]felt.Felt
}

// NewPoseidon returns a poseidon runner for def.
func NewPoseidon(def BuiltinDef, included bool) *Poseidon {
	return &Poseidon{simple: newSimple(def, included, 2*poseidonM, poseidonM), cache: map[uint64][poseidonM]felt.Felt{}}
}

// AddValidationRules records the order of input writes (AIR private input).
func (p *Poseidon) AddValidationRules(m *memory.Memory) {
	m.SetValidationRule(p.base.Segment, func(m *memory.Memory, addr memory.Relocatable) error {
		if addr.Offset%(2*poseidonM) < poseidonM {
			p.order.record(addr.Offset)
		}
		return nil
	})
}

func (p *Poseidon) deduce(m *memory.Memory, addr memory.Relocatable) (memory.Value, bool, error) {
	index := addr.Offset % (2 * poseidonM)
	if index < poseidonM {
		return memory.Value{}, false, nil
	}
	inst := addr.Offset / (2 * poseidonM)
	if out, ok := p.cache[inst]; ok {
		return memory.FeltValue(out[index-poseidonM]), true, nil
	}
	first := memory.Relocatable{Segment: addr.Segment, Offset: addr.Offset - index}
	var state [poseidonM]felt.Felt
	var vals [poseidonM]memory.Value
	for i := range vals {
		vals[i] = m.Get(first.Add(uint64(i)))
		if !vals[i].IsSet() {
			return memory.Value{}, false, nil
		}
	}
	for i, v := range vals {
		if !v.IsFelt() {
			return memory.Value{}, false, fmt.Errorf("%s builtin: Expected integer at address %s. Got: %s.",
				p.name, first.Add(uint64(i)), pyStr(v))
		}
		state[i] = v.Felt()
	}
	hash.PoseidonPermute(&state)
	p.cache[inst] = state
	return memory.FeltValue(state[index-poseidonM]), true, nil
}

func (p *Poseidon) AddAutoDeductionRules(m *memory.Memory) { m.SetDeducer(p.base.Segment, p.deduce) }

func (p *Poseidon) AirPrivateInput(env *Env) (map[string]any, error) {
	entries, err := inputEntries(env.Mem, &p.simple, &p.order, stateInputNames(poseidonM),
		func(idx uint64, missing string) string {
			return fmt.Sprintf("Missing input #%s of %s instance %d.", missing[len("input_s"):], p.name, idx)
		})
	if err != nil {
		return nil, err
	}
	return map[string]any{p.name: entries}, nil
}

// stateInputNames returns input_s0 .. input_s{n-1}.
func stateInputNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("input_s%d", i)
	}
	return out
}
