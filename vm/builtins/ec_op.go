package builtins

import (
	"fmt"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// ecOpInputNames are the AIR private input names of the ec_op inputs.
var ecOpInputNames = []string{"p_x", "p_y", "q_x", "q_y", "m"}

// EcOp is the ec_op builtin: instances of P (x, y), Q (x, y), m and
// R = P + m*Q (x, y).
type EcOp struct {
	simple
	order inputOrder
	cache map[uint64][2]felt.Felt
}

// NewEcOp returns an ec_op runner for def.
func NewEcOp(def BuiltinDef, included bool) *EcOp {
	if def.ScalarHeight == 0 {
		def.ScalarHeight = 256
	}
	return &EcOp{simple: newSimple(def, included, cellsPerEcOp, inputCellsEcOp), cache: map[uint64][2]felt.Felt{}}
}

// AddValidationRules records the order of input writes (AIR private input).
func (e *EcOp) AddValidationRules(m *memory.Memory) {
	m.SetValidationRule(e.base.Segment, func(m *memory.Memory, addr memory.Relocatable) error {
		if addr.Offset%cellsPerEcOp < inputCellsEcOp {
			e.order.record(addr.Offset)
		}
		return nil
	})
}

func (e *EcOp) deduce(m *memory.Memory, addr memory.Relocatable) (memory.Value, bool, error) {
	index := addr.Offset % cellsPerEcOp
	if index != 5 && index != 6 {
		return memory.Value{}, false, nil
	}
	inst := addr.Offset / cellsPerEcOp
	if r, ok := e.cache[inst]; ok {
		return memory.FeltValue(r[index-5]), true, nil
	}
	first := memory.Relocatable{Segment: addr.Segment, Offset: addr.Offset - index}
	var vals [inputCellsEcOp]memory.Value
	for i := range vals {
		vals[i] = m.Get(first.Add(uint64(i)))
		if !vals[i].IsSet() {
			return memory.Value{}, false, nil
		}
	}
	var in [inputCellsEcOp]felt.Felt
	for i, v := range vals {
		if !v.IsFelt() {
			return memory.Value{}, false, fmt.Errorf("ec_op builtin: Expected integer at address %s.Got: %s.", first.Add(uint64(i)), pyStr(v))
		}
		in[i] = v.Felt()
	}
	// m < scalar_limit holds for every felt: every layout's limit is the
	// field prime.
	for _, pair := range [2][2]int{{0, 1}, {2, 3}} {
		x, y := in[pair[0]], in[pair[1]]
		if !onCurve(x, y) {
			return memory.Value{}, false, fmt.Errorf("ec_op builtin: point (%s, %s) is not on the curve.", x.BigInt().String(), y.BigInt().String())
		}
	}
	r, err := ecOp(in[0], in[1], in[2], in[3], in[4], int(e.def.ScalarHeight))
	if err != nil {
		return memory.Value{}, false, err
	}
	e.cache[inst] = r
	return memory.FeltValue(r[index-5]), true, nil
}

// ecOp is ec_op_impl: P + m*Q computed as the AIR does.
func ecOp(px, py, qx, qy, m felt.Felt, height int) ([2]felt.Felt, error) {
	p := starkcurve.G1Affine{X: fp.Element(px), Y: fp.Element(py)}
	q := starkcurve.G1Affine{X: fp.Element(qx), Y: fp.Element(qy)}
	acc, ok := airMul(p, q, m.Limbs(), height)
	if !ok {
		return [2]felt.Felt{}, fmt.Errorf("Cannot apply EC operation: computation reached two points with the same x coordinate.\n"+
			"Attempting to compute P + m * Q where:\nP = (%s, %s)\nm = %s\nQ = (%s, %s).",
			px.BigInt().String(), py.BigInt().String(), m.BigInt().String(), qx.BigInt().String(), qy.BigInt().String())
	}
	var r starkcurve.G1Affine
	r.FromJacobian(&acc)
	return [2]felt.Felt{felt.Felt(r.X), felt.Felt(r.Y)}, nil
}

func (e *EcOp) AddAutoDeductionRules(m *memory.Memory) { m.SetDeducer(e.base.Segment, e.deduce) }

func (e *EcOp) AirPrivateInput(env *Env) (map[string]any, error) {
	entries, err := inputEntries(env.Mem, &e.simple, &e.order, ecOpInputNames,
		func(idx uint64, missing string) string {
			return fmt.Sprintf("Missing input '%s' of %s instance %d.", missing, e.name, idx)
		})
	if err != nil {
		return nil, err
	}
	return map[string]any{e.name: entries}, nil
}
