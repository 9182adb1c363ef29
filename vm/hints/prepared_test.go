package hints

import (
	"reflect"
	"testing"

	"github.com/kairo-dev/kairo/vm/program"
)

// TestPreparedRuntime: a runtime started from a prepared program has the
// same parsed references as one that parses them itself, and runtimes
// sharing a preparation keep their own scopes and state.
func TestPreparedRuntime(t *testing.T) {
	p := &program.Program{References: []program.Reference{
		{Value: "[cast(fp + (-3), felt*)]", ApTrackingData: program.ApTracking{Group: 1, Offset: 2}},
		{Value: "cast(ap + 1, felt)", ApTrackingData: program.ApTracking{Group: 0, Offset: 5}},
		{Value: "not an expression ((("},
	}}
	pre := Prepare(p)
	a, b := NewPreparedRuntime(pre, nil, nil), NewRuntime(p, nil, nil)
	if a.Program != p || len(a.refs) != 3 {
		t.Fatalf("prepared runtime: program %p, %d refs", a.Program, len(a.refs))
	}
	if b.refs[0].parsed {
		t.Error("NewRuntime parsed a reference before its first use")
	}
	for i := range b.refs {
		ra, _ := a.refAt(i)
		rb, _ := b.refAt(i)
		if !reflect.DeepEqual(*ra, *rb) {
			t.Errorf("reference %d: prepared %+v, parsed on use %+v", i, *ra, *rb)
		}
	}
	if _, ok := b.refAt(3); ok {
		t.Error("reference 3 of 3 found")
	}
	if a.refs[2].err == nil || !a.refs[1].apDep || a.refs[0].apDep {
		t.Errorf("references not parsed as expected: %+v", a.refs)
	}
	c := NewPreparedRuntime(pre, nil, nil)
	c.Scopes[0]["x"] = 1
	c.Extra["m"] = 2
	if _, ok := a.Scopes[0]["x"]; ok || a.Extra["m"] != nil {
		t.Error("runtimes sharing a preparation share their scopes or state")
	}
}
