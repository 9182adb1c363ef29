package devnet

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/memstore"
	"github.com/kairo-dev/kairo/store/sqlite"
	"github.com/kairo-dev/kairo/vm/felt"
)

// fixture reads a class of the shared fixtures, skipping the test when
// they are absent.
func fixture(t testing.TB, rel string) []byte {
	t.Helper()
	return shared.ReadFixture(t, "cairo0", "contracts", rel)
}

const (
	erc20File   = "starknet-devnet-rs/crates__starknet-devnet-core__contracts__system_artifacts__ERC20_Mintable_OZ_0.2.0.json"
	accountFile = "starknet-devnet-rs/contracts__test_artifacts__cairo0__account.json"
)

var (
	owner     = felt.FromUint64(0x111)
	alice     = felt.FromUint64(0x222)
	bob       = felt.FromUint64(0x333)
	fixedTime = func() time.Time { return time.Unix(1_700_000_000, 0) }
)

func mustFelts(t testing.TB, items ...string) []felt.Felt {
	t.Helper()
	fs, err := ParseCalldata(items)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// erc20Scenario declares the ERC20 class, deploys a token with 1000 units
// for owner, mints 50 to alice and transfers 30 from alice to bob. It
// returns the token's address.
func erc20Scenario(t *testing.T, ctx context.Context, d *Devnet) felt.Felt {
	t.Helper()
	dec, err := d.Declare(ctx, fixture(t, erc20File), felt.Zero)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Block.Number != 1 || dec.Block.StateRoot != (felt.Felt{}) {
		t.Fatalf("declare: block %d, root %s; want block 1 and the empty state's root", dec.Block.Number, dec.Block.StateRoot)
	}
	dep, err := d.Deploy(ctx, DeployRequest{ClassHash: dec.ClassHash, Salt: felt.FromUint64(7),
		Calldata: mustFelts(t, "'Kairo Token','KRO',18,1000,0", owner.String(), owner.String())})
	if err != nil {
		t.Fatal(err)
	}
	if dep.Block.StateRoot.IsZero() || len(dep.Events) != 2 {
		t.Fatalf("deploy: root %s, %d events; want a non-zero root, Transfer and OwnershipTransferred", dep.Block.StateRoot, len(dep.Events))
	}
	token := dep.ContractAddress
	if _, _, err := d.Invoke(ctx, CallRequest{From: owner, Contract: token, Function: "mint", Calldata: mustFelts(t, alice.String(), "50,0")}); err != nil {
		t.Fatal(err)
	}
	out, target, err := d.Invoke(ctx, CallRequest{From: alice, Contract: token, Function: "transfer", Calldata: mustFelts(t, bob.String(), "30,0")})
	if err != nil {
		t.Fatal(err)
	}
	if target.Name != "transfer" || len(out.Retdata) != 1 || !out.Retdata[0].IsOne() {
		t.Fatalf("transfer: %+v returned %v, want TRUE", target, out.Retdata)
	}
	return token
}

func balance(t *testing.T, ctx context.Context, d *Devnet, token, who felt.Felt, block *uint64) uint64 {
	t.Helper()
	ret, _, err := d.Call(ctx, CallRequest{Contract: token, Function: "balanceOf", Calldata: []felt.Felt{who}, Block: block})
	if err != nil {
		t.Fatal(err)
	}
	if len(ret) != 2 || !ret[1].IsZero() {
		t.Fatalf("balanceOf(%s) = %v, want a small Uint256", who, ret)
	}
	v, _ := ret[0].Uint64()
	return v
}

func TestERC20PersistsAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "devnet.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	d, genesis, err := Init(ctx, s, InitOptions{Options: Options{Now: fixedTime}})
	if err != nil {
		t.Fatal(err)
	}
	if genesis.Header.Number != 0 || genesis.Header.TxCount != 1 {
		t.Fatalf("genesis block %d with %d transactions", genesis.Header.Number, genesis.Header.TxCount)
	}
	token := erc20Scenario(t, ctx, d)
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head.Number != 4 {
		t.Fatalf("head is block %d, want 4 (genesis, declare, deploy, mint, transfer)", head.Number)
	}
	want := map[felt.Felt]uint64{owner: 1000, alice: 20, bob: 30}
	for who, v := range want {
		if got := balance(t, ctx, d, token, who, nil); got != v {
			t.Errorf("balance of %s = %d, want %d", who, got, v)
		}
	}
	// As of the mint (block 3) bob had nothing and alice 50.
	three := uint64(3)
	if got := balance(t, ctx, d, token, alice, &three); got != 50 {
		t.Errorf("alice at block 3: %d, want 50", got)
	}
	if err := s.VerifyState(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := sqlite.Open(ctx, path, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	d2, err := Open(ctx, s2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	head2, err := s2.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head2 != head {
		t.Fatalf("reopened head %+v, want %+v", head2, head)
	}
	for who, v := range want {
		if got := balance(t, ctx, d2, token, who, nil); got != v {
			t.Errorf("after reopen: balance of %s = %d, want %d", who, got, v)
		}
	}
	if d2.ChainID() != DefaultChainID {
		t.Errorf("chain id %s, want SN_SEPOLIA", d2.ChainID())
	}
	blk, err := d2.Block(ctx, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(blk.Transactions) != 1 || len(blk.Receipts) != 1 || len(blk.Events) != 1 {
		t.Fatalf("head block: %d txs, %d receipts, %d events", len(blk.Transactions), len(blk.Receipts), len(blk.Events))
	}
	tv, err := d2.Transaction(ctx, blk.Transactions[0].Hash)
	if err != nil {
		t.Fatal(err)
	}
	if tv.Payload == nil || tv.Payload.EntryPoint != "transfer" || tv.RPayload == nil || tv.RPayload.ExecutionResources.Steps == 0 ||
		tv.Receipt.Status != StatusSucceeded || len(tv.Events) != 1 {
		t.Fatalf("transfer transaction read back as %+v", tv)
	}
	classes, err := d2.Classes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(classes) != 1 || classes[0].Block != 1 {
		t.Fatalf("classes %+v, want the ERC20 declared in block 1", classes)
	}
}

// TestSameRootOnBothStores runs the scenario on the SQLite store and the
// in-memory one: same blocks, same roots.
func TestSameRootOnBothStores(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "devnet.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := memstore.New(commitment.RootRuleV014)
	var heads []store.Header
	for _, chain := range []Chain{s, m} {
		d, _, err := Init(ctx, chain, InitOptions{Options: Options{Now: fixedTime}})
		if err != nil {
			t.Fatal(err)
		}
		erc20Scenario(t, ctx, d)
		h, err := chain.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		heads = append(heads, h)
	}
	if heads[0] != heads[1] {
		t.Fatalf("sqlite head %+v\nmemstore head %+v", heads[0], heads[1])
	}
}

func TestRejectionsLeaveTheChainUnchanged(t *testing.T) {
	ctx := context.Background()
	m := memstore.New(commitment.RootRuleV014)
	d, _, err := Init(ctx, m, InitOptions{Options: Options{Now: fixedTime}})
	if err != nil {
		t.Fatal(err)
	}
	token := erc20Scenario(t, ctx, d)
	before, err := m.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	erc20 := fixture(t, erc20File)
	undeclared := felt.FromUint64(0xdead)
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"declare twice", func() error { _, err := d.Declare(ctx, erc20, felt.Zero); return err },
			"class 0x%x is already declared (block 1)"},
		{"declare non-class", func() error { _, err := d.Declare(ctx, []byte(`{"foo": 1}`), felt.Zero); return err },
			"invalid Cairo 0 contract class: foo: unknown field"},
		{"deploy undeclared", func() error { _, err := d.Deploy(ctx, DeployRequest{ClassHash: undeclared}); return err },
			"class 0xdead is not declared"},
		{"deploy twice", func() error {
			cls, _ := d.Classes(ctx)
			_, err := d.Deploy(ctx, DeployRequest{ClassHash: cls[0].ClassHash, Salt: felt.FromUint64(7),
				Calldata: mustFelts(t, "'Kairo Token','KRO',18,1000,0", owner.String(), owner.String())})
			return err
		}, "a contract is already deployed at " + token.String() + " (pass another --salt)"},
		{"invoke unknown contract", func() error {
			_, _, err := d.Invoke(ctx, CallRequest{Contract: undeclared, Function: "transfer"})
			return err
		}, "no contract is deployed at 0xdead"},
		{"invoke unknown function", func() error {
			_, _, err := d.Invoke(ctx, CallRequest{Contract: token, Function: "transferr"})
			return err
		}, `contract ` + token.String() + ` (class %s) has no external function "transferr"; it has allowance, approve, balanceOf, decimals, decreaseAllowance, increaseAllowance, mint, name, owner, renounceOwnership, symbol, totalSupply, transfer, transferFrom, transferOwnership`},
		{"transfer more than the balance", func() error {
			_, _, err := d.Invoke(ctx, CallRequest{From: bob, Contract: token, Function: "transfer", Calldata: mustFelts(t, alice.String(), "31,0")})
			return err
		}, "invoke rejected (TRANSACTION_FAILED): ERC20: transfer amount exceeds balance: SafeUint256: subtraction overflow"},
		{"mint by a non-owner", func() error {
			_, _, err := d.Invoke(ctx, CallRequest{From: bob, Contract: token, Function: "mint", Calldata: mustFelts(t, bob.String(), "1,0")})
			return err
		}, "invoke rejected (TRANSACTION_FAILED): Ownable: caller is not the owner"},
		{"call past the head", func() error {
			n := uint64(99)
			_, _, err := d.Call(ctx, CallRequest{Contract: token, Function: "name", Block: &n})
			return err
		}, "block 99 is above the head (block 4)"},
	}
	classHash, _ := d.Classes(ctx)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil {
				t.Fatal("no error")
			}
			want := tc.want
			switch tc.name {
			case "declare twice":
				want = "class " + classHash[0].ClassHash.String() + " is already declared (block 1)"
			case "invoke unknown function":
				want = replaceClass(want, classHash[0].ClassHash)
			}
			if err.Error() != want {
				t.Errorf("error %q\nwant     %q", err, want)
			}
			after, herr := m.Head(ctx)
			if herr != nil {
				t.Fatal(herr)
			}
			if after != before {
				t.Errorf("the head moved from block %d to %d", before.Number, after.Number)
			}
		})
	}
}

func replaceClass(s string, h felt.Felt) string {
	for i := 0; i+2 <= len(s); i++ {
		if s[i:i+2] == "%s" {
			return s[:i] + h.String() + s[i+2:]
		}
	}
	return s
}

func TestOpenEmptyStore(t *testing.T) {
	if _, err := Open(context.Background(), memstore.New(commitment.RootRuleV014), Options{}); !errors.Is(err, ErrNoChain) {
		t.Fatalf("Open on an empty store: %v, want ErrNoChain", err)
	}
}

func TestInitTwice(t *testing.T) {
	ctx := context.Background()
	m := memstore.New(commitment.RootRuleV014)
	if _, _, err := Init(ctx, m, InitOptions{}); err != nil {
		t.Fatal(err)
	}
	_, _, err := Init(ctx, m, InitOptions{})
	if err == nil || err.Error() != "the store already holds a chain (head block 0)" {
		t.Fatalf("second Init: %v", err)
	}
}
