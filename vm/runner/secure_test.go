package runner

import (
	"io"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// TestSecureRun: the secure-run checks reject a cell written past the
// program's data or past a builtin segment's stop pointer (a page that
// crosses the bound and one wholly past it), and an address value that
// points into no segment (a page wholly in bounds); a clean run passes.
func TestSecureRun(t *testing.T) {
	const clean = `%builtins output
func main:
    [ap] = 5, ap++
    [ap - 1] = [[fp - 3]]
    [ap] = [fp - 3] + 1, ap++
    ret
`
	// write sets a cell after the run.
	write := func(at memory.Relocatable) func(*testing.T, *Runner) {
		return func(t *testing.T, r *Runner) {
			r.Mem.Unfreeze()
			if err := r.Mem.Set(at, memory.FeltValue(felt.FromUint64(7))); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		src     string
		tamper  func(t *testing.T, r *Runner) // after the run, before the checks
		wantErr string
	}{
		{name: "clean", src: clean},
		{name: "past the program", src: clean, tamper: write(memory.Relocatable{Segment: 0, Offset: 100}),
			wantErr: "Out of bounds access to program segment at 0:100."},
		{name: "past the output's stop pointer", src: clean, tamper: write(memory.Relocatable{Segment: 2, Offset: 10}),
			wantErr: "Out of bounds access to builtin segment output at 2:10."},
		{name: "a page past the output's stop pointer", src: clean, tamper: write(memory.Relocatable{Segment: 2, Offset: 5000}),
			wantErr: "Out of bounds access to builtin segment output at 2:5000."},
		{name: "address of no segment", src: clean, tamper: func(t *testing.T, r *Runner) {
			r.Mem.Unfreeze()
			if err := r.Mem.Set(memory.Relocatable{Segment: 1, Offset: 3000}, memory.RelocValue(memory.Relocatable{Segment: 99, Offset: 1})); err != nil {
				t.Fatal(err)
			}
		}, wantErr: "Invalid memory value at address 1:3000: 99:1."},
	}
	layout, err := builtins.LayoutByName("small")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(assembleProgram(t, tt.src), Config{Layout: layout, Stdout: io.Discard})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Run(); err != nil {
				t.Fatal(r.FormatError(err))
			}
			if tt.tamper != nil {
				tt.tamper(t, r)
			}
			err = r.VerifySecureRunner()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
