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
	out, target, err := d.InvokeFrom(ctx, addr0, CallRequest{Contract: eth, Function: "transfer", Calldata: []felt.Felt{addr1, felt.FromUint64(1000), felt.Zero}})
	if err != nil {
		t.Fatal(err)
	}
	if target.Name != "transfer" || out.ActualFee.IsZero() || len(out.Events) != 2 {
		t.Fatalf("transfer through the account: fee %s, %d events (want the transfer's and the fee's)", out.ActualFee, len(out.Events))
	}
	// A rejected transaction: more than the balance.
	before, _ := s.Head(ctx)
	_, _, err = d.InvokeFrom(ctx, addr1, CallRequest{Contract: eth, Function: "transfer",
		Calldata: []felt.Felt{addr0, felt.MustFromString("2000000000000000000000"), felt.Zero}})
	if err == nil || !strings.Contains(err.Error(), "ERC20: transfer amount exceeds balance") {
		t.Fatalf("overdraft: %v", err)
	}
	if _, _, err := d.InvokeFrom(ctx, felt.FromUint64(5), CallRequest{Contract: eth, Function: "transfer"}); err == nil ||
		err.Error() != "0x5 is not a genesis account of this devnet, so its key is unknown (impersonate it with --from instead)" {
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
