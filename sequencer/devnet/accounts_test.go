package devnet

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/store/sqlite"
	"github.com/kairo-dev/kairo/vm/felt"
)

func TestGenesisAccountsPayFees(t *testing.T) {
	ctx := context.Background()
	classes := []ClassFile{{Name: "account.json", Data: fixture(t, accountFile)}, {Name: "erc20.json", Data: fixture(t, erc20File)}}
	path := filepath.Join(t.TempDir(), "devnet.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	d, g, err := Init(ctx, s, InitOptions{Options: Options{Now: fixedTime}, Classes: classes, Accounts: 2, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	if g.Header.StateRoot.IsZero() || len(d.Genesis().Accounts) != 2 {
		t.Fatalf("genesis root %s with %d accounts", g.Header.StateRoot, len(d.Genesis().Accounts))
	}
	a0, a1 := d.Genesis().Accounts[0], d.Genesis().Accounts[1]
	if want := txn.AccountKey(42, 0).String(); a0.PrivateKey != want {
		t.Fatalf("account 0 key %s, want txn.AccountKey(42, 0) = %s", a0.PrivateKey, want)
	}
	addr0, addr1 := felt.MustFromString(a0.Address), felt.MustFromString(a1.Address)
	eth := txn.DefaultFeeToken
	out, target, err := d.InvokeFrom(ctx, Sender{Address: addr0}, CallRequest{Contract: eth, Function: "transfer", Calldata: []felt.Felt{addr1, felt.FromUint64(1000), felt.Zero}})
	if err != nil {
		t.Fatal(err)
	}
	if target.Name != "transfer" || out.ActualFee.IsZero() || len(out.Events) != 2 {
		t.Fatalf("transfer through the account: fee %s, %d events (want the transfer's and the fee's)", out.ActualFee, len(out.Events))
	}
	// A rejected transaction: more than the balance.
	before, _ := s.Head(ctx)
	_, _, err = d.InvokeFrom(ctx, Sender{Address: addr1}, CallRequest{Contract: eth, Function: "transfer",
		Calldata: []felt.Felt{addr0, felt.MustFromString("2000000000000000000000"), felt.Zero}})
	if err == nil || !strings.Contains(err.Error(), "ERC20: transfer amount exceeds balance") {
		t.Fatalf("overdraft: %v", err)
	}
	if _, _, err := d.InvokeFrom(ctx, Sender{Address: felt.FromUint64(5)}, CallRequest{Contract: eth, Function: "transfer"}); err == nil ||
		err.Error() != "0x5 is not a genesis account of this devnet, so its key is unknown (give its private key, or impersonate it with --from)" {
		t.Fatalf("unknown account: %v", err)
	}
	if after, _ := s.Head(ctx); after != before {
		t.Fatalf("rejected transactions moved the head from %d to %d", before.Number, after.Number)
	}
	if err := s.VerifyState(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := sqlite.Open(ctx, path, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	d2, err := Open(ctx, s2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	accts, err := d2.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	initial := DefaultBalance.BigInt()
	want0 := initial.Sub(initial, out.ActualFee.BigInt())
	want0.Sub(want0, felt.FromUint64(1000).BigInt())
	if len(accts) != 2 || !accts[0].Nonce.IsOne() || !accts[1].Nonce.IsZero() ||
		accts[0].Balance.BigInt().Cmp(want0) != 0 || accts[1].Balance != DefaultBalance.Add(felt.FromUint64(1000)) {
		t.Fatalf("accounts after reopening: %+v", accts)
	}
	seq, err := s2.Storage(ctx, eth, txn.BalanceKey(DefaultSequencerAddress))
	if err != nil || seq != out.ActualFee {
		t.Fatalf("sequencer balance %s, %v; want the fee %s", seq, err, out.ActualFee)
	}
	tv, err := d2.Transaction(ctx, out.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if tv.Receipt.ActualFee != out.ActualFee || tv.Payload.Nonce != "0x0" || len(tv.Payload.Signature) != 2 {
		t.Fatalf("transaction read back: %+v %+v", tv.Receipt, tv.Payload)
	}
}

func TestGenesisNeedsAccountAndTokenClasses(t *testing.T) {
	ctx := context.Background()
	erc20 := ClassFile{Name: "erc20.json", Data: fixture(t, erc20File)}
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "devnet.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _, err = Init(ctx, s, InitOptions{Classes: []ClassFile{erc20}, Accounts: 1})
	if err == nil || err.Error() != "funded accounts need an account class among the classes, and there is none" {
		t.Fatalf("genesis without an account class: %v", err)
	}
	if _, err := s.Head(ctx); err == nil {
		t.Fatal("a failed genesis committed a block")
	}
}

// TestAccountTransactions walks the life of a user's own account: a
// genesis account declares a class, funds a new address, the new account
// deploys itself paying its own fee, and then sends an invoke signed with
// its key. Transactions with a wrong key or too low a maximum fee are
// rejected without touching the chain.
func TestAccountTransactions(t *testing.T) {
	ctx := context.Background()
	classes := []ClassFile{{Name: "account.json", Data: fixture(t, accountFile)}, {Name: "erc20.json", Data: fixture(t, erc20File)}}
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "devnet.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, _, err := Init(ctx, s, InitOptions{Options: Options{Now: fixedTime}, Classes: classes, Accounts: 1, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	funder := Sender{Address: felt.MustFromString(d.Genesis().Accounts[0].Address)}
	eth := txn.DefaultFeeToken

	// DECLARE v1 from the genesis account.
	dec, err := d.DeclareFrom(ctx, funder, fixture(t, "starknet-devnet-rs/crates__starknet__test_artifacts__cairo_0_l1l2.json"))
	if err != nil {
		t.Fatal(err)
	}
	if dec.Type != TypeDeclare || dec.ActualFee.IsZero() || dec.ClassHash.IsZero() {
		t.Fatalf("declare: type %s, fee %s, class %s", dec.Type, dec.ActualFee, dec.ClassHash)
	}
	if _, err := d.DeclareFrom(ctx, funder, fixture(t, "starknet-devnet-rs/crates__starknet__test_artifacts__cairo_0_l1l2.json")); err == nil ||
		!strings.Contains(err.Error(), "already declared") {
		t.Fatalf("second declaration: %v", err)
	}
	if nonce, _ := s.Nonce(ctx, funder.Address); nonce != felt.One {
		t.Fatalf("nonce after the declaration %s, want 1", nonce)
	}

	// A new account: unfunded, its deployment is refused up front.
	key := felt.FromUint64(0xC0FFEE)
	acctClass := felt.MustFromString(d.Genesis().Accounts[0].ClassHash)
	req := DeployAccountRequest{ClassHash: acctClass, PrivateKey: key}
	if _, err := d.DeployAccount(ctx, req); err == nil || !strings.Contains(err.Error(), "holds no fee tokens") {
		t.Fatalf("unfunded deployment: %v", err)
	}
	addr := req.Address()
	if _, _, err := d.InvokeFrom(ctx, funder, CallRequest{Contract: eth, Function: "transfer",
		Calldata: []felt.Felt{addr, felt.MustFromString("1000000000000000000"), felt.Zero}}); err != nil {
		t.Fatal(err)
	}
	dep, err := d.DeployAccount(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if dep.Type != TypeDeployAccount || dep.ContractAddress != addr || dep.ActualFee.IsZero() {
		t.Fatalf("deploy account: type %s at %s (want %s), fee %s", dep.Type, dep.ContractAddress, addr, dep.ActualFee)
	}
	if h, _ := s.ClassHash(ctx, addr); h != acctClass {
		t.Fatalf("class of the new account %s, want %s", h, acctClass)
	}
	if _, err := d.DeployAccount(ctx, req); err == nil {
		t.Fatal("deploying the same account twice succeeded")
	}

	// The new account invokes with its own key; a wrong key or a maximum
	// fee below the actual fee is rejected and changes nothing.
	before, _ := s.Head(ctx)
	wrong := Sender{Address: addr, PrivateKey: felt.FromUint64(0xBAD)}
	if _, _, err := d.InvokeFrom(ctx, wrong, CallRequest{Contract: eth, Function: "transfer",
		Calldata: []felt.Felt{funder.Address, felt.One, felt.Zero}}); err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Fatalf("wrong key: %v", err)
	}
	low := felt.One
	if _, _, err := d.InvokeFrom(ctx, Sender{Address: addr, PrivateKey: key, MaxFee: &low}, CallRequest{Contract: eth, Function: "transfer",
		Calldata: []felt.Felt{funder.Address, felt.One, felt.Zero}}); err == nil || !strings.Contains(err.Error(), "Actual fee exceeded max fee.") {
		t.Fatalf("max fee 1: %v", err)
	}
	if after, _ := s.Head(ctx); after != before {
		t.Fatalf("rejected transactions moved the head from %d to %d", before.Number, after.Number)
	}
	out, _, err := d.InvokeFrom(ctx, Sender{Address: addr, PrivateKey: key}, CallRequest{Contract: eth, Function: "transfer",
		Calldata: []felt.Felt{funder.Address, felt.One, felt.Zero}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.Transaction(ctx, out.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if v.Payload == nil || v.Payload.Nonce != "0x1" || len(v.Payload.Signature) != 2 {
		t.Fatalf("stored invoke %+v", v.Payload)
	}
	if err := s.VerifyState(ctx); err != nil {
		t.Fatal(err)
	}
	// The declared class survives a reopen: the class index reads it back
	// from the account's DECLARE.
	d2, err := Open(ctx, s, Options{Now: fixedTime})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := d2.Classes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range cs {
		found = found || c.ClassHash == dec.ClassHash
	}
	if !found {
		t.Fatalf("declared class %s missing after reopen: %v", dec.ClassHash, cs)
	}
}
