package devnet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/vm/felt"
)

// maxSteps is the step budget of a transaction (Starknet 0.13's
// invoke_tx_max_n_steps).
const maxSteps = 10_000_000

// Outcome is what a transaction did, once committed.
type Outcome struct {
	Block           store.Header
	TxHash          felt.Felt
	Type            string
	ClassHash       felt.Felt
	ContractAddress felt.Felt
	Retdata         []felt.Felt
	Events          []store.Event
	Resources       Resources
	ActualFee       felt.Felt
}

// RejectedError is a transaction whose execution failed: it was not
// included, and the store is unchanged. Code is Starknet's error code and
// Message its full message (Cairo traceback included).
type RejectedError struct {
	Type    string
	Code    string
	Message string
}

// Error summarises the failure in one line: the Cairo error messages
// (with_attr) from the outermost scope in, or the message's first line.
func (e *RejectedError) Error() string {
	return fmt.Sprintf("%s rejected (%s): %s", strings.ToLower(e.Type), e.Code, e.Summary())
}

// Summary is the failure in one line.
func (e *RejectedError) Summary() string {
	var attrs []string
	for _, line := range strings.Split(e.Message, "\n") {
		if m, ok := strings.CutPrefix(line, "Error message: "); ok {
			attrs = append(attrs, m)
		}
	}
	if len(attrs) == 0 {
		// "Error at pc=0:124:" alone says little; the line after it is
		// the failure itself (an invalid signature, say).
		lines := strings.SplitN(e.Message, "\n", 3)
		if len(lines) > 1 && strings.HasPrefix(lines[0], "Error at pc=") && lines[1] != "" &&
			!strings.HasPrefix(lines[1], "Cairo traceback") {
			return lines[1]
		}
		return lines[0]
	}
	slices.Reverse(attrs)
	return strings.Join(attrs, ": ")
}

// rejected wraps an execution failure; other errors pass through.
func rejected(typ string, err error) error {
	var ee *execution.Error
	if errors.As(err, &ee) {
		return &RejectedError{Type: typ, Code: ee.Code, Message: ee.Message}
	}
	return err
}

// parseClass parses a Cairo 0 class and returns it with its compacted
// JSON, as the DECLARE transaction keeps it.
func parseClass(data []byte) (*contract.Class, json.RawMessage, error) {
	cls, err := contract.Parse(data)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", contract.ErrInvalidClass, err)
	}
	return cls, buf.Bytes(), nil
}

func (d *Devnet) declareTx(cls *contract.Class, raw json.RawMessage, sender felt.Felt) (store.Transaction, ReceiptPayload, error) {
	p, err := json.Marshal(TxPayload{Type: TypeDeclare, Version: "0x0", SenderAddress: sender.String(), Impersonated: true,
		ClassHash: cls.Hash.String(), ContractClass: raw})
	if err != nil {
		return store.Transaction{}, ReceiptPayload{}, fmt.Errorf("encode declaration: %w", err)
	}
	tx := store.Transaction{Hash: declareHash(sender, cls.Hash, d.chainID), Type: TypeDeclare, Payload: p}
	return tx, ReceiptPayload{Type: TypeDeclare, ClassHash: cls.Hash.String(), MessagesSent: []MessageL1{}}, nil
}

// Declare declares a Cairo 0 class (compiled or RPC form) in a new block.
// sender is the impersonated sender (zero: 0x1, as Starknet's version 0
// declarations).
func (d *Devnet) Declare(ctx context.Context, data []byte, sender felt.Felt) (*Outcome, error) {
	cls, raw, err := parseClass(data)
	if err != nil {
		return nil, err
	}
	if sender.IsZero() {
		sender = felt.One
	}
	if err := d.checkUndeclared(ctx, cls.Hash); err != nil {
		return nil, err
	}
	p, err := d.next(ctx)
	if err != nil {
		return nil, err
	}
	tx, rp, err := d.declareTx(cls, raw, sender)
	if err != nil {
		return nil, err
	}
	h, _, err := d.commitOne(ctx, p, tx, rp, nil, nil)
	if err != nil {
		return nil, err
	}
	d.classes.add(cls, h.Number, raw)
	return &Outcome{Block: h, TxHash: tx.Hash, Type: TypeDeclare, ClassHash: cls.Hash}, nil
}

// DeployRequest deploys a contract of a declared class.
type DeployRequest struct {
	ClassHash felt.Felt
	Salt      felt.Felt
	Calldata  []felt.Felt
	// Deployer is the impersonated deployer; the address is computed from
	// it as the deploy syscall does (zero: deploy from zero).
	Deployer felt.Felt
}

// DeployAddress is the address a deploy request gives its contract.
func DeployAddress(r DeployRequest) felt.Felt {
	return execution.ContractAddress(r.Salt, r.ClassHash, r.Calldata, r.Deployer)
}

// Deploy deploys a contract and runs its constructor in a new block.
func (d *Devnet) Deploy(ctx context.Context, r DeployRequest) (*Outcome, error) {
	classes := d.headClasses(ctx)
	cls, err := classes.Get(r.ClassHash)
	if errors.Is(err, execution.ErrUndeclared) {
		return nil, fmt.Errorf("class %s is not declared", r.ClassHash)
	}
	if err != nil {
		return nil, err
	}
	addr := DeployAddress(r)
	p, err := d.next(ctx)
	if err != nil {
		return nil, err
	}
	base := headState{ctx: ctx, r: d.chain}
	ectx := d.context(p, classes, r.Deployer, deployHash(addr, r.Calldata, d.chainID))
	o := execution.NewOverlay(base)
	if err := execution.Deploy(ectx, o, addr, r.ClassHash); err != nil {
		var ee *execution.Error
		if errors.As(err, &ee) && ee.Code == execution.CodeAddressUnavailable {
			return nil, fmt.Errorf("a contract is already deployed at %s (pass another --salt)", addr)
		}
		return nil, rejected(TypeDeploy, err)
	}
	var ci *execution.CallInfo
	if len(cls.EntryPoints[contract.Constructor]) > 0 {
		ci, err = execution.Run(ectx, o, execution.Entry{Contract: addr, Caller: r.Deployer,
			Selector: contract.ConstructorSelector, Calldata: r.Calldata, Type: contract.Constructor})
		if err != nil {
			return nil, rejected(TypeDeploy, err)
		}
	} else if len(r.Calldata) > 0 {
		return nil, fmt.Errorf("class %s has no constructor, but %d constructor arguments were given", r.ClassHash, len(r.Calldata))
	}
	diff, err := stateDiff(base, o.Writes())
	if err != nil {
		return nil, err
	}
	evs, msgs := flatten(ci)
	payload, err := json.Marshal(TxPayload{Type: TypeDeploy, Version: "0x0", SenderAddress: r.Deployer.String(), Impersonated: true,
		ContractAddress: addr.String(), ClassHash: r.ClassHash.String(), ContractAddressSalt: r.Salt.String(),
		ConstructorCalldata: hexes(r.Calldata)})
	if err != nil {
		return nil, err
	}
	tx := store.Transaction{Hash: ectx.Tx.Hash, Type: TypeDeploy, Payload: payload}
	rp := ReceiptPayload{Type: TypeDeploy, ContractAddress: addr.String(), ClassHash: r.ClassHash.String(),
		MessagesSent: msgs, ExecutionResources: resourcesOf(ci)}
	h, b, err := d.commitOne(ctx, p, tx, rp, evs, diff)
	if err != nil {
		return nil, err
	}
	return &Outcome{Block: h, TxHash: tx.Hash, Type: TypeDeploy, ClassHash: r.ClassHash, ContractAddress: addr,
		Events: b.Events, Resources: rp.ExecutionResources}, nil
}

// context is the execution context of a transaction in block p.
func (d *Devnet) context(p pending, classes execution.Classes, from, txHash felt.Felt) *execution.Context {
	return &execution.Context{
		Block:    execution.BlockInfo{Number: p.number, Timestamp: p.header.Timestamp, SequencerAddress: d.seqAddr},
		Tx:       execution.TxInfo{Version: felt.Zero, AccountAddress: from, Hash: txHash, ChainID: d.chainID},
		Classes:  classes,
		MaxSteps: maxSteps,
	}
}

// CallRequest is a call of an external function: Function is its name
// (resolved through the contract's class) or a selector number.
type CallRequest struct {
	From     felt.Felt
	Contract felt.Felt
	Function string
	Calldata []felt.Felt
	// Block, when set, runs the call on the state right after that block.
	Block *uint64
}

// Target is a resolved function of a deployed contract.
type Target struct {
	Contract  felt.Felt
	ClassHash felt.Felt
	Selector  felt.Felt
	// Name is the function's name, "" when it was given as a selector.
	Name string
}

// resolve finds the class of a contract and the selector of a function.
func resolve(st execution.State, classes execution.Classes, addr felt.Felt, function string) (Target, error) {
	t := Target{Contract: addr}
	h, err := st.Read(stateClassHashKey(addr))
	if err != nil {
		return t, err
	}
	if h.IsZero() {
		return t, fmt.Errorf("no contract is deployed at %s", addr)
	}
	t.ClassHash = h
	cls, err := classes.Get(h)
	if errors.Is(err, execution.ErrUndeclared) {
		return t, fmt.Errorf("contract %s has class %s, which is not a declared Cairo 0 class", addr, h)
	}
	if err != nil {
		return t, err
	}
	fn := strings.TrimSpace(function)
	if fn == "" {
		return t, errors.New("no function given")
	}
	if fn[0] >= '0' && fn[0] <= '9' {
		if t.Selector, err = ParseFelt("selector", fn); err != nil {
			return t, err
		}
		t.Name = functionName(cls, t.Selector)
	} else {
		t.Selector, t.Name = contract.Selector(fn), fn
	}
	if _, ok := cls.EntryPoint(contract.External, t.Selector); !ok {
		names := functionNames(cls)
		what := fmt.Sprintf("selector %s", t.Selector)
		if t.Name != "" {
			what = fmt.Sprintf("%q", t.Name)
		}
		msg := fmt.Sprintf("contract %s (class %s) has no external function %s", addr, h, what)
		if len(names) > 0 {
			msg += "; it has " + strings.Join(names, ", ")
		}
		return t, errors.New(msg)
	}
	return t, nil
}

// abiEntry is the part of a Cairo 0 ABI entry the devnet reads.
type abiEntry struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

func abiEntries(cls *contract.Class) []abiEntry {
	var entries []abiEntry
	if err := json.Unmarshal(cls.ABI, &entries); err != nil {
		return nil
	}
	return entries
}

// functionNames lists the external functions of a class by name: those of
// its ABI that have an entry point.
func functionNames(cls *contract.Class) []string {
	var names []string
	for _, e := range abiEntries(cls) {
		if e.Type != "function" {
			continue
		}
		sel := contract.Selector(e.Name)
		for _, ep := range cls.EntryPoints[contract.External] {
			if ep.Selector == sel {
				names = append(names, e.Name)
				break
			}
		}
	}
	sort.Strings(names)
	return names
}

// functionName finds the ABI name of a selector ("" when none).
func functionName(cls *contract.Class, sel felt.Felt) string {
	for _, e := range abiEntries(cls) {
		if (e.Type == "function" || e.Type == "l1_handler") && contract.Selector(e.Name) == sel {
			return e.Name
		}
	}
	return ""
}

// Call runs a function without committing anything and returns its
// return data.
func (d *Devnet) Call(ctx context.Context, r CallRequest) ([]felt.Felt, Target, error) {
	var base execution.State
	classes := d.headClasses(ctx)
	p, err := d.next(ctx)
	if err != nil {
		return nil, Target{}, err
	}
	if r.Block != nil {
		head := p.number - 1
		if *r.Block > head {
			return nil, Target{}, fmt.Errorf("block %d is above the head (block %d)", *r.Block, head)
		}
		base = pastState{ctx: ctx, r: d.chain, block: *r.Block}
		classes.maxBlock = *r.Block
		hdr, err := d.chain.BlockByNumber(ctx, *r.Block)
		if err != nil {
			return nil, Target{}, err
		}
		p = pending{number: *r.Block, header: hdr}
	} else {
		base = headState{ctx: ctx, r: d.chain}
	}
	t, err := resolve(base, classes, r.Contract, r.Function)
	if err != nil {
		return nil, t, err
	}
	ectx := d.context(p, classes, r.From, felt.Zero)
	ci, err := execution.Run(ectx, execution.NewOverlay(base), execution.Entry{Contract: r.Contract, Caller: r.From,
		Selector: t.Selector, Calldata: r.Calldata, Type: contract.External})
	if err != nil {
		return nil, t, rejected("call", err)
	}
	return ci.Retdata, t, nil
}

// Invoke runs a function as an impersonated transaction from r.From and
// commits its block. A failing call is a *RejectedError and commits
// nothing.
func (d *Devnet) Invoke(ctx context.Context, r CallRequest) (*Outcome, Target, error) {
	if r.Block != nil {
		return nil, Target{}, errors.New("an invoke runs on the head; --block is for calls")
	}
	classes := d.headClasses(ctx)
	base := headState{ctx: ctx, r: d.chain}
	t, err := resolve(base, classes, r.Contract, r.Function)
	if err != nil {
		return nil, t, err
	}
	p, err := d.next(ctx)
	if err != nil {
		return nil, t, err
	}
	txHash := invokeHash(r.From, r.Contract, t.Selector, r.Calldata, d.chainID, p.number)
	ectx := d.context(p, classes, r.From, txHash)
	o := execution.NewOverlay(base)
	ci, err := execution.Run(ectx, o, execution.Entry{Contract: r.Contract, Caller: r.From,
		Selector: t.Selector, Calldata: r.Calldata, Type: contract.External})
	if err != nil {
		return nil, t, rejected(TypeInvoke, err)
	}
	diff, err := stateDiff(base, o.Writes())
	if err != nil {
		return nil, t, err
	}
	evs, msgs := flatten(ci)
	payload, err := json.Marshal(TxPayload{Type: TypeInvoke, Version: "0x0", SenderAddress: r.From.String(), Impersonated: true,
		ContractAddress: r.Contract.String(), EntryPointSelector: t.Selector.String(), EntryPoint: t.Name,
		Calldata: hexes(r.Calldata)})
	if err != nil {
		return nil, t, err
	}
	tx := store.Transaction{Hash: txHash, Type: TypeInvoke, Payload: payload}
	rp := ReceiptPayload{Type: TypeInvoke, Retdata: hexes(ci.Retdata), MessagesSent: msgs, ExecutionResources: resourcesOf(ci)}
	h, b, err := d.commitOne(ctx, p, tx, rp, evs, diff)
	if err != nil {
		return nil, t, err
	}
	return &Outcome{Block: h, TxHash: txHash, Type: TypeInvoke, ContractAddress: r.Contract, Retdata: ci.Retdata,
		Events: b.Events, Resources: rp.ExecutionResources}, t, nil
}
