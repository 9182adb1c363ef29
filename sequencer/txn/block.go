package txn

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// blockTx is a transaction as a Block-STM transaction. A rejected
// transaction returns its error, so the engine drops its writes. Its hash
// (a Pedersen chain over the calldata) is computed by the first
// incarnation and reused by the re-executions.
type blockTx struct {
	e    *Executor
	tx   *Tx
	once sync.Once
	hash felt.Felt
	err  error
}

func (b *blockTx) Execute(v blockstm.View) (*Receipt, error) {
	start := time.Now()
	b.once.Do(func() { b.hash, b.err = b.e.hash(b.tx) })
	if b.err != nil {
		return nil, reject(CodeInvalidVersion, b.tx.Address(), "%v", b.err)
	}
	return b.e.execute(v, b.tx, b.hash, start)
}

// BlockTxs adapts transactions to the Block-STM engine.
func (e *Executor) BlockTxs(txs []*Tx) []blockstm.Tx[*Receipt] {
	out := make([]blockstm.Tx[*Receipt], len(txs))
	for i, tx := range txs {
		out[i] = &blockTx{e: e, tx: tx}
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
	// Engine is the engine's result: the trace (when asked) and each
	// transaction's reads and writes, for dependency graphs.
	Engine *blockstm.Result[*Receipt]
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
	out := &BlockResult{Receipts: make([]*Receipt, len(txs)), Errors: make([]error, len(txs)), Diff: res.Diff, Metrics: res.Metrics, Engine: res}
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

// TransferBlock returns n signed v1 INVOKEs of fee-token transfers between
// the genesis accounts, from nonce 0 (see Transfers).
func TransferBlock(cfg Config, gen *Genesis, n int) ([]*Tx, error) {
	return Transfers(TransferOptions{ChainID: cfg.ChainID, Token: cfg.FeeToken, Accounts: gen.Accounts, Txs: n,
		MaxFee: felt.FromUint64(1e16)})
}

// TransferOptions describe a block of ERC20 transfers.
type TransferOptions struct {
	ChainID, Token felt.Felt
	Accounts       []Account
	// Nonces are the accounts' next nonces (nil: all 0).
	Nonces []uint64
	Txs    int
	MaxFee felt.Felt
}

// Transfers returns signed v1 INVOKEs of transfers on an ERC20 between
// accounts: transaction i is sent by account i mod len and pays 1000+i
// to another account, with consecutive nonces per sender. With two
// accounts every transaction conflicts with the previous one; with many,
// almost none do.
func Transfers(o TransferOptions) ([]*Tx, error) {
	accounts := len(o.Accounts)
	if accounts < 2 {
		return nil, fmt.Errorf("a transfer block needs at least 2 accounts, not %d", accounts)
	}
	if o.Nonces != nil && len(o.Nonces) != accounts {
		return nil, fmt.Errorf("%d nonces for %d accounts", len(o.Nonces), accounts)
	}
	nonces := make([]uint64, accounts)
	copy(nonces, o.Nonces)
	txs := make([]*Tx, 0, o.Txs)
	for i := 0; i < o.Txs; i++ {
		from := i % accounts
		to := (from*7919 + i + 1) % accounts
		if to == from {
			to = (to + 1) % accounts
		}
		tx, err := SignedInvoke(o.ChainID, o.Accounts[from], nonces[from], o.MaxFee,
			Transfer(o.Token, o.Accounts[to].Address, felt.FromUint64(uint64(1000+i))))
		if err != nil {
			return nil, fmt.Errorf("transfer %d: %w", i, err)
		}
		nonces[from]++
		txs = append(txs, tx)
	}
	return txs, nil
}

// SameResults reports the first difference between two executions of one
// block (receipts, rejections, state diff), or "" when they are equal.
func SameResults(a, b *BlockResult) string {
	if len(a.Receipts) != len(b.Receipts) {
		return fmt.Sprintf("%d receipts against %d", len(a.Receipts), len(b.Receipts))
	}
	for i := range a.Receipts {
		if (a.Errors[i] == nil) != (b.Errors[i] == nil) || !sameReceipt(a.Receipts[i], b.Receipts[i]) {
			return fmt.Sprintf("transaction %d differs", i)
		}
		if a.Errors[i] != nil && a.Errors[i].Error() != b.Errors[i].Error() {
			return fmt.Sprintf("transaction %d: rejected with %q against %q", i, a.Errors[i], b.Errors[i])
		}
	}
	return a.Diff.Mismatch(b.Diff)
}

// sameReceipt compares two receipts, their timings aside.
func sameReceipt(a, b *Receipt) bool {
	if a == nil || b == nil {
		return a == b
	}
	ac, bc := *a, *b
	ac.Timing, bc.Timing = Timing{}, Timing{}
	return reflect.DeepEqual(&ac, &bc)
}
