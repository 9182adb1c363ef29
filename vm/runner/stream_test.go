package runner

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/program"
)

// factorialFixture runs 660,118 steps on the plain layout: several trace
// chunks and over a hundred memory pages.
const factorialFixture = "giza/examples__src__factorial__factorial.json"

// runStreaming runs p as kairo run does (secure run, the trace recorded
// when trace is set) after start has attached its streams, and relocates.
func runStreaming(t *testing.T, p *program.Program, layoutName string, trace bool, start func(*Runner)) *Runner {
	t.Helper()
	layout, err := builtins.LayoutByName(layoutName)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(p, Config{Layout: layout, SecureRun: true, Trace: trace, Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	start(r)
	if err := r.Run(); err != nil {
		t.Fatal(r.FormatError(err))
	}
	if err := r.Relocate(); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestStreamTrace: the trace file written while the program runs is the
// file WriteTrace writes, also when the guessed segment bases turn out
// wrong (the file is rewritten) or a chunk has entries outside the program
// and execution segments (the rest is written at the end).
func TestStreamTrace(t *testing.T) {
	p := fixture(t, factorialFixture)
	tests := []struct {
		name   string
		tamper func(s *TraceStream)
		slow   bool // the writer's first write waits until the run ends
	}{
		{name: "streamed", tamper: func(*TraceStream) {}},
		{name: "wrong bases", tamper: func(s *TraceStream) { s.eb++ }},
		{name: "odd chunk", tamper: func(s *TraceStream) {
			hook := s.r.VM.OnTraceChunk
			n := 0
			s.r.VM.OnTraceChunk = func(first int, entries []vm.TraceEntry, odd bool) {
				n++
				hook(first, entries, odd || n == 3)
			}
		}},
		// The VM queues the chunks the writer cannot take and runs on;
		// Finish writes what was never handed over.
		{name: "writer behind", tamper: func(*TraceStream) {}, slow: true},
	}
	if testing.Short() {
		// The cases that stream a prefix and write the rest at the end.
		tests = tests[2:]
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Create(filepath.Join(t.TempDir(), "trace"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var s *TraceStream
			var tf TraceFile = f
			gate := make(chan struct{})
			if tt.slow {
				tf = &gatedFile{File: f, gate: gate}
			}
			r := runStreaming(t, p, "plain", true, func(r *Runner) {
				s = r.StreamTrace(tf)
				tt.tamper(s)
			})
			if tt.slow && len(s.queued) == 0 {
				t.Error("no chunk queued behind the stalled writer")
			}
			close(gate)
			if err := s.Finish(); err != nil {
				t.Fatal(err)
			}
			if s.written == 0 {
				t.Error("nothing was written during the run")
			}
			if tt.slow && s.written >= r.VM.TraceLen() {
				t.Errorf("the stalled writer wrote all %d entries", s.written)
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

// TestStreamMemory: the memory file written while the program runs is the
// file WriteMemory writes, whatever Finish finds: pages streamed whole,
// pages holding addresses of builtin segments (encoded again at the end),
// a streamed page that gained a cell after it was copied (the file is
// written again from there), and wrong segment bases (written again from
// the start).
func TestStreamMemory(t *testing.T) {
	// benchmarks__pedersen (small layout, 1,300,029 steps) keeps pointers
	// to the pedersen builtin's segment on the stack; factorial (plain)
	// has no builtins.
	const pedersen, factorial = "ziggy-starkdust/benchmarks__pedersen.json", factorialFixture
	// A local at [fp] written after a loop that moved ap 24 pages up: its
	// page was streamed without it.
	const lateLocal = `%builtins output
func main:
    ap += 1
    [ap] = 100000, ap++
loop:
    [ap] = [ap - 1] + (-1), ap++
    jmp loop if [ap - 1] != 0
    [fp] = 42
    [fp] = [[fp - 3]]
    [ap] = [fp - 3] + 1, ap++
    ret
`
	tests := []struct {
		name    string
		rel     string // a fixture program, or
		src     string // assembly
		layout  string
		tamper  func(t *testing.T, s *MemoryStream) // after the run, before Finish
		rewrote bool
		kept    func(t *testing.T, s *MemoryStream) // after Finish
	}{
		{name: "streamed", rel: factorial, layout: "plain", kept: func(t *testing.T, s *MemoryStream) {
			if len(s.pages) < 50 {
				t.Errorf("%d pages streamed, want most of the execution segment's", len(s.pages))
			}
		}},
		{name: "addresses of builtin segments", rel: pedersen, layout: "small", kept: func(t *testing.T, s *MemoryStream) {
			deferred := 0
			for _, p := range s.pages {
				if p.deferred {
					deferred++
				}
			}
			if deferred == 0 || deferred == len(s.pages) {
				t.Errorf("%d of %d streamed pages deferred, want some", deferred, len(s.pages))
			}
		}},
		{name: "page gained a cell", rel: factorial, layout: "plain", rewrote: true,
			tamper: func(t *testing.T, s *MemoryStream) {
				// As if page 20 of the execution segment had been copied
				// before its last cell was written.
				for i := range s.pages {
					if s.pages[i].seg == 1 && s.pages[i].page == 20 {
						s.pages[i].count--
						return
					}
				}
				t.Fatal("page 20 was not streamed")
			},
			kept: func(t *testing.T, s *MemoryStream) {
				if last := s.pages[len(s.pages)-1]; last.seg != 1 || last.page != 19 || s.next != 20 {
					t.Errorf("kept pages up to %d:%d, next %d; want up to 1:19, next 20", last.seg, last.page, s.next)
				}
			}},
		{name: "local written late", src: lateLocal, layout: "small", rewrote: true,
			kept: func(t *testing.T, s *MemoryStream) {
				if len(s.pages) != 1 || s.pages[0].seg != 0 || s.next != 0 {
					t.Errorf("kept %d pages, next %d; want the program's page, next 0", len(s.pages), s.next)
				}
			}},
		{name: "wrong bases", rel: factorial, layout: "plain", rewrote: true,
			tamper: func(t *testing.T, s *MemoryStream) { s.eb++ },
			kept: func(t *testing.T, s *MemoryStream) {
				if len(s.pages) != 0 {
					t.Errorf("%d streamed pages kept, want none", len(s.pages))
				}
			}},
	}
	if testing.Short() {
		tests = tests[2:4]
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p *program.Program
			if tt.src != "" {
				p = assembleProgram(t, tt.src)
			} else {
				p = fixture(t, tt.rel)
			}
			var f memFile
			var s *MemoryStream
			r := runStreaming(t, p, tt.layout, false, func(r *Runner) { s = r.StreamMemory(&f) })
			if err := s.wait(); err != nil {
				t.Fatal(err)
			}
			if tt.tamper != nil {
				tt.tamper(t, s)
			}
			if err := s.Finish(); err != nil {
				t.Fatal(err)
			}
			if s.rewrote != tt.rewrote {
				t.Errorf("rewrote = %v, want %v", s.rewrote, tt.rewrote)
			}
			tt.kept(t, s)
			var want bytes.Buffer
			if err := r.WriteMemory(&want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(f.b, want.Bytes()) {
				t.Fatalf("streamed memory: %d bytes, differs from WriteMemory's %d bytes", len(f.b), want.Len())
			}
		})
	}
}

// failingFile fails every write after the first n bytes.
type failingFile struct {
	memFile
	limit int64
}

func (f *failingFile) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.limit {
		return 0, errDiskFull
	}
	return f.memFile.WriteAt(p, off)
}

var errDiskFull = errors.New("no space left on device")

// TestStreamMemoryWriteError: a write that fails during the run is
// reported by Finish, not lost.
func TestStreamMemoryWriteError(t *testing.T) {
	var s *MemoryStream
	runStreaming(t, fixture(t, factorialFixture), "plain", false, func(r *Runner) { s = r.StreamMemory(&failingFile{limit: 1 << 20}) })
	if err := s.Finish(); !errors.Is(err, errDiskFull) {
		t.Fatalf("Finish = %v, want %v", err, errDiskFull)
	}
}

// gatedFile is a trace file whose writes wait until gate is closed.
type gatedFile struct {
	*os.File
	gate chan struct{}
}

func (f *gatedFile) Write(p []byte) (int, error) {
	<-f.gate
	return f.File.Write(p)
}
