// Package hash implements the hash functions of Cairo and Starknet over the
// Stark field: Pedersen (with Starknet's array hashing), Poseidon (the Hades
// permutation of width 3 with cairo-lang's parameters and sponge), and
// Keccak (the raw Keccak-f[1600] permutation, Keccak-256 and Starknet's
// 250-bit masked variant used for selectors). Pedersen sums precomputed
// multiples of the constant points selected by signed 12-bit digits into an
// XYZZ accumulator, with one inversion at the end; PedersenBatch hashes many
// independent pairs at once (a trie level) from the same tables with affine
// accumulators sharing one inversion per addition round, and the additions
// of a round as vector operations (AVX-512 IFMA through gnark-crypto where
// available). Poseidon's cost is its chain of 166 dependent multiplications;
// everything else runs beside it.
//
// Every function is safe for concurrent use, never allocates on the hot
// path (PedersenBatch allocates its scratch space once per call), and works
// directly on felt.Felt values in Montgomery form. The VM's builtins and
// the state-commitment tries share this package.
package hash
