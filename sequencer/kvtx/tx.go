package kvtx

import (
	"fmt"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// Output is a transaction's result: the sender's new balance for a
// transfer, the combined value of the reads for an operation.
type Output struct {
	Value felt.Felt
}

// Transfer moves Amount from From to To and pays Fee to FeeTo as a delta
// (never read, so the fee recipient is no conflict). It fails, and is
// reverted, when From holds less than Amount + Fee.
type Transfer struct {
	From, To    state.Key
	Amount, Fee felt.Felt
	FeeTo       state.Key
	Work        uint64 // Spin rounds, between the reads and the writes
}

// Execute implements blockstm.Tx.
func (t *Transfer) Execute(v blockstm.View) (Output, error) {
	from, err := v.Read(t.From)
	if err != nil {
		return Output{}, err
	}
	to := from
	if !t.To.Equal(t.From) {
		if to, err = v.Read(t.To); err != nil {
			return Output{}, err
		}
	}
	Spin(t.Work)
	need := t.Amount.Add(t.Fee)
	if from.Cmp(need) < 0 {
		return Output{}, fmt.Errorf("insufficient balance: %s holds %s, needs %s", KeyName(t.From), from.Decimal(), need.Decimal())
	}
	left := from.Sub(need)
	if t.To.Equal(t.From) {
		left = from.Sub(t.Fee)
	}
	if err := v.Write(t.From, left); err != nil {
		return Output{}, err
	}
	if !t.To.Equal(t.From) {
		if err := v.Write(t.To, to.Add(t.Amount)); err != nil {
			return Output{}, err
		}
	}
	if !t.Fee.IsZero() {
		if err := v.AddDelta(t.FeeTo, t.Fee); err != nil {
			return Output{}, err
		}
	}
	return Output{Value: left}, nil
}

// Op reads Reads, spends Work rounds of CPU, then writes to the j-th key of
// Writes the value 1 + j + Σ (i+1)·read_i, and adds each delta of Adds.
type Op struct {
	Reads  []state.Key
	Writes []state.Key
	Adds   []state.KV
	Work   uint64
}

// Execute implements blockstm.Tx.
func (o *Op) Execute(v blockstm.View) (Output, error) {
	var acc felt.Felt
	for i, k := range o.Reads {
		x, err := v.Read(k)
		if err != nil {
			return Output{}, err
		}
		acc = acc.Add(x.Mul(felt.FromUint64(uint64(i + 1))))
	}
	Spin(o.Work)
	for j, k := range o.Writes {
		if err := v.Write(k, acc.Add(felt.FromUint64(uint64(j+1)))); err != nil {
			return Output{}, err
		}
	}
	for _, a := range o.Adds {
		if err := v.AddDelta(a.Key, a.Value); err != nil {
			return Output{}, err
		}
	}
	return Output{Value: acc}, nil
}
