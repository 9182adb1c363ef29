// Package devnet is kairo's local Starknet devnet: a chain kept in a
// store.Store (the SQLite file in practice) on which classes are declared,
// contracts deployed and invoked, and read back.
//
// Every state change is a block: the devnet executes one transaction on
// the head state (execution.Run over an overlay that reads through the
// store), turns the overlay's writes into a state diff and commits the
// block, its transaction, receipt and events through store.BlockWriter in
// one store transaction, so the state root of every block is the root of
// its state. Nothing lives outside the store: the chain's configuration is
// the genesis record of block 0, and Cairo 0 classes, which Starknet keeps
// out of the classes trie, are found again from the DECLARE transactions
// that carry them. A second process opening the same file sees the same
// chain.
//
// Transactions are impersonated: they run with a caller address of the
// user's choosing and no account contract, signature, nonce or fee, as
// other devnets offer. A transaction that fails is rejected: no block is
// written.
package devnet
