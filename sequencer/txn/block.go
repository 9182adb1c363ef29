package txn

import (
	"fmt"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// blockTx is a transaction as a Block-STM transaction. A rejected
// transaction returns its error, so the engine drops its writes.
type blockTx struct {
	e  *Executor
	tx *Tx
}

func (b blockTx) Execute(v blockstm.View) (*Receipt, error) { return b.e.Execute(v, b.tx) }

// BlockTxs adapts transactions to the Block-STM engine.
func (e *Executor) BlockTxs(txs []*Tx) []blockstm.Tx[*Receipt] {
	out := make([]blockstm.Tx[*Receipt], len(txs))
	for i, tx := range txs {
		out[i] = blockTx{e, tx}
	}
	return out
}

// BlockResult is an executed block.
type BlockResult struct {
	// Receipts has the receipt of each executed transaction, nil for a
	// rejected one; Errors the rejection of each rejected one.
	Receipts []*Receipt
	Errors   []error
	// Diff is the block's state diff (fees credited).
	Diff state.Diff
	// Declared are the classes the block's DECLAREs declared, in block
	// order: they become usable after the block.
	Declared []*contract.Class
	Metrics  blockstm.Metrics
}

// RunBlock executes a block over base: with Block-STM (opt.Workers
// workers) or, with sequential, one transaction after the other with the
// engine's sequential executor. Both give the same receipts and diff.
func (e *Executor) RunBlock(txs []*Tx, base state.Reader, opt blockstm.Options, sequential bool) (*BlockResult, error) {
	var res *blockstm.Result[*Receipt]
	var err error
	if sequential {
		res, err = blockstm.Sequential(e.BlockTxs(txs), base)
	} else {
		res, err = blockstm.Run(e.BlockTxs(txs), base, opt)
	}
	if err != nil {
		return nil, err
	}
	out := &BlockResult{Receipts: make([]*Receipt, len(txs)), Errors: make([]error, len(txs)), Diff: res.Diff, Metrics: res.Metrics}
	for i, r := range res.Txs {
		if r.Err != nil {
			out.Errors[i] = r.Err
			continue
		}
		if r.Output == nil {
			return nil, fmt.Errorf("transaction %d: no receipt", i)
		}
		out.Receipts[i] = r.Output
		if r.Output.DeclaredClass != nil {
			out.Declared = append(out.Declared, r.Output.DeclaredClass)
		}
	}
	if err := e.fillSequencerReads(res, base); err != nil {
		return nil, err
	}
	return out, nil
}

// fillSequencerReads restores, in the fee transfers that credited the
// sequencer by a delta, the sequencer balance they would have read
// executing one after the other (blockifier's
// fill_sequencer_balance_reads): the balance before the transaction,
// walking the block's writes and deltas in order.
func (e *Executor) fillSequencerReads(res *blockstm.Result[*Receipt], base state.Reader) error {
	seq := e.Config.Block.SequencerAddress
	cur := map[state.Key]felt.Felt{}
	for _, tok := range []felt.Felt{e.Config.FeeToken, e.Config.STRKFeeToken} {
		low := BalanceKey(seq)
		for _, slot := range []felt.Felt{low, low.Add(felt.One)} {
			k := state.StorageKey(tok, slot)
			v, err := base.Get(k)
			if err != nil {
				return fmt.Errorf("read the sequencer balance: %w", err)
			}
			cur[k] = v
		}
	}
	for _, r := range res.Txs {
		if rc := r.Output; r.Err == nil && rc != nil && len(rc.Deltas) > 0 && rc.FeeTransfer != nil {
			ft := rc.FeeTransfer
			vals := make([]felt.Felt, len(ft.StorageReadValues))
			copy(vals, ft.StorageReadValues)
			for i, slot := range ft.StorageReadKeys {
				if v, ok := cur[state.StorageKey(ft.Contract, slot)]; ok {
					vals[i] = vals[i].Add(v)
				}
			}
			ft.StorageReadValues = vals
		}
		for _, w := range r.Writes {
			if v, ok := cur[w.Key]; ok {
				if w.Delta {
					cur[w.Key] = v.Add(w.Value)
				} else {
					cur[w.Key] = w.Value
				}
			}
		}
	}
	return nil
}
