package devnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// Chain is what the devnet needs of a store: every reader and the block
// writer. store/sqlite and store/memstore implement it.
type Chain interface {
	store.StateReader
	store.HistoryReader
	store.ChainReader
	store.BlockWriter
}

// StarknetVersion is the Starknet version written in the devnet's block
// headers: its state roots follow Starknet 0.14's rule.
const StarknetVersion = "0.14.0"

// Defaults of a new devnet.
var (
	DefaultChainID          = felt.FromBytesBE([]byte("SN_SEPOLIA"))
	DefaultSequencerAddress = felt.FromUint64(0x1000)
)

// ErrNoChain is returned by Open on a store without blocks.
var ErrNoChain = errors.New("no devnet chain (run kairo devnet init)")

// Genesis is the chain's configuration, kept as the genesis record, the
// first transaction of block 0.
type Genesis struct {
	ChainID          string `json:"chain_id"`
	SequencerAddress string `json:"sequencer_address"`
	StarknetVersion  string `json:"starknet_version"`
	// Accounts are the funded accounts genesis deployed.
	Accounts []Account `json:"accounts,omitempty"`
	// FeeToken and STRKFeeToken are the fee tokens genesis deployed (v1
	// and v3 transactions pay in them); Balance is each account's initial
	// balance in both (decimal), Seed the seed of the accounts' keys.
	FeeToken     string  `json:"fee_token_address,omitempty"`
	STRKFeeToken string  `json:"strk_fee_token_address,omitempty"`
	Balance      string  `json:"initial_balance,omitempty"`
	Seed         *uint64 `json:"seed,omitempty"`
}

// Account is an account genesis deployed and funded.
type Account struct {
	Address    string `json:"address"`
	ClassHash  string `json:"class_hash"`
	PublicKey  string `json:"public_key"`
	PrivateKey string `json:"private_key"`
}

// Options tune an opened devnet.
type Options struct {
	// Now is the clock block timestamps come from (nil: time.Now). A block
	// is never older than its parent.
	Now func() time.Time
}

// Devnet is a devnet over a chain store. Its methods are safe for one
// goroutine at a time; two processes must not write the same store at
// once.
type Devnet struct {
	chain   Chain
	genesis Genesis
	chainID felt.Felt
	seqAddr felt.Felt
	now     func() time.Time
	classes *classIndex
}

// InitOptions configure a new devnet.
type InitOptions struct {
	Options
	ChainID          felt.Felt // zero: DefaultChainID
	SequencerAddress felt.Felt // zero: DefaultSequencerAddress
	// Classes are Cairo 0 class files (compiled or RPC form) declared in
	// block 0.
	Classes []ClassFile
	// Accounts funded accounts are deployed at genesis, with keys derived
	// from Seed, together with the ETH and STRK fee tokens. Classes must
	// then hold one account class and one ERC20 class. Balance is each
	// account's balance in both tokens (zero: DefaultBalance).
	Accounts int
	Seed     uint64
	Balance  felt.Felt
}

// ClassFile is a class definition and the name it came from.
type ClassFile struct {
	Name string
	Data []byte
}

// Genesis block 0 as Init committed it.
type GenesisBlock struct {
	Header store.Header
	// Classes are the hashes of opts.Classes, in their order.
	Classes []felt.Felt
}

// Init writes block 0 of a new devnet into an empty store: the genesis
// record and the declarations of opts.Classes.
func Init(ctx context.Context, chain Chain, opts InitOptions) (*Devnet, GenesisBlock, error) {
	if head, err := chain.Head(ctx); err == nil {
		return nil, GenesisBlock{}, fmt.Errorf("the store already holds a chain (head block %d)", head.Number)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, GenesisBlock{}, err
	}
	if opts.ChainID.IsZero() {
		opts.ChainID = DefaultChainID
	}
	if opts.SequencerAddress.IsZero() {
		opts.SequencerAddress = DefaultSequencerAddress
	}
	d := newDevnet(chain, Genesis{
		ChainID:          opts.ChainID.String(),
		SequencerAddress: opts.SequencerAddress.String(),
		StarknetVersion:  StarknetVersion,
	}, opts.Options)
	d.chainID, d.seqAddr = opts.ChainID, opts.SequencerAddress

	b := &store.Block{Header: d.header(store.Header{})}
	gp, err := json.Marshal(TxPayload{Type: TypeGenesis, Version: "0x0", SenderAddress: felt.Zero.String(), Genesis: &d.genesis})
	if err != nil {
		return nil, GenesisBlock{}, err
	}
	gh := hash.PoseidonHashMany([]felt.Felt{genesisTag, d.chainID, d.seqAddr, felt.FromUint64(b.Header.Timestamp)})
	if err := addTx(b, store.Transaction{Hash: gh, Type: TypeGenesis, Payload: gp}, ReceiptPayload{Type: TypeGenesis, MessagesSent: []MessageL1{}}, nil); err != nil {
		return nil, GenesisBlock{}, err
	}

	if opts.Accounts < 0 {
		return nil, GenesisBlock{}, fmt.Errorf("%d accounts", opts.Accounts)
	}
	type declared struct {
		cls *contract.Class
		raw json.RawMessage
	}
	var decls []declared
	seen := map[felt.Felt]string{}
	for _, cf := range opts.Classes {
		cls, raw, err := parseClass(cf.Data)
		if err != nil {
			return nil, GenesisBlock{}, fmt.Errorf("%s: %w", cf.Name, err)
		}
		if other, dup := seen[cls.Hash]; dup {
			return nil, GenesisBlock{}, fmt.Errorf("%s: class %s is also in %s", cf.Name, cls.Hash, other)
		}
		seen[cls.Hash] = cf.Name
		tx, rp, err := d.declareTx(cls, raw, felt.One)
		if err != nil {
			return nil, GenesisBlock{}, err
		}
		if err := addTx(b, tx, rp, nil); err != nil {
			return nil, GenesisBlock{}, err
		}
		decls = append(decls, declared{cls, raw})
	}
	if opts.Accounts > 0 {
		parsed := make([]*contract.Class, len(decls))
		for i, dc := range decls {
			parsed[i] = dc.cls
		}
		if b.Diff, err = genesisAccounts(ctx, chain, opts, parsed, &d.genesis); err != nil {
			return nil, GenesisBlock{}, err
		}
	}
	// The genesis record goes in last, once genesis is complete.
	gp, err = json.Marshal(TxPayload{Type: TypeGenesis, Version: "0x0", SenderAddress: felt.Zero.String(), Genesis: &d.genesis})
	if err != nil {
		return nil, GenesisBlock{}, err
	}
	b.Transactions[0].Payload = gp
	h, err := chain.CommitBlock(ctx, b)
	if err != nil {
		return nil, GenesisBlock{}, err
	}
	g := GenesisBlock{Header: h}
	for _, dc := range decls {
		d.classes.add(dc.cls, h.Number, dc.raw)
		g.Classes = append(g.Classes, dc.cls.Hash)
	}
	return d, g, nil
}

// Open opens the devnet kept in chain.
func Open(ctx context.Context, chain Chain, opts Options) (*Devnet, error) {
	if _, err := chain.Head(ctx); errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoChain
	} else if err != nil {
		return nil, err
	}
	txs, err := chain.Transactions(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("read block 0: %w", err)
	}
	g := Genesis{ChainID: DefaultChainID.String(), SequencerAddress: DefaultSequencerAddress.String(), StarknetVersion: StarknetVersion}
	if len(txs) > 0 && txs[0].Type == TypeGenesis {
		var p TxPayload
		if err := json.Unmarshal(txs[0].Payload, &p); err != nil || p.Genesis == nil {
			return nil, fmt.Errorf("block 0: damaged genesis record %s", txs[0].Hash)
		}
		g = *p.Genesis
	}
	d := newDevnet(chain, g, opts)
	if d.chainID, err = ParseFelt("genesis chain id", g.ChainID); err != nil {
		return nil, err
	}
	if d.seqAddr, err = ParseAddress("genesis sequencer address", g.SequencerAddress); err != nil {
		return nil, err
	}
	return d, nil
}

func newDevnet(chain Chain, g Genesis, opts Options) *Devnet {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Devnet{chain: chain, genesis: g, now: now, classes: newClassIndex()}
}

// Genesis returns the chain's configuration.
func (d *Devnet) Genesis() Genesis { return d.genesis }

// ChainID returns the chain id.
func (d *Devnet) ChainID() felt.Felt { return d.chainID }

// Chain returns the store the devnet runs on.
func (d *Devnet) Chain() Chain { return d.chain }

// header returns the header fields the devnet supplies for a block after
// parent (the zero header for block 0): timestamp, sequencer address and
// version.
func (d *Devnet) header(parent store.Header) store.Header {
	ts := d.now().Unix()
	if ts < 0 {
		ts = 0
	}
	t := uint64(ts)
	if t < parent.Timestamp {
		t = parent.Timestamp
	}
	return store.Header{Timestamp: t, SequencerAddress: d.seqAddr, StarknetVersion: StarknetVersion}
}

// pending is the block being built: its number and header.
type pending struct {
	number uint64
	header store.Header
}

// next returns the block that follows the head.
func (d *Devnet) next(ctx context.Context) (pending, error) {
	head, err := d.chain.Head(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return pending{}, ErrNoChain
	}
	if err != nil {
		return pending{}, err
	}
	return pending{number: head.Number + 1, header: d.header(head)}, nil
}

// addTx appends a transaction, its receipt and its events to a block.
func addTx(b *store.Block, tx store.Transaction, rp ReceiptPayload, evs []callEvent) error {
	return addTxReceipt(b, tx, store.Receipt{Status: StatusSucceeded}, rp, evs)
}

// addTxReceipt is addTx with the receipt's status, fee and revert reason.
func addTxReceipt(b *store.Block, tx store.Transaction, r store.Receipt, rp ReceiptPayload, evs []callEvent) error {
	idx := uint64(len(b.Transactions))
	payload, err := json.Marshal(rp)
	if err != nil {
		return fmt.Errorf("encode receipt: %w", err)
	}
	r.TxHash, r.Payload = tx.Hash, payload
	b.Transactions = append(b.Transactions, tx)
	b.Receipts = append(b.Receipts, r)
	for _, e := range evs {
		b.Events = append(b.Events, store.Event{TxIndex: idx, FromAddress: e.from, Keys: e.Keys, Data: e.Data})
	}
	return nil
}

// commitOne commits a block holding one transaction that succeeded
// without a fee.
func (d *Devnet) commitOne(ctx context.Context, p pending, tx store.Transaction, rp ReceiptPayload, evs []callEvent, diff *commitment.StateDiff) (store.Header, store.Block, error) {
	return d.commitReceipt(ctx, p, tx, store.Receipt{Status: StatusSucceeded}, rp, evs, diff)
}

// commitReceipt commits a block holding one transaction with receipt r.
func (d *Devnet) commitReceipt(ctx context.Context, p pending, tx store.Transaction, r store.Receipt, rp ReceiptPayload, evs []callEvent, diff *commitment.StateDiff) (store.Header, store.Block, error) {
	b := store.Block{Header: p.header, Diff: diff}
	if err := addTxReceipt(&b, tx, r, rp, evs); err != nil {
		return store.Header{}, b, err
	}
	h, err := d.chain.CommitBlock(ctx, &b)
	if err != nil {
		return store.Header{}, b, err
	}
	if h.Number != p.number {
		return h, b, fmt.Errorf("block committed as %d, not %d: another process writes this devnet", h.Number, p.number)
	}
	return h, b, nil
}
