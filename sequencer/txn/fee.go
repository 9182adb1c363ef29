package txn

import (
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// Resources are a transaction's actual resources as cairo-lang's
// calculate_tx_resources reports them: the L1 gas of its state changes and
// messages, and the Cairo steps and builtin instances of its validation
// and execution plus the OS's cost of the transaction and its syscalls.
type Resources struct {
	L1Gas    uint64
	Steps    uint64
	Builtins map[string]uint64 // by name with the "_builtin" suffix; no zeros
}

// Fee weights (versioned_constants.json vm_resource_fee_cost, Starknet
// 0.13): L1 gas per unit, as numerators over feeDenominator.
const feeDenominator = 10000

var (
	stepWeight     uint64 = 25 // 0.0025 gas per step
	builtinWeights        = map[string]uint64{
		"pedersen_builtin":      800,   // 0.08
		"poseidon_builtin":      800,   // 0.08
		"range_check_builtin":   400,   // 0.04
		"range_check96_builtin": 400,   // 0.04
		"ecdsa_builtin":         51200, // 5.12
		"bitwise_builtin":       1600,  // 0.16
		"ec_op_builtin":         25600, // 2.56
		"keccak_builtin":        51200, // 5.12
		"add_mod_builtin":       400,   // 0.04
		"mul_mod_builtin":       400,   // 0.04
		"output_builtin":        0,
	}
)

// L1 gas costs of state changes and messages (cairo-lang's gas_usage.py
// and eth_gas_constants).
const (
	gasPerMemoryWord      = 512
	sharpGasPerMemoryWord = 612
	gasPerZeroToNonzero   = 20000
	gasPerCounterDecrease = 5000
	gasPerLog             = 375
	gasPerLogTopic        = 375
	gasPerLogDataWord     = 256
)

// TotalL1Gas is the transaction's gas: its L1 gas plus the heaviest Cairo
// resource in L1 gas (calculate_l1_gas_by_cairo_usage), rounded up.
func (r Resources) TotalL1Gas() uint64 {
	max := r.Steps * stepWeight
	for name, n := range r.Builtins {
		if w := builtinWeights[name] * n; w > max {
			max = w
		}
	}
	return r.L1Gas + (max+feeDenominator-1)/feeDenominator
}

// Fee is calculate_tx_fee: the total gas times the gas price.
func (r Resources) Fee(gasPrice felt.Felt) felt.Felt {
	return felt.FromUint64(r.TotalL1Gas()).Mul(gasPrice)
}

type osCost struct {
	steps    uint64
	builtins map[string]uint64
}

// osTxCost is versioned_constants.json's os_resources.execute_txs_inner
// (the constant part, as cairo-lang's get_tx_additional_os_resources
// takes it); DEPLOY has none.
var osTxCost = map[Type]osCost{
	Invoke:        {4348, map[string]uint64{"pedersen_builtin": 4, "poseidon_builtin": 12, "range_check_builtin": 90}},
	Declare:       {3523, map[string]uint64{"pedersen_builtin": 4, "poseidon_builtin": 15, "range_check_builtin": 72}},
	DeployAccount: {4583, map[string]uint64{"pedersen_builtin": 11, "poseidon_builtin": 11, "range_check_builtin": 93}},
	L1Handler:     {1315, map[string]uint64{"pedersen_builtin": 11, "range_check_builtin": 19}},
}

// osSyscallCost is os_resources.execute_syscalls for the deprecated
// syscalls (constant part).
var osSyscallCost = map[string]osCost{
	"call_contract":           {903, map[string]uint64{"range_check_builtin": 18}},
	"delegate_call":           {713, map[string]uint64{"range_check_builtin": 19}},
	"delegate_l1_handler":     {692, map[string]uint64{"range_check_builtin": 15}},
	"deploy":                  {1173, map[string]uint64{"pedersen_builtin": 7, "range_check_builtin": 21}},
	"emit_event":              {61, map[string]uint64{"range_check_builtin": 1}},
	"get_block_number":        {40, nil},
	"get_block_timestamp":     {38, nil},
	"get_caller_address":      {125, map[string]uint64{"range_check_builtin": 2}},
	"get_contract_address":    {125, map[string]uint64{"range_check_builtin": 2}},
	"get_sequencer_address":   {34, nil},
	"get_tx_info":             {125, map[string]uint64{"range_check_builtin": 2}},
	"get_tx_signature":        {44, nil},
	"library_call":            {879, map[string]uint64{"range_check_builtin": 18}},
	"library_call_l1_handler": {659, map[string]uint64{"range_check_builtin": 15}},
	"replace_class":           {106, map[string]uint64{"range_check_builtin": 1}},
	"send_message_to_l1":      {144, map[string]uint64{"range_check_builtin": 1}},
	"storage_read":            {90, map[string]uint64{"range_check_builtin": 1}},
	"storage_write":           {96, map[string]uint64{"range_check_builtin": 1}},
}

func (r *Resources) addCost(c osCost, times uint64) {
	r.Steps += c.steps * times
	for k, v := range c.builtins {
		r.Builtins[k] += v * times
	}
}

// stateChanges counts what a transaction changed, as
// count_actual_updates_for_fee_charge does.
type stateChanges struct {
	modifiedContracts, storage, classHashes int
}

// l1Gas is calculate_tx_gas_usage.
func l1Gas(ch stateChanges, messages []execution.Message, l1HandlerPayload int) uint64 {
	msgLen := 0
	var logCost uint64
	for _, m := range messages {
		msgLen += 3 + len(m.Payload)
		logCost += gasPerLog + 3*gasPerLogTopic + uint64(2+len(m.Payload))*gasPerLogDataWord
	}
	var l1ToL2 uint64
	if l1HandlerPayload >= 0 {
		msgLen += 5 + l1HandlerPayload
		l1ToL2 = gasPerCounterDecrease + gasPerLog + 4*gasPerLogTopic + uint64(3+l1HandlerPayload)*gasPerLogDataWord
	}
	onchain := 2*ch.modifiedContracts + ch.classHashes + 2*ch.storage
	starknet := uint64(msgLen)*gasPerMemoryWord + uint64(len(messages))*gasPerZeroToNonzero + l1ToL2 + logCost
	sharp := uint64(msgLen+onchain) * sharpGasPerMemoryWord
	return starknet + sharp
}

// StorageVarAddress is get_storage_var_address: the storage key of a
// Cairo 0 storage variable with its arguments.
func StorageVarAddress(name string, args ...felt.Felt) felt.Felt {
	h := hash.StarknetKeccak([]byte(name))
	for _, a := range args {
		h = hash.Pedersen(h, a)
	}
	bound := felt.MustFromString("0x7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00")
	if h.Cmp(bound) >= 0 {
		h = h.Sub(bound)
	}
	return h
}

// BalanceKey is the storage key of an account's balance (the low word;
// the high word follows) in an OpenZeppelin-style Cairo 0 ERC20.
func BalanceKey(account felt.Felt) felt.Felt { return StorageVarAddress("ERC20_balances", account) }
