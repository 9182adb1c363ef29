package program

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkLoad parses a large compiled program (1.8 MB of JSON, most of
// it debug information) and reports MB/s.
func BenchmarkLoad(b *testing.B) {
	dir := os.Getenv("KAIRO_FIXTURES")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "fixtures")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "cairo0", "programs", "ziggy-starkdust", "uint256_integration_tests.json"))
	if err != nil {
		b.Skipf("fixture unavailable: %v", err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}
