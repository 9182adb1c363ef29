package devnet

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
)

// errReadOnly is returned by a write to the store's state outside a block.
var errReadOnly = errors.New("the store's state changes only through block commits")

// headState is the state of the head block as an execution.State: reads go
// to the store, writes are refused (calls run on an overlay above it).
type headState struct {
	ctx context.Context
	r   store.StateReader
}

var _ execution.State = headState{}

func (s headState) Read(k state.Key) (felt.Felt, error) {
	var v felt.Felt
	var err error
	switch k.Kind {
	case state.Storage:
		v, err = s.r.Storage(s.ctx, k.Contract, k.Slot)
	case state.Nonce:
		v, err = s.r.Nonce(s.ctx, k.Contract)
	case state.ClassHash:
		v, err = s.r.ClassHash(s.ctx, k.Contract)
	default:
		return felt.Zero, fmt.Errorf("read %s: unknown key kind", k)
	}
	if err != nil {
		return felt.Zero, fmt.Errorf("read %s: %w", k, err)
	}
	return v, nil
}

func (headState) Write(k state.Key, _ felt.Felt) error {
	return fmt.Errorf("write %s: %w", k, errReadOnly)
}

// pastState is the state right after block Block, read from the store's
// history.
type pastState struct {
	ctx   context.Context
	r     store.HistoryReader
	block uint64
}

var _ execution.State = pastState{}

func (s pastState) Read(k state.Key) (felt.Felt, error) {
	var v felt.Felt
	var err error
	switch k.Kind {
	case state.Storage:
		v, err = s.r.StorageAt(s.ctx, k.Contract, k.Slot, s.block)
	case state.Nonce:
		v, err = s.r.NonceAt(s.ctx, k.Contract, s.block)
	case state.ClassHash:
		v, err = s.r.ClassHashAt(s.ctx, k.Contract, s.block)
	default:
		return felt.Zero, fmt.Errorf("read %s: unknown key kind", k)
	}
	if err != nil {
		return felt.Zero, fmt.Errorf("read %s at block %d: %w", k, s.block, err)
	}
	return v, nil
}

func (s pastState) Write(k state.Key, _ felt.Felt) error {
	return fmt.Errorf("write %s: %w", k, errReadOnly)
}

// stateDiff turns an overlay's writes over base into the store's state
// diff: writes that leave a cell unchanged are dropped, contracts and
// storage keys are sorted. It returns nil when nothing changed.
func stateDiff(base execution.State, writes []state.KV) (*commitment.StateDiff, error) {
	byContract := map[felt.Felt]*commitment.ContractDiff{}
	for _, kv := range writes {
		old, err := base.Read(kv.Key)
		if err != nil {
			return nil, err
		}
		if old == kv.Value {
			continue
		}
		c := byContract[kv.Key.Contract]
		if c == nil {
			c = &commitment.ContractDiff{Address: kv.Key.Contract}
			byContract[kv.Key.Contract] = c
		}
		v := kv.Value
		switch kv.Key.Kind {
		case state.Storage:
			c.Storage = append(c.Storage, commitment.StorageWrite{Key: kv.Key.Slot, Value: v})
		case state.Nonce:
			c.Nonce = &v
		case state.ClassHash:
			c.ClassHash = &v
		}
	}
	if len(byContract) == 0 {
		return nil, nil
	}
	d := &commitment.StateDiff{}
	for _, c := range byContract {
		slices.SortFunc(c.Storage, func(a, b commitment.StorageWrite) int { return a.Key.Cmp(b.Key) })
		d.Contracts = append(d.Contracts, *c)
	}
	slices.SortFunc(d.Contracts, func(a, b commitment.ContractDiff) int { return a.Address.Cmp(b.Address) })
	return d, nil
}

func stateClassHashKey(addr felt.Felt) state.Key { return state.ClassHashKey(addr) }
