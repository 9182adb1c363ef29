package devnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/vm/felt"
)

// TypeDeployAccount is the store's type of a DEPLOY_ACCOUNT transaction.
const TypeDeployAccount = "DEPLOY_ACCOUNT"

// Sender is the account that sends and signs a version 1 transaction,
// and the fee it commits to.
type Sender struct {
	Address felt.Felt
	// PrivateKey signs the transaction; zero: the key of the genesis
	// account at Address.
	PrivateKey felt.Felt
	// MaxFee bounds the fee (in wei of the fee token); nil: the
	// account's whole balance. An explicit zero charges no fee, as
	// Starknet does for a transaction with no maximum fee.
	MaxFee *felt.Felt
}

// signer returns the account with the key that signs for s.
func (d *Devnet) signer(s Sender) (txn.Account, error) {
	if s.PrivateKey.IsZero() {
		return d.account(s.Address)
	}
	return txn.Account{Address: s.Address, PrivateKey: s.PrivateKey, PublicKey: txn.PublicKey(s.PrivateKey)}, nil
}

// accountTx is a version 1 account transaction being sent: the block it
// goes into, its environment and what the devnet records of it.
type accountTx struct {
	p       pending
	cfg     txn.Config
	classes *classView
	base    headState
	tx      *txn.Tx
	// payload is the transaction's record; signature, nonce and fee are
	// filled in when it is signed.
	payload TxPayload
}

// prepare starts an account transaction in the next block: its
// environment, and the nonce and maximum fee of the sending account.
func (d *Devnet) prepare(ctx context.Context, s Sender, tx *txn.Tx) (*accountTx, error) {
	p, cfg, err := d.nextEnv(ctx)
	if err != nil {
		return nil, err
	}
	a := &accountTx{p: p, cfg: cfg, classes: d.headClasses(ctx), base: headState{ctx: ctx, r: d.chain}, tx: tx}
	addr := tx.Address()
	nonce, err := d.chain.Nonce(ctx, addr)
	if err != nil {
		return nil, err
	}
	tx.Nonce = nonce
	if s.MaxFee != nil {
		tx.MaxFee = *s.MaxFee
	} else if tx.MaxFee, err = d.chain.Storage(ctx, cfg.FeeToken, txn.BalanceKey(addr)); err != nil {
		return nil, err
	}
	return a, nil
}

// send signs the transaction with key, executes it on the head state and
// commits it in a block of its own. A rejected transaction commits
// nothing and returns a *RejectedError.
func (d *Devnet) send(ctx context.Context, a *accountTx, key felt.Felt) (*Outcome, *txn.Receipt, error) {
	tx := a.tx
	if err := tx.Sign(d.chainID, key); err != nil {
		return nil, nil, err
	}
	o := execution.NewOverlay(a.base)
	rc, err := (&txn.Executor{Config: a.cfg, Classes: a.classes}).Execute(o, tx)
	if err != nil {
		return nil, nil, rejected(a.payload.Type, err)
	}
	diff, err := stateDiff(a.base, o.Writes())
	if err != nil {
		return nil, nil, err
	}
	var evs []callEvent
	for i, e := range rc.Events() {
		evs = append(evs, callEvent{from: e.From, Event: execution.Event{Order: i, Keys: e.Keys, Data: e.Data}})
	}
	msgs := []MessageL1{}
	for _, m := range rc.Messages() {
		msgs = append(msgs, MessageL1{FromAddress: m.From.String(), ToAddress: m.To.String(), Payload: hexes(m.Payload)})
	}
	a.payload.Version = "0x1"
	a.payload.Nonce, a.payload.MaxFee, a.payload.Signature = tx.Nonce.String(), tx.MaxFee.String(), hexes(tx.Signature)
	payload, err := json.Marshal(a.payload)
	if err != nil {
		return nil, nil, fmt.Errorf("encode transaction: %w", err)
	}
	var retdata []felt.Felt
	res := Resources{Steps: rc.Resources.Steps, Builtins: rc.Resources.Builtins}
	if rc.Execute != nil {
		retdata = rc.Execute.Retdata
		res.MemoryHoles = rc.Execute.Resources.MemoryHoles
	}
	rp := ReceiptPayload{Type: a.payload.Type, MessagesSent: msgs, ExecutionResources: res}
	switch a.payload.Type {
	case TypeInvoke:
		rp.Retdata = hexes(retdata)
	case TypeDeclare:
		rp.ClassHash = a.payload.ClassHash
	case TypeDeployAccount:
		rp.ContractAddress, rp.ClassHash = a.payload.ContractAddress, a.payload.ClassHash
	}
	status, reason := StatusSucceeded, ""
	if rc.Status == txn.Reverted {
		status, reason = StatusReverted, rc.RevertError
	}
	sr := store.Receipt{Status: status, ActualFee: rc.ActualFee, RevertReason: reason}
	h, b, err := d.commitReceipt(ctx, a.p, store.Transaction{Hash: rc.Hash, Type: a.payload.Type, Payload: payload}, sr, rp, evs, diff)
	if err != nil {
		return nil, nil, err
	}
	out := &Outcome{Block: h, TxHash: rc.Hash, Type: a.payload.Type, Events: b.Events, Resources: res,
		ActualFee: rc.ActualFee, Retdata: retdata}
	return out, rc, nil
}

// InvokeFrom sends a version 1 INVOKE from an account: the call is
// wrapped in the account's __execute__, signed with the account's key,
// validated, and pays its fee in the fee token; the nonce is the
// account's.
func (d *Devnet) InvokeFrom(ctx context.Context, s Sender, r CallRequest) (*Outcome, Target, error) {
	acct, err := d.signer(s)
	if err != nil {
		return nil, Target{}, err
	}
	t, err := resolve(headState{ctx: ctx, r: d.chain}, d.headClasses(ctx), r.Contract, r.Function)
	if err != nil {
		return nil, t, err
	}
	tx := &txn.Tx{Type: txn.Invoke, Version: 1, Sender: acct.Address,
		Calldata: txn.ExecuteCalldata(txn.Call{To: r.Contract, Selector: t.Selector, Calldata: r.Calldata})}
	a, err := d.prepare(ctx, s, tx)
	if err != nil {
		return nil, t, err
	}
	a.payload = TxPayload{Type: TypeInvoke, SenderAddress: acct.Address.String(), ContractAddress: r.Contract.String(),
		EntryPointSelector: t.Selector.String(), EntryPoint: t.Name, Calldata: hexes(tx.Calldata)}
	out, _, err := d.send(ctx, a, acct.PrivateKey)
	if err != nil {
		return nil, t, err
	}
	out.ContractAddress = r.Contract
	return out, t, nil
}

// DeclareFrom declares a Cairo 0 class (compiled or RPC form) by a
// version 1 DECLARE from an account: validated by the account's
// __validate_declare__, signed, with its nonce and fee.
func (d *Devnet) DeclareFrom(ctx context.Context, s Sender, data []byte) (*Outcome, error) {
	cls, raw, err := parseClass(data)
	if err != nil {
		return nil, err
	}
	if err := d.checkUndeclared(ctx, cls.Hash); err != nil {
		return nil, err
	}
	acct, err := d.signer(s)
	if err != nil {
		return nil, err
	}
	tx := &txn.Tx{Type: txn.Declare, Version: 1, Sender: acct.Address, Class: cls}
	a, err := d.prepare(ctx, s, tx)
	if err != nil {
		return nil, err
	}
	a.payload = TxPayload{Type: TypeDeclare, SenderAddress: acct.Address.String(), ClassHash: cls.Hash.String(), ContractClass: raw}
	out, _, err := d.send(ctx, a, acct.PrivateKey)
	if err != nil {
		return nil, err
	}
	d.classes.add(cls, out.Block.Number, raw)
	out.ClassHash = cls.Hash
	return out, nil
}

// checkUndeclared fails when the class is declared already.
func (d *Devnet) checkUndeclared(ctx context.Context, h felt.Felt) error {
	_, block, err := d.classes.lookup(ctx, d.chain, h, ^uint64(0))
	if err == nil {
		return fmt.Errorf("class %s is already declared (block %d)", h, block)
	}
	if !errors.Is(err, execution.ErrUndeclared) {
		return err
	}
	return nil
}

// DeployAccountRequest deploys an account contract by a DEPLOY_ACCOUNT
// transaction: the account pays for its own deployment, so its address
// must hold fee tokens first.
type DeployAccountRequest struct {
	ClassHash  felt.Felt
	PrivateKey felt.Felt
	// Salt is the address salt; nil: the public key.
	Salt *felt.Felt
	// Calldata is the constructor calldata; nil: the public key, as the
	// OpenZeppelin account's constructor takes.
	Calldata []felt.Felt
	// MaxFee as in Sender.
	MaxFee *felt.Felt
}

// tx is the unsigned transaction of the request.
func (r DeployAccountRequest) tx() *txn.Tx {
	pub := txn.PublicKey(r.PrivateKey)
	tx := &txn.Tx{Type: txn.DeployAccount, Version: 1, ClassHash: r.ClassHash, Salt: pub, Calldata: r.Calldata}
	if r.Salt != nil {
		tx.Salt = *r.Salt
	}
	if tx.Calldata == nil {
		tx.Calldata = []felt.Felt{pub}
	}
	return tx
}

// Address is the address the account will have.
func (r DeployAccountRequest) Address() felt.Felt { return r.tx().Address() }

// DeployAccount sends a version 1 DEPLOY_ACCOUNT: the account is
// deployed, its constructor run, its __validate_deploy__ called, and it
// pays its fee from its own balance.
func (d *Devnet) DeployAccount(ctx context.Context, r DeployAccountRequest) (*Outcome, error) {
	if r.PrivateKey.IsZero() {
		return nil, fmt.Errorf("deploy account: a private key is needed")
	}
	tx := r.tx()
	addr := tx.Address()
	if _, err := d.headClasses(ctx).Get(r.ClassHash); errors.Is(err, execution.ErrUndeclared) {
		return nil, fmt.Errorf("class %s is not declared", r.ClassHash)
	} else if err != nil {
		return nil, err
	}
	a, err := d.prepare(ctx, Sender{Address: addr, PrivateKey: r.PrivateKey, MaxFee: r.MaxFee}, tx)
	if err != nil {
		return nil, err
	}
	if r.MaxFee == nil && tx.MaxFee.IsZero() {
		return nil, fmt.Errorf("account %s holds no fee tokens to pay for its deployment: send it some first (kairo devnet invoke %s transfer --calldata %s,AMOUNT,0 --account FUNDED_ACCOUNT)",
			addr, a.cfg.FeeToken, addr)
	}
	a.payload = TxPayload{Type: TypeDeployAccount, SenderAddress: addr.String(), ContractAddress: addr.String(),
		ClassHash: r.ClassHash.String(), ContractAddressSalt: tx.Salt.String(), ConstructorCalldata: hexes(tx.Calldata)}
	out, _, err := d.send(ctx, a, r.PrivateKey)
	if err != nil {
		return nil, err
	}
	out.ClassHash, out.ContractAddress = r.ClassHash, addr
	return out, nil
}
