package store

import (
	"fmt"

	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// Header is a block header as stored.
type Header struct {
	Number     uint64
	Hash       felt.Felt
	ParentHash felt.Felt
	// StateRoot is poseidon_hash_many("STARKNET_STATE_V0", ContractsRoot,
	// ClassesRoot), or ContractsRoot when ClassesRoot is zero (blocks
	// before Starknet 0.14 and block 0 of mainnet), 0 when both are.
	StateRoot        felt.Felt
	ContractsRoot    felt.Felt
	ClassesRoot      felt.Felt
	Timestamp        uint64
	SequencerAddress felt.Felt
	StarknetVersion  string
	TxCount          uint64
	EventCount       uint64
}

// Transaction is a transaction as the sequencer executed it. Payload is the
// sequencer's own encoding of the transaction; the store keeps it opaque.
type Transaction struct {
	Hash    felt.Felt
	Type    string
	Payload []byte
}

// Receipt is the outcome of one transaction, in block order.
type Receipt struct {
	TxHash       felt.Felt
	Status       string
	ActualFee    felt.Felt
	RevertReason string
	// Payload is the rest of the receipt (execution resources, messages) in
	// the sequencer's encoding.
	Payload []byte
}

// Event is an event emitted by transaction TxIndex of its block.
type Event struct {
	TxIndex     uint64
	FromAddress felt.Felt
	Keys        []felt.Felt
	Data        []felt.Felt
}

// blockHashTag is "KAIRO_BLOCK_V0" as a felt.
var blockHashTag = felt.FromBytesBE([]byte("KAIRO_BLOCK_V0"))

// DevnetBlockHash is the hash a store gives a block committed without one:
// poseidon_hash_many("KAIRO_BLOCK_V0", number, state_root, parent_hash,
// timestamp, sequencer_address, tx_count, event_count). The sequencer may
// set Starknet's own block hash instead.
func DevnetBlockHash(h Header) felt.Felt {
	return hash.PoseidonHashMany([]felt.Felt{
		blockHashTag,
		felt.FromUint64(h.Number),
		h.StateRoot,
		h.ParentHash,
		felt.FromUint64(h.Timestamp),
		h.SequencerAddress,
		felt.FromUint64(h.TxCount),
		felt.FromUint64(h.EventCount),
	})
}

// Block is what the sequencer hands to CommitBlock.
type Block struct {
	// Header supplies Timestamp, SequencerAddress and StarknetVersion, and
	// optionally Hash (zero: DevnetBlockHash). Number, ParentHash, the roots
	// and the counts are set by the store.
	Header       Header
	Transactions []Transaction
	// Receipts are in transaction order, one per transaction.
	Receipts []Receipt
	Events   []Event
	// Diff is the block's state diff (nil: no state change). Its expected
	// roots, if any, are ignored.
	Diff *commitment.StateDiff
	// Classes carries the artifacts of the classes the diff declares.
	Classes []Class
}

// Validate checks the block's internal consistency: one receipt per
// transaction, receipts matching the transactions' hashes, events pointing
// at existing transactions in order, and artifacts only for classes the
// diff declares.
func (b *Block) Validate() error {
	if len(b.Receipts) != len(b.Transactions) {
		return fmt.Errorf("block has %d transactions but %d receipts", len(b.Transactions), len(b.Receipts))
	}
	for i, r := range b.Receipts {
		if r.TxHash != b.Transactions[i].Hash {
			return fmt.Errorf("receipt %d is for transaction %s, not %s", i, r.TxHash, b.Transactions[i].Hash)
		}
	}
	seen := make(map[felt.Felt]int, len(b.Transactions))
	for i, t := range b.Transactions {
		if j, dup := seen[t.Hash]; dup {
			return fmt.Errorf("transaction %d repeats the hash %s of transaction %d", i, t.Hash, j)
		}
		seen[t.Hash] = i
	}
	for i, e := range b.Events {
		if e.TxIndex >= uint64(len(b.Transactions)) {
			return fmt.Errorf("event %d belongs to transaction %d, but the block has %d", i, e.TxIndex, len(b.Transactions))
		}
		if i > 0 && e.TxIndex < b.Events[i-1].TxIndex {
			return fmt.Errorf("event %d (transaction %d) comes after an event of transaction %d", i, e.TxIndex, b.Events[i-1].TxIndex)
		}
	}
	declared := make(map[felt.Felt]bool)
	if b.Diff != nil {
		// A contract named twice would get two storage tries from one
		// state, and its root would be the last one's.
		contracts := make(map[felt.Felt]int, len(b.Diff.Contracts))
		for i, c := range b.Diff.Contracts {
			if j, dup := contracts[c.Address]; dup {
				return fmt.Errorf("state diff names contract %s twice (entries %d and %d)", c.Address, j, i)
			}
			contracts[c.Address] = i
		}
		for _, c := range b.Diff.Classes {
			declared[c.ClassHash] = !c.CompiledClassHash.IsZero()
		}
	}
	for _, c := range b.Classes {
		if !declared[c.ClassHash] {
			return fmt.Errorf("artifacts for class %s, which the state diff does not declare", c.ClassHash)
		}
	}
	return nil
}
