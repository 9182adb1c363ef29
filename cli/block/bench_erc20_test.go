package block

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"
)

// erc20Classes links the fixture account and ERC20 classes into a
// directory, or skips when the shared fixtures are absent.
func erc20Classes(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{
		"contracts__test_artifacts__cairo0__account.json",
		"crates__starknet-devnet-core__contracts__system_artifacts__ERC20_Mintable_OZ_0.2.0.json",
	} {
		b := shared.ReadFixture(t, "cairo0", "contracts", "starknet-devnet-rs", name)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBenchERC20(t *testing.T) {
	dir := erc20Classes(t)
	for _, accounts := range []string{"2", "50"} {
		out, errOut, err := kairo(t, "", "bench", "--workload", "erc20", "--classes", dir, "--accounts", accounts,
			"--txs", "12", "--workers", "2", "--rounds", "1", "--json")
		if err != nil {
			t.Fatalf("accounts %s: %v\n%s", accounts, err, errOut)
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		for _, k := range []string{"sequential_s", "parallel_s", "speedup", "tps", "executions", "validations", "aborts", "cairo_steps_per_s"} {
			if _, ok := r[k]; !ok {
				t.Errorf("accounts %s: no %s in %s", accounts, k, out)
			}
		}
		if r["equal_to_sequential"] != true || r["txs"] != float64(12) || r["cairo_steps_per_tx"].(float64) < 100 {
			t.Errorf("accounts %s: %s", accounts, out)
		}
	}
}

func TestBenchERC20Errors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--workload", "erc20"}, "needs --classes DIR"},
		{[]string{"bench", "--workload", "erc20", "--classes", t.TempDir()}, "needs a Cairo 0 account class and an ERC20 class; found 0 and 0"},
		{[]string{"bench", "--workload", "erc20", "--classes", "no/such/dir"}, "no/such/dir"},
		{[]string{"bench", "--workload", "erc20", "--classes", ".", "--accounts", "1"}, "at least 2 accounts"},
	} {
		_, _, err := kairo(t, "", tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}

// TestBenchERC20ClassSearch: a directory whose classes are in
// sub-directories, with more than one account class, still gives a
// workload: the first pair in path order with which a transfer is
// accepted.
func TestBenchERC20ClassSearch(t *testing.T) {
	src := erc20Classes(t)
	dir := t.TempDir()
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{sub, filepath.Join(dir, "a")} {
			if err := os.WriteFile(filepath.Join(d, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	os.WriteFile(filepath.Join(dir, "a", "notes.json"), []byte(`{"not": "a class"}`), 0o644)
	out, errOut, err := kairo(t, "", "bench", "--workload", "erc20", "--classes", dir, "--accounts", "3",
		"--txs", "4", "--workers", "2", "--rounds", "1", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r["equal_to_sequential"] != true || r["account_class"] == "" || r["token_class"] == "" || r["time_split_us"] == nil {
		t.Fatalf("%s", out)
	}
	split := r["time_split_us"].(map[string]any)
	for _, k := range []string{"validation", "execution", "fee", "commit"} {
		if v, _ := split[k].(float64); v <= 0 {
			t.Errorf("time_split_us.%s = %v", k, split[k])
		}
	}
}
