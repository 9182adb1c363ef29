// Package shared locates the read-only reference material that lives
// beside the repository (../shared): the conformance fixtures, overridable
// with $KAIRO_FIXTURES, and the published vectors beside them, overridable
// with $KAIRO_VECTORS. Tests that need it skip loudly when it is absent.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// FixturesDir returns the fixtures folder: $KAIRO_FIXTURES, or
// ../shared/fixtures beside the repository root. It does not check that
// the folder exists.
func FixturesDir() string {
	if d := os.Getenv("KAIRO_FIXTURES"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(), "..", "shared", "fixtures")
}

// VectorsDir returns the vectors folder: $KAIRO_VECTORS, or the vectors
// folder beside the fixtures folder.
func VectorsDir() string {
	if d := os.Getenv("KAIRO_VECTORS"); d != "" {
		return d
	}
	return filepath.Join(FixturesDir(), "..", "vectors")
}

// Fixture returns the path of a file or folder under the fixtures
// folder, skipping the test with a loud message when it is absent.
func Fixture(tb testing.TB, rel ...string) string {
	tb.Helper()
	return existing(tb, filepath.Join(append([]string{FixturesDir()}, rel...)...), "KAIRO_FIXTURES")
}

// Vector returns the path of a file under the vectors folder, skipping
// the test loudly when it is absent.
func Vector(tb testing.TB, rel ...string) string {
	tb.Helper()
	return existing(tb, filepath.Join(append([]string{VectorsDir()}, rel...)...), "KAIRO_VECTORS")
}

// ReadFixture reads a file under the fixtures folder, skipping the test
// loudly when it is absent.
func ReadFixture(tb testing.TB, rel ...string) []byte {
	tb.Helper()
	return read(tb, Fixture(tb, rel...))
}

// ReadVector reads a file under the vectors folder, skipping the test
// loudly when it is absent.
func ReadVector(tb testing.TB, rel ...string) []byte {
	tb.Helper()
	return read(tb, Vector(tb, rel...))
}

func read(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func existing(tb testing.TB, path, env string) string {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("SKIPPED: %s is absent (the shared reference material beside the repository; set %s): %v", path, env, err)
	}
	return path
}

// repoRoot is the folder holding go.mod, found upwards from the working
// directory (a test's package folder); "." when there is none.
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}
