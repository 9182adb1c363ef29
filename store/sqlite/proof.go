package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// Proof returns the Merkle proof of contract's storage key at the head,
// read from the stored trie pages in one transaction.
func (s *Store) Proof(ctx context.Context, contract, key felt.Felt) (*store.StorageProof, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.wrap("proof", err)
	}
	defer tx.Rollback()
	p, err := s.proof(ctx, tx, contract, key)
	if err != nil {
		return nil, fmt.Errorf("store %s: proof of %s[%s]: %w", s.path, contract, key, describe(err))
	}
	return p, nil
}

func (s *Store) proof(ctx context.Context, tx *sql.Tx, contract, key felt.Felt) (*store.StorageProof, error) {
	head, err := scanHeader(tx.QueryRowContext(ctx, "SELECT "+headerCols+" FROM blocks ORDER BY number DESC LIMIT 1"))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("empty chain: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	p := &store.StorageProof{ContractsRoot: head.ContractsRoot, ClassesRoot: head.ClassesRoot, BlockHash: head.Hash}
	err = tx.QueryRowContext(ctx, "SELECT class_hash, nonce, storage_root FROM contracts WHERE address = ?", fb(contract)).
		Scan(feltCol{&p.ClassHash}, feltCol{&p.Nonce}, feltCol{&p.StorageRoot})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	stmt, err := tx.PrepareContext(ctx, selectPage)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	var mu sync.Mutex
	prove := func(id []byte, k felt.Felt) ([]trie.ProofNode, error) {
		t, err := trie.New(pageReader{ctx: ctx, src: stmtPages{stmt: stmt, mu: &mu}, trie: id, set: newPageSet()}, hash.Pedersen)
		if err != nil {
			return nil, err
		}
		return t.Prove(k)
	}
	if p.ContractsProof, err = prove(contractsTrieID(), contract); err != nil {
		return nil, fmt.Errorf("contracts trie: %w", err)
	}
	if p.StorageProof, err = prove(storageTrieID(contract), key); err != nil {
		return nil, fmt.Errorf("storage trie: %w", err)
	}
	return p, nil
}

// StorageRoot returns the root of contract's storage trie at the head.
func (s *Store) StorageRoot(ctx context.Context, contract felt.Felt) (felt.Felt, error) {
	return s.queryFelt(ctx, "read storage root", "SELECT storage_root FROM contracts WHERE address = ?", fb(contract))
}
