package devnet

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/golden"

	"github.com/spf13/viper"

	"github.com/kairo-dev/kairo/cli/internal/clitest"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/sqlite"
	"github.com/kairo-dev/kairo/vm/felt"
)

func run(t *testing.T, cfg *viper.Viper, args ...string) (string, string, error) {
	t.Helper()
	return clitest.Execute(t, NewCmdDevnet, cfg, "", args...)
}

// commitValue commits a block setting storage 0x1 of contract 0x100.
func commitValue(t *testing.T, path string, v uint64) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ch := felt.FromUint64(0xc1)
	if _, err := s.CommitBlock(ctx, &store.Block{Header: store.Header{Timestamp: 1700000000}, Diff: &commitment.StateDiff{Contracts: []commitment.ContractDiff{
		{Address: felt.FromUint64(0x100), ClassHash: &ch, Storage: []commitment.StorageWrite{{Key: felt.One, Value: felt.FromUint64(v)}}},
	}}}); err != nil {
		t.Fatal(err)
	}
}

func TestSnapshotRevertList(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "devnet.db")
	commitValue(t, db, 10)

	var transcript strings.Builder
	step := func(args ...string) {
		t.Helper()
		out, stderr, err := run(t, nil, append(args, "--db", db)...)
		if err != nil {
			t.Fatalf("devnet %v: %v\n%s", args, err, stderr)
		}
		transcript.WriteString("$ kairo devnet " + strings.Join(args, " ") + "\n" + out)
	}
	step("snapshot", "first")
	commitValue(t, db, 20)
	step("snapshot", "second")
	step("snapshots")
	step("revert", "first")

	s, err := sqlite.Open(context.Background(), db, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := s.Storage(context.Background(), felt.FromUint64(0x100), felt.One)
	s.Close()
	if v != felt.FromUint64(10) {
		t.Errorf("value after revert %s, want 0xa", v)
	}
	// Sizes and times vary from run to run.
	norm := regexp.MustCompile(`\t[0-9.]+ [KMG]?i?B\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`).ReplaceAllString(transcript.String(), "\tSIZE\tTIME")
	golden.Check(t, "snapshots", norm)
}

func TestDevnetErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "devnet.db")
	commitValue(t, db, 1)
	text := filepath.Join(dir, "text.db")
	os.WriteFile(text, []byte("not a database"), 0o644)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no db", []string{"snapshot", "a"}, "no devnet database"},
		{"missing db", []string{"snapshot", "a", "--db", filepath.Join(dir, "nope.db")}, "no such file"},
		{"text db", []string{"snapshots", "--db", text}, "not a SQLite database"},
		{"bad name", []string{"snapshot", "../up", "--db", db}, "invalid snapshot name"},
		{"unknown snapshot", []string{"revert", "ghost", "--db", db}, `no snapshot "ghost"`},
		{"no name", []string{"snapshot", "--db", db}, "accepts 1 arg"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, nil, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line containing %q", err, tt.want)
			}
		})
	}
	// The configuration (devnet.db, KAIRO_DEVNET_DB) supplies the database.
	cfg := viper.New()
	cfg.Set("devnet.db", db)
	out, _, err := run(t, cfg, "snapshot", "fromconfig")
	if err != nil || !strings.Contains(out, "fromconfig") {
		t.Errorf("snapshot with devnet.db from config: %q, %v", out, err)
	}
	if _, _, err := run(t, cfg, "snapshot", "fromconfig"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second snapshot of a name: %v", err)
	}
	if _, _, err := run(t, cfg, "snapshot", "fromconfig", "--force"); err != nil {
		t.Errorf("snapshot --force: %v", err)
	}
}
