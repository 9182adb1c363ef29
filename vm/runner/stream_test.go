package runner

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/program"
)

// TestStreamTrace: the trace file written while the program runs is the
// file WriteTrace writes, also when the guessed segment bases turn out
// wrong (the file is rewritten) or a chunk has entries outside the program
// and execution segments (the rest is written at the end).
func TestStreamTrace(t *testing.T) {
	rel := "giza/examples__src__factorial__factorial.json" // 660,118 steps: several chunks
	p, err := program.Load(filepath.Join(fixturesDir(), "cairo0", "programs", rel))
	if err != nil {
		t.Skipf("\n\n*** STREAMED TRACE TEST SKIPPED: fixture %s unavailable: %v ***\n\n", rel, err)
	}
	layout, err := builtins.LayoutByName("plain")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		tamper func(s *TraceStream)
	}{
		{"streamed", func(*TraceStream) {}},
		{"wrong bases", func(s *TraceStream) { s.eb++ }},
		{"odd chunk", func(s *TraceStream) {
			hook := s.r.VM.OnTraceChunk
			n := 0
			s.r.VM.OnTraceChunk = func(first int, entries []vm.TraceEntry, odd bool) {
				n++
				hook(first, entries, odd || n == 3)
			}
		}},
	}
	if testing.Short() {
		// The case that streams a prefix and writes the rest at the end.
		tests = tests[2:]
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(p, Config{Layout: layout, SecureRun: true, Trace: true, Stdout: io.Discard})
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(filepath.Join(t.TempDir(), "trace"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			s := r.StreamTrace(f)
			tt.tamper(s)
			if err := r.Run(); err != nil {
				t.Fatal(r.FormatError(err))
			}
			if err := r.Relocate(); err != nil {
				t.Fatal(err)
			}
			if err := s.Finish(); err != nil {
				t.Fatal(err)
			}
			if s.written == 0 {
				t.Error("nothing was written during the run")
			}
			var want bytes.Buffer
			if err := r.WriteTrace(&want); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("streamed trace: %d bytes, differs from WriteTrace's %d bytes", len(got), want.Len())
			}
		})
	}
}
