// Package trie implements Starknet's binary Merkle-Patricia trie of height
// 251, the structure behind every Starknet state commitment.
//
// A key is a felt below 2^251 read as 251 bits, first bit nearest the root.
// The trie has three kinds of nodes:
//
//   - a leaf, at depth 251, whose hash is its value (a zero value is no leaf:
//     writing 0 deletes the key);
//   - a binary node with two non-empty children, hash H(left, right);
//   - an edge node, which skips a run of bits to its only child, hash
//     H(child, path) + length, where path is the skipped bits read as an
//     integer and length their number.
//
// The empty trie's root is 0. H is pluggable: Pedersen for the storage and
// contracts tries, Poseidon for the classes trie.
//
// A Trie buffers Put and Delete, and Commit applies them in one pass over the
// touched paths only: untouched subtrees keep their hashes and are never read.
// Commit returns the new root and the set of nodes to write or delete, which
// the caller persists in one batch. Commit hashes the dirty nodes by height
// above the leaves, each height in one batch; CommitAll does so across
// several tries at once with a BatchHashFunc (hash.PedersenBatch), so that
// a block's many independent hashes share work. Nodes are read lazily through the small
// NodeReader interface, keyed by their path from the root; the path key and
// the node record formats (Path.MarshalBinary, Node.MarshalBinary) are on-disk
// formats and must not change. MemoryStore is the in-memory NodeReader; a
// reader that implements HashedNodeReader is also given each node's
// expected hash, so that it may serve nodes from a cache it does not keep
// coherent.
//
// Prove returns the Merkle path of a key in the shape of Starknet's
// starknet_getStorageProof, and VerifyProof checks membership and
// non-membership proofs against a root.
package trie
