package devnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/vm/felt"
)

// declaration is where a Cairo 0 class was declared and its definition.
type declaration struct {
	block uint64
	raw   json.RawMessage
}

// classIndex finds Cairo 0 classes. Starknet keeps them out of the classes
// trie, so the store's class table does not hold them: the index reads the
// chain's DECLARE transactions, which carry the class, once per process
// and incrementally as blocks are added, and parses a class the first time
// it is used.
type classIndex struct {
	mu     sync.Mutex
	next   uint64 // blocks below next have been read
	decl   map[felt.Felt]declaration
	parsed map[felt.Felt]*contract.Class
}

func newClassIndex() *classIndex {
	return &classIndex{decl: map[felt.Felt]declaration{}, parsed: map[felt.Felt]*contract.Class{}}
}

// sync reads the declarations of the blocks committed since the last call.
func (x *classIndex) sync(ctx context.Context, chain store.ChainReader) error {
	head, err := chain.Head(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for ; x.next <= head.Number; x.next++ {
		txs, err := chain.Transactions(ctx, x.next)
		if err != nil {
			return fmt.Errorf("read the declarations of block %d: %w", x.next, err)
		}
		for _, t := range txs {
			if t.Type != TypeDeclare {
				continue
			}
			var p struct {
				ClassHash     string          `json:"class_hash"`
				ContractClass json.RawMessage `json:"contract_class"`
			}
			if err := json.Unmarshal(t.Payload, &p); err != nil || len(p.ContractClass) == 0 {
				// A DECLARE written by another tool; its class is not
				// ours to load.
				continue
			}
			h, err := ParseFelt("class hash", p.ClassHash)
			if err != nil {
				return fmt.Errorf("block %d: declaration %s: %w", x.next, t.Hash, err)
			}
			if _, dup := x.decl[h]; !dup {
				x.decl[h] = declaration{block: x.next, raw: p.ContractClass}
			}
		}
	}
	return nil
}

// add records a class declared by a block this process committed.
func (x *classIndex) add(cls *contract.Class, block uint64, raw json.RawMessage) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.decl[cls.Hash] = declaration{block: block, raw: raw}
	x.parsed[cls.Hash] = cls
	if x.next == block {
		x.next = block + 1
	}
}

// lookup returns the class with hash h declared at or before block
// maxBlock, and the block that declared it; ErrUndeclared (wrapped) when
// there is none.
func (x *classIndex) lookup(ctx context.Context, chain store.ChainReader, h felt.Felt, maxBlock uint64) (*contract.Class, uint64, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	d, ok := x.decl[h]
	if !ok {
		if err := x.sync(ctx, chain); err != nil {
			return nil, 0, err
		}
		d, ok = x.decl[h]
	}
	if !ok || d.block > maxBlock {
		return nil, 0, fmt.Errorf("%w: %s", execution.ErrUndeclared, h)
	}
	if cls, ok := x.parsed[h]; ok {
		return cls, d.block, nil
	}
	cls, err := contract.Parse(d.raw)
	if err != nil {
		return nil, 0, fmt.Errorf("class %s declared in block %d: %w", h, d.block, err)
	}
	if cls.Hash != h {
		return nil, 0, fmt.Errorf("class declared in block %d as %s hashes to %s", d.block, h, cls.Hash)
	}
	x.parsed[h] = cls
	return cls, d.block, nil
}

// all returns every declared class hash with its declaring block.
func (x *classIndex) all(ctx context.Context, chain store.ChainReader) (map[felt.Felt]uint64, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.sync(ctx, chain); err != nil {
		return nil, err
	}
	out := make(map[felt.Felt]uint64, len(x.decl))
	for h, d := range x.decl {
		out[h] = d.block
	}
	return out, nil
}

// classView is the execution.Classes of one operation: the classes
// declared up to a block, plus those the block being built declares.
type classView struct {
	ctx      context.Context
	d        *Devnet
	maxBlock uint64
	pending  map[felt.Felt]*contract.Class
}

var _ execution.Classes = (*classView)(nil)

func (v *classView) Get(h felt.Felt) (*contract.Class, error) {
	if c, ok := v.pending[h]; ok {
		return c, nil
	}
	c, _, err := v.d.classes.lookup(v.ctx, v.d.chain, h, v.maxBlock)
	return c, err
}

func (d *Devnet) headClasses(ctx context.Context) *classView {
	return &classView{ctx: ctx, d: d, maxBlock: math.MaxUint64}
}
