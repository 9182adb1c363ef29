// Package hints implements `kairo hints`: the Cairo 0 hints kairo runs
// natively (list) and which hints of a compiled program, a contract class
// or a hint whitelist it supports (check).
package hints

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	vmhints "github.com/kairo-dev/kairo/vm/hints"
	"github.com/kairo-dev/kairo/vm/program"
)

// Source is where the implemented hints come from; tests replace it.
type Source struct {
	Modules  func() []vmhints.Module
	Registry func() map[string]vmhints.Func
}

// DefaultSource is the hints compiled into kairo.
func DefaultSource() Source {
	return Source{Modules: vmhints.Modules, Registry: vmhints.Registry}
}

// NewCmdHints returns `kairo hints` with its list and check subcommands.
func NewCmdHints(f *cmdutil.Factory) *cobra.Command {
	return NewCmdHintsFrom(f, DefaultSource())
}

// NewCmdHintsFrom builds the command over a given hint source.
func NewCmdHintsFrom(f *cmdutil.Factory, src Source) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hints",
		Short: "List the Cairo 0 hints kairo implements, check a program's hints",
		Long: "Cairo 0 programs run Python hints from cairo-lang's common library; kairo\n" +
			"implements them natively in Go, matched by their exact code. `list` shows\n" +
			"them by module; `check` tells which hints of a compiled program, a Cairo 0\n" +
			"contract class or a hint whitelist are supported.",
	}
	cmd.AddCommand(newCmdList(f, src), newCmdCheck(f, src))
	return cmd
}

func newCmdList(f *cmdutil.Factory, src Source) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the implemented hints, grouped by module",
		Example: "  kairo hints list\n  kairo hints list --json | jq '.modules[].name'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			mods := src.Modules()
			if asJSON {
				return writeListJSON(f.IO.Out, mods)
			}
			return writeList(f.IO.Out, mods)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

type listJSON struct {
	Modules []moduleJSON `json:"modules"`
	Total   int          `json:"total"`
}

type moduleJSON struct {
	Name  string   `json:"name"`
	Hints []string `json:"hints"`
}

func writeListJSON(w io.Writer, mods []vmhints.Module) error {
	out := listJSON{Modules: []moduleJSON{}}
	for _, m := range mods {
		codes := m.Codes
		if codes == nil {
			codes = []string{}
		}
		out.Modules = append(out.Modules, moduleJSON{Name: m.Name, Hints: codes})
		out.Total += len(m.Codes)
	}
	return writeJSON(w, out)
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// writeList prints each module and its hints; a hint's lines after the
// first are indented under it.
func writeList(w io.Writer, mods []vmhints.Module) error {
	var b bytes.Buffer
	total := 0
	for _, m := range mods {
		fmt.Fprintf(&b, "%s: %s\n", m.Name, plural(len(m.Codes), "hint", "hints"))
		for _, code := range m.Codes {
			writeCode(&b, "  - ", "    ", code)
		}
		total += len(m.Codes)
	}
	fmt.Fprintf(&b, "\n%s in %s\n", plural(total, "hint", "hints"), plural(len(mods), "module", "modules"))
	_, err := w.Write(b.Bytes())
	return err
}

func writeCode(b *bytes.Buffer, first, rest, code string) {
	for i, line := range strings.Split(code, "\n") {
		prefix := rest
		if i == 0 {
			prefix = first
		}
		if line == "" {
			fmt.Fprintln(b, strings.TrimRight(prefix, " "))
			continue
		}
		fmt.Fprintf(b, "%s%s\n", prefix, line)
	}
}

// Status of a hint in a checked file.
const (
	StatusSupported   = "supported"
	StatusUnsupported = "unsupported"
	StatusSyscall     = "syscall (contract execution)"
)

// Finding is one hint of a checked file.
type Finding struct {
	// PC is the hint's pc; nil for a hint of a whitelist.
	PC *uint64 `json:"pc,omitempty"`
	// Index orders the hints of one pc.
	Index int `json:"index"`
	// Location is the Cairo source location from the debug info
	// (file:line:col), when the file has it.
	Location string `json:"location,omitempty"`
	Status   string `json:"status"`
	Code     string `json:"code"`
}

// Report is the result of checking a file.
type Report struct {
	File        string    `json:"file"`
	Kind        string    `json:"kind"`
	Hints       []Finding `json:"hints"`
	Supported   int       `json:"supported"`
	Unsupported int       `json:"unsupported"`
	Syscall     int       `json:"syscall"`
}

func newCmdCheck(f *cmdutil.Factory, src Source) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check FILE.json",
		Short: "Tell which hints of a program, contract class or whitelist kairo supports",
		Long: "Check every hint of a compiled Cairo 0 program, a Cairo 0 contract class\n" +
			"(compiled or RPC form) or a hint whitelist against the hints kairo\n" +
			"implements. Each hint is listed with its pc and, when the file has debug\n" +
			"information, its Cairo source location. Syscall hints of contract classes\n" +
			"run only inside contract execution and are reported as such.\n\n" +
			"Exit status 1 when a hint other than a syscall hint is unsupported.",
		Example: "  kairo hints check build/main.json\n  kairo hints check account_class.json --json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := readFile(f, args[0])
			if err != nil {
				return err
			}
			rep, err := Check(args[0], b, src.Registry())
			if err != nil {
				return err
			}
			if asJSON {
				err = writeJSON(f.IO.Out, rep)
			} else {
				err = writeReport(f.IO.Out, rep)
			}
			if err != nil {
				return err
			}
			if rep.Unsupported > 0 {
				return &cmdutil.ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func readFile(f *cmdutil.Factory, name string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(f.IO.In)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

// Check classifies every hint of a compiled program, a Cairo 0 contract
// class or a hint whitelist.
func Check(name string, b []byte, registry map[string]vmhints.Func) (*Report, error) {
	rep := &Report{File: name, Hints: []Finding{}}
	switch {
	case program.IsContractClass(b):
		c, err := program.ParseContractClass(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rep.Kind = "Cairo 0 contract class"
		checkProgram(rep, c.Program, registry)
	case isWhitelist(b):
		codes, err := whitelistCodes(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rep.Kind = "hint whitelist"
		for i, code := range codes {
			rep.add(Finding{Index: i, Code: code, Status: status(code, registry)})
		}
	default:
		p, err := program.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rep.Kind = "compiled Cairo 0 program"
		checkProgram(rep, p, registry)
	}
	return rep, nil
}

func (r *Report) add(f Finding) {
	switch f.Status {
	case StatusSupported:
		r.Supported++
	case StatusUnsupported:
		r.Unsupported++
	case StatusSyscall:
		r.Syscall++
	}
	r.Hints = append(r.Hints, f)
}

func checkProgram(rep *Report, p *program.Program, registry map[string]vmhints.Func) {
	pcs := make([]uint64, 0, len(p.Hints))
	for pc := range p.Hints {
		pcs = append(pcs, pc)
	}
	sort.Slice(pcs, func(i, j int) bool { return pcs[i] < pcs[j] })
	for _, pc := range pcs {
		for i, h := range p.Hints[pc] {
			pc := pc
			rep.add(Finding{PC: &pc, Index: i, Location: location(p, pc), Code: h.Code, Status: status(h.Code, registry)})
		}
	}
}

// isSyscall reports whether a hint is a syscall of contract execution
// (syscall_handler.<name>(segments=segments, syscall_ptr=...)).
func isSyscall(code string) bool {
	return strings.HasPrefix(strings.TrimSpace(code), "syscall_handler.")
}

func status(code string, registry map[string]vmhints.Func) string {
	if _, ok := registry[code]; ok {
		return StatusSupported
	}
	if _, ok := registry[vmhints.NormalizeCode(code)]; ok {
		return StatusSupported
	}
	if isSyscall(code) {
		return StatusSyscall
	}
	return StatusUnsupported
}

// location is the Cairo source location of the instruction at pc.
func location(p *program.Program, pc uint64) string {
	if p.DebugInfo() == nil {
		return ""
	}
	il, ok := p.DebugInfo().InstructionLocations[pc]
	if !ok || il == nil || il.Inst.InputFile.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", il.Inst.InputFile.Filename, il.Inst.StartLine, il.Inst.StartCol)
}

// isWhitelist reports whether b is a hint whitelist: kairo's vector form
// {"hints": [{"code": ...}]} or cairo-lang's
// {"allowed_reference_expressions_for_hint": [{"hint_lines": [...]}]}.
func isWhitelist(b []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return false
	}
	if _, ok := top["allowed_reference_expressions_for_hint"]; ok {
		return true
	}
	h, ok := top["hints"]
	if !ok {
		return false
	}
	_, hasData := top["data"]
	t := bytes.TrimSpace(h)
	return !hasData && len(t) > 0 && t[0] == '['
}

func whitelistCodes(b []byte) ([]string, error) {
	var w struct {
		Hints []struct {
			Code *string `json:"code"`
		} `json:"hints"`
		Allowed []struct {
			HintLines []string `json:"hint_lines"`
		} `json:"allowed_reference_expressions_for_hint"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("invalid hint whitelist: %v", err)
	}
	var codes []string
	for i, h := range w.Hints {
		if h.Code == nil {
			return nil, fmt.Errorf("invalid hint whitelist: hints[%d] has no code", i)
		}
		codes = append(codes, *h.Code)
	}
	for _, a := range w.Allowed {
		codes = append(codes, strings.Join(a.HintLines, "\n"))
	}
	return codes, nil
}

// writeReport prints one line per hint (pc, status, location, first line
// of the code), the full code of every unsupported hint, and a summary.
func writeReport(w io.Writer, r *Report) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s: %s, %s\n", r.File, r.Kind, plural(len(r.Hints), "hint", "hints"))
	if len(r.Hints) > 0 {
		b.WriteByte('\n')
	}
	for _, h := range r.Hints {
		fmt.Fprintf(&b, "%-8s %-28s %s\n", where(h), h.Status, firstLine(h))
		if h.Location != "" {
			fmt.Fprintf(&b, "%-8s %-28s at %s\n", "", "", h.Location)
		}
	}
	if r.Unsupported > 0 {
		fmt.Fprintf(&b, "\nUnsupported hints:\n")
		for _, h := range r.Hints {
			if h.Status != StatusUnsupported {
				continue
			}
			head := where(h)
			if h.Location != "" {
				head += " " + h.Location
			}
			fmt.Fprintf(&b, "\n%s:\n", head)
			writeCode(&b, "    ", "    ", h.Code)
		}
	}
	fmt.Fprintf(&b, "\n%d supported, %d unsupported", r.Supported, r.Unsupported)
	if r.Syscall > 0 {
		fmt.Fprintf(&b, ", %d syscall (contract execution)", r.Syscall)
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

func where(h Finding) string {
	if h.PC == nil {
		return fmt.Sprintf("#%d", h.Index)
	}
	if h.Index > 0 {
		return fmt.Sprintf("pc=%d/%d", *h.PC, h.Index)
	}
	return fmt.Sprintf("pc=%d", *h.PC)
}

func firstLine(h Finding) string {
	lines := strings.Split(strings.Trim(h.Code, "\n"), "\n")
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%s (+%s)", lines[0], plural(len(lines)-1, "line", "lines"))
}
