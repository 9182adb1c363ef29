package block

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/spf13/viper"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/store/sqlite"
	"github.com/kairo-dev/kairo/vm/felt"
)

// writeTxs writes a transactions file.
func writeTxs(t *testing.T, txs ...*txn.FileTx) string {
	t.Helper()
	var buf bytes.Buffer
	if err := txn.WriteFile(&buf, &txn.File{Description: "test", Txs: txs}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "txs.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runJSON runs a transactions file on the devnet and returns its summary.
func runJSON(t *testing.T, cfg *viper.Viper, db, file string) runSummary {
	t.Helper()
	out, errOut, err := kairoCfg(t, cfg, "run", file, "--db", db, "--workers", "2", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var s runSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return s
}

// TestStarknetTransactionTypes: a signed DECLARE, a funding transfer and
// a DEPLOY_ACCOUNT in one block; then, with the declared class, a DEPLOY,
// an L1_HANDLER and an impersonated INVOKE in the next.
func TestStarknetTransactionTypes(t *testing.T) {
	db, cfg := testDevnet(t, 2)
	raw := shared.ReadFixture(t, "cairo0", "contracts", "starknet-devnet-rs", "crates__starknet__test_artifacts__cairo_0_l1l2.json")
	var compact bytes.Buffer
	json.Compact(&compact, raw)
	l1l2, err := contract.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	s, err := sqlite.Open(ctx, db, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	net, err := devnet.Open(ctx, s, devnet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := net.Genesis()
	chainID := net.ChainID()
	s.Close()
	a0 := g.Accounts[0]
	acct := txn.Account{Address: felt.MustFromString(a0.Address), PrivateKey: felt.MustFromString(a0.PrivateKey)}
	accountClass := felt.MustFromString(a0.ClassHash)
	token := felt.MustFromString(g.FeeToken)
	maxFee := felt.FromUint64(1e16)
	sign := func(tx *txn.Tx, key felt.Felt) *txn.Tx {
		if err := tx.Sign(chainID, key); err != nil {
			t.Fatal(err)
		}
		return tx
	}

	newKey := txn.AccountKey(99, 0)
	newPub := txn.PublicKey(newKey)
	deployAccount := sign(&txn.Tx{Type: txn.DeployAccount, Version: 1, ClassHash: accountClass, Salt: newPub,
		Calldata: []felt.Felt{newPub}, MaxFee: maxFee}, newKey)
	newAddr := deployAccount.Address()
	fund, err := txn.SignedInvoke(chainID, acct, 1, maxFee, txn.Transfer(token, newAddr, felt.FromUint64(1e17)))
	if err != nil {
		t.Fatal(err)
	}
	declare := sign(&txn.Tx{Type: txn.Declare, Version: 1, Sender: acct.Address, Class: l1l2, ClassHash: l1l2.Hash, MaxFee: maxFee}, acct.PrivateKey)
	file := writeTxs(t, &txn.FileTx{Tx: declare, ClassJSON: compact.Bytes()}, &txn.FileTx{Tx: fund}, &txn.FileTx{Tx: deployAccount})
	sum := runJSON(t, cfg, db, file)
	if *sum.Accepted != 3 || sum.Block == nil || sum.Block.Number != 1 {
		t.Fatalf("block 1: %+v", sum)
	}

	deploy := &txn.Tx{Type: txn.Deploy, Version: 0, ClassHash: l1l2.Hash, Salt: felt.One}
	addr := deploy.Address()
	user := felt.FromUint64(0x55)
	l1 := &txn.Tx{Type: txn.L1Handler, Version: 0, Sender: addr, EntryPointSelector: contract.Selector("deposit"),
		Calldata: []felt.Felt{felt.MustFromString("749882478819638189522059655282096373471980381600"), user, felt.FromUint64(0x10)}}
	inc := &txn.Tx{Type: txn.Invoke, Version: 0, Impersonated: true, Sender: felt.FromUint64(7), Contract: addr,
		EntryPointSelector: contract.Selector("increase_balance"), Calldata: []felt.Felt{user, felt.One}}
	second, err := txn.SignedInvoke(chainID, acct, 2, maxFee, txn.Transfer(token, newAddr, felt.FromUint64(5)))
	if err != nil {
		t.Fatal(err)
	}
	// Version 3: one that pays in STRK, one whose execution fails
	// (a transfer above the balance) and is reverted.
	v3 := func(nonce uint64, amount felt.Felt) *txn.Tx {
		return sign(&txn.Tx{Type: txn.Invoke, Version: 3, Sender: acct.Address, Nonce: felt.FromUint64(nonce),
			Calldata:       txn.ExecuteCalldata(txn.Transfer(token, newAddr, amount)),
			ResourceBounds: txn.ResourceBounds{L1Gas: txn.ResourceBound{MaxAmount: 100000, MaxPricePerUnit: felt.FromUint64(1e9)}}}, acct.PrivateKey)
	}
	file = writeTxs(t, &txn.FileTx{Tx: deploy}, &txn.FileTx{Tx: l1, EntryPoint: "deposit"},
		&txn.FileTx{Tx: inc, EntryPoint: "increase_balance"}, &txn.FileTx{Tx: second},
		&txn.FileTx{Tx: v3(3, felt.FromUint64(7))}, &txn.FileTx{Tx: v3(4, felt.MustFromString("0xffffffffffffffffffffffff"))})
	sum = runJSON(t, cfg, db, file)
	if *sum.Accepted != 5 || sum.Reverted != 1 || sum.Block == nil || sum.Block.Number != 2 || sum.Block.Txs != 6 ||
		len(sum.Reverts) != 1 || sum.Reverts[0].Tx != 5 {
		t.Fatalf("block 2: %+v", sum)
	}

	s, err = sqlite.Open(ctx, db, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		what           string
		contract, slot felt.Felt
		want           felt.Felt
	}{
		{"l1l2 balance", addr, txn.StorageVarAddress("balance", user), felt.FromUint64(0x11)},
		{"new account's key", newAddr, txn.StorageVarAddress("Account_public_key"), newPub},
	} {
		v, err := s.Storage(ctx, c.contract, c.slot)
		if err != nil || v != c.want {
			t.Errorf("%s = %s (%v), want %s", c.what, v, err, c.want)
		}
	}
	if n, err := s.Nonce(ctx, newAddr); err != nil || n != felt.One {
		t.Errorf("new account's nonce %s (%v)", n, err)
	}
	if n, err := s.Nonce(ctx, acct.Address); err != nil || n != felt.FromUint64(5) {
		t.Errorf("account 0's nonce %s (%v), want 5 (the reverted transaction counts)", n, err)
	}
	txs, err := s.Receipts(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) != 6 || txs[5].Status != devnet.StatusReverted || txs[5].RevertReason == "" || txs[4].Status != devnet.StatusSucceeded {
		t.Errorf("receipts of block 2: %+v", txs)
	}
	if h, err := s.ClassHash(ctx, addr); err != nil || h != l1l2.Hash {
		t.Errorf("deployed class %s (%v)", h, err)
	}
}
