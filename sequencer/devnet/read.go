package devnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/vm/felt"
)

// BlockView is a committed block with its transactions, receipts and
// events.
type BlockView struct {
	Header       store.Header
	Transactions []store.Transaction
	Receipts     []store.Receipt
	Events       []store.Event
}

// Block reads block n; latest reads the head.
func (d *Devnet) Block(ctx context.Context, n uint64, latest bool) (*BlockView, error) {
	var h store.Header
	var err error
	if latest {
		h, err = d.chain.Head(ctx)
	} else {
		h, err = d.chain.BlockByNumber(ctx, n)
	}
	if errors.Is(err, store.ErrNotFound) {
		if latest {
			return nil, ErrNoChain
		}
		head, herr := d.chain.Head(ctx)
		if herr != nil {
			return nil, fmt.Errorf("no block %d", n)
		}
		return nil, fmt.Errorf("no block %d (the head is block %d)", n, head.Number)
	}
	if err != nil {
		return nil, err
	}
	v := &BlockView{Header: h}
	if v.Transactions, err = d.chain.Transactions(ctx, h.Number); err != nil {
		return nil, err
	}
	if v.Receipts, err = d.chain.Receipts(ctx, h.Number); err != nil {
		return nil, err
	}
	if v.Events, err = d.chain.Events(ctx, h.Number); err != nil {
		return nil, err
	}
	return v, nil
}

// TxView is a committed transaction with its receipt and events, and
// their decoded payloads (nil when another tool wrote them).
type TxView struct {
	Block    store.Header
	Index    int
	Tx       store.Transaction
	Receipt  store.Receipt
	Events   []store.Event
	Payload  *TxPayload
	RPayload *ReceiptPayload
}

// ErrTxNotFound is returned for a transaction hash the chain does not
// hold.
var ErrTxNotFound = errors.New("transaction not found")

// Transaction finds a transaction by hash, newest blocks first.
func (d *Devnet) Transaction(ctx context.Context, txHash felt.Felt) (*TxView, error) {
	head, err := d.chain.Head(ctx)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNoChain
		}
		return nil, err
	}
	for n := head.Number; ; n-- {
		txs, err := d.chain.Transactions(ctx, n)
		if err != nil {
			return nil, err
		}
		for i, t := range txs {
			if t.Hash == txHash {
				return d.txView(ctx, n, i, t)
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("%w: %s", ErrTxNotFound, txHash)
		}
	}
}

func (d *Devnet) txView(ctx context.Context, n uint64, i int, t store.Transaction) (*TxView, error) {
	h, err := d.chain.BlockByNumber(ctx, n)
	if err != nil {
		return nil, err
	}
	rs, err := d.chain.Receipts(ctx, n)
	if err != nil {
		return nil, err
	}
	if i >= len(rs) {
		return nil, fmt.Errorf("block %d has no receipt for transaction %d", n, i)
	}
	evs, err := d.chain.Events(ctx, n)
	if err != nil {
		return nil, err
	}
	v := &TxView{Block: h, Index: i, Tx: t, Receipt: rs[i]}
	for _, e := range evs {
		if e.TxIndex == uint64(i) {
			v.Events = append(v.Events, e)
		}
	}
	var p TxPayload
	if json.Unmarshal(t.Payload, &p) == nil && p.Type == t.Type {
		v.Payload = &p
	}
	var rp ReceiptPayload
	if json.Unmarshal(rs[i].Payload, &rp) == nil && rp.Type == t.Type {
		v.RPayload = &rp
	}
	return v, nil
}

// ClassInfo is a declared Cairo 0 class.
type ClassInfo struct {
	ClassHash felt.Felt
	Block     uint64
}

// Classes lists the declared Cairo 0 classes in declaration order.
func (d *Devnet) Classes(ctx context.Context) ([]ClassInfo, error) {
	m, err := d.classes.all(ctx, d.chain)
	if err != nil {
		return nil, err
	}
	out := make([]ClassInfo, 0, len(m))
	for h, b := range m {
		out = append(out, ClassInfo{ClassHash: h, Block: b})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Block != out[j].Block {
			return out[i].Block < out[j].Block
		}
		return out[i].ClassHash.Cmp(out[j].ClassHash) < 0
	})
	return out, nil
}

// AccountView is a genesis account with its current state.
type AccountView struct {
	Account
	Nonce felt.Felt
	// Balance is the balance in the fee token (its low 128 bits).
	Balance felt.Felt
}

// Accounts lists the accounts genesis deployed, with their nonces.
func (d *Devnet) Accounts(ctx context.Context) ([]AccountView, error) {
	out := make([]AccountView, 0, len(d.genesis.Accounts))
	for _, a := range d.genesis.Accounts {
		addr, err := ParseAddress("account address", a.Address)
		if err != nil {
			return nil, err
		}
		n, err := d.chain.Nonce(ctx, addr)
		if err != nil {
			return nil, err
		}
		v := AccountView{Account: a, Nonce: n}
		if d.genesis.FeeToken != "" {
			token, err := ParseAddress("genesis fee token", d.genesis.FeeToken)
			if err != nil {
				return nil, err
			}
			if v.Balance, err = d.chain.Storage(ctx, token, txn.BalanceKey(addr)); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// EventName returns the ABI name of an event (its first key is the
// selector of the name) as declared by the class of its emitter at block,
// or "" when the class does not name it.
func (d *Devnet) EventName(ctx context.Context, e store.Event, block uint64) string {
	if len(e.Keys) == 0 {
		return ""
	}
	h, err := d.chain.ClassHashAt(ctx, e.FromAddress, block)
	if err != nil || h.IsZero() {
		return ""
	}
	cls, _, err := d.classes.lookup(ctx, d.chain, h, block)
	if err != nil {
		return ""
	}
	for _, a := range abiEntries(cls) {
		if a.Type == "event" && contract.Selector(a.Name) == e.Keys[0] {
			return a.Name
		}
	}
	return ""
}
