package kvtx

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// FormatVersion is the block file format version this package reads and
// writes (the "kairo_block" field).
const FormatVersion = 1

// Block is a genesis state and the transactions to execute over it.
type Block struct {
	Description string
	TxCost      time.Duration // work of a transaction that names no cost
	Sequencer   state.Key     // receives fees; meaningful when HasSequencer
	HasSeq      bool
	Genesis     state.Map
	Txs         []TxSpec
}

// TxType is the type of a transaction in a block file.
type TxType uint8

// The transaction types.
const (
	TypeTransfer TxType = iota
	TypeOp
)

func (t TxType) String() string {
	if t == TypeOp {
		return "op"
	}
	return "transfer"
}

// TxSpec is one transaction of a block file.
type TxSpec struct {
	Type TxType
	// transfer
	From, To    state.Key
	Amount, Fee felt.Felt
	// op
	Reads, Writes []state.Key
	Adds          []state.KV
	// Cost overrides the block's TxCost when HasCost.
	Cost    time.Duration
	HasCost bool
}

// cost returns the work of the transaction.
func (b *Block) cost(t *TxSpec) time.Duration {
	if t.HasCost {
		return t.Cost
	}
	return b.TxCost
}

// Costs returns every transaction's work, for weighting the dependency graph.
func (b *Block) Costs() []time.Duration {
	c := make([]time.Duration, len(b.Txs))
	for i := range b.Txs {
		c[i] = b.cost(&b.Txs[i])
	}
	return c
}

// Transactions builds the executable transactions, converting work
// durations to Spin rounds calibrated on this machine.
func (b *Block) Transactions() []blockstm.Tx[Output] {
	txs, _ := b.KeyedTransactions()
	return txs
}

// KeyedTransactions is Transactions that also interns the keys the
// transactions touch: run the block with the returned set
// (blockstm.Options.Keys, blockstm.SequentialKeys) and the transactions
// reach their keys' state by id (blockstm.KeyedView) instead of by hash.
// Without the set they run as those of Transactions.
func (b *Block) KeyedTransactions() ([]blockstm.Tx[Output], *blockstm.KeySet) {
	var keys []state.Key
	if b.HasSeq {
		keys = append(keys, b.Sequencer)
	}
	for i := range b.Txs {
		t := &b.Txs[i]
		if t.Type == TypeTransfer {
			keys = append(keys, t.From, t.To)
			continue
		}
		keys = append(keys, t.Reads...)
		keys = append(keys, t.Writes...)
		for _, a := range t.Adds {
			keys = append(keys, a.Key)
		}
	}
	ks := blockstm.NewKeySet(keys)
	ids := func(keys []state.Key) []int32 {
		out := make([]int32, len(keys))
		for i, k := range keys {
			out[i], _ = ks.ID(k)
		}
		return out
	}
	txs := make([]blockstm.Tx[Output], len(b.Txs))
	transfers := make([]Transfer, 0, len(b.Txs))
	for i := range b.Txs {
		t := &b.Txs[i]
		work := Iterations(b.cost(t))
		if t.Type == TypeTransfer {
			tr := Transfer{From: t.From, To: t.To, Amount: t.Amount, Fee: t.Fee, FeeTo: b.Sequencer, Work: work}
			tr.ids[0], _ = ks.ID(t.From)
			tr.ids[1], _ = ks.ID(t.To)
			tr.ids[2], _ = ks.ID(b.Sequencer)
			transfers = append(transfers, tr)
			txs[i] = &transfers[len(transfers)-1]
			continue
		}
		op := &Op{Reads: t.Reads, Writes: t.Writes, Adds: t.Adds, Work: work, rids: ids(t.Reads), wids: ids(t.Writes)}
		for _, a := range t.Adds {
			id, _ := ks.ID(a.Key)
			op.aids = append(op.aids, id)
		}
		txs[i] = op
	}
	return txs, ks
}

// FormatDuration spells d the way the block file does: "50us", "2ms", "0".
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	case d%time.Microsecond == 0:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

// WriteJSON writes the block in the block file format: one genesis entry
// and one transaction per line, so files diff well.
func (b *Block) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	q := strconv.Quote
	fmt.Fprintf(bw, "{\n  \"kairo_block\": %d,\n", FormatVersion)
	if b.Description != "" {
		fmt.Fprintf(bw, "  \"description\": %s,\n", q(b.Description))
	}
	if b.TxCost != 0 {
		fmt.Fprintf(bw, "  \"tx_cost\": %s,\n", q(FormatDuration(b.TxCost)))
	}
	if b.HasSeq {
		fmt.Fprintf(bw, "  \"sequencer\": %s,\n", q(KeyName(b.Sequencer)))
	}
	keys := make([]state.Key, 0, len(b.Genesis))
	for k := range b.Genesis {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, state.Key.Compare)
	bw.WriteString("  \"genesis\": {")
	for i, k := range keys {
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n    %s: %s", q(KeyName(k)), q(b.Genesis[k].Decimal()))
	}
	if len(keys) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("},\n  \"txs\": [")
	for i := range b.Txs {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		bw.WriteString(b.Txs[i].json())
	}
	if len(b.Txs) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}

func keyList(ks []state.Key) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = strconv.Quote(KeyName(k))
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// json spells one transaction on one line.
func (t *TxSpec) json() string {
	var b strings.Builder
	q := strconv.Quote
	if t.Type == TypeTransfer {
		fmt.Fprintf(&b, `{"type": "transfer", "from": %s, "to": %s, "amount": %s`, q(KeyName(t.From)), q(KeyName(t.To)), q(t.Amount.Decimal()))
		if !t.Fee.IsZero() {
			fmt.Fprintf(&b, `, "fee": %s`, q(t.Fee.Decimal()))
		}
	} else {
		fmt.Fprintf(&b, `{"type": "op", "reads": %s, "writes": %s`, keyList(t.Reads), keyList(t.Writes))
		if len(t.Adds) > 0 {
			b.WriteString(`, "adds": {`)
			for i, a := range t.Adds {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%s: %s", q(KeyName(a.Key)), q(a.Value.Decimal()))
			}
			b.WriteString("}")
		}
	}
	if t.HasCost {
		fmt.Fprintf(&b, `, "cost": %s`, q(FormatDuration(t.Cost)))
	}
	b.WriteString("}")
	return b.String()
}
