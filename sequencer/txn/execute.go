package txn

import (
	"errors"
	"fmt"
	"time"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// Status is the outcome of an executed transaction. A rejected
// transaction is not executed: Execute returns its error instead.
type Status int

// The statuses.
const (
	Accepted Status = iota
	// Reverted: validation passed but execution failed (v3 only); the
	// nonce is bumped and the fee paid, nothing else changes.
	Reverted
)

func (s Status) String() string {
	if s == Reverted {
		return "REVERTED"
	}
	return "ACCEPTED"
}

// Starknet error codes of rejected transactions, beside those of
// execution.
const (
	CodeInvalidNonce           = "INVALID_TRANSACTION_NONCE"
	CodeInvalidVersion         = "INVALID_TRANSACTION_VERSION"
	CodeFeeTransferFailure     = "FEE_TRANSFER_FAILURE"
	CodeInsufficientMaxFee     = "INSUFFICIENT_MAX_FEE"
	CodeInsufficientBalance    = "INSUFFICIENT_ACCOUNT_BALANCE"
	CodeClassAlreadyDeclared   = "CLASS_ALREADY_DECLARED"
	CodeUnsupportedClassFormat = "INVALID_CONTRACT_CLASS"
)

// Receipt is the record of an executed transaction.
type Receipt struct {
	Hash   felt.Felt
	Type   Type
	Status Status
	// RevertError is the execution's error of a reverted transaction.
	RevertError string
	// ContractAddress is the account or contract a DEPLOY_ACCOUNT or
	// DEPLOY deployed.
	ContractAddress felt.Felt
	// DeclaredClass is the class a DECLARE declared: the caller adds it to
	// its classes when the transaction is committed.
	DeclaredClass *contract.Class
	// Validate, Execute (the constructor for DEPLOY_ACCOUNT and DEPLOY)
	// and FeeTransfer are the call trees; nil when not run.
	Validate, Execute, FeeTransfer *execution.CallInfo
	ActualFee                      felt.Felt
	Resources                      Resources
	// Writes are the transaction's state writes in first-write order
	// (unchanged values included, as cairo-lang's per-transaction state
	// diff lists them); Deltas the additions to the sequencer's balance
	// when the fee was credited as a delta.
	Writes []state.KV
	Deltas []state.KV
	// Timing is where the transaction's execution time went. It differs
	// from run to run, so comparisons of receipts leave it out.
	Timing Timing
}

// Timing splits a transaction's execution time into its phases, read from
// the monotonic clock at each phase's end (five clock readings per
// transaction):
//
//   - Validation: the hash, the version and fee-bound checks and the
//     account's __validate__* call;
//   - Execution: __execute__, the L1 handler, or the deployment and
//     constructor;
//   - Fee: the resources, the nonce check and increment and the fee
//     transfer;
//   - Commit: handing the transaction's writes and the sequencer's
//     credit to the state it runs on (Block-STM's view).
type Timing struct {
	Validation, Execution, Fee, Commit time.Duration
}

// Total is the sum of the phases.
func (t Timing) Total() time.Duration { return t.Validation + t.Execution + t.Fee + t.Commit }

// Add adds o's phases to t's.
func (t *Timing) Add(o Timing) {
	t.Validation += o.Validation
	t.Execution += o.Execution
	t.Fee += o.Fee
	t.Commit += o.Commit
}

// Calls returns the receipt's call trees in execution order.
func (r *Receipt) Calls() []*execution.CallInfo {
	var out []*execution.CallInfo
	switch r.Type {
	case DeployAccount:
		out = []*execution.CallInfo{r.Execute, r.Validate}
	default:
		out = []*execution.CallInfo{r.Validate, r.Execute}
	}
	out = append(out, r.FeeTransfer)
	calls := out[:0]
	for _, c := range out {
		if c != nil {
			calls = append(calls, c)
		}
	}
	return calls
}

// Event is an event with the contract that emitted it.
type Event struct {
	From       felt.Felt
	Keys, Data []felt.Felt
}

// Events lists the receipt's events: per call tree in execution order,
// each tree's events by their order.
func (r *Receipt) Events() []Event {
	var out []Event
	for _, c := range r.Calls() {
		var evs []struct {
			order int
			ev    Event
		}
		walk(c, func(ci *execution.CallInfo) {
			for _, e := range ci.Events {
				evs = append(evs, struct {
					order int
					ev    Event
				}{e.Order, Event{From: ci.Contract, Keys: e.Keys, Data: e.Data}})
			}
		})
		for i := range evs {
			for j := range evs {
				if evs[j].order == i {
					out = append(out, evs[j].ev)
				}
			}
		}
	}
	return out
}

// Messages lists the L2-to-L1 messages the receipt's calls sent, with the
// sending contract.
func (r *Receipt) Messages() []Message {
	var out []Message
	for _, c := range r.Calls() {
		walk(c, func(ci *execution.CallInfo) {
			for _, m := range ci.Messages {
				out = append(out, Message{From: ci.Contract, To: m.To, Payload: m.Payload})
			}
		})
	}
	return out
}

// Message is an L2-to-L1 message.
type Message struct {
	From, To felt.Felt
	Payload  []felt.Felt
}

func walk(c *execution.CallInfo, f func(*execution.CallInfo)) {
	f(c)
	for _, in := range c.Inner {
		walk(in, f)
	}
}

// DeltaState is a State that can add to a cell without reading it
// (Block-STM's View). The sequencer's fee credit goes through AddDelta
// when the state has it.
type DeltaState interface {
	execution.State
	AddDelta(state.Key, felt.Felt) error
}

// Executor executes transactions in an environment over declared
// classes. It holds no state of its own: one Executor serves concurrent
// executions.
type Executor struct {
	Config  Config
	Classes execution.Classes
}

func reject(code string, addr felt.Felt, format string, args ...any) *execution.Error {
	return &execution.Error{Code: code, Contract: addr, Message: fmt.Sprintf(format, args...)}
}

// Selectors of the account entry points and the fee transfer.
var (
	selValidate        = contract.Selector("__validate__")
	selValidateDeclare = contract.Selector("__validate_declare__")
	selValidateDeploy  = contract.Selector("__validate_deploy__")
	selExecute         = contract.Selector("__execute__")
	selTransfer        = contract.Selector("transfer")
)

// txRun is the state of one transaction's execution.
type txRun struct {
	e        *Executor
	tx       *Tx
	hash     felt.Felt
	account  felt.Felt
	st       execution.State
	o        *execution.Overlay
	syscalls map[string]uint64
	usage    execution.Resources
	r        *Receipt
	mark     time.Time // end of the last timed phase
}

// lap adds the time since the last phase's end to d.
func (t *txRun) lap(d *time.Duration) {
	now := time.Now()
	*d += now.Sub(t.mark)
	t.mark = now
}

// Execute runs a transaction on st. It returns the receipt of an
// accepted or reverted transaction, whose writes are then in st; or the
// *execution.Error of a rejected one, which leaves st unchanged. Other
// errors come from the state.
func (e *Executor) Execute(st execution.State, tx *Tx) (*Receipt, error) {
	start := time.Now()
	h, err := e.hash(tx)
	if err != nil {
		return nil, reject(CodeInvalidVersion, tx.Address(), "%v", err)
	}
	return e.execute(st, tx, h, start)
}

// execute is Execute with the transaction's hash computed already.
func (e *Executor) execute(st execution.State, tx *Tx, h felt.Felt, start time.Time) (*Receipt, error) {
	run := &txRun{e: e, tx: tx, hash: h, account: tx.Address(), st: st, o: execution.NewOverlay(st),
		syscalls: map[string]uint64{}, usage: execution.Resources{Builtins: map[string]uint64{}},
		r: &Receipt{Hash: h, Type: tx.Type}, mark: start}
	if err := run.verifyVersion(); err != nil {
		return nil, err
	}
	if err := run.apply(); err != nil {
		return nil, err
	}
	return run.r, nil
}

// hash is the transaction's hash on the executor's chain.
func (e *Executor) hash(tx *Tx) (felt.Felt, error) {
	if tx.Impersonated {
		if tx.Type != Invoke || tx.Version != 0 {
			return felt.Zero, fmt.Errorf("only version 0 INVOKEs are impersonated, not %s version %d", tx.Type, tx.Version)
		}
		return tx.ImpersonatedHash(e.Config.ChainID, e.Config.Block.Number), nil
	}
	return tx.Hash(e.Config.ChainID)
}

func (t *txRun) verifyVersion() error {
	allowed := map[Type][]uint64{Invoke: {0, 1, 3}, Declare: {0, 1, 2, 3}, DeployAccount: {1, 3}, Deploy: {0, 1}, L1Handler: {0}}[t.tx.Type]
	for _, v := range allowed {
		if v == t.tx.Version {
			return nil
		}
	}
	return reject(CodeInvalidVersion, t.account, "Transaction version %d is not supported. Supported versions: %v.", t.tx.Version, allowed)
}

func (t *txRun) txInfo() execution.TxInfo {
	tx := t.tx
	info := execution.TxInfo{Version: felt.FromUint64(tx.Version), AccountAddress: t.account, MaxFee: tx.MaxFee,
		Signature: tx.Signature, Hash: t.hash, ChainID: t.e.Config.ChainID, Nonce: tx.Nonce}
	switch tx.Type {
	case Deploy:
		info = execution.TxInfo{Version: felt.FromUint64(tx.Version), Hash: t.hash, ChainID: t.e.Config.ChainID}
	case L1Handler:
		info.Signature, info.MaxFee = nil, felt.Zero
	}
	return info
}

func (t *txRun) context(mode execution.Mode, maxSteps uint64, count bool) *execution.Context {
	ctx := &execution.Context{Block: t.e.Config.Block, Tx: t.txInfo(), Mode: mode, Classes: t.e.Classes, MaxSteps: maxSteps}
	if count {
		ctx.Syscalls = t.syscalls
	}
	return ctx
}

// call runs one phase's call on the transaction's overlay; its
// resources count towards the transaction's.
func (t *txRun) call(mode execution.Mode, maxSteps uint64, en execution.Entry) (*execution.CallInfo, error) {
	ci, err := execution.Run(t.context(mode, maxSteps, true), t.o, en)
	if err != nil {
		return nil, err
	}
	t.usage.Add(ci.Resources)
	return ci, nil
}

func (t *txRun) validate(selector felt.Felt, calldata []felt.Felt) error {
	if t.tx.Version == 0 {
		return nil
	}
	ci, err := t.call(execution.Validate, t.e.Config.ValidateMaxSteps, execution.Entry{
		Contract: t.account, Selector: selector, Calldata: calldata, Type: contract.External})
	if err != nil {
		return err
	}
	t.r.Validate = ci
	return nil
}

func (t *txRun) apply() error {
	tx, cfg := t.tx, t.e.Config
	l1Payload := -1
	withSender := true
	t.lap(&t.r.Timing.Validation)
	switch tx.Type {
	case Invoke:
		if err := t.checkFeeBounds(); err != nil {
			return err
		}
		if err := t.validate(selValidate, tx.Calldata); err != nil {
			return err
		}
		t.lap(&t.r.Timing.Validation)
		en := execution.Entry{Contract: t.account, Selector: selExecute, Calldata: tx.Calldata, Type: contract.External}
		if tx.Version == 0 {
			en.Selector = tx.EntryPointSelector
		}
		if tx.Impersonated {
			en = execution.Entry{Contract: tx.Contract, Caller: tx.Sender, Selector: tx.EntryPointSelector,
				Calldata: tx.Calldata, Type: contract.External}
			withSender = false
		}
		ci, err := t.call(execution.Execute, cfg.InvokeMaxSteps, en)
		if err != nil {
			var ee *execution.Error
			if tx.Version < 3 || !errors.As(err, &ee) {
				return err
			}
			t.r.Status, t.r.RevertError = Reverted, ee.Message
		}
		t.r.Execute = ci
		t.lap(&t.r.Timing.Execution)
	case Declare:
		if tx.Version >= 2 || tx.Class == nil {
			return reject(CodeUnsupportedClassFormat, t.account, "Declaring Cairo 1 (Sierra) classes is not supported; version %d declares need one.", tx.Version)
		}
		if err := t.checkFeeBounds(); err != nil {
			return err
		}
		if err := t.validate(selValidateDeclare, []felt.Felt{tx.Class.Hash}); err != nil {
			return err
		}
		t.r.DeclaredClass = tx.Class
		t.lap(&t.r.Timing.Validation)
	case DeployAccount:
		if err := t.checkFeeBounds(); err != nil {
			return err
		}
		t.r.ContractAddress = t.account
		ci, err := t.deploy(execution.Validate, cfg.ValidateMaxSteps)
		if err != nil {
			return err
		}
		t.r.Execute = ci
		t.lap(&t.r.Timing.Execution)
		data := append([]felt.Felt{tx.ClassHash, tx.Salt}, tx.Calldata...)
		if err := t.validate(selValidateDeploy, data); err != nil {
			return err
		}
		t.lap(&t.r.Timing.Validation)
	case Deploy:
		t.r.ContractAddress = t.account
		ci, err := t.deploy(execution.Execute, cfg.InvokeMaxSteps)
		if err != nil {
			return err
		}
		t.r.Execute = ci
		t.lap(&t.r.Timing.Execution)
		withSender = false
	case L1Handler:
		ci, err := t.call(execution.Execute, cfg.InvokeMaxSteps, execution.Entry{Contract: t.account,
			Selector: tx.EntryPointSelector, Calldata: tx.Calldata, Type: contract.L1Handler})
		if err != nil {
			return err
		}
		t.r.Execute = ci
		t.lap(&t.r.Timing.Execution)
		l1Payload = max(len(tx.Calldata)-1, 0)
		withSender = false
	}
	res, err := t.resources(withSender, l1Payload)
	if err != nil {
		return err
	}
	t.r.Resources = res
	if tx.Version > 0 && (tx.Type == Invoke || tx.Type == Declare || tx.Type == DeployAccount) {
		if err := t.handleNonce(); err != nil {
			return err
		}
	}
	if tx.Type != Deploy && tx.Type != L1Handler {
		if err := t.chargeFee(); err != nil {
			return err
		}
	}
	t.lap(&t.r.Timing.Fee)
	t.r.Writes = t.o.Writes()
	if err := t.o.Commit(); err != nil {
		return fmt.Errorf("commit transaction writes: %w", err)
	}
	if len(t.r.Deltas) > 0 {
		ds := t.st.(DeltaState)
		for _, kv := range t.r.Deltas {
			if err := ds.AddDelta(kv.Key, kv.Value); err != nil {
				return fmt.Errorf("credit the sequencer: %w", err)
			}
		}
	}
	t.lap(&t.r.Timing.Commit)
	return nil
}

// deploy deploys the contract of a DEPLOY_ACCOUNT or DEPLOY and runs its
// constructor.
func (t *txRun) deploy(mode execution.Mode, maxSteps uint64) (*execution.CallInfo, error) {
	tx := t.tx
	cls, err := t.e.Classes.Get(tx.ClassHash)
	if err != nil {
		if errors.Is(err, execution.ErrUndeclared) {
			return nil, reject(execution.CodeUndeclaredClass, t.account, "Class with hash %s is not declared.", tx.ClassHash)
		}
		return nil, err
	}
	if err := execution.Deploy(t.context(mode, maxSteps, false), t.o, t.account, tx.ClassHash); err != nil {
		return nil, err
	}
	if len(cls.EntryPoints[contract.Constructor]) == 0 {
		if len(tx.Calldata) != 0 {
			return nil, reject(execution.CodeTransactionFailed, t.account, "Cannot pass calldata to a contract with no constructor.")
		}
		return &execution.CallInfo{Entry: execution.Entry{Contract: t.account, Selector: contract.ConstructorSelector,
			Type: contract.Constructor}, ClassHash: tx.ClassHash}, nil
	}
	return t.call(mode, maxSteps, execution.Entry{Contract: t.account, Selector: contract.ConstructorSelector,
		Calldata: tx.Calldata, Type: contract.Constructor})
}

// resources is calculate_tx_resources, before the nonce increment and
// the fee transfer.
func (t *txRun) resources(withSender bool, l1Payload int) (Resources, error) {
	feeToken := t.feeToken()
	changedStorage := map[[2]felt.Felt]bool{}
	modified := map[felt.Felt]bool{}
	ch := stateChanges{}
	for _, kv := range t.o.Writes() {
		old, err := t.st.Read(kv.Key)
		if err != nil {
			return Resources{}, err
		}
		if old == kv.Value {
			continue
		}
		switch kv.Key.Kind {
		case state.Storage:
			changedStorage[[2]felt.Felt{kv.Key.Contract, kv.Key.Slot}] = true
		case state.ClassHash:
			ch.classHashes++
		}
		modified[kv.Key.Contract] = true
	}
	nonceIncrement := t.tx.Version > 0 && (t.tx.Type == Invoke || t.tx.Type == Declare || t.tx.Type == DeployAccount)
	if nonceIncrement {
		modified[t.account] = true
	}
	if withSender {
		changedStorage[[2]felt.Felt{feeToken, BalanceKey(t.account)}] = true
	}
	delete(modified, feeToken)
	ch.modifiedContracts, ch.storage = len(modified), len(changedStorage)

	var msgs []execution.Message
	for _, c := range []*execution.CallInfo{t.r.Validate, t.r.Execute} {
		if c != nil {
			walk(c, func(ci *execution.CallInfo) { msgs = append(msgs, ci.Messages...) })
		}
	}
	// ExecutionResources.to_dict counts memory holes as steps.
	res := Resources{L1Gas: l1Gas(ch, msgs, l1Payload), Steps: t.usage.Steps + t.usage.MemoryHoles, Builtins: map[string]uint64{}}
	for k, v := range t.usage.Builtins {
		if k == "segment_arena_builtin" {
			res.Steps += 10 * v
			continue
		}
		res.Builtins[k] += v
	}
	for name, n := range t.syscalls {
		res.addCost(osSyscallCost[name], n)
	}
	if c, ok := osTxCost[t.tx.Type]; ok {
		res.addCost(c, 1)
	}
	for k, v := range res.Builtins {
		if v == 0 {
			delete(res.Builtins, k)
		}
	}
	return res, nil
}

func (t *txRun) handleNonce() error {
	k := state.NonceKey(t.account)
	cur, err := t.o.Read(k)
	if err != nil {
		return err
	}
	if cur != t.tx.Nonce {
		return reject(CodeInvalidNonce, t.account, "Invalid transaction nonce. Expected: %s, got: %s.", cur.Decimal(), t.tx.Nonce.Decimal())
	}
	return t.o.Write(k, cur.Add(felt.One))
}

func (t *txRun) feeToken() felt.Felt {
	if t.tx.Version >= 3 {
		return t.e.Config.STRKFeeToken
	}
	return t.e.Config.FeeToken
}

func (t *txRun) gasPrice() felt.Felt {
	if t.tx.Version >= 3 {
		return t.e.Config.L1GasPriceFri
	}
	return t.e.Config.L1GasPriceWei
}

// zeroMaxFee: fee charging is skipped when the transaction commits to no
// fee at all.
func (t *txRun) zeroMaxFee() bool {
	if t.tx.Version < 3 {
		return t.tx.MaxFee.IsZero()
	}
	b := t.tx.ResourceBounds
	if b.L1Gas.MaxAmount != 0 && !b.L1Gas.MaxPricePerUnit.IsZero() {
		return false
	}
	if b.L2Gas.MaxAmount != 0 && !b.L2Gas.MaxPricePerUnit.IsZero() {
		return false
	}
	return b.L1DataGas == nil || b.L1DataGas.MaxAmount == 0 || b.L1DataGas.MaxPricePerUnit.IsZero()
}

// checkFeeBounds rejects a v3 transaction whose L1 gas price bound is
// below the block's price.
func (t *txRun) checkFeeBounds() error {
	if t.tx.Version < 3 || t.zeroMaxFee() {
		return nil
	}
	b := t.tx.ResourceBounds.L1Gas
	if b.MaxPricePerUnit.Cmp(t.gasPrice()) < 0 {
		return reject(CodeInsufficientMaxFee, t.account, "Max L1 gas price (%s) is lower than the actual gas price: %s.",
			b.MaxPricePerUnit.Decimal(), t.gasPrice().Decimal())
	}
	return nil
}

// chargeFee is charge_fee: the actual fee, bounded by the transaction's
// maximum, paid by transfer(sequencer, fee, 0) on the fee token from the
// account.
func (t *txRun) chargeFee() error {
	if t.zeroMaxFee() {
		return nil
	}
	fee := t.r.Resources.Fee(t.gasPrice())
	if t.tx.Version < 3 {
		if fee.Cmp(t.tx.MaxFee) > 0 {
			return reject(CodeFeeTransferFailure, t.account, "Actual fee exceeded max fee.")
		}
	} else if gas, bound := t.r.Resources.TotalL1Gas(), t.tx.ResourceBounds.L1Gas.MaxAmount; gas > bound {
		return reject(CodeInsufficientMaxFee, t.account, "Insufficient max L1 gas: max amount: %d, actual used: %d.", bound, gas)
	}
	t.r.ActualFee = fee
	cfg := t.e.Config
	seq := cfg.Block.SequencerAddress
	en := execution.Entry{Contract: t.feeToken(), Caller: t.account, Selector: selTransfer,
		Calldata: []felt.Felt{seq, fee, felt.Zero}, Type: contract.External}
	ctx := t.context(execution.Execute, cfg.InvokeMaxSteps, false)

	var target execution.State = t.o
	var credit *sequencerCredit
	if _, ok := t.st.(DeltaState); ok && seq != t.account {
		low := state.StorageKey(t.feeToken(), BalanceKey(seq))
		high := state.StorageKey(t.feeToken(), low.Slot.Add(felt.One))
		if !written(t.o, low) && !written(t.o, high) {
			credit = &sequencerCredit{parent: t.o, keys: [2]state.Key{low, high}}
			target = credit
		}
	}
	ci, err := execution.Run(ctx, target, en)
	if err != nil {
		msg := err.Error()
		return reject(CodeFeeTransferFailure, t.account, "%s", msg)
	}
	t.r.FeeTransfer = ci
	if credit != nil {
		for i, k := range credit.keys {
			if credit.set[i] {
				t.r.Deltas = append(t.r.Deltas, state.KV{Key: k, Value: credit.vals[i]})
			}
		}
	}
	return nil
}

func written(o *execution.Overlay, k state.Key) bool {
	for _, kv := range o.Writes() {
		if kv.Key == k {
			return true
		}
	}
	return false
}

// sequencerCredit is the state the fee transfer runs on when the
// sequencer's balance is credited by a delta: the balance cells read as
// zero (plus what the transfer wrote) without reading the state, and
// writes to them become the delta. Everything else goes to the
// transaction's overlay.
type sequencerCredit struct {
	parent execution.State
	keys   [2]state.Key
	vals   [2]felt.Felt
	set    [2]bool
}

func (c *sequencerCredit) Read(k state.Key) (felt.Felt, error) {
	for i, ck := range c.keys {
		if k == ck {
			return c.vals[i], nil
		}
	}
	return c.parent.Read(k)
}

func (c *sequencerCredit) Write(k state.Key, v felt.Felt) error {
	for i, ck := range c.keys {
		if k == ck {
			c.vals[i], c.set[i] = v, true
			return nil
		}
	}
	return c.parent.Write(k, v)
}
