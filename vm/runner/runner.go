// Package runner runs a compiled Cairo 0 program the way cairo-lang's
// cairo-run does: it lays out the program, execution and builtin segments,
// calls main (or __start__ in proof mode), runs to the end, ends the run
// (auto-deduction checks, proof-mode padding), reads the builtins' stop
// pointers, finalizes segments, runs the security checks, relocates memory
// and writes the outputs: printed output and info, trace and memory files,
// AIR public and private inputs, and Cairo PIEs.
package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/hints"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/program"
)

// Config holds cairo-run's options.
type Config struct {
	Layout builtins.Layout
	// ProofMode runs from __start__, adds the extra step and pads the trace.
	ProofMode bool
	// SecureRun runs verify_secure_runner after the run.
	SecureRun bool
	// AllowMissingBuiltins lets the program declare builtins the layout
	// lacks.
	AllowMissingBuiltins bool
	// Steps, when non-zero, is the exact number of steps to run (--steps);
	// MinSteps runs at least that many (--min_steps).
	Steps, MinSteps uint64
	// NoEnd stops after Steps steps without requiring the end of main.
	NoEnd bool
	// Entrypoint replaces main when set (a function name of the main
	// scope, or a full name).
	Entrypoint string
	// ProgramInput is the parsed --program_input JSON.
	ProgramInput any
	// Trace records the register trace (needed for trace files and proof
	// mode).
	Trace bool
	// TrackAccesses records the cells instructions access, for memory
	// holes (always on in proof mode; needed for Cairo PIEs and contract
	// execution resources).
	TrackAccesses bool
	// Stdout receives what hints print and the padding warnings.
	Stdout io.Writer
}

// Runner is one run of a program.
type Runner struct {
	Program *program.Program
	Config  Config
	Mem     *memory.Memory
	VM      *vm.VM
	Hints   *hints.Runtime
	// Builtins are the builtin runners in layout order.
	Builtins []builtins.Runner

	programBase, executionBase memory.Relocatable
	initialPC, initialAP       memory.Relocatable
	finalPC                    *memory.Relocatable
	end                        memory.Relocatable
	executionPublicMemory      []uint64
	zeroSegment                *memory.Relocatable
	zeroSegmentSize            uint64

	// OriginalSteps is the step count before padding (nil with --no_end).
	OriginalSteps *uint64
	runEnded      bool
	finalized     bool
	// onProgress, when set, is called every progressSteps steps of the
	// run (StreamMemory).
	onProgress func()
	// writing is held by a file stream's writer while it encodes and
	// writes a unit (a trace chunk, a memory page): the trace's and the
	// memory's writers take turns, so that with the VM's goroutine no more
	// goroutines are running than a two-processor machine has, and the
	// scheduler never preempts the VM for a writer.
	writing sync.Mutex

	// Relocation results.
	Bases []uint64
}

// New prepares a run: segments, entry point, builtins, hints.
func New(p *program.Program, cfg Config) (*Runner, error) {
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	r := &Runner{Program: p, Config: cfg, Mem: memory.New()}
	if cfg.ProofMode {
		r.Config.Trace = true
		r.Config.TrackAccesses = true
	}
	runners, err := builtins.New(builtins.Config{
		Layout:               cfg.Layout,
		ProgramBuiltins:      p.Builtins,
		ProofMode:            cfg.ProofMode,
		AllowMissingBuiltins: cfg.AllowMissingBuiltins,
	})
	if err != nil {
		return nil, err
	}
	r.Builtins = runners
	r.initializeSegments()
	if err := r.initializeMainEntrypoint(); err != nil {
		return nil, err
	}
	if err := r.initializeZeroSegment(); err != nil {
		return nil, err
	}
	if err := r.initializeVM(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Runner) builtin(name string) builtins.Runner {
	for _, b := range r.Builtins {
		if b.Name() == name {
			return b
		}
	}
	return nil
}

func (r *Runner) initializeSegments() {
	r.programBase = r.Mem.AddSegment()
	r.executionBase = r.Mem.AddSegment()
	for _, b := range r.Builtins {
		b.InitializeSegments(r.Mem)
	}
}

func (r *Runner) initializeMainEntrypoint() error {
	var stack []memory.Value
	for _, name := range r.Program.Builtins {
		b := r.builtin(name)
		if b == nil {
			if !r.Config.AllowMissingBuiltins {
				return errors.New("Missing builtin.")
			}
			stack = append(stack, memory.Uint64Value(0))
			continue
		}
		stack = append(stack, b.InitialStack()...)
	}
	if r.Config.ProofMode {
		prefix := []memory.Value{memory.RelocValue(r.executionBase.Add(2)), memory.Uint64Value(0)}
		stack = append(prefix, stack...)
		for i := range stack {
			r.executionPublicMemory = append(r.executionPublicMemory, uint64(i))
		}
		start, ok := r.Program.Start()
		if !ok {
			return errors.New("Missing __start__ label: compile the program with --proof_mode to run it in proof mode.")
		}
		endPC, ok := r.Program.End()
		if !ok {
			return errors.New("Missing __end__ label: compile the program with --proof_mode to run it in proof mode.")
		}
		if err := r.initializeState(start, stack); err != nil {
			return err
		}
		r.initialAP = r.executionBase.Add(2)
		r.end = r.programBase.Add(endPC)
		return nil
	}
	returnFP := r.Mem.AddSegment()
	entry, ok := r.entrypointPC()
	if !ok {
		if r.Config.Entrypoint != "" {
			return fmt.Errorf("Entrypoint %s not found.", r.Config.Entrypoint)
		}
		return errors.New("Missing main().")
	}
	end := r.Mem.AddSegment()
	stack = append(stack, memory.RelocValue(returnFP), memory.RelocValue(end))
	if err := r.initializeState(entry, stack); err != nil {
		return err
	}
	r.initialAP = r.executionBase.Add(uint64(len(stack)))
	r.finalPC = &end
	r.end = end
	return nil
}

func (r *Runner) entrypointPC() (uint64, bool) {
	if r.Config.Entrypoint == "" {
		return r.Program.Main()
	}
	if pc, ok := r.Program.LabelPC(r.Program.MainScope + "." + r.Config.Entrypoint); ok {
		return pc, true
	}
	return r.Program.LabelPC(r.Config.Entrypoint)
}

func (r *Runner) initializeState(entry uint64, stack []memory.Value) error {
	r.initialPC = r.programBase.Add(entry)
	if _, err := r.Mem.Load(r.programBase, r.Program.Data); err != nil {
		return fmt.Errorf("load program data: %w", err)
	}
	if _, err := r.Mem.Load(r.executionBase, stack); err != nil {
		return fmt.Errorf("load stack: %w", err)
	}
	return nil
}

func (r *Runner) initializeZeroSegment() error {
	for _, b := range r.Builtins {
		n := b.NeededAllocatedZeros()
		if n == 0 {
			continue
		}
		if r.zeroSegment == nil {
			z := r.Mem.AddSegment()
			r.zeroSegment = &z
		}
		for i := r.zeroSegmentSize; i < n; i++ {
			if err := r.Mem.Set(r.zeroSegment.Add(i), memory.Uint64Value(0)); err != nil {
				return err
			}
		}
		if n > r.zeroSegmentSize {
			r.zeroSegmentSize = n
		}
		b.SetAllocatedZeros(*r.zeroSegment)
	}
	return nil
}

func (r *Runner) initializeVM() error {
	m := vm.New(r.Mem, r.programBase.Segment, r.executionBase.Segment)
	m.PC, m.AP, m.FP = r.initialPC, r.initialAP, r.initialAP
	m.TraceEnabled = r.Config.Trace
	m.TrackAccesses = r.Config.TrackAccesses
	m.PrepareDecodeCache(len(r.Program.Data))
	byName := make(map[string]any, len(r.Builtins))
	for _, b := range r.Builtins {
		byName[b.Name()] = b
	}
	r.Hints = hints.NewRuntime(r.Program, byName, r.Config.ProgramInput)
	r.Hints.Out = r.Config.Stdout
	m.Hints = r.Hints.Compile()
	r.VM = m
	if m.TrackAccesses {
		for i := range r.Program.Data {
			r.Mem.MarkAccessed(r.programBase.Add(uint64(i)))
		}
	}
	for _, b := range r.Builtins {
		b.AddValidationRules(r.Mem)
		b.AddAutoDeductionRules(r.Mem)
	}
	return r.Mem.ValidateExisting()
}

// Run executes the program as cairo-run does with this configuration, up to
// and including end_run, reading the return values and finalizing segments.
func (r *Runner) Run() error {
	if err := r.execute(); err != nil {
		return err
	}
	if !r.Config.NoEnd {
		if err := r.ReadReturnValues(); err != nil {
			return err
		}
		if r.Config.ProofMode {
			if err := r.FinalizeSegments(); err != nil {
				return err
			}
		}
	}
	if r.Config.SecureRun {
		if err := r.VerifySecureRunner(); err != nil {
			return err
		}
	}
	return nil
}

func (r *Runner) execute() error {
	disablePadding := false
	if r.Config.NoEnd {
		if r.Config.Steps == 0 {
			return errors.New("--steps must be specified when running with --no-end.")
		}
	} else {
		var limit *uint64
		if r.Config.Steps != 0 {
			extra := uint64(0)
			if r.Config.ProofMode {
				extra = 1
			}
			l := r.Config.Steps - extra
			if r.Config.Steps < extra {
				l = 0
			}
			limit = &l
		}
		if err := r.RunUntilPC(r.end, limit); err != nil {
			return err
		}
		if r.Config.ProofMode {
			if err := r.RunForSteps(1); err != nil {
				return err
			}
		}
		s := r.VM.Step
		r.OriginalSteps = &s
	}
	if r.Config.MinSteps != 0 {
		if err := r.RunUntilSteps(r.Config.MinSteps); err != nil {
			return err
		}
	}
	if r.Config.Steps != 0 {
		if err := r.RunUntilSteps(r.Config.Steps); err != nil {
			return err
		}
		disablePadding = true
	}
	return r.EndRun(disablePadding)
}

// RunUntilPC steps until pc reaches addr, at most limit steps when given.
func (r *Runner) RunUntilPC(addr memory.Relocatable, limit *uint64) error {
	m := r.VM
	if limit == nil && r.finalPC != nil && len(m.Hints) == 0 && !m.TraceEnabled && r.onProgress == nil {
		// Fast path: nothing to check per step but the two pcs.
		for m.PC != addr {
			if m.PC == *r.finalPC {
				return r.endOfProgramError()
			}
			if err := m.StepOnce(); err != nil {
				return err
			}
		}
		return nil
	}
	var n uint64
	for m.PC != addr && (limit == nil || n < *limit) {
		if r.onProgress != nil && m.Step&(progressSteps-1) == 0 {
			r.onProgress()
		}
		if err := r.step(); err != nil {
			return err
		}
		n++
	}
	if m.PC != addr {
		return &vm.Error{PC: m.PC, FP: m.FP, HintIndex: -1, Err: errors.New("Error: End of program was not reached"), NoTraceback: true}
	}
	return nil
}

func (r *Runner) endOfProgramError() error {
	return &vm.Error{PC: r.VM.PC, FP: r.VM.FP, HintIndex: -1, Err: errors.New("Error: Execution reached the end of the program."), NoTraceback: true}
}

func (r *Runner) step() error {
	if r.finalPC != nil && r.VM.PC == *r.finalPC {
		return r.endOfProgramError()
	}
	return r.VM.StepOnce()
}

// RunForSteps runs n steps.
func (r *Runner) RunForSteps(n uint64) error {
	for i := uint64(0); i < n; i++ {
		if err := r.step(); err != nil {
			return err
		}
	}
	return nil
}

// RunUntilSteps runs until the step count reaches n.
func (r *Runner) RunUntilSteps(n uint64) error {
	if r.VM.Step >= n {
		return nil
	}
	return r.RunForSteps(n - r.VM.Step)
}

func nextPowerOf2(x uint64) uint64 {
	p := uint64(1)
	for p < x {
		p <<= 1
	}
	return p
}

// EndRun relocates temporary segments, verifies auto-deductions and scopes,
// freezes memory and, in proof mode, pads the run to a power of two with
// enough cells for every component.
func (r *Runner) EndRun(disablePadding bool) error {
	if r.runEnded {
		return errors.New("end_run called twice.")
	}
	if err := r.Mem.RelocateTemporary(); err != nil {
		return err
	}
	if err := r.verifyAutoDeductions(); err != nil {
		return err
	}
	if len(r.Hints.Scopes) != 1 {
		return errors.New("Every enter_scope() requires a corresponding exit_scope().")
	}
	r.Mem.Freeze()
	if r.Config.ProofMode && !disablePadding {
		if err := r.RunUntilSteps(nextPowerOf2(r.VM.Step)); err != nil {
			return err
		}
		for {
			ok, err := r.checkUsedCells()
			if err != nil {
				return err
			}
			if ok {
				break
			}
			if err := r.RunForSteps(1); err != nil {
				return err
			}
			if err := r.RunUntilSteps(nextPowerOf2(r.VM.Step)); err != nil {
				return err
			}
		}
	}
	r.runEnded = true
	return nil
}

func (r *Runner) env() *builtins.Env {
	return &builtins.Env{Mem: r.Mem, Steps: r.VM.Step, VerifyDeduction: r.verifyDeductionAt}
}

func (r *Runner) verifyDeductionAt(addr memory.Relocatable) error {
	v, ok, err := r.Mem.Deduce(addr)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	cur := r.Mem.Get(addr)
	if cur.IsSet() && cur != v {
		return fmt.Errorf("Inconsistent auto deduction rule at address %s. %s != %s.", addr, cur, v)
	}
	return nil
}

func (r *Runner) verifyAutoDeductions() error {
	for seg := 0; seg < r.Mem.NumSegments(); seg++ {
		if !r.Mem.HasDeducer(seg) {
			continue
		}
		for off := range r.Mem.Cells(seg) {
			if err := r.verifyDeductionAt(memory.Relocatable{Segment: seg, Offset: off}); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReadReturnValues reads the builtins' stop pointers below ap and adds the
// return values to the public memory.
func (r *Runner) ReadReturnValues() error {
	if !r.runEnded {
		return errors.New("Run must be ended before calling read_return_values.")
	}
	pointer := r.VM.AP
	env := r.env()
	for i := len(r.Program.Builtins) - 1; i >= 0; i-- {
		name := r.Program.Builtins[i]
		b := r.builtin(name)
		if b == nil {
			if !r.Config.AllowMissingBuiltins {
				return errors.New("Missing builtin.")
			}
			p, err := pointer.AddInt(-1)
			if err != nil {
				return err
			}
			pointer = p
			v := r.Mem.Get(pointer)
			if !v.IsFelt() || !v.Felt().IsZero() {
				return fmt.Errorf("The stop pointer of the missing builtin %q must be 0.", name)
			}
			continue
		}
		p, err := b.FinalStack(env, pointer)
		if err != nil {
			return err
		}
		pointer = p
	}
	if pointer.Segment != r.executionBase.Segment || pointer.Offset > r.VM.AP.Offset {
		return fmt.Errorf("invalid final stack pointer %s", pointer)
	}
	for o := pointer.Offset - r.executionBase.Offset; o < r.VM.AP.Offset-r.executionBase.Offset; o++ {
		r.executionPublicMemory = append(r.executionPublicMemory, o)
	}
	return nil
}

// FinalizeSegments fixes segment sizes and public memory for proof mode.
func (r *Runner) FinalizeSegments() error {
	if r.finalized {
		return nil
	}
	if !r.runEnded {
		return errors.New("Run must be ended before calling finalize_segments.")
	}
	n := uint64(len(r.Program.Data))
	pub := make([]memory.PublicCell, n)
	for i := range pub {
		pub[i] = memory.PublicCell{Offset: uint64(i)}
	}
	r.Mem.Finalize(r.programBase.Segment, &n, pub)
	execPub := make([]memory.PublicCell, len(r.executionPublicMemory))
	for i, o := range r.executionPublicMemory {
		execPub[i] = memory.PublicCell{Offset: o + r.executionBase.Offset}
	}
	r.Mem.Finalize(r.executionBase.Segment, nil, execPub)
	env := r.env()
	for _, b := range r.Builtins {
		if err := b.FinalizeSegments(env); err != nil {
			return err
		}
	}
	if r.zeroSegment != nil {
		z := r.zeroSegmentSize
		r.Mem.Finalize(r.zeroSegment.Segment, &z, nil)
	}
	r.finalized = true
	return nil
}
