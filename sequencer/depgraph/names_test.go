package depgraph

import (
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/vm/felt"
)

// fixtureClass loads a class of the shared fixtures, or skips.
func fixtureClass(t *testing.T, name string) *contract.Class {
	t.Helper()
	c, err := contract.Load(shared.Fixture(t, "cairo0", "contracts", "starknet-devnet-rs", name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStorageVars(t *testing.T) {
	erc20 := fixtureClass(t, "crates__starknet-devnet-core__contracts__system_artifacts__ERC20_Mintable_OZ_0.2.0.json")
	got := map[string]StorageVar{}
	for _, v := range StorageVars(erc20.Program) {
		got[v.Name] = v
	}
	for _, want := range []StorageVar{
		{Name: "ERC20_balances", Args: 1, Fields: []string{".low", ".high"}},
		{Name: "ERC20_allowances", Args: 2, Fields: []string{".low", ".high"}},
		{Name: "ERC20_total_supply", Args: 0, Fields: []string{".low", ".high"}},
		{Name: "ERC20_decimals", Args: 0, Fields: []string{""}},
		{Name: "Ownable_owner", Args: 0, Fields: []string{""}},
	} {
		v, ok := got[want.Name]
		if !ok {
			t.Errorf("no storage variable %s in %v", want.Name, got)
			continue
		}
		if v.Args != want.Args || len(v.Fields) != len(want.Fields) || v.Fields[0] != want.Fields[0] || v.Fields[len(v.Fields)-1] != want.Fields[len(want.Fields)-1] {
			t.Errorf("%s = %+v, want %+v", want.Name, v, want)
		}
	}
}

func TestStorageNames(t *testing.T) {
	erc20 := fixtureClass(t, "crates__starknet-devnet-core__contracts__system_artifacts__ERC20_Mintable_OZ_0.2.0.json")
	account := fixtureClass(t, "contracts__test_artifacts__cairo0__account.json")
	token := felt.MustFromString("0x49d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7")
	alice := felt.MustFromString("0x412b0e6e8d3f2b0a9b7c1e8f8a6d4c2b0e9f7d5c3a1b2c4d6e8f0a1b3c5d7e9")
	bob := felt.MustFromString("0x64")
	classOf := func(a felt.Felt) *contract.Class {
		switch a {
		case token:
			return erc20
		case alice:
			return account
		}
		return nil
	}
	n := NewStorageNames(classOf, []felt.Felt{alice, bob, alice})
	bal := txn.StorageVarAddress("ERC20_balances", alice)
	for _, tt := range []struct {
		key  state.Key
		want string
	}{
		{state.StorageKey(token, bal), "ERC20@0x049d...4dc7:ERC20_balances[0x0412...d7e9].low"},
		{state.StorageKey(token, bal.Add(felt.One)), "ERC20@0x049d...4dc7:ERC20_balances[0x0412...d7e9].high"},
		{state.StorageKey(token, txn.StorageVarAddress("ERC20_balances", bob)), "ERC20@0x049d...4dc7:ERC20_balances[0x64].low"},
		{state.StorageKey(token, txn.StorageVarAddress("ERC20_allowances", alice, bob).Add(felt.One)), "ERC20@0x049d...4dc7:ERC20_allowances[0x0412...d7e9][0x64].high"},
		{state.StorageKey(token, txn.StorageVarAddress("ERC20_total_supply")), "ERC20@0x049d...4dc7:ERC20_total_supply.low"},
		{state.StorageKey(token, txn.StorageVarAddress("ERC20_decimals")), "ERC20@0x049d...4dc7:ERC20_decimals"},
		{state.StorageKey(token, felt.FromUint64(7)), "ERC20@0x049d...4dc7:0x7"},
		{state.StorageKey(alice, txn.StorageVarAddress("Account_public_key")), "account@0x0412...d7e9:Account_public_key"},
		{state.NonceKey(alice), "nonce:account@0x0412...d7e9"},
		{state.ClassHashKey(bob), "class:0x64"},
		{state.StorageKey(bob, felt.FromUint64(3)), "0x64:0x3"},
	} {
		if got := n.KeyName(tt.key); got != tt.want {
			t.Errorf("KeyName(%s) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := ClassName(erc20); got != "ERC20" {
		t.Errorf("ClassName(erc20) = %q", got)
	}
}

func TestShort(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"0x0", "0x0"},
		{"0x1234567890", "0x1234567890"},
		{"0x12345678901", "0x1234...8901"},
		{"0x49d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7", "0x049d...4dc7"},
	} {
		if got := Short(felt.MustFromString(tt.in)); got != tt.want {
			t.Errorf("Short(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestKeysCollapseUint256: a Uint256's two cells side by side are spelled
// once.
func TestKeysCollapseUint256(t *testing.T) {
	names := map[state.Key]string{}
	k := func(i uint64, name string) state.Key {
		key := state.StorageKey(felt.One, felt.FromUint64(i))
		names[key] = name
		return key
	}
	o := Options{KeyName: func(key state.Key) string { return names[key] }}
	ks := []state.Key{k(1, "a[1].low"), k(2, "a[1].high"), k(3, "n"), k(4, "b.low"), k(5, "c.high"), k(6, "d.low")}
	if got, want := o.keys(ks), "a[1],n,b.low,c.high,d.low"; got != want {
		t.Errorf("keys = %q, want %q", got, want)
	}
}
