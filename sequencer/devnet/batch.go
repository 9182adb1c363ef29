package devnet

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/vm/felt"
)

// Batch is the next block of a devnet, for a block of transactions that
// the caller executes itself (kairo block run executes them with
// Block-STM) and then commits as one block.
type Batch struct {
	d *Devnet
	p pending
	// Config is the transactions' environment in this block; Classes the
	// classes declared up to the head; Base the head state.
	Config  txn.Config
	Classes execution.Classes
	Base    state.Reader
}

// Number is the block's number.
func (b *Batch) Number() uint64 { return b.p.number }

// NewBatch prepares the block after the head.
func (d *Devnet) NewBatch(ctx context.Context) (*Batch, error) {
	p, cfg, err := d.nextEnv(ctx)
	if err != nil {
		return nil, err
	}
	return &Batch{d: d, p: p, Config: cfg, Classes: d.headClasses(ctx), Base: stateReader{headState{ctx: ctx, r: d.chain}}}, nil
}

// stateReader is an execution.State as a state.Reader.
type stateReader struct{ s execution.State }

func (r stateReader) Get(k state.Key) (felt.Felt, error) { return r.s.Read(k) }

// BatchTx is an executed transaction to commit: accepted or reverted.
type BatchTx struct {
	Tx      *txn.Tx
	Receipt *txn.Receipt
	// ClassJSON is a DECLARE's class definition, which the devnet keeps
	// with the transaction; EntryPoint the function name, when known.
	ClassJSON  json.RawMessage
	EntryPoint string
}

// Commit commits the batch's transactions, in order, as one block with
// the block's state diff (writes over Base; unchanged cells are dropped).
func (b *Batch) Commit(ctx context.Context, txs []BatchTx, diff state.Diff) (store.Header, error) {
	h, _, err := b.commit(ctx, txs, diff)
	return h, err
}

// commit is Commit, also returning the block as written (its events).
func (b *Batch) commit(ctx context.Context, txs []BatchTx, diff state.Diff) (store.Header, store.Block, error) {
	d := b.d
	base := headState{ctx: ctx, r: d.chain}
	sd, err := stateDiff(base, diff)
	if err != nil {
		return store.Header{}, store.Block{}, err
	}
	blk := store.Block{Header: b.p.header, Diff: sd}
	for i, bt := range txs {
		tx, rc := bt.Tx, bt.Receipt
		typ := recordType(tx.Type)
		p := TxPayload{Type: typ, Version: fmt.Sprintf("0x%x", tx.Version), SenderAddress: tx.Sender.String(),
			Impersonated: tx.Impersonated, Calldata: hexes(tx.Calldata), Signature: hexes(tx.Signature), EntryPoint: bt.EntryPoint}
		if !tx.Impersonated && tx.Type != txn.Deploy && tx.Type != txn.L1Handler {
			p.Nonce = tx.Nonce.String()
			if tx.Version < 3 {
				p.MaxFee = tx.MaxFee.String()
			}
		}
		switch tx.Type {
		case txn.Invoke:
			if tx.Impersonated {
				p.ContractAddress, p.EntryPointSelector = tx.Contract.String(), tx.EntryPointSelector.String()
			} else if tx.Version == 0 {
				p.ContractAddress, p.EntryPointSelector = tx.Sender.String(), tx.EntryPointSelector.String()
			} else if len(tx.Calldata) >= 3 && tx.Calldata[0] == felt.One {
				// One call through the account's __execute__ (the call
				// array of txn.ExecuteCalldata): recorded like
				// InvokeFrom's.
				p.ContractAddress, p.EntryPointSelector = tx.Calldata[1].String(), tx.Calldata[2].String()
			}
		case txn.L1Handler:
			p.ContractAddress, p.EntryPointSelector, p.Nonce = tx.Sender.String(), tx.EntryPointSelector.String(), tx.Nonce.String()
		case txn.Declare:
			p.ClassHash, p.ContractClass = tx.DeclaredClassHash().String(), bt.ClassJSON
		case txn.DeployAccount, txn.Deploy:
			p.SenderAddress = tx.Address().String()
			p.ContractAddress, p.ClassHash, p.ContractAddressSalt = tx.Address().String(), tx.ClassHash.String(), tx.Salt.String()
			p.ConstructorCalldata, p.Calldata = hexes(tx.Calldata), nil
		}
		payload, err := json.Marshal(p)
		if err != nil {
			return store.Header{}, blk, fmt.Errorf("encode transaction %d: %w", i, err)
		}
		var evs []callEvent
		for j, e := range rc.Events() {
			evs = append(evs, callEvent{from: e.From, Event: execution.Event{Order: j, Keys: e.Keys, Data: e.Data}})
		}
		msgs := []MessageL1{}
		for _, m := range rc.Messages() {
			msgs = append(msgs, MessageL1{FromAddress: m.From.String(), ToAddress: m.To.String(), Payload: hexes(m.Payload)})
		}
		rp := ReceiptPayload{Type: typ, MessagesSent: msgs, ExecutionResources: receiptResources(rc)}
		if rc.Execute != nil && tx.Type != txn.DeployAccount && tx.Type != txn.Deploy {
			rp.Retdata = hexes(rc.Execute.Retdata)
		}
		switch tx.Type {
		case txn.DeployAccount, txn.Deploy:
			rp.ContractAddress, rp.ClassHash = rc.ContractAddress.String(), tx.ClassHash.String()
		case txn.Declare:
			rp.ClassHash = tx.DeclaredClassHash().String()
		}
		sr := store.Receipt{Status: StatusSucceeded, ActualFee: rc.ActualFee}
		if rc.Status == txn.Reverted {
			sr.Status, sr.RevertReason = StatusReverted, rc.RevertError
		}
		if err := addTxReceipt(&blk, store.Transaction{Hash: rc.Hash, Type: typ, Payload: payload}, sr, rp, evs); err != nil {
			return store.Header{}, blk, err
		}
	}
	h, err := d.chain.CommitBlock(ctx, &blk)
	if err != nil {
		return store.Header{}, blk, err
	}
	if h.Number != b.p.number {
		return h, blk, fmt.Errorf("block committed as %d, not %d: another process writes this devnet", h.Number, b.p.number)
	}
	for _, bt := range txs {
		if c := bt.Receipt.DeclaredClass; c != nil {
			d.classes.add(c, h.Number, bt.ClassJSON)
		}
	}
	return h, blk, nil
}

// receiptResources are a transaction's execution resources as receipts
// record them: the whole transaction's steps and builtins, and the memory
// holes of its execution.
func receiptResources(rc *txn.Receipt) Resources {
	res := Resources{Steps: rc.Resources.Steps, Builtins: rc.Resources.Builtins}
	if rc.Execute != nil {
		res.MemoryHoles = rc.Execute.Resources.MemoryHoles
	}
	return res
}

// recordType is the store's name of a transaction type.
func recordType(t txn.Type) string {
	switch t {
	case txn.Invoke:
		return TypeInvoke
	case txn.Declare:
		return TypeDeclare
	case txn.Deploy:
		return TypeDeploy
	case txn.DeployAccount:
		return TypeDeployAccount
	}
	return TypeL1Handler
}
