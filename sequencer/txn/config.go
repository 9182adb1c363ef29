package txn

import (
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/vm/felt"
)

// Config is the chain and block environment transactions execute in:
// cairo-lang's StarknetGeneralConfig and BlockInfo.
type Config struct {
	ChainID felt.Felt
	// FeeToken is the ERC20 that v0-v2 transactions pay in (Starknet's
	// deprecated_fee_token_address, ETH); STRKFeeToken the one v3
	// transactions pay in.
	FeeToken     felt.Felt
	STRKFeeToken felt.Felt
	// Block is what the block syscalls return; its sequencer address
	// receives the fees.
	Block execution.BlockInfo
	// L1GasPriceWei and L1GasPriceFri are the L1 gas prices in the two fee
	// tokens.
	L1GasPriceWei, L1GasPriceFri felt.Felt
	// ValidateMaxSteps bounds __validate__* and account constructors;
	// InvokeMaxSteps bounds execution and the fee transfer.
	ValidateMaxSteps, InvokeMaxSteps uint64
}

// Starknet's general-config defaults (cairo-lang 0.14's
// general_config.yml and versioned_constants.json).
var (
	ChainIDGoerli  = shortString("SN_GOERLI")
	ChainIDSepolia = shortString("SN_SEPOLIA")
	ChainIDMain    = shortString("SN_MAIN")

	DefaultFeeToken         = felt.MustFromString("0x497d1c054cec40f64454b45deecdc83e0c7f7b961c63531eae03748abd95350")
	DefaultSTRKFeeToken     = felt.MustFromString("0x4fa9355c504fa2de263bd7920644b5e48794fe1450ec2a6526518ad77d6a567")
	DefaultSequencerAddress = felt.MustFromString("0x295548396b1c6cb8a9e420773c28f1531492f73bc45c35e2f499e3d3a6605b2")
)

// DefaultConfig is the environment of the reference scenarios: cairo-lang
// 0.14's defaults (chain SN_GOERLI, its fee token and sequencer addresses,
// 1,000,000 validate steps, 10,000,000 invoke steps) and
// BlockInfo.create_for_testing(block_number=1,
// block_timestamp=1700000000, eth_l1_gas_price=100): L1 gas at 100 wei and
// 10**6 fri.
func DefaultConfig() Config {
	return Config{
		ChainID:          ChainIDGoerli,
		FeeToken:         DefaultFeeToken,
		STRKFeeToken:     DefaultSTRKFeeToken,
		Block:            execution.BlockInfo{Number: 1, Timestamp: 1700000000, SequencerAddress: DefaultSequencerAddress},
		L1GasPriceWei:    felt.FromUint64(100),
		L1GasPriceFri:    felt.FromUint64(1_000_000),
		ValidateMaxSteps: 1_000_000,
		InvokeMaxSteps:   10_000_000,
	}
}
