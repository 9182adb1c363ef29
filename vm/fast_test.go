package vm_test

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"
	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/program"
	"github.com/kairo-dev/kairo/vm/runner"
)

// runState is everything a run leaves behind that the two execution paths
// must agree on.
type runState struct {
	err        string
	steps      uint64
	pc, ap, fp memory.Relocatable
	trace      []vm.TraceEntry
	cells      map[memory.Relocatable]memory.Value
	accessed   []uint64
}

func runWith(t *testing.T, p *program.Program, layout builtins.Layout, proof, genericOnly bool) runState {
	t.Helper()
	r, err := runner.New(p, runner.Config{Layout: layout, ProofMode: proof, Trace: true, TrackAccesses: true, Stdout: io.Discard})
	if err != nil {
		return runState{err: err.Error()}
	}
	vm.SetGenericOnly(r.VM, genericOnly)
	var st runState
	if err := r.Run(); err != nil {
		st.err = r.FormatError(err)
	}
	m := r.VM
	st.steps, st.pc, st.ap, st.fp = m.Step, m.PC, m.AP, m.FP
	for i := 0; i < m.TraceLen(); i++ {
		st.trace = append(st.trace, m.TraceAt(i))
	}
	st.cells = map[memory.Relocatable]memory.Value{}
	for s := 0; s < r.Mem.NumSegments(); s++ {
		for off, v := range r.Mem.Cells(s) {
			st.cells[memory.Relocatable{Segment: s, Offset: off}] = v
		}
		st.accessed = append(st.accessed, r.Mem.AccessedCount(s))
	}
	return st
}

// TestFastPathMatchesGeneric runs the conformance programs with the fast
// path on and off: trace, registers, memory, accessed cells and errors
// must be identical.
func TestFastPathMatchesGeneric(t *testing.T) {
	dir := shared.FixturesDir()
	f, err := os.Open(filepath.Join(dir, "cairo0", "golden.tsv"))
	if err != nil {
		t.Skipf("\n\n*** FAST-PATH DIFFERENTIAL TEST SKIPPED: no fixtures at %s (set KAIRO_FIXTURES) ***\n\n", dir)
	}
	defer f.Close()
	maxSteps := 300000
	if testing.Short() {
		maxSteps = 10000
	}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	ran := 0
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		if len(col) < 5 {
			continue
		}
		prog, mode, layoutName, status, stepsCol := col[0], col[1], col[2], col[3], col[4]
		if status == "timeout" {
			continue
		}
		if n, err := strconv.Atoi(stepsCol); err == nil && n > maxSteps {
			continue
		}
		p, err := program.Load(filepath.Join(dir, prog))
		if err != nil {
			continue
		}
		layout, err := builtins.LayoutByName(layoutName)
		if err != nil {
			continue
		}
		name := strings.TrimPrefix(prog, "cairo0/programs/") + "/" + mode
		t.Run(name, func(t *testing.T) {
			fast := runWith(t, p, layout, mode == "proof", false)
			slow := runWith(t, p, layout, mode == "proof", true)
			if fast.err != slow.err {
				t.Fatalf("errors differ:\nfast:    %s\ngeneric: %s", fast.err, slow.err)
			}
			if fast.steps != slow.steps || fast.pc != slow.pc || fast.ap != slow.ap || fast.fp != slow.fp {
				t.Fatalf("registers differ: fast step %d pc %s ap %s fp %s, generic step %d pc %s ap %s fp %s",
					fast.steps, fast.pc, fast.ap, fast.fp, slow.steps, slow.pc, slow.ap, slow.fp)
			}
			if len(fast.trace) != len(slow.trace) {
				t.Fatalf("trace lengths differ: %d and %d", len(fast.trace), len(slow.trace))
			}
			for i := range fast.trace {
				if fast.trace[i] != slow.trace[i] {
					t.Fatalf("trace entry %d differs: %+v and %+v", i, fast.trace[i], slow.trace[i])
				}
			}
			if len(fast.cells) != len(slow.cells) {
				t.Fatalf("memory sizes differ: %d and %d cells", len(fast.cells), len(slow.cells))
			}
			for a, v := range slow.cells {
				if fast.cells[a] != v {
					t.Fatalf("cell %s differs: fast %s, generic %s", a, fast.cells[a], v)
				}
			}
			for s := range slow.accessed {
				if fast.accessed[s] != slow.accessed[s] {
					t.Fatalf("segment %d: %d accessed cells on the fast path, %d on the generic one", s, fast.accessed[s], slow.accessed[s])
				}
			}
		})
		ran++
	}
	if ran == 0 {
		t.Fatal("no conformance program ran")
	}
}
