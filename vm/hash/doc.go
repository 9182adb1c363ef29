// Package hash implements the hash functions of Cairo and Starknet over the
// Stark field: Pedersen (with Starknet's array hashing), Poseidon (the Hades
// permutation of width 3 with cairo-lang's parameters and sponge), and
// Keccak (the raw Keccak-f[1600] permutation, Keccak-256 and Starknet's
// 250-bit masked variant used for selectors).
//
// Every function is safe for concurrent use, never allocates on the hot
// path, and works directly on felt.Felt values in Montgomery form. The VM's
// builtins and the state-commitment tries share this package.
package hash
