// Package commitment computes Starknet's state commitment: the per-contract
// storage tries, the contracts trie, the classes trie and the global state
// root, updated incrementally by state diffs.
//
//   - A contract's storage trie maps storage keys to values (Pedersen).
//   - The contracts trie maps addresses to contract leaves (Pedersen):
//     Pedersen(Pedersen(Pedersen(class_hash, storage_root), nonce), 0).
//   - The classes trie maps class hashes to class leaves (Poseidon):
//     poseidon_hash("CONTRACT_CLASS_LEAF_V0", compiled_class_hash).
//   - The state root is poseidon_hash_many(["STARKNET_STATE_V0",
//     contracts_root, classes_root]), under the rule RootRule selects for
//     the empty cases.
//
// StateDiff is the JSON state-diff format with its strict parser, and
// Committer applies a diff on top of stored tries and returns every root and
// the trie nodes to persist. It updates the storage tries of different
// contracts in parallel and hashes the dirty nodes of all of them together,
// height by height, with hash.PedersenBatch (trie.CommitAll), then the
// contract leaves in three batches.
package commitment
