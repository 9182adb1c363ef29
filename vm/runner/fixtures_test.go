package runner

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/asm"
	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/program"
)

// loadAsm assembles one of our own fixtures/asm programs.
func loadAsm(t testing.TB, name string) *program.Program {
	t.Helper()
	path := filepath.Join("..", "..", "fixtures", "asm", name)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := asm.Assemble(path, src)
	if err != nil {
		t.Fatalf("assemble %s: %v", name, err)
	}
	js, err := ap.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	p, err := program.Parse(js)
	if err != nil {
		t.Fatalf("load assembled %s: %v", name, err)
	}
	return p
}

func runAsm(t *testing.T, name, layoutName string, cfg Config) (*Runner, error) {
	t.Helper()
	layout, err := builtins.LayoutByName(layoutName)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Layout = layout
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	r, err := New(loadAsm(t, name), cfg)
	if err != nil {
		return nil, err
	}
	if err := r.Run(); err != nil {
		return r, err
	}
	return r, r.Relocate()
}

// TestOwnPrograms runs every opcode family and error case of our own
// assembly fixtures.
func TestOwnPrograms(t *testing.T) {
	tests := []struct {
		file    string
		layout  string
		proof   bool
		steps   uint64
		output  string
		wantErr string
	}{
		{file: "fibonacci.casm", layout: "small", steps: 4006, output: "136380566276010706690742754800077408887173906373294333363333681744450488681"},
		{file: "fibonacci_proof.casm", layout: "small", proof: true, steps: 4096, output: "136380566276010706690742754800077408887173906373294333363333681744450488681"},
		{file: "output_range_check.casm", layout: "small", steps: 10, output: "107|340282366920938463463374607431768211455"},
		// The range check of 2^128-1 spans every 16-bit part, so the padding
		// must provide 65535 range-check units: 13 per step gives 8192.
		{file: "output_range_check_proof.casm", layout: "small", proof: true, steps: 8192},
		{file: "op1_sources.casm", layout: "small", steps: 9, output: "7|7|7"},
		{file: "res_logic.casm", layout: "small", steps: 13, output: "360|354|60"},
		{file: "pc_updates.casm", layout: "small", steps: 22, output: "1|0|2|3|3"},
		{file: "ap_updates.casm", layout: "small", steps: 16, output: "5|2|7|8|10"},
		{file: "call_ret.casm", layout: "small", steps: 26, output: "6|10|14"},
		{file: "error_assert_eq.casm", layout: "plain", wantErr: "An ASSERT_EQ instruction failed: 1 != 2."},
		{file: "error_invalid_instruction.casm", layout: "plain", wantErr: "Error at pc=0:"},
		{file: "error_high_bit.casm", layout: "plain", wantErr: "Unsupported instruction"},
		{file: "error_jump_into_data.casm", layout: "plain", wantErr: "Error at pc=0:"},
		{file: "error_unknown_hint.casm", layout: "plain", wantErr: "Unknown hint"},
		{file: "error_unset_cell.casm", layout: "plain", wantErr: "Unknown value for memory cell"},
		{file: "error_unset_operands.casm", layout: "plain", wantErr: "Unknown value for memory cell"},
		{file: "error_infinite_loop.casm", layout: "plain", wantErr: "End of program was not reached"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg := Config{ProofMode: tt.proof, SecureRun: !tt.proof, AllowMissingBuiltins: tt.proof, Trace: true}
			if tt.file == "error_infinite_loop.casm" {
				cfg.Steps = 1000
			}
			r, err := runAsm(t, tt.file, tt.layout, cfg)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("run succeeded, want an error containing %q", tt.wantErr)
				}
				msg := err.Error()
				if r != nil {
					msg = r.FormatError(err)
				}
				if !strings.Contains(msg, tt.wantErr) {
					t.Fatalf("error %q does not contain %q", msg, tt.wantErr)
				}
				var ve *vm.Error
				if r != nil && !errors.As(err, &ve) {
					t.Fatalf("error %T is not located at a pc", err)
				}
				return
			}
			if err != nil {
				t.Fatal(r.FormatError(err))
			}
			if r.VM.Step != tt.steps {
				t.Errorf("steps = %d, want %d", r.VM.Step, tt.steps)
			}
			if tt.output != "" {
				vals, _, err := r.OutputValues()
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Join(vals, "|"); got != tt.output {
					t.Errorf("output = %s, want %s", got, tt.output)
				}
			}
			var trace bytes.Buffer
			if err := r.WriteTrace(&trace); err != nil {
				t.Fatal(err)
			}
			if uint64(trace.Len()) != 24*r.VM.Step {
				t.Errorf("trace is %d bytes for %d steps", trace.Len(), r.VM.Step)
			}
		})
	}
}

// TestErrorLocation checks that a failing instruction is reported with its
// source line and marks, as cairo-run does.
func TestErrorLocation(t *testing.T) {
	r, err := runAsm(t, "error_assert_eq.casm", "plain", Config{SecureRun: true})
	if err == nil {
		t.Fatal("run succeeded")
	}
	msg := r.FormatError(err)
	lines := strings.Split(msg, "\n")
	if len(lines) < 4 || !strings.Contains(lines[0], "error_assert_eq.casm:") || !strings.Contains(lines[0], ": Error at pc=0:") {
		t.Fatalf("unexpected error rendering:\n%s", msg)
	}
	if !strings.Contains(lines[3], "^") {
		t.Fatalf("no location marks:\n%s", msg)
	}
}

func TestStepsAndMinSteps(t *testing.T) {
	// Outside proof mode main returns to the end pc, so running past it
	// fails as in cairo-run.
	r, err := runAsm(t, "fibonacci.casm", "small", Config{SecureRun: true, MinSteps: 5000})
	if err == nil || !strings.Contains(r.FormatError(err), "Execution reached the end of the program") {
		t.Fatalf("--min_steps past the end: %v", err)
	}
	// A proof-mode program loops at __end__, so it can run longer.
	r, err = runAsm(t, "fibonacci_proof.casm", "small", Config{ProofMode: true, AllowMissingBuiltins: true, MinSteps: 5000})
	if err != nil {
		t.Fatal(r.FormatError(err))
	}
	if r.VM.Step != 8192 || *r.OriginalSteps != 4009 {
		t.Fatalf("steps %d (originally %d), want 8192 (4009: 4008 to __end__ and the extra step)", r.VM.Step, *r.OriginalSteps)
	}
	if _, err := runAsm(t, "fibonacci.casm", "small", Config{SecureRun: true, Steps: 100}); err == nil {
		t.Fatal("--steps 100 on a 4006-step program succeeded")
	}
	r, err = runAsm(t, "error_infinite_loop.casm", "plain", Config{NoEnd: true, Steps: 1000})
	if err != nil || r.VM.Step != 1000 || r.OriginalSteps != nil {
		t.Fatalf("--no_end --steps 1000: %v", err)
	}
}
