package runner

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/hints"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/program"
)

// Function describes a run of one function of a program, as cairo-lang's
// CairoFunctionRunner.run_from_entrypoint does it: the stack holds the
// arguments, then the return fp and the end pc (a fresh segment), and the
// run stops when pc reaches the end.
type Function struct {
	// Layout sizes the builtins (only their presence matters outside
	// proof mode).
	Layout builtins.Layout
	// Entry is the function's pc (offset in the program segment).
	Entry uint64
	// Args returns the function's arguments. It runs once the program,
	// execution and builtin segments exist, so the segments it adds (for
	// calldata, ...) are numbered as cairo-lang numbers them.
	Args func(r *Runner) ([]memory.Value, error)
	// Hints are hint implementations added to the common registry for
	// this run only (Starknet's syscall hints), by exact code.
	Hints map[string]hints.Func
	// Scope holds variables of the main execution scope (cairo-lang's
	// static_locals, such as __find_element_max_size).
	Scope map[string]any
	// Extra seeds the hint runtime's Extra map (state hints share with
	// the caller, such as a syscall handler).
	Extra map[string]any
	// Stdout receives what hints print (discarded when nil).
	Stdout io.Writer
	// Prepared, when set, is the program's prepared hint data (from
	// hints.Prepare of the same program), shared by every run of it.
	Prepared *hints.Prepared
	// Decoded, when set, is the program's decode table (vm.NewDecodeTable
	// of the same program's data), shared by every run of it.
	Decoded *vm.DecodeTable
}

// NewFunction prepares a run of one function: segments, the program's
// builtins, the arguments, and the VM with memory-access tracking on (the
// execution resources count memory holes).
func NewFunction(p *program.Program, f Function) (*Runner, error) {
	if f.Stdout == nil {
		f.Stdout = io.Discard
	}
	cfg := Config{Layout: f.Layout, SecureRun: true, TrackAccesses: true, Stdout: f.Stdout}
	r := &Runner{Program: p, Config: cfg, Mem: memory.New()}
	runners, err := builtins.New(builtins.Config{Layout: f.Layout, ProgramBuiltins: p.Builtins})
	if err != nil {
		return nil, err
	}
	r.Builtins = runners
	r.initializeSegments()
	if f.Entry >= uint64(len(p.Data)) {
		return nil, fmt.Errorf("entry point pc %d is outside the program (%d words)", f.Entry, len(p.Data))
	}
	var args []memory.Value
	if f.Args != nil {
		if args, err = f.Args(r); err != nil {
			return nil, err
		}
	}
	end := r.Mem.AddSegment()
	// cairo-lang passes 0 as the return fp; kairo's VM keeps fp an address
	// through the final ret, so the return fp is an empty segment of its
	// own (it adds no memory cell and no hole).
	returnFP := r.Mem.AddSegment()
	stack := append(args, memory.RelocValue(returnFP), memory.RelocValue(end))
	if err := r.initializeState(f.Entry, stack); err != nil {
		return nil, err
	}
	r.initialAP = r.executionBase.Add(uint64(len(stack)))
	r.finalPC = &end
	r.end = end
	if err := r.initializeZeroSegment(); err != nil {
		return nil, err
	}
	if err := r.initializeFunctionVM(f); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Runner) initializeFunctionVM(f Function) error {
	m := vm.New(r.Mem, r.programBase.Segment, r.executionBase.Segment)
	m.PC, m.AP, m.FP = r.initialPC, r.initialAP, r.initialAP
	m.TrackAccesses = true
	if f.Decoded != nil {
		m.UseDecodeTable(f.Decoded)
	} else {
		m.PrepareDecodeCache(len(r.Program.Data))
	}
	byName := make(map[string]any, len(r.Builtins))
	for _, b := range r.Builtins {
		byName[b.Name()] = b
	}
	if f.Prepared != nil {
		r.Hints = hints.NewPreparedRuntime(f.Prepared, byName, nil)
	} else {
		r.Hints = hints.NewRuntime(r.Program, byName, nil)
	}
	r.Hints.Out = r.Config.Stdout
	for code, fn := range f.Hints {
		r.Hints.AddLocal(code, fn)
	}
	for k, v := range f.Scope {
		r.Hints.Scopes[0][k] = v
	}
	for k, v := range f.Extra {
		r.Hints.Extra[k] = v
	}
	m.Hints = r.Hints.Compile()
	r.VM = m
	for i := range r.Program.Data {
		r.Mem.MarkAccessed(r.programBase.Add(uint64(i)))
	}
	for _, b := range r.Builtins {
		b.AddValidationRules(r.Mem)
		b.AddAutoDeductionRules(r.Mem)
	}
	return r.Mem.ValidateExisting()
}

// ErrStepLimit is wrapped by the error of a function run that reached its
// step limit.
var ErrStepLimit = errors.New("step limit reached")

// RunFunction runs the function to its end, at most maxSteps steps (no
// limit when 0), ends the run and runs verify_secure_runner without the
// builtin segment bounds (which the caller checks through the returned
// stop pointers), as run_from_entrypoint does.
func (r *Runner) RunFunction(maxSteps uint64) error {
	var limit *uint64
	if maxSteps > 0 {
		limit = &maxSteps
	}
	if err := r.RunUntilPC(r.end, limit); err != nil {
		var ve *vm.Error
		if maxSteps > 0 && r.VM.Step >= maxSteps && errors.As(err, &ve) && ve.NoTraceback {
			return fmt.Errorf("%w: could not reach the end of the program within %d steps", ErrStepLimit, maxSteps)
		}
		return err
	}
	s := r.VM.Step
	r.OriginalSteps = &s
	if err := r.EndRun(true); err != nil {
		return err
	}
	return r.verifySecure(false)
}

// ReturnValues returns the n values below ap.
func (r *Runner) ReturnValues(n int) ([]memory.Value, error) {
	start, err := r.VM.AP.AddInt(-int64(n))
	if err != nil {
		return nil, fmt.Errorf("read %d return values: %w", n, err)
	}
	out := make([]memory.Value, n)
	for i := range out {
		v := r.Mem.Get(start.Add(uint64(i)))
		if !v.IsSet() {
			return nil, fmt.Errorf("return value at %s is unknown", start.Add(uint64(i)))
		}
		out[i] = v
	}
	return out, nil
}

// ReadBuiltinStops reads the stop pointers of the program's builtins that
// end just below end (the builtins a function returns), checks them as
// final_stack does, and returns the address of the first one.
func (r *Runner) ReadBuiltinStops(end memory.Relocatable) (memory.Relocatable, error) {
	env := r.env()
	pointer := end
	for i := len(r.Program.Builtins) - 1; i >= 0; i-- {
		b := r.builtin(r.Program.Builtins[i])
		if b == nil {
			return pointer, fmt.Errorf("missing builtin %s", r.Program.Builtins[i])
		}
		p, err := b.FinalStack(env, pointer)
		if err != nil {
			return pointer, err
		}
		pointer = p
	}
	return pointer, nil
}

// MarkAccessed marks size cells from addr as accessed (mark_as_accessed):
// cells a partial run does not touch but the real use case does.
func (r *Runner) MarkAccessed(addr memory.Relocatable, size uint64) {
	for i := uint64(0); i < size; i++ {
		r.Mem.MarkAccessed(addr.Add(i))
	}
}

// InitialFP is the frame pointer the function started with.
func (r *Runner) InitialFP() memory.Relocatable { return r.initialAP }

// UsedInstances returns the used instances of every builtin of the run by
// name with the "_builtin" suffix, zero counts left out.
func (r *Runner) UsedInstances() map[string]uint64 {
	env := r.env()
	out := map[string]uint64{}
	for _, b := range r.Builtins {
		if n := b.UsedInstances(env); n > 0 {
			out[b.Name()+"_builtin"] = n
		}
	}
	return out
}

// FormatFunctionError renders a failed function run the way cairo-lang's
// VmException reads in Starknet's errors: the error_message attributes
// around the pc, "Error at pc=...:" with the error (for a hint, "Got an
// exception while executing a hint."), the Cairo traceback, and for a
// hint the hint's own error after a blank line.
func (r *Runner) FormatFunctionError(err error) string {
	var ve *vm.Error
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(r.errorAttrValue(ve.PC, ve.FP))
	var he *vm.HintError
	isHint := errors.As(ve.Err, &he)
	inner := ve.Err.Error()
	if isHint {
		inner = "Got an exception while executing a hint."
	}
	msg := fmt.Sprintf("Error at pc=%s:\n%s", ve.PC, inner)
	if loc := r.location(ve.PC); loc != nil {
		msg = r.locationWithContent(loc, msg)
	}
	b.WriteString(msg)
	if !ve.NoTraceback {
		if tb := r.traceback(); tb != "" {
			b.WriteString("\n" + tb)
		}
	}
	if isHint {
		b.WriteString("\n\n" + he.Err.Error())
	}
	return b.String()
}
