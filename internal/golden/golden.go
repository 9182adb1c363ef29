// Package golden compares test output with golden files under testdata/,
// rewriting them instead when KAIRO_UPDATE_GOLDEN=1.
package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// Check compares got with testdata/NAME.golden, or rewrites the file when
// KAIRO_UPDATE_GOLDEN=1.
func Check(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name+".golden")
	if os.Getenv("KAIRO_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run with KAIRO_UPDATE_GOLDEN=1 to create it)", err)
	}
	if got != string(want) {
		tb.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
