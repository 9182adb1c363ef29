package txn

import (
	"fmt"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// Type is a transaction type.
type Type int

// The transaction types.
const (
	Invoke Type = iota
	Declare
	DeployAccount
	Deploy
	L1Handler
)

func (t Type) String() string {
	switch t {
	case Invoke:
		return "INVOKE_FUNCTION"
	case Declare:
		return "DECLARE"
	case DeployAccount:
		return "DEPLOY_ACCOUNT"
	case Deploy:
		return "DEPLOY"
	case L1Handler:
		return "L1_HANDLER"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// ResourceBound is a v3 transaction's bound on one resource.
type ResourceBound struct {
	MaxAmount       uint64
	MaxPricePerUnit felt.Felt // below 2**128
}

// ResourceBounds are a v3 transaction's bounds. L1DataGas is hashed only
// when set, as cairo-lang does.
type ResourceBounds struct {
	L1Gas, L2Gas ResourceBound
	L1DataGas    *ResourceBound
}

// Tx is a Starknet transaction. Which fields matter depends on Type and
// Version:
//
//   - Invoke: Sender, Calldata, Signature, Nonce (v1+), MaxFee (v0, v1),
//     EntryPointSelector (v0 only);
//   - Declare: Sender, Class (Cairo 0, v0 and v1) or ClassHash (v2, v3),
//     CompiledClassHash (v2, v3), Signature, Nonce, MaxFee;
//   - DeployAccount: ClassHash, Salt, Calldata (constructor calldata),
//     Signature, Nonce, MaxFee; the address is computed;
//   - Deploy: ClassHash, Salt, Calldata (constructor calldata), version 0;
//   - L1Handler: Sender (the L2 contract), EntryPointSelector, Calldata
//     (the L1 sender first), Nonce.
//
// v3 transactions carry ResourceBounds, Tip, PaymasterData,
// AccountDeploymentData and the data-availability modes instead of
// MaxFee.
type Tx struct {
	Type               Type
	Version            uint64
	Sender             felt.Felt
	EntryPointSelector felt.Felt
	Calldata           []felt.Felt
	Signature          []felt.Felt
	Nonce              felt.Felt
	MaxFee             felt.Felt

	ClassHash         felt.Felt
	Class             *contract.Class
	CompiledClassHash felt.Felt
	Salt              felt.Felt

	ResourceBounds        ResourceBounds
	Tip                   uint64
	PaymasterData         []felt.Felt
	AccountDeploymentData []felt.Felt
	NonceDAMode           uint32
	FeeDAMode             uint32

	// Impersonated marks a devnet INVOKE (version 0) that calls
	// EntryPointSelector of Contract directly, with Sender as the caller:
	// no account contract, signature, nonce or fee. Its Nonce only tells
	// apart equal calls in one block (see Executor's hash).
	Impersonated bool
	Contract     felt.Felt
}

// Prefixes of the transaction hashes (TransactionHashPrefix).
var (
	prefixDeclare       = shortString("declare")
	prefixDeploy        = shortString("deploy")
	prefixDeployAccount = shortString("deploy_account")
	prefixInvoke        = shortString("invoke")
	prefixL1Handler     = shortString("l1_handler")
)

// Resource names in v3 fee hashes (fields.Resource).
var (
	resourceL1Gas     = shortString("L1_GAS")
	resourceL2Gas     = shortString("L2_GAS")
	resourceL1DataGas = shortString("L1_DATA")
)

func shortString(s string) felt.Felt { return felt.FromBytesBE([]byte(s)) }

// Address returns the address of the account the transaction acts for:
// the sender, or for DEPLOY_ACCOUNT and DEPLOY the address of the
// contract deployed.
func (tx *Tx) Address() felt.Felt {
	switch tx.Type {
	case DeployAccount, Deploy:
		return execution.ContractAddress(tx.Salt, tx.ClassHash, tx.Calldata, felt.Zero)
	}
	return tx.Sender
}

// DeclaredClassHash is the hash of the class a DECLARE declares.
func (tx *Tx) DeclaredClassHash() felt.Felt {
	if tx.Class != nil && tx.Version < 2 {
		return tx.Class.Hash
	}
	return tx.ClassHash
}

// Hash computes the transaction hash for a chain: the Pedersen-based
// deprecated hash for versions 0 to 2 and the Poseidon-based hash for
// version 3.
func (tx *Tx) Hash(chainID felt.Felt) (felt.Felt, error) {
	v := felt.FromUint64(tx.Version)
	if tx.Version >= 3 {
		if tx.Version != 3 {
			return felt.Zero, fmt.Errorf("transaction version %d is not supported", tx.Version)
		}
		return tx.hashV3(chainID)
	}
	switch tx.Type {
	case Invoke:
		if tx.Version == 0 {
			return deprecatedHash(prefixInvoke, v, tx.Sender, tx.EntryPointSelector, tx.Calldata, tx.MaxFee, chainID), nil
		}
		if tx.Version != 1 {
			break
		}
		return deprecatedHash(prefixInvoke, v, tx.Sender, felt.Zero, tx.Calldata, tx.MaxFee, chainID, tx.Nonce), nil
	case Declare:
		switch tx.Version {
		case 0:
			return deprecatedHash(prefixDeclare, v, tx.Sender, felt.Zero, nil, tx.MaxFee, chainID, tx.DeclaredClassHash()), nil
		case 1:
			return deprecatedHash(prefixDeclare, v, tx.Sender, felt.Zero, []felt.Felt{tx.DeclaredClassHash()}, tx.MaxFee, chainID, tx.Nonce), nil
		case 2:
			return deprecatedHash(prefixDeclare, v, tx.Sender, felt.Zero, []felt.Felt{tx.ClassHash}, tx.MaxFee, chainID, tx.Nonce, tx.CompiledClassHash), nil
		}
	case DeployAccount:
		if tx.Version != 1 {
			break
		}
		data := append([]felt.Felt{tx.ClassHash, tx.Salt}, tx.Calldata...)
		return deprecatedHash(prefixDeployAccount, v, tx.Address(), felt.Zero, data, tx.MaxFee, chainID, tx.Nonce), nil
	case Deploy:
		if tx.Version > 1 {
			break
		}
		return deprecatedHash(prefixDeploy, v, tx.Address(), contract.ConstructorSelector, tx.Calldata, felt.Zero, chainID), nil
	case L1Handler:
		return deprecatedHash(prefixL1Handler, felt.Zero, tx.Sender, tx.EntryPointSelector, tx.Calldata, felt.Zero, chainID, tx.Nonce), nil
	}
	return felt.Zero, fmt.Errorf("%s version %d is not supported", tx.Type, tx.Version)
}

// ImpersonatedHash is the hash of an impersonated INVOKE in block number
// block: the version 0 INVOKE hash of the call with the caller and the
// block number as additional data (a repeated call in another block gets
// another hash), and the transaction's Nonce after them when it is not
// zero (a repeated call in the same block). It is the devnet's hash of
// `kairo devnet invoke --from`.
func (tx *Tx) ImpersonatedHash(chainID felt.Felt, block uint64) felt.Felt {
	extra := []felt.Felt{tx.Sender, felt.FromUint64(block)}
	if !tx.Nonce.IsZero() {
		extra = append(extra, tx.Nonce)
	}
	return deprecatedHash(prefixInvoke, felt.Zero, tx.Contract, tx.EntryPointSelector, tx.Calldata, felt.Zero, chainID, extra...)
}

// deprecatedHash is _deprecated_calculate_transaction_hash_common.
func deprecatedHash(prefix, version, addr, selector felt.Felt, calldata []felt.Felt, maxFee, chainID felt.Felt, extra ...felt.Felt) felt.Felt {
	data := []felt.Felt{prefix, version, addr, selector, hash.PedersenArray(calldata...), maxFee, chainID}
	return hash.PedersenArray(append(data, extra...)...)
}

// feeFieldsHash is _hash_fee_related_fields.
func (b ResourceBounds) feeFieldsHash(tip uint64) felt.Felt {
	pack := func(name felt.Felt, r ResourceBound) felt.Felt {
		// name << 192 + max_amount << 128 + max_price_per_unit
		shift128 := felt.FromLimbs([4]uint64{0, 0, 1, 0})
		shift192 := felt.FromLimbs([4]uint64{0, 0, 0, 1})
		return name.Mul(shift192).Add(felt.FromUint64(r.MaxAmount).Mul(shift128)).Add(r.MaxPricePerUnit)
	}
	data := []felt.Felt{felt.FromUint64(tip), pack(resourceL1Gas, b.L1Gas), pack(resourceL2Gas, b.L2Gas)}
	if b.L1DataGas != nil {
		data = append(data, pack(resourceL1DataGas, *b.L1DataGas))
	}
	return hash.PoseidonHashMany(data)
}

// hashV3 is _calculate_transaction_hash_common.
func (tx *Tx) hashV3(chainID felt.Felt) (felt.Felt, error) {
	var prefix felt.Felt
	var specific []felt.Felt
	switch tx.Type {
	case Invoke:
		prefix = prefixInvoke
		specific = []felt.Felt{hash.PoseidonHashMany(tx.AccountDeploymentData), hash.PoseidonHashMany(tx.Calldata)}
	case Declare:
		prefix = prefixDeclare
		specific = []felt.Felt{hash.PoseidonHashMany(tx.AccountDeploymentData), tx.ClassHash, tx.CompiledClassHash}
	case DeployAccount:
		prefix = prefixDeployAccount
		specific = []felt.Felt{hash.PoseidonHashMany(tx.Calldata), tx.ClassHash, tx.Salt}
	default:
		return felt.Zero, fmt.Errorf("%s has no version 3", tx.Type)
	}
	da := felt.FromUint64(uint64(tx.NonceDAMode)<<32 | uint64(tx.FeeDAMode))
	data := []felt.Felt{prefix, felt.FromUint64(3), tx.Address(), tx.ResourceBounds.feeFieldsHash(tx.Tip),
		hash.PoseidonHashMany(tx.PaymasterData), chainID, tx.Nonce, da}
	return hash.PoseidonHashMany(append(data, specific...)), nil
}
