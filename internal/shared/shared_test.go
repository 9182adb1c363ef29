package shared

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDirs(t *testing.T) {
	t.Setenv("KAIRO_FIXTURES", "")
	t.Setenv("KAIRO_VECTORS", "")
	root := repoRoot()
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repo root %s has no go.mod", root)
	}
	if got, want := FixturesDir(), filepath.Join(root, "..", "shared", "fixtures"); got != want {
		t.Fatalf("FixturesDir %s, want %s", got, want)
	}
	dir := t.TempDir()
	t.Setenv("KAIRO_FIXTURES", filepath.Join(dir, "fx"))
	if got, want := VectorsDir(), filepath.Join(dir, "vectors"); got != want {
		t.Fatalf("VectorsDir %s, want %s", got, want)
	}
	t.Setenv("KAIRO_VECTORS", "/v")
	if VectorsDir() != "/v" {
		t.Fatalf("KAIRO_VECTORS not honoured: %s", VectorsDir())
	}
}

func TestFixtureReadsAndSkips(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KAIRO_FIXTURES", dir)
	if got := string(ReadFixture(t, "a.json")); got != "{}" {
		t.Fatalf("read %q", got)
	}
	skipped := t.Run("absent", func(t *testing.T) {
		Fixture(t, "missing.json")
		t.Fatal("an absent fixture did not skip")
	})
	if !skipped {
		t.Fatal("the subtest failed instead of skipping")
	}
}
