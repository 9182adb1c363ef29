package asm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kairo-dev/kairo/internal/golden"

	"github.com/kairo-dev/kairo/cli/internal/clitest"
)

// execute runs NewCmdAsm or NewCmdDisasm with args on in-memory streams.
func execute(t *testing.T, disasm bool, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	build := NewCmdAsm
	if disasm {
		build = NewCmdDisasm
	}
	return clitest.Execute(t, build, nil, "", args...)
}

func exitCode(err error) int { return clitest.ExitCode(err) }

func TestGolden(t *testing.T) {
	tests := []struct {
		name     string
		disasm   bool
		args     []string
		wantCode int
	}{
		{"asm_count", false, []string{"testdata/count.casm", "-o", "-"}, 0},
		{"disasm_count", true, []string{"testdata/asm_count.golden"}, 0},
		{"asm_bad_offset", false, []string{"testdata/bad_offset.casm", "-o", "-"}, 1},
		{"disasm_bad_word", true, []string{"testdata/bad_word.json"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := execute(t, tt.disasm, tt.args...)
			if code := exitCode(err); code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d; stderr: %s", code, err, tt.wantCode, errOut)
			}
			golden.Check(t, tt.name, out+errOut)
		})
	}
}

// TestAsmDefaultOutput writes FILE.json beside FILE.casm, and the written
// program disassembles.
func TestAsmDefaultOutput(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/count.casm")
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "count.casm")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := execute(t, false, in); err != nil {
		t.Fatalf("asm: %v %s", err, errOut)
	}
	outFile := filepath.Join(dir, "count.casm.s")
	if _, errOut, err := execute(t, true, filepath.Join(dir, "count.json"), "-o", outFile); err != nil {
		t.Fatalf("disasm: %v %s", err, errOut)
	}
	if b, err := os.ReadFile(outFile); err != nil || len(b) == 0 {
		t.Fatalf("disasm -o wrote nothing: %v", err)
	}
	if _, _, err := execute(t, false, filepath.Join(dir, "missing.casm")); err == nil {
		t.Fatal("a missing input succeeded")
	}
}
