package asm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOwnFixtures assembles every program of fixtures/asm, checks the facts
// the VM tests and the demo rely on, and round-trips each through the
// disassembler.
func TestOwnFixtures(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "fixtures", "asm")
	files, err := filepath.Glob(filepath.Join(dir, "*.casm"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d fixtures in %s", len(files), dir)
	}
	progs := map[string]*Program{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".casm")
		p, err := Assemble(filepath.Base(f), src)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		progs[name] = p
		if id := p.Identifiers["__main__.main"]; id.Type != "function" || id.PC == nil {
			t.Errorf("%s: no main function: %+v", name, id)
		}
		out, err := p.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		text, err := Disassemble(name+".json", out)
		if err != nil {
			t.Errorf("%s: disassemble: %v", name, err)
			continue
		}
		q, err := Assemble(name+".dis.casm", []byte(text))
		if err != nil {
			t.Errorf("%s: reassemble: %v", name, err)
			continue
		}
		equalWords(t, name, p.Data, q.Data)
	}

	if p := progs["fibonacci"]; p == nil || strings.Join(p.Builtins, " ") != "output" {
		t.Errorf("fibonacci must declare %%builtins output (the demo prints its output)")
	}
	for _, name := range []string{"fibonacci_proof", "output_range_check_proof"} {
		p := progs[name]
		if p == nil {
			t.Errorf("%s missing", name)
			continue
		}
		start, end := p.Identifiers["__main__.__start__"], p.Identifiers["__main__.__end__"]
		if start.Type != "label" || start.PC == nil || *start.PC != 0 || end.Type != "label" || end.PC == nil {
			t.Errorf("%s: __start__ %+v __end__ %+v", name, start, end)
			continue
		}
		if p.Data[*end.PC] != "0x10780017fff7fff" || p.Data[*end.PC+1] != "0x0" {
			t.Errorf("%s: __end__ is not jmp rel 0", name)
		}
	}

	// Fixtures that compute addresses from a pc: the distances written in
	// their source must match the layout.
	distances := []struct {
		prog, from, to string
		want           int
	}{
		{"pc_updates", "after", "done", 5},
		{"call_ret", "here", "double", 16},
		{"call_ret", "callrel", "double", 8},
	}
	for _, d := range distances {
		p := progs[d.prog]
		if p == nil {
			t.Errorf("%s missing", d.prog)
			continue
		}
		from, to := p.Identifiers[FullName(d.from)].PC, p.Identifiers[FullName(d.to)].PC
		if from == nil || to == nil || *to-*from != d.want {
			t.Errorf("%s: %s - %s is not %d", d.prog, d.to, d.from, d.want)
		}
	}
}
