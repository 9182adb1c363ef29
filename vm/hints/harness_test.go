package hints

import (
	"encoding/json"
	"testing"

	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/program"
)

// hintEnv is a minimal run for testing one hint: segment 0 is the program,
// segment 1 the execution segment with fp = 1:10 and ap = 1:20. References
// are declared in scope __main__ with their reference expressions, e.g.
// "a": "[cast(fp + (-3), felt)]".
type hintEnv struct {
	t    testing.TB
	VM   *vm.VM
	Mem  *memory.Memory
	Prog *program.Program
	RT   *Runtime
	hint program.Hint
}

// newHintEnv builds the environment. refs maps a name to its reference
// expression; consts maps a name to its value; structs maps a struct name
// to member name → offset (members are felts) for ids.x.member access.
func newHintEnv(t testing.TB, refs map[string]string, consts map[string]string, structs map[string]map[string]int) *hintEnv {
	t.Helper()
	mem := memory.New()
	mem.AddSegment()
	mem.AddSegment()
	p := &program.Program{
		MainScope:   "__main__",
		Identifiers: map[string]*program.Identifier{},
		Hints:       map[uint64][]program.Hint{},
	}
	h := program.Hint{
		AccessibleScopes: []string{"__main__"},
		FlowTrackingData: program.FlowTrackingData{ReferenceIDs: map[string]int{}},
	}
	for name, value := range refs {
		full := "__main__." + name
		p.Identifiers[full] = &program.Identifier{Type: "reference", FullName: full}
		h.FlowTrackingData.ReferenceIDs[full] = len(p.References)
		p.References = append(p.References, program.Reference{Value: value})
	}
	for name, value := range consts {
		n := json.Number(value)
		p.Identifiers["__main__."+name] = &program.Identifier{Type: "const", Value: &n}
	}
	for name, members := range structs {
		size := len(members)
		ms := map[string]program.Member{}
		for m, off := range members {
			ms[m] = program.Member{CairoType: "felt", Offset: off}
		}
		p.Identifiers["__main__."+name] = &program.Identifier{Type: "struct", Members: ms, Size: &size, FullName: "__main__." + name}
	}
	m := vm.New(mem, 0, 1)
	m.FP = memory.Relocatable{Segment: 1, Offset: 10}
	m.AP = memory.Relocatable{Segment: 1, Offset: 20}
	return &hintEnv{t: t, VM: m, Mem: mem, Prog: p, RT: NewRuntime(p, nil, nil), hint: h}
}

// run executes the hint with the given code.
func (e *hintEnv) run(code string) error {
	e.t.Helper()
	fn := e.RT.lookup(code)
	if fn == nil {
		e.t.Fatalf("hint not implemented:\n%s", code)
	}
	c := &compiled{rt: e.RT, hint: &e.hint, fn: fn}
	return c.Execute(e.VM)
}

// set writes a felt at fp+off.
func (e *hintEnv) setFP(off int64, v uint64) {
	e.t.Helper()
	a, err := e.VM.FP.AddInt(off)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.Mem.Set(a, memory.FeltValue(felt.FromUint64(v))); err != nil {
		e.t.Fatal(err)
	}
}

// get reads the felt at fp+off.
func (e *hintEnv) getFP(off int64) memory.Value {
	e.t.Helper()
	a, err := e.VM.FP.AddInt(off)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.Mem.Get(a)
}

func TestAllocAddsSegment(t *testing.T) {
	e := newHintEnv(t, nil, nil, nil)
	if err := e.run("memory[ap] = segments.add()"); err != nil {
		t.Fatal(err)
	}
	got := e.Mem.Get(e.VM.AP)
	if !got.IsReloc() || got.Reloc().Segment != 2 || got.Reloc().Offset != 0 {
		t.Fatalf("[ap] = %v, want 2:0", got)
	}
}

func TestIDsResolution(t *testing.T) {
	e := newHintEnv(t,
		map[string]string{
			"a":   "[cast(fp + (-3), felt*)]",
			"u":   "[cast(fp + (-6), __main__.U*)]",
			"p":   "cast(fp + (-6), __main__.U*)",
			"k":   "cast(2500, felt)",
			"apb": "[cast(ap + (-1), felt*)]",
		},
		map[string]string{"SHIFT": "340282366920938463463374607431768211456"},
		map[string]map[string]int{"U": {"low": 0, "high": 1}},
	)
	e.setFP(-3, 7)
	e.setFP(-6, 11)
	e.setFP(-5, 12)
	if err := e.Mem.Set(memory.Relocatable{Segment: 1, Offset: 19}, memory.Uint64Value(99)); err != nil {
		t.Fatal(err)
	}
	c := &Context{VM: e.VM, rt: e.RT, hint: &e.hint}
	for _, tt := range []struct {
		name string
		want uint64
	}{{"a", 7}, {"u.low", 11}, {"u.high", 12}, {"p.high", 12}, {"k", 2500}, {"apb", 99}} {
		f, err := c.Felt(tt.name)
		if err != nil {
			t.Fatalf("ids.%s: %v", tt.name, err)
		}
		if u, _ := f.Uint64(); u != tt.want {
			t.Fatalf("ids.%s = %v, want %d", tt.name, f, tt.want)
		}
	}
	if err := c.SetFelt("u.high", felt.FromUint64(12)); err != nil {
		t.Fatalf("rewrite same value: %v", err)
	}
	if err := c.SetFelt("u.low", felt.FromUint64(5)); err == nil {
		t.Fatal("inconsistent write accepted")
	}
	if _, err := c.Felt("missing"); err == nil {
		t.Fatal("unknown identifier accepted")
	}
	s, err := c.Const("SHIFT")
	if err != nil || s.BitLen() != 129 {
		t.Fatalf("SHIFT = %v, %v", s, err)
	}
	addr, err := c.Addr("a")
	if err != nil || addr != (memory.Relocatable{Segment: 1, Offset: 7}) {
		t.Fatalf("Addr(a) = %v, %v", addr, err)
	}
}
