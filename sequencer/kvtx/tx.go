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
	// The ids of From, To and FeeTo in the block's KeySet
	// (Block.KeyedTransactions); a view checks them.
	ids [3]int32
}

// keyed is how a transaction reaches the state: by id when the view
// supports it (blockstm.KeyedView), else by key.
type keyed struct {
	v  blockstm.View
	kv blockstm.KeyedView
}

func newKeyed(v blockstm.View) keyed {
	kv, _ := v.(blockstm.KeyedView)
	return keyed{v: v, kv: kv}
}

func (s keyed) read(id int32, k state.Key) (felt.Felt, error) {
	if s.kv != nil {
		return s.kv.ReadID(id, k)
	}
	return s.v.Read(k)
}

func (s keyed) write(id int32, k state.Key, x felt.Felt) error {
	if s.kv != nil {
		return s.kv.WriteID(id, k, x)
	}
	return s.v.Write(k, x)
}

func (s keyed) addDelta(id int32, k state.Key, d felt.Felt) error {
	if s.kv != nil {
		return s.kv.AddDeltaID(id, k, d)
	}
	return s.v.AddDelta(k, d)
}

// Execute implements blockstm.Tx.
func (t *Transfer) Execute(v blockstm.View) (Output, error) {
	s := newKeyed(v)
	from, err := s.read(t.ids[0], t.From)
	if err != nil {
		return Output{}, err
	}
	to := from
	if !t.To.Equal(t.From) {
		if to, err = s.read(t.ids[1], t.To); err != nil {
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
	if err := s.write(t.ids[0], t.From, left); err != nil {
		return Output{}, err
	}
	if !t.To.Equal(t.From) {
		if err := s.write(t.ids[1], t.To, to.Add(t.Amount)); err != nil {
			return Output{}, err
		}
	}
	if !t.Fee.IsZero() {
		if err := s.addDelta(t.ids[2], t.FeeTo, t.Fee); err != nil {
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
	// The keys' ids in the block's KeySet (Block.KeyedTransactions); nil
	// when unknown.
	rids, wids, aids []int32
}

// id returns ids[i], -1 when ids is too short.
func id(ids []int32, i int) int32 {
	if i < len(ids) {
		return ids[i]
	}
	return -1
}

// Execute implements blockstm.Tx.
func (o *Op) Execute(v blockstm.View) (Output, error) {
	s := newKeyed(v)
	var acc felt.Felt
	for i, k := range o.Reads {
		x, err := s.read(id(o.rids, i), k)
		if err != nil {
			return Output{}, err
		}
		acc = acc.Add(x.Mul(felt.FromUint64(uint64(i + 1))))
	}
	Spin(o.Work)
	for j, k := range o.Writes {
		if err := s.write(id(o.wids, j), k, acc.Add(felt.FromUint64(uint64(j+1)))); err != nil {
			return Output{}, err
		}
	}
	for i, a := range o.Adds {
		if err := s.addDelta(id(o.aids, i), a.Key, a.Value); err != nil {
			return Output{}, err
		}
	}
	return Output{Value: acc}, nil
}
