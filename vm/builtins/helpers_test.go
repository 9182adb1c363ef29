package builtins

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// setup initializes r's segment in a fresh memory (segments 0 and 1 stand
// for program and execution) and installs its rules.
func setup(t testing.TB, r Runner) *memory.Memory {
	t.Helper()
	m := memory.New()
	m.AddSegment()
	m.AddSegment()
	r.InitializeSegments(m)
	r.AddValidationRules(m)
	r.AddAutoDeductionRules(m)
	return m
}

func fv(s string) memory.Value { return memory.FeltValue(felt.MustFromString(s)) }

func uv(u uint64) memory.Value { return memory.Uint64Value(u) }

func set(t testing.TB, m *memory.Memory, addr memory.Relocatable, v memory.Value) {
	t.Helper()
	if err := m.Set(addr, v); err != nil {
		t.Fatalf("set %s = %s: %v", addr, v, err)
	}
}

// deduce asks the memory's deducer for addr and writes the result.
func deduce(t testing.TB, m *memory.Memory, addr memory.Relocatable) memory.Value {
	t.Helper()
	v, ok, err := m.Deduce(addr)
	if err != nil || !ok {
		t.Fatalf("deduce %s: ok=%v err=%v", addr, ok, err)
	}
	set(t, m, addr, v)
	return v
}

func wantErr(t testing.TB, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q, want it to contain %q", err, want)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func bigHex(s string) *big.Int {
	b, ok := new(big.Int).SetString(strings.TrimPrefix(s, "0x"), 16)
	if !ok {
		panic("bad hex " + s)
	}
	return b
}

func mustLayout(t testing.TB, name string) Layout {
	t.Helper()
	l, err := LayoutByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustDef(t testing.TB, layout, name string) BuiltinDef {
	t.Helper()
	l := mustLayout(t, layout)
	d, ok := l.Builtin(name)
	if !ok {
		t.Fatalf("layout %s has no %s", layout, name)
	}
	return *d
}
