package devnet

import (
	"encoding/json"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// Transaction types as the store records them.
const (
	TypeGenesis = "DEVNET_GENESIS"
	TypeDeclare = "DECLARE"
	TypeDeploy  = "DEPLOY"
	TypeInvoke  = "INVOKE"

	TypeDeployAccount = "DEPLOY_ACCOUNT"
	TypeL1Handler     = "L1_HANDLER"
)

// Receipt statuses.
const (
	StatusSucceeded = "SUCCEEDED"
	StatusReverted  = "REVERTED"
)

// TxPayload is the devnet's encoding of a transaction (the store's
// Transaction.Payload), as JSON. Fields that do not apply to a type are
// left out.
type TxPayload struct {
	Type    string `json:"type"`
	Version string `json:"version"`
	// SenderAddress is the impersonated caller (invoke, declare) or the
	// deployer (deploy).
	SenderAddress string `json:"sender_address"`
	Impersonated  bool   `json:"impersonated,omitempty"`

	ContractAddress    string   `json:"contract_address,omitempty"`
	EntryPointSelector string   `json:"entry_point_selector,omitempty"`
	EntryPoint         string   `json:"entry_point,omitempty"`
	Calldata           []string `json:"calldata,omitempty"`
	// Nonce, MaxFee and Signature are those of an account's transaction.
	Nonce     string   `json:"nonce,omitempty"`
	MaxFee    string   `json:"max_fee,omitempty"`
	Signature []string `json:"signature,omitempty"`

	ClassHash           string   `json:"class_hash,omitempty"`
	ContractAddressSalt string   `json:"contract_address_salt,omitempty"`
	ConstructorCalldata []string `json:"constructor_calldata,omitempty"`

	// ContractClass is the declared class as given (compiled or RPC form).
	ContractClass json.RawMessage `json:"contract_class,omitempty"`

	// Genesis is the chain configuration (genesis record only).
	Genesis *Genesis `json:"genesis,omitempty"`
}

// ReceiptPayload is the devnet's encoding of the rest of a receipt (the
// store's Receipt.Payload).
type ReceiptPayload struct {
	Type               string      `json:"type"`
	ContractAddress    string      `json:"contract_address,omitempty"`
	ClassHash          string      `json:"class_hash,omitempty"`
	Retdata            []string    `json:"retdata,omitempty"`
	MessagesSent       []MessageL1 `json:"messages_sent"`
	ExecutionResources Resources   `json:"execution_resources"`
}

// MessageL1 is an L2-to-L1 message.
type MessageL1 struct {
	FromAddress string   `json:"from_address"`
	ToAddress   string   `json:"to_address"`
	Payload     []string `json:"payload"`
}

// Resources are a transaction's execution resources.
type Resources struct {
	Steps       uint64            `json:"steps"`
	MemoryHoles uint64            `json:"memory_holes,omitempty"`
	Builtins    map[string]uint64 `json:"builtins,omitempty"`
}

func resourcesOf(ci *execution.CallInfo) Resources {
	if ci == nil {
		return Resources{}
	}
	r := Resources{Steps: ci.Resources.Steps, MemoryHoles: ci.Resources.MemoryHoles}
	for k, v := range ci.Resources.Builtins {
		if v == 0 {
			continue
		}
		if r.Builtins == nil {
			r.Builtins = map[string]uint64{}
		}
		r.Builtins[k] = v
	}
	return r
}

// callEvent is an event of a call tree with the contract that emitted it.
type callEvent struct {
	from felt.Felt
	execution.Event
}

// flatten collects a call tree's events (in their order within the
// transaction) and messages.
func flatten(ci *execution.CallInfo) ([]callEvent, []MessageL1) {
	var evs []callEvent
	type orderedMsg struct {
		order int
		m     MessageL1
	}
	var msgs []orderedMsg
	var walk func(*execution.CallInfo)
	walk = func(c *execution.CallInfo) {
		for _, e := range c.Events {
			evs = append(evs, callEvent{from: c.Contract, Event: e})
		}
		for _, m := range c.Messages {
			msgs = append(msgs, orderedMsg{m.Order, MessageL1{FromAddress: c.Contract.String(), ToAddress: m.To.String(), Payload: hexes(m.Payload)}})
		}
		for _, in := range c.Inner {
			walk(in)
		}
	}
	if ci != nil {
		walk(ci)
	}
	sortBy(evs, func(e callEvent) int { return e.Order })
	sortBy(msgs, func(m orderedMsg) int { return m.order })
	out := make([]MessageL1, len(msgs))
	for i, m := range msgs {
		out[i] = m.m
	}
	return evs, out
}

func hexes(fs []felt.Felt) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

// Transaction hash prefixes (TransactionHashPrefix in cairo-lang).
var (
	prefixDeclare = felt.FromBytesBE([]byte("declare"))
	prefixDeploy  = felt.FromBytesBE([]byte("deploy"))
	prefixInvoke  = felt.FromBytesBE([]byte("invoke"))
	genesisTag    = felt.FromBytesBE([]byte("KAIRO_GENESIS"))
)

// txHashCommon is calculate_transaction_hash_common for version 0 with no
// fee.
func txHashCommon(prefix, contractAddress, selector felt.Felt, calldata []felt.Felt, chainID felt.Felt, additional ...felt.Felt) felt.Felt {
	elems := []felt.Felt{prefix, felt.Zero, contractAddress, selector, hash.PedersenArray(calldata...), felt.Zero, chainID}
	return hash.PedersenArray(append(elems, additional...)...)
}

// declareHash is the hash of a version 0 DECLARE.
func declareHash(sender, classHash, chainID felt.Felt) felt.Felt {
	return txHashCommon(prefixDeclare, sender, felt.Zero, nil, chainID, classHash)
}

// deployHash is the hash of a DEPLOY of the contract at address.
func deployHash(address felt.Felt, calldata []felt.Felt, chainID felt.Felt) felt.Felt {
	return txHashCommon(prefixDeploy, address, contract.ConstructorSelector, calldata, chainID)
}

// invokeHash is the hash of an impersonated INVOKE: the version 0 hash
// with the caller and the block number as additional data, since an
// impersonated call has no nonce and repeating it must give a new hash.
func invokeHash(from, to, selector felt.Felt, calldata []felt.Felt, chainID felt.Felt, block uint64) felt.Felt {
	return txHashCommon(prefixInvoke, to, selector, calldata, chainID, from, felt.FromUint64(block))
}
