package runner

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/program"
)

// fixturesDir returns the shared conformance fixtures, or "" when absent.
func fixturesDir() string {
	if d := os.Getenv("KAIRO_FIXTURES"); d != "" {
		return d
	}
	d, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "fixtures"))
	return d
}

type goldenRow struct {
	Program, Mode, Layout, Status string
	Steps, UsedCells              string
	Output                        string
	TraceSHA, MemorySHA           string
	Error                         string
	Stored                        string
}

func readGolden(t *testing.T, dir string) []goldenRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "cairo0", "golden.tsv"))
	if err != nil {
		t.Fatalf("open golden.tsv: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var rows []goldenRow
	var cols map[string]int
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if cols == nil {
			cols = map[string]int{}
			for i, c := range fields {
				cols[c] = i
			}
			continue
		}
		get := func(c string) string {
			if i, ok := cols[c]; ok && i < len(fields) {
				return fields[i]
			}
			return ""
		}
		rows = append(rows, goldenRow{
			Program: get("program"), Mode: get("mode"), Layout: get("layout"), Status: get("status"),
			Steps: get("steps"), UsedCells: get("used_memory_cells"), Output: get("output"),
			TraceSHA: get("trace_sha256"), MemorySHA: get("memory_sha256"), Error: get("error"), Stored: get("stored"),
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read golden.tsv: %v", err)
	}
	return rows
}

// knownFailures lists golden rows kairo does not match yet, with the
// reason; the conformance test expects them to fail and says when one
// starts passing.
func knownFailures(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "conformance_known_failures.txt"))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, _ := strings.Cut(line, "\t")
		out[key] = reason
	}
	return out
}

func rowKey(r goldenRow) string { return r.Program + " " + r.Mode }

// runGolden runs one golden row and returns the first mismatch.
func runGolden(dir string, row goldenRow) error {
	p, err := program.Load(filepath.Join(dir, row.Program))
	if row.Status == "error" {
		if err != nil {
			return nil
		}
	} else if err != nil {
		return err
	}
	layout, err := builtins.LayoutByName(row.Layout)
	if err != nil {
		return err
	}
	proof := row.Mode == "proof"
	var stdout bytes.Buffer
	r, err := New(p, Config{Layout: layout, ProofMode: proof, SecureRun: !proof, AllowMissingBuiltins: proof, Trace: true, Stdout: &stdout})
	// The trace and memory files are written as kairo run writes them:
	// streamed during the run.
	var traceFile, memFile memFile
	var ts *TraceStream
	var ms *MemoryStream
	if err == nil {
		ts, ms = r.StreamTrace(&traceFile), r.StreamMemory(&memFile)
		defer ts.Stop()
		defer ms.Stop()
		err = r.Run()
	}
	if err == nil {
		err = r.Relocate()
	}
	if row.Status == "error" {
		if err == nil {
			return fmt.Errorf("run succeeded, want the error %q", row.Error)
		}
		return nil
	}
	if err != nil {
		if r != nil {
			return errors.New(r.FormatError(err))
		}
		return err
	}
	if got := strconv.FormatUint(r.VM.Step, 10); got != row.Steps {
		return fmt.Errorf("steps = %s, want %s", got, row.Steps)
	}
	if got := strconv.Itoa(r.UsedMemoryCells()); got != row.UsedCells {
		return fmt.Errorf("used memory cells = %s, want %s", got, row.UsedCells)
	}
	vals, hasOutput, err := r.OutputValues()
	if err != nil {
		return err
	}
	gotOut := "-"
	if hasOutput {
		gotOut = strings.Join(vals, "|")
	}
	if gotOut != row.Output {
		return fmt.Errorf("output = %q, want %q", gotOut, row.Output)
	}
	if err := ts.Finish(); err != nil {
		return err
	}
	if err := ms.Finish(); err != nil {
		return err
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(traceFile.b)); got != row.TraceSHA {
		return fmt.Errorf("trace sha256 = %s, want %s", got, row.TraceSHA)
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(memFile.b)); got != row.MemorySHA {
		return fmt.Errorf("memory sha256 = %s, want %s", got, row.MemorySHA)
	}
	if proof && row.Stored == "yes" {
		base := filepath.Join(dir, "cairo0", "golden", strings.TrimSuffix(strings.TrimPrefix(row.Program, "cairo0/programs/"), ".json")+".proof")
		pub, err := r.AirPublicInput()
		if err != nil {
			return err
		}
		if err := sameJSON(pub, base+".public_input.json"); err != nil {
			return fmt.Errorf("air public input: %w", err)
		}
		priv, err := r.AirPrivateInput("trace", "memory")
		if err != nil {
			return err
		}
		if err := sameJSON(priv, base+".private_input.json"); err != nil {
			return fmt.Errorf("air private input: %w", err)
		}
	}
	return nil
}

// runToEnd runs a program that has no reference result and requires it to
// finish without an error.
func runToEnd(dir string, row goldenRow) error {
	p, err := program.Load(filepath.Join(dir, row.Program))
	if err != nil {
		return err
	}
	layout, err := builtins.LayoutByName(row.Layout)
	if err != nil {
		return err
	}
	proof := row.Mode == "proof"
	r, err := New(p, Config{Layout: layout, ProofMode: proof, SecureRun: !proof, AllowMissingBuiltins: proof, Stdout: io.Discard})
	if err != nil {
		return err
	}
	if err := r.Run(); err != nil {
		return errors.New(r.FormatError(err))
	}
	return r.Relocate()
}

func sameJSON(got []byte, wantPath string) error {
	wb, err := os.ReadFile(wantPath)
	if err != nil {
		return err
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		return err
	}
	if err := json.Unmarshal(wb, &w); err != nil {
		return err
	}
	if !reflect.DeepEqual(g, w) {
		return fmt.Errorf("differs from %s", filepath.Base(wantPath))
	}
	return nil
}

// TestConformance runs every row of cairo0/golden.tsv (cairo-lang
// 0.14.0.1's cairo-run results) and compares status, steps, used cells,
// output, trace and memory hashes, and in proof mode the AIR inputs.
func TestConformance(t *testing.T) {
	dir := fixturesDir()
	if _, err := os.Stat(filepath.Join(dir, "cairo0", "golden.tsv")); err != nil {
		t.Skipf("\n\n*** CONFORMANCE SUITE SKIPPED: no fixtures at %s (set KAIRO_FIXTURES) ***\n\n", dir)
	}
	rows := readGolden(t, dir)
	known := knownFailures(t)
	type tally struct{ pass, fail, known, skipped, noRef int }
	var mu sync.Mutex
	counts := map[string]*tally{}
	var newlyPassing []string
	count := func(src string, f func(*tally)) {
		mu.Lock()
		defer mu.Unlock()
		if counts[src] == nil {
			counts[src] = &tally{}
		}
		f(counts[src])
	}
	t.Cleanup(func() {
		srcs := make([]string, 0, len(counts))
		for s := range counts {
			srcs = append(srcs, s)
		}
		sort.Strings(srcs)
		var total tally
		var b strings.Builder
		fmt.Fprintf(&b, "conformance against cairo-lang 0.14.0.1 (%s):\n", dir)
		fmt.Fprintf(&b, "  %-18s %6s %6s %6s %8s %14s\n", "source", "pass", "fail", "known", "skipped", "ran (no ref)")
		for _, s := range srcs {
			c := counts[s]
			fmt.Fprintf(&b, "  %-18s %6d %6d %6d %8d %14d\n", s, c.pass, c.fail, c.known, c.skipped, c.noRef)
			total.pass += c.pass
			total.fail += c.fail
			total.known += c.known
			total.skipped += c.skipped
			total.noRef += c.noRef
		}
		fmt.Fprintf(&b, "  %-18s %6d %6d %6d %8d %14d\n", "total", total.pass, total.fail, total.known, total.skipped, total.noRef)
		for _, k := range newlyPassing {
			fmt.Fprintf(&b, "  now passing, remove from known failures: %s\n", k)
		}
		t.Log(b.String())
	})
	for _, row := range rows {
		row := row
		src := strings.Split(strings.TrimPrefix(row.Program, "cairo0/programs/"), "/")[0]
		t.Run(strings.TrimPrefix(row.Program, "cairo0/programs/")+"/"+row.Mode, func(t *testing.T) {
			if row.Status == "timeout" {
				// cairo-run did not finish in 90 s, so there is nothing
				// to compare; with KAIRO_CONFORMANCE_LONG=1 (make
				// conformance) kairo must still run it to the end.
				if os.Getenv("KAIRO_CONFORMANCE_LONG") == "" || testing.Short() {
					count(src, func(c *tally) { c.skipped++ })
					t.Skip("cairo-run timed out on this program; no reference (KAIRO_CONFORMANCE_LONG=1 runs it)")
				}
				if err := runToEnd(dir, row); err != nil {
					count(src, func(c *tally) { c.fail++ })
					t.Fatalf("%s (%s, layout %s), which cairo-run could not finish: %v", row.Program, row.Mode, row.Layout, err)
				}
				count(src, func(c *tally) { c.noRef++ })
				return
			}
			if testing.Short() {
				if n, err := strconv.Atoi(row.Steps); err == nil && n > 200000 {
					count(src, func(c *tally) { c.skipped++ })
					t.Skip("long program skipped in -short mode")
				}
			}
			t.Parallel()
			err := runGolden(dir, row)
			reason, isKnown := known[rowKey(row)]
			switch {
			case err == nil && isKnown:
				count(src, func(c *tally) { c.pass++ })
				mu.Lock()
				newlyPassing = append(newlyPassing, rowKey(row))
				mu.Unlock()
			case err == nil:
				count(src, func(c *tally) { c.pass++ })
			case isKnown:
				count(src, func(c *tally) { c.known++ })
				t.Skipf("known failure (%s): %v", reason, firstLine(err.Error()))
			default:
				count(src, func(c *tally) { c.fail++ })
				t.Errorf("%s (%s, layout %s): %v", row.Program, row.Mode, row.Layout, err)
			}
		})
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
