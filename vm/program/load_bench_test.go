package program

import (
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"
)

// BenchmarkLoad parses a large compiled program (1.8 MB of JSON, most of
// it debug information) and reports MB/s.
func BenchmarkLoad(b *testing.B) {
	raw := shared.ReadFixture(b, "cairo0", "programs", "ziggy-starkdust", "uint256_integration_tests.json")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}
