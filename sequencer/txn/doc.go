// Package txn implements Starknet transactions on top of Cairo 0 contract
// execution (package execution): INVOKE (v0, v1, v3), DECLARE (v0, v1,
// v2, v3), DEPLOY_ACCOUNT (v1, v3), L1_HANDLER and the deprecated DEPLOY,
// with their hashes as Starknet 0.13 / cairo-lang 0.14 computes them,
// Starknet's ECDSA signatures (deterministic, RFC 6979 as
// starkware.crypto.signature.sign), and the transaction flow of
// cairo-lang's business logic: account validation, execution, nonces,
// resources and fees charged by a real transfer on the fee token.
//
// An Executor runs one transaction on an execution.State. When the state
// can add deltas (Block-STM's View), the fee's credit to the sequencer is
// a commutative delta rather than a read-modify-write, so fees make no
// conflicts; RunBlock executes a block in parallel that way and restores
// in the receipts the sequencer balance the fee transfers read.
//
// Genesis builds the initial state of a devnet (declared classes, a fee
// token and funded accounts) by direct state writes.
package txn
