package devnet

import (
	"context"
	"errors"
	"fmt"

	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/vm/felt"
)

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
// goes into and what the devnet records of it.
type accountTx struct {
	batch *Batch
	base  headState
	tx    *txn.Tx
	// entryPoint is the called function's name, when known.
	entryPoint string
	// classJSON is a DECLARE's class as given.
	classJSON []byte
}

// prepare starts an account transaction in the next block: its
// environment, and the nonce and maximum fee of the sending account.
func (d *Devnet) prepare(ctx context.Context, s Sender, tx *txn.Tx) (*accountTx, error) {
	b, err := d.NewBatch(ctx)
	if err != nil {
		return nil, err
	}
	a := &accountTx{batch: b, base: headState{ctx: ctx, r: d.chain}, tx: tx}
	addr := tx.Address()
	if tx.Nonce, err = d.chain.Nonce(ctx, addr); err != nil {
		return nil, err
	}
	if s.MaxFee != nil {
		tx.MaxFee = *s.MaxFee
	} else if tx.MaxFee, err = d.chain.Storage(ctx, b.Config.FeeToken, txn.BalanceKey(addr)); err != nil {
		return nil, err
	}
	return a, nil
}

// send signs the transaction with key, executes it on the head state and
// commits it in a block of its own, recorded as kairo block run records
// its transactions. A rejected transaction commits nothing and returns a
// *RejectedError.
func (d *Devnet) send(ctx context.Context, a *accountTx, key felt.Felt) (*Outcome, error) {
	tx := a.tx
	if err := tx.Sign(d.chainID, key); err != nil {
		return nil, err
	}
	o := execution.NewOverlay(a.base)
	typ := recordType(tx.Type)
	rc, err := (&txn.Executor{Config: a.batch.Config, Classes: a.batch.Classes}).Execute(o, tx)
	if err != nil {
		return nil, rejected(typ, err)
	}
	h, b, err := a.batch.commit(ctx, []BatchTx{{Tx: tx, Receipt: rc, ClassJSON: a.classJSON, EntryPoint: a.entryPoint}}, o.Writes())
	if err != nil {
		return nil, err
	}
	out := &Outcome{Block: h, TxHash: rc.Hash, Type: typ, Events: b.Events, Resources: receiptResources(rc),
		ActualFee: rc.ActualFee, ContractAddress: rc.ContractAddress}
	if rc.Execute != nil && tx.Type == txn.Invoke {
		out.Retdata = rc.Execute.Retdata
	}
	return out, nil
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
	a.entryPoint = t.Name
	out, err := d.send(ctx, a, acct.PrivateKey)
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
	a.classJSON = raw
	out, err := d.send(ctx, a, acct.PrivateKey)
	if err != nil {
		return nil, err
	}
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
			addr, a.batch.Config.FeeToken, addr)
	}
	out, err := d.send(ctx, a, r.PrivateKey)
	if err != nil {
		return nil, err
	}
	out.ClassHash = r.ClassHash
	return out, nil
}
