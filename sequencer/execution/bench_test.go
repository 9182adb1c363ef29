package execution

import (
	"testing"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/vm/felt"
)

// BenchmarkContractCall measures one storage read-modify-write contract
// call (blockifier's increase_value): calls/s and Cairo steps/s.
func BenchmarkContractCall(b *testing.B) {
	e := newSyscallEnv(b)
	en := Entry{Contract: e.a, Selector: contract.Selector("increase_value"), Calldata: []felt.Felt{u(1)}, Type: contract.External}
	var steps uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ci, err := Run(&Context{Classes: e.classes}, e.st, en)
		if err != nil {
			b.Fatal(err)
		}
		steps += ci.Resources.Steps
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/s, "calls/s")
	b.ReportMetric(float64(steps)/s, "steps/s")
}
