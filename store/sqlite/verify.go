package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// VerifyState recomputes every root from scratch over the stored current
// state (storage, contracts, classes), ignoring the trie nodes, and checks
// that the results equal the roots of the head block, the contracts'
// stored storage roots and the root records of the stored tries. It reads
// one consistent snapshot. Its cost is linear in the size of the state.
func (s *Store) VerifyState(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s.wrap("verify state", err)
	}
	defer tx.Rollback()
	if err := s.verify(ctx, tx); err != nil {
		return fmt.Errorf("store %s: verify state: %w", s.path, describe(err))
	}
	return nil
}

func (s *Store) verify(ctx context.Context, tx *sql.Tx) error {
	head, err := scanHeader(tx.QueryRowContext(ctx, "SELECT "+headerCols+" FROM blocks ORDER BY number DESC LIMIT 1"))
	if errors.Is(err, sql.ErrNoRows) {
		head = store.Header{}
	} else if err != nil {
		return err
	}
	storage, err := readStorage(ctx, tx)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT address, class_hash, nonce, storage_root FROM contracts")
	if err != nil {
		return err
	}
	var contracts []commitment.ContractState
	for rows.Next() {
		var c commitment.ContractState
		if err := rows.Scan(feltCol{&c.Address}, feltCol{&c.ClassHash}, feltCol{&c.Nonce}, feltCol{&c.StorageRoot}); err != nil {
			rows.Close()
			return err
		}
		contracts = append(contracts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	leaves := make([]trie.Leaf, 0, len(contracts))
	for _, c := range contracts {
		root, err := trie.ComputeRoot(hash.Pedersen, storage[c.Address])
		if err != nil {
			return fmt.Errorf("storage of %s: %w", c.Address, err)
		}
		delete(storage, c.Address)
		if root != c.StorageRoot {
			return fmt.Errorf("contract %s: storage root recomputed %s, stored %s", c.Address, root, c.StorageRoot)
		}
		if err := checkTrieRoot(ctx, tx, storageTrieID(c.Address), root); err != nil {
			return fmt.Errorf("storage trie of %s: %w", c.Address, err)
		}
		leaves = append(leaves, trie.Leaf{Key: c.Address, Value: commitment.ContractLeaf(c.ClassHash, c.StorageRoot, c.Nonce)})
	}
	for addr := range storage {
		return fmt.Errorf("storage of %s, which is not a contract", addr)
	}
	contractsRoot, err := trie.ComputeRoot(hash.Pedersen, leaves)
	if err != nil {
		return err
	}
	if err := checkTrieRoot(ctx, tx, contractsTrieID(), contractsRoot); err != nil {
		return fmt.Errorf("contracts trie: %w", err)
	}
	rows, err = tx.QueryContext(ctx, "SELECT class_hash, compiled_class_hash FROM classes")
	if err != nil {
		return err
	}
	var classLeaves []trie.Leaf
	for rows.Next() {
		var k, cc felt.Felt
		if err := rows.Scan(feltCol{&k}, feltCol{&cc}); err != nil {
			rows.Close()
			return err
		}
		classLeaves = append(classLeaves, trie.Leaf{Key: k, Value: commitment.ClassLeaf(cc)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	classesRoot, err := trie.ComputeRoot(hash.PoseidonHash, classLeaves)
	if err != nil {
		return err
	}
	if err := checkTrieRoot(ctx, tx, classesTrieID(), classesRoot); err != nil {
		return fmt.Errorf("classes trie: %w", err)
	}
	stateRoot := commitment.StateRoot(contractsRoot, classesRoot, s.rule)
	if contractsRoot != head.ContractsRoot || classesRoot != head.ClassesRoot || stateRoot != head.StateRoot {
		return fmt.Errorf("block %d stores roots (contracts %s, classes %s, state %s), the state recomputes to (%s, %s, %s)",
			head.Number, head.ContractsRoot, head.ClassesRoot, head.StateRoot, contractsRoot, classesRoot, stateRoot)
	}
	return nil
}

func readStorage(ctx context.Context, tx *sql.Tx) (map[felt.Felt][]trie.Leaf, error) {
	rows, err := tx.QueryContext(ctx, headStorage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[felt.Felt][]trie.Leaf)
	for rows.Next() {
		var c felt.Felt
		var l trie.Leaf
		var block int64
		if err := rows.Scan(feltCol{&c}, feltCol{&l.Key}, feltCol{&l.Value}, &block); err != nil {
			return nil, err
		}
		if !l.Value.IsZero() {
			out[c] = append(out[c], l)
		}
	}
	return out, rows.Err()
}

// checkTrieRoot compares the stored root record of a trie with want.
func checkTrieRoot(ctx context.Context, tx *sql.Tx, id []byte, want felt.Felt) error {
	stmt, err := tx.PrepareContext(ctx, selectPage)
	if err != nil {
		return err
	}
	defer stmt.Close()
	n, found, err := pageReader{ctx: ctx, src: stmtPages{stmt: stmt}, trie: id, set: newPageSet()}.NodeRecord(trie.Path{}, nil)
	if err != nil {
		return err
	}
	if !found {
		if !want.IsZero() {
			return fmt.Errorf("no root node stored, recomputed root %s", want)
		}
		return nil
	}
	if n.Hash != want {
		return fmt.Errorf("stored root node %s, recomputed root %s", n.Hash, want)
	}
	return nil
}
