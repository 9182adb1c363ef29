// Package store defines how kairo's devnet keeps its chain and state: the
// small interfaces the sequencer reads state through and writes blocks
// through, the block and receipt types they carry, and the errors they
// return. Implementations live in sub-packages: store/sqlite (the on-disk
// store, one SQLite transaction per block) and store/memstore (in memory,
// for tests); store/storetest is the conformance suite both pass.
package store

import (
	"context"
	"errors"

	"github.com/kairo-dev/kairo/vm/felt"
)

// ErrNotFound reports that a block, transaction or class does not exist.
var ErrNotFound = errors.New("not found")

// StateReader reads the state as of the head block. An absent storage slot,
// nonce or class hash reads as zero; an undeclared class is ErrNotFound.
type StateReader interface {
	Storage(ctx context.Context, contract, key felt.Felt) (felt.Felt, error)
	Nonce(ctx context.Context, contract felt.Felt) (felt.Felt, error)
	ClassHash(ctx context.Context, contract felt.Felt) (felt.Felt, error)
	Class(ctx context.Context, classHash felt.Felt) (Class, error)
}

// HistoryReader reads the state as it was right after block n was
// committed. A block above the head is ErrNotFound.
type HistoryReader interface {
	StorageAt(ctx context.Context, contract, key felt.Felt, block uint64) (felt.Felt, error)
	NonceAt(ctx context.Context, contract felt.Felt, block uint64) (felt.Felt, error)
	ClassHashAt(ctx context.Context, contract felt.Felt, block uint64) (felt.Felt, error)
}

// BlockWriter commits blocks. CommitBlock applies the block's state diff,
// computes the new state root and writes the header, transactions,
// receipts, events, diff and trie nodes atomically: after a crash the store
// holds either the previous head or this block, never part of it. The
// returned header has Number, ParentHash, the roots and Hash filled in.
type BlockWriter interface {
	CommitBlock(ctx context.Context, b *Block) (Header, error)
}

// ChainReader reads committed blocks.
type ChainReader interface {
	// Head returns the newest block's header; ErrNotFound on an empty chain.
	Head(ctx context.Context) (Header, error)
	BlockByNumber(ctx context.Context, n uint64) (Header, error)
	Transactions(ctx context.Context, block uint64) ([]Transaction, error)
	Receipts(ctx context.Context, block uint64) ([]Receipt, error)
	Events(ctx context.Context, block uint64) ([]Event, error)
}

// Store is a complete chain store.
type Store interface {
	StateReader
	HistoryReader
	ChainReader
	BlockWriter
	Close() error
}

// Class is a declared class: the hash its leaf commits to and the artifacts
// kept for execution (contract class JSON and compiled CASM, opaque here).
type Class struct {
	ClassHash         felt.Felt
	CompiledClassHash felt.Felt
	// Block is the block that declared the class.
	Block      uint64
	Definition []byte
	Compiled   []byte
}
