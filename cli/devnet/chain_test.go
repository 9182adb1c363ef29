package devnet

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/golden"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/spf13/viper"

	"github.com/kairo-dev/kairo/store/sqlite"
)

const (
	erc20Class   = "crates__starknet-devnet-core__contracts__system_artifacts__ERC20_Mintable_OZ_0.2.0.json"
	accountClass = "contracts__test_artifacts__cairo0__account.json"
)

// fixtureClass returns the path of a fixture class, skipping the test when
// the shared fixtures are absent.
func fixtureClass(t *testing.T, name string) string {
	t.Helper()
	return shared.Fixture(t, "cairo0", "contracts", "starknet-devnet-rs", name)
}

// genesisClassDir writes the ERC20 and account fixture classes into
// DIR/classes, for init --classes.
func genesisClassDir(t *testing.T, dir string) string {
	t.Helper()
	classes := filepath.Join(dir, "classes")
	if err := os.Mkdir(classes, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{erc20Class, accountClass} {
		b, err := os.ReadFile(fixtureClass(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(classes, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return classes
}

// chainConfig pins block timestamps so that hashes are reproducible.
func chainConfig(db string) *viper.Viper {
	cfg := viper.New()
	cfg.Set("devnet.db", db)
	cfg.Set("devnet.timestamp", "1700000000")
	return cfg
}

// mustRun runs a devnet command and returns its stdout.
func mustRun(t *testing.T, cfg *viper.Viper, args ...string) string {
	t.Helper()
	out, stderr, err := run(t, cfg, args...)
	if err != nil {
		t.Fatalf("kairo devnet %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

func jsonField(t *testing.T, out string, path ...string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %s in %s", p, out)
		}
		v = m[p]
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%v is not a string in %s", path, out)
	}
	return s
}

// erc20Session declares, deploys, mints and transfers, returning the
// transcript and the token address.
func erc20Session(t *testing.T, cfg *viper.Viper) (string, string) {
	t.Helper()
	erc20 := fixtureClass(t, erc20Class)
	var transcript strings.Builder
	step := func(args ...string) string {
		t.Helper()
		out := mustRun(t, cfg, args...)
		shown := make([]string, len(args))
		for i, a := range args {
			shown[i] = strings.ReplaceAll(a, erc20, "ERC20.json")
		}
		transcript.WriteString("$ kairo devnet " + strings.Join(shown, " ") + "\n" + out)
		return out
	}
	step("init")
	classHash := strings.Fields(step("declare", erc20))[2]
	token := strings.Fields(step("deploy", classHash, "--salt", "7", "--calldata", "'Kairo Token','KRO',18", "--calldata", "1000,0,0x111,0x111"))[2]
	step("invoke", token, "mint", "--from", "0x111", "--calldata", "0x222,50,0")
	transfer := step("invoke", token, "transfer", "--from", "0x222", "--calldata", "0x333", "--calldata", "30,0")
	step("call", token, "balanceOf", "--calldata", "0x333")
	step("call", token, "balanceOf", "--calldata", "0x222", "--block", "3")
	step("block")
	txHash := strings.Fields(transfer[strings.Index(transfer, "transaction"):])[1]
	step("tx", txHash)
	step("receipt", txHash)
	step("block", "2")
	return transcript.String(), token
}

func TestChainSession(t *testing.T) {
	db := filepath.Join(t.TempDir(), "devnet.db")
	cfg := chainConfig(db)
	transcript, token := erc20Session(t, cfg)
	golden.Check(t, "chain", strings.ReplaceAll(transcript, db, "devnet.db"))

	// Every command above opened the file anew; reopen once more and
	// check the roots from scratch.
	ctx := context.Background()
	s, err := sqlite.Open(ctx, db, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyState(ctx); err != nil {
		t.Fatal(err)
	}
	head, err := s.Head(ctx)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if head.Number != 4 || head.StateRoot.IsZero() {
		t.Fatalf("head %d, root %s", head.Number, head.StateRoot)
	}
	if got := mustRun(t, cfg, "call", token, "balanceOf", "--calldata", "0x222"); got != "0x14\n0x0\n" {
		t.Errorf("alice's balance after reopening: %q, want 20", got)
	}
	if got := mustRun(t, cfg, "block", "--json"); jsonField(t, got, "new_root") != head.StateRoot.String() {
		t.Errorf("block --json root %s, want %s", jsonField(t, got, "new_root"), head.StateRoot)
	}
	_, stderr, err := run(t, cfg, "accounts")
	if err != nil || !strings.Contains(stderr, "no genesis accounts") {
		t.Errorf("accounts: %v %q", err, stderr)
	}
}

func TestInitDeclaresClassDir(t *testing.T) {
	dir := t.TempDir()
	classes := genesisClassDir(t, dir)
	cfg := chainConfig(filepath.Join(dir, "devnet.db"))
	transcript := "$ kairo devnet init --classes DIR/classes --chain-id KAIRO_TEST --accounts 2 --seed 42\n" +
		mustRun(t, cfg, "init", "--classes", classes, "--chain-id", "KAIRO_TEST", "--accounts", "2", "--seed", "42")
	var accts []struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, cfg, "accounts", "--json")), &accts); err != nil || len(accts) != 2 {
		t.Fatalf("accounts --json: %v", err)
	}
	eth := "0x497d1c054cec40f64454b45deecdc83e0c7f7b961c63531eae03748abd95350"
	for _, args := range [][]string{
		{"invoke", eth, "transfer", "--account", accts[0].Address, "--calldata", accts[1].Address + ",1000,0"},
		{"accounts"},
		{"call", eth, "balanceOf", "--calldata", "0x1000"},
	} {
		transcript += "$ kairo devnet " + strings.Join(args, " ") + "\n" + mustRun(t, cfg, args...)
	}
	golden.Check(t, "init-accounts", strings.ReplaceAll(transcript, dir, "DIR"))
	if _, _, err := run(t, cfg, "invoke", eth, "transfer", "--account", "0x5", "--calldata", "0x1,1,0"); err == nil ||
		!strings.Contains(err.Error(), "0x5 is not a genesis account") {
		t.Errorf("invoke from an unknown account: %v", err)
	}
	// A class declared at genesis cannot be declared again.
	_, _, err := run(t, cfg, "declare", filepath.Join(classes, erc20Class))
	if err == nil || !strings.Contains(err.Error(), "is already declared (block 0)") {
		t.Errorf("declaring a genesis class again: %v", err)
	}
}

// TestChainErrors checks that bad input gets one line naming the problem,
// a non-zero exit, and leaves the database as it was.
func TestChainErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "devnet.db")
	cfg := chainConfig(db)
	_, token := erc20Session(t, cfg)
	notClass := filepath.Join(dir, "state.json")
	os.WriteFile(notClass, []byte(`{"contracts": []}`), 0o644)
	truncated := filepath.Join(dir, "truncated.db")
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(truncated, b[:len(b)/3], 0o644)
	before := mustRun(t, cfg, "block", "--json")

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown class", []string{"deploy", "0x1234"}, "class 0x1234 is not declared"},
		{"unknown contract", []string{"invoke", "0x1234", "transfer"}, "no contract is deployed at 0x1234"},
		{"unknown function", []string{"invoke", token, "mintt"}, `has no external function "mintt"; it has allowance, approve,`},
		{"malformed calldata", []string{"invoke", token, "transfer", "--calldata", "0x1,zz"}, `calldata[1]: "zz" is neither a decimal nor a 0x-prefixed hexadecimal number`},
		{"calldata too big", []string{"call", token, "balanceOf", "--calldata", "0x800000000000011000000000000000000000000000000000000000000000001"}, "calldata[0]: 0x800000000000011000000000000000000000000000000000000000000000001 is not below the field prime"},
		{"address out of range", []string{"call", "0x800000000000000000000000000000000000000000000000000000000000000", "name"}, "contract: 0x800000000000000000000000000000000000000000000000000000000000000 is not a contract address (2^251 or more)"},
		{"non-class JSON", []string{"declare", notClass}, "invalid Cairo 0 contract class: contracts: unknown field"},
		{"missing class file", []string{"declare", filepath.Join(dir, "nope.json")}, "read class: open"},
		{"rejected transfer", []string{"invoke", token, "transfer", "--from", "0x333", "--calldata", "0x222,31,0"}, "invoke rejected (TRANSACTION_FAILED): ERC20: transfer amount exceeds balance: SafeUint256: subtraction overflow"},
		{"wrong calldata length", []string{"invoke", token, "transfer", "--calldata", "0x222"}, "invoke rejected"},
		{"deploy at a used address", []string{"deploy", "--salt", "7", "--calldata", "'Kairo Token','KRO',18,1000,0,0x111,0x111",
			jsonField(t, mustRun(t, cfg, "tx", "--json", findDeployTx(t, cfg)), "transaction", "class_hash")}, "a contract is already deployed at " + token},
		{"unknown transaction", []string{"receipt", "0xabc"}, "transaction not found: 0xabc"},
		{"block above head", []string{"block", "99"}, "no block 99 (the head is block 4)"},
		{"bad block", []string{"block", "first"}, `block: "first" is neither a block number nor latest`},
		{"call above head", []string{"call", token, "name", "--block", "5"}, "block 5 is above the head (block 4)"},
		{"init over a chain", []string{"init"}, "already exists: remove it or pass another --db"},
		{"truncated db", []string{"block", "--db", truncated}, "truncated"},
		{"missing db", []string{"block", "--db", filepath.Join(dir, "none.db")}, "does not exist: create it with kairo devnet init"},
		{"bad chain id", []string{"init", "--db", filepath.Join(dir, "new.db"), "--chain-id", "A_CHAIN_ID_FAR_LONGER_THAN_31_CHARS"}, "longer than 31 characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, cfg, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v\nwant one line containing %q", err, tt.want)
			}
			if after := mustRun(t, cfg, "block", "--json"); after != before {
				t.Errorf("the chain changed:\n%s\nwas\n%s", after, before)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "new.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed init left %s behind", filepath.Join(dir, "new.db"))
	}
}

// findDeployTx returns the hash of the deploy transaction (block 2).
func findDeployTx(t *testing.T, cfg *viper.Viper) string {
	t.Helper()
	var b struct {
		Transactions []struct {
			Hash string `json:"transaction_hash"`
		} `json:"transactions"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, cfg, "block", "2", "--json")), &b); err != nil || len(b.Transactions) != 1 {
		t.Fatalf("block 2: %v", err)
	}
	return b.Transactions[0].Hash
}

// TestAccountLifecycle goes through a user's own account: a genesis
// account declares a class with a version 1 DECLARE and funds a new
// address, the new account deploys itself and pays for it, then invokes
// with its key.
func TestAccountLifecycle(t *testing.T) {
	dir := t.TempDir()
	classes := genesisClassDir(t, dir)
	l1l2 := shared.Fixture(t, "cairo0", "contracts", "starknet-devnet-rs", "crates__starknet__test_artifacts__cairo_0_l1l2.json")
	cfg := chainConfig(filepath.Join(dir, "devnet.db"))
	mustRun(t, cfg, "init", "--classes", classes, "--accounts", "1", "--seed", "3")
	var accts []struct {
		Address   string `json:"address"`
		ClassHash string `json:"class_hash"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, cfg, "accounts", "--json")), &accts); err != nil || len(accts) != 1 {
		t.Fatalf("accounts --json: %v", err)
	}
	funder, accountHash := accts[0].Address, accts[0].ClassHash
	eth := "0x497d1c054cec40f64454b45deecdc83e0c7f7b961c63531eae03748abd95350"
	const key = "0xc0ffee"
	newAddr := jsonField(t, mustRun(t, cfg, "deploy-account", accountHash, "--private-key", key, "--address-only", "--json"), "address")

	var transcript strings.Builder
	step := func(args ...string) string {
		t.Helper()
		out := mustRun(t, cfg, args...)
		transcript.WriteString("$ kairo devnet " + strings.ReplaceAll(strings.Join(args, " "), l1l2, "l1l2.json") + "\n" + out)
		return out
	}
	step("declare", l1l2, "--account", funder)
	step("deploy-account", accountHash, "--private-key", key, "--address-only")
	step("invoke", eth, "transfer", "--account", funder, "--calldata", newAddr+",1000000000000000000,0")
	dep := step("deploy-account", accountHash, "--private-key", key)
	step("invoke", eth, "transfer", "--account", newAddr, "--private-key", key, "--max-fee", "1000000000000000", "--calldata", funder+",5,0")
	depHash := strings.Fields(dep[strings.Index(dep, "transaction"):])[1]
	step("tx", depHash)
	step("receipt", depHash)
	golden.Check(t, "account-lifecycle", strings.ReplaceAll(transcript.String(), dir, "DIR"))

	before := mustRun(t, cfg, "block", "--json")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"max fee below the fee", []string{"invoke", eth, "transfer", "--account", newAddr, "--private-key", key, "--max-fee", "1", "--calldata", funder + ",5,0"},
			"invoke rejected (FEE_TRANSFER_FAILURE): Actual fee exceeded max fee."},
		{"wrong key", []string{"invoke", eth, "transfer", "--account", newAddr, "--private-key", "0xbad", "--calldata", funder + ",5,0"},
			"invoke rejected (TRANSACTION_FAILED): Signature"},
		{"unknown account without key", []string{"invoke", eth, "transfer", "--account", newAddr, "--calldata", funder + ",5,0"},
			"is not a genesis account of this devnet, so its key is unknown (give its private key, or impersonate it with --from)"},
		{"key without account", []string{"invoke", eth, "transfer", "--private-key", key, "--calldata", funder + ",5,0"}, "--private-key and --max-fee need --account"},
		{"bad max fee", []string{"declare", l1l2, "--account", funder, "--max-fee", "lots"}, `--max-fee: "lots" is neither a decimal nor a 0x-prefixed hexadecimal number`},
		{"declare twice", []string{"declare", l1l2, "--account", funder}, "is already declared"},
		{"deploy the account again", []string{"deploy-account", accountHash, "--private-key", key}, "rejected"},
		{"unfunded account", []string{"deploy-account", accountHash, "--private-key", "0x1234"}, "holds no fee tokens to pay for its deployment"},
		{"undeclared account class", []string{"deploy-account", "0x1234", "--private-key", key}, "class 0x1234 is not declared"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, cfg, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v\nwant one line containing %q", err, tt.want)
			}
			if after := mustRun(t, cfg, "block", "--json"); after != before {
				t.Errorf("the chain changed:\n%s\nwas\n%s", after, before)
			}
		})
	}
}
