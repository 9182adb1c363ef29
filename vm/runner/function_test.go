package runner

import (
	"errors"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/asm"
	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hints"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/program"
)

func assembleProgram(t *testing.T, src string) *program.Program {
	t.Helper()
	ap, err := asm.Assemble("f.casm", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ap.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	p, err := program.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const addSrc = `
func add:
%{ record_args %}
    [ap] = [fp - 3] + [fp - 4], ap++
    ret
func check:
    [fp - 3] = 1
    ret
`

func TestRunFunction(t *testing.T) {
	p := assembleProgram(t, addSrc)
	layout, err := builtins.LayoutByName("all_cairo")
	if err != nil {
		t.Fatal(err)
	}
	addPC, _ := p.LabelPC("__main__.add")
	checkPC, _ := p.LabelPC("__main__.check")
	tests := []struct {
		name    string
		entry   uint64
		args    []uint64
		maxStep uint64
		ret     uint64
		wantErr string
	}{
		{name: "add", entry: addPC, args: []uint64{6, 5}, ret: 11},
		{name: "failing assert", entry: checkPC, args: []uint64{2}, wantErr: "Error at pc=0:"},
		{name: "step limit", entry: addPC, args: []uint64{6, 5}, maxStep: 1, wantErr: "step limit reached"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen felt.Felt
			var argSeg memory.Relocatable
			r, err := NewFunction(p, Function{
				Layout: layout,
				Entry:  tc.entry,
				Args: func(r *Runner) ([]memory.Value, error) {
					argSeg = r.Mem.AddSegment()
					out := []memory.Value{}
					for _, a := range tc.args {
						out = append(out, memory.Uint64Value(a))
					}
					return out, nil
				},
				Hints: map[string]hints.Func{"record_args": func(c *hints.Context) error {
					v := c.Mem().Get(c.FP().Add(0))
					_ = v
					fpm3, _ := c.FP().AddInt(-3)
					seen = c.Mem().Get(fpm3).Felt()
					if c.Scope()["limit"] != 7 {
						return errors.New("scope variable missing")
					}
					return nil
				}},
				Scope: map[string]any{"limit": 7},
			})
			if err != nil {
				t.Fatal(err)
			}
			if argSeg.Segment < 2 {
				t.Errorf("argument segment %d allocated before the builtin segments", argSeg.Segment)
			}
			err = r.RunFunction(tc.maxStep)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(r.FormatFunctionError(err), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(r.FormatFunctionError(err))
			}
			ret, err := r.ReturnValues(1)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := ret[0].Felt().Uint64(); got != tc.ret {
				t.Errorf("returned %d, want %d", got, tc.ret)
			}
			if got, _ := seen.Uint64(); got != tc.args[1] {
				t.Errorf("hint saw [fp-3] = %d, want %d", got, tc.args[1])
			}
			if r.VM.Step != 2 {
				t.Errorf("steps %d, want 2", r.VM.Step)
			}
			if n := len(r.UsedInstances()); n != 0 {
				t.Errorf("used builtins %v, want none", r.UsedInstances())
			}
			// The arguments are not accessed by the function's instructions
			// until marked.
			holes, err := r.MemoryHoles()
			if err != nil {
				t.Fatal(err)
			}
			r.MarkAccessed(r.InitialFP().Add(0), 0)
			fpArgs, _ := r.InitialFP().AddInt(-4)
			r.MarkAccessed(fpArgs, 2)
			after, _ := r.MemoryHoles()
			if after > holes {
				t.Errorf("marking cells accessed raised the holes from %d to %d", holes, after)
			}
		})
	}
}

func TestNewFunctionErrors(t *testing.T) {
	p := assembleProgram(t, addSrc)
	layout, _ := builtins.LayoutByName("all_cairo")
	if _, err := NewFunction(p, Function{Layout: layout, Entry: 1000}); err == nil {
		t.Error("an entry outside the program was accepted")
	}
	boom := errors.New("no calldata")
	if _, err := NewFunction(p, Function{Layout: layout, Args: func(*Runner) ([]memory.Value, error) { return nil, boom }}); !errors.Is(err, boom) {
		t.Errorf("Args error %v, want %v", err, boom)
	}
}
