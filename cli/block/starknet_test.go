package block

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/golden"

	"github.com/spf13/viper"

	"github.com/kairo-dev/kairo/cli/internal/clitest"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/store/sqlite"
)

// testDevnet creates a devnet database with funded genesis accounts in a
// temporary directory (skipping when the fixture classes are absent) and
// returns its path and a configuration that pins block timestamps.
func testDevnet(t *testing.T, accounts int) (string, *viper.Viper) {
	t.Helper()
	dir := erc20Classes(t)
	var files []devnet.ClassFile
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, devnet.ClassFile{Name: e.Name(), Data: b})
	}
	path := filepath.Join(t.TempDir(), "devnet.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := devnet.Init(ctx, s, devnet.InitOptions{Classes: files, Accounts: accounts, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := viper.New()
	cfg.Set("devnet.timestamp", "1700000000")
	return path, cfg
}

// kairoCfg runs `kairo block ARGS` with a configuration.
func kairoCfg(t *testing.T, cfg *viper.Viper, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return clitest.Execute(t, NewCmdBlock, cfg, "", args...)
}

// head returns the devnet's head block number and transaction count.
func head(t *testing.T, path string) (uint64, uint64) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h.Number, h.TxCount
}

var perTxLine = regexp.MustCompile(`(?m)^(  per tx) .*$`)

// maskStarknet masks the timing lines of a Starknet run.
func maskStarknet(s string) string { return perTxLine.ReplaceAllString(maskTimes(s), "$1 <time>") }

// genTxs writes an erc20 transactions file for the devnet.
func genTxs(t *testing.T, db string, cfg *viper.Viper, txs, accounts string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "txs.json")
	args := []string{"gen", "--workload", "erc20", "--db", db, "--txs", txs, "-o", file}
	if accounts != "" {
		args = append(args, "--accounts", accounts)
	}
	if _, errOut, err := kairoCfg(t, cfg, args...); err != nil {
		t.Fatalf("gen: %v\n%s", err, errOut)
	}
	return file
}

// TestStarknetRun generates signed transfers, runs them on the devnet
// (golden summary), and checks the committed block; running the same file
// again rejects every transaction for its nonce and commits nothing.
func TestStarknetRun(t *testing.T) {
	db, cfg := testDevnet(t, 4)
	out, errOut, err := kairoCfg(t, cfg, "gen", "--workload", "erc20", "--db", db, "--txs", "3", "--accounts", "2")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	golden.Check(t, "gen_erc20", strings.ReplaceAll(out, filepath.Base(db), "DB"))

	file := genTxs(t, db, cfg, "8", "")
	out, errOut, err = kairoCfg(t, cfg, "run", file, "--db", db, "--workers", "1")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	golden.Check(t, "run_erc20", maskStarknet(strings.ReplaceAll(out, file, "txs.json")))
	if n, txs := head(t, db); n != 1 || txs != 8 {
		t.Fatalf("head block %d with %d transactions, want block 1 with 8", n, txs)
	}

	out, errOut, err = kairoCfg(t, cfg, "run", file, "--db", db, "--workers", "2", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var s runSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(s.Rejected) != 8 || s.Block != nil || *s.Accepted != 0 || s.Rejected[0].Code != "INVALID_TRANSACTION_NONCE" ||
		!strings.HasPrefix(s.Rejected[0].Message, "Invalid transaction nonce. Expected: 2, got: 0.") {
		t.Fatalf("second run: %s", out)
	}
	if n, _ := head(t, db); n != 1 {
		t.Fatalf("a block of rejected transactions was committed: head %d", n)
	}
}

// TestStarknetParallel: a conflicting block (2 accounts) in parallel on 2
// workers equals sequential execution and is committed; the JSON summary
// has the time split.
func TestStarknetParallel(t *testing.T) {
	db, cfg := testDevnet(t, 2)
	file := genTxs(t, db, cfg, "10", "")
	out, errOut, err := kairoCfg(t, cfg, "run", file, "--db", db, "--workers", "2", "--scheduler", "classic", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var s struct {
		Equal     *bool      `json:"equal_to_sequential"`
		Accepted  int        `json:"accepted"`
		TimeSplit *timeSplit `json:"time_split_us"`
		Block     *committed `json:"block"`
		HotKeys   []hotKeyJS `json:"most_conflicted_keys"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if s.Equal == nil || !*s.Equal || s.Accepted != 10 || s.TimeSplit == nil || s.TimeSplit.Validation <= 0 || s.TimeSplit.Execution <= 0 ||
		s.Block == nil || s.Block.Number != 1 || s.Block.Txs != 10 {
		t.Fatalf("summary: %s", out)
	}
	for _, h := range s.HotKeys {
		if !strings.Contains(h.Key, "ERC20@") && !strings.HasPrefix(h.Key, "nonce:account@") {
			t.Errorf("hot key %q is not named", h.Key)
		}
	}
}

// TestStarknetGraph: graph and explain of a Starknet block name storage
// keys by variable and commit nothing.
func TestStarknetGraph(t *testing.T) {
	db, cfg := testDevnet(t, 3)
	file := genTxs(t, db, cfg, "6", "")
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"graph_erc20", []string{"graph", file, "--db", db, "--workers", "1"}},
		{"graph_erc20_json", []string{"graph", file, "--db", db, "--workers", "1", "--format", "json"}},
		{"explain_erc20", []string{"explain", file, "--db", db, "--workers", "1", "--tx", "4"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := kairoCfg(t, cfg, tt.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			golden.Check(t, tt.name, out)
		})
	}
	if n, _ := head(t, db); n != 0 {
		t.Fatalf("graph committed block %d", n)
	}
}

// TestStarknetBadTransactions: a bad signature, an unknown function and
// an overdraft are rejected or reverted with Starknet's message; the
// good transactions around them are committed.
func TestStarknetBadTransactions(t *testing.T) {
	db, cfg := testDevnet(t, 3)
	file := genTxs(t, db, cfg, "3", "")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	// Transaction 1: its signature's r changed.
	i := 5
	lines[i] = regexp.MustCompile(`"signature":\["0x[0-9a-f]+"`).ReplaceAllString(lines[i], `"signature":["0x1"`)
	// An impersonated call of a function the token does not have, and a
	// transfer of more than the caller holds.
	extra := `,
    {"type":"INVOKE","version":"0x0","impersonated":true,"sender_address":"0x5","contract_address":"0x497d1c054cec40f64454b45deecdc83e0c7f7b961c63531eae03748abd95350","entry_point":"no_such_function","calldata":[]},
    {"type":"INVOKE","version":"0x0","impersonated":true,"sender_address":"0x5","contract_address":"0x497d1c054cec40f64454b45deecdc83e0c7f7b961c63531eae03748abd95350","entry_point":"transfer","calldata":["0x6","0x10","0x0"]}`
	lines[6] += extra
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := kairoCfg(t, cfg, "run", bad, "--db", db, "--workers", "2", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var s runSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if *s.Accepted != 2 || len(s.Rejected) != 3 || s.Block == nil || s.Block.Txs != 2 {
		t.Fatalf("summary: %s", out)
	}
	want := []struct {
		tx   int
		code string
		msg  string
	}{
		{1, "VALIDATE_FAILURE", "is invalid"},
		{3, "ENTRY_POINT_NOT_FOUND_IN_CONTRACT", "Entry point"},
		{4, "TRANSACTION_FAILED", "ERC20: transfer amount exceeds balance"},
	}
	for j, w := range want {
		r := s.Rejected[j]
		if r.Tx != w.tx || !strings.Contains(r.Code+" "+r.Message, w.msg) {
			t.Errorf("rejection %d: %+v, want tx %d with %q (%s)", j, r, w.tx, w.msg, w.code)
		}
	}
	if n, txs := head(t, db); n != 1 || txs != 2 {
		t.Fatalf("head block %d with %d transactions", n, txs)
	}
}

func TestStarknetErrors(t *testing.T) {
	db, cfg := testDevnet(t, 2)
	file := genTxs(t, db, cfg, "2", "")
	cfg = viper.New()
	broken := filepath.Join(t.TempDir(), "broken.json")
	os.WriteFile(broken, []byte("{\n  \"kairo_starknet_txs\": 1,\n  \"transactions\": [\n    {\"type\": \"INVOKE\", \"version\": \"0x1\", \"sender_address\": \"0xZ\"}\n  ]\n}\n"), 0o644)
	for _, tt := range []struct {
		name string
		args []string
		want string
		code int
	}{
		{"no db", []string{"run", file}, "holds Starknet transactions, which run on a devnet: pass --db FILE", 1},
		{"missing db", []string{"run", file, "--db", filepath.Join(t.TempDir(), "none.db")}, "does not exist: create it with kairo devnet init", 1},
		{"db for built-in block", []string{"run", market, "--db", db}, "--db is for Starknet transactions files", 1},
		{"graph without db", []string{"graph", file}, "pass --db FILE", 1},
		{"parse error", []string{"run", broken, "--db", db}, broken + `:4:42: transactions[0] (INVOKE): sender_address: invalid number "0xZ"`, 1},
		{"gen without db", []string{"gen", "--workload", "erc20"}, "pass --db FILE", 1},
		{"gen too many accounts", []string{"gen", "--workload", "erc20", "--db", db, "--accounts", "3"}, "--accounts must be between 2 and the devnet's 2 genesis accounts", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, err := kairoCfg(t, cfg, tt.args...)
			if code := clitest.ExitCode(err); code != tt.code {
				t.Fatalf("exit code %d (%v), want %d", code, err, tt.code)
			}
			got := errOut
			if err != nil {
				got += err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
