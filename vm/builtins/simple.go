package builtins

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kairo-dev/kairo/vm/memory"
)

// InsufficientAllocatedCellsError reports that a proof-mode run has too few
// steps for its builtins or cells (cairo-lang's InsufficientAllocatedCells);
// the runner adds steps when it sees it while padding the trace.
type InsufficientAllocatedCellsError struct{ Msg string }

func (e *InsufficientAllocatedCellsError) Error() string { return e.Msg }

func insufficient(format string, args ...any) error {
	return &InsufficientAllocatedCellsError{Msg: fmt.Sprintf(format, args...)}
}

// IsInsufficientAllocatedCells reports whether err is (or wraps) an
// InsufficientAllocatedCellsError.
func IsInsufficientAllocatedCells(err error) bool {
	var e *InsufficientAllocatedCellsError
	return errors.As(err, &e)
}

// simple is cairo-lang's SimpleBuiltinRunner (and, with ratioDen, its
// SimpleBuiltinRunnerWithLowRatio): a builtin with a single segment of
// fixed-size instances.
type simple struct {
	name     string
	included bool
	def      BuiltinDef

	cellsPerInstance      uint64
	nInputCells           uint64
	instancesPerComponent uint64
	additionalUnits       uint64

	base    memory.Relocatable
	hasBase bool
	stop    memory.Relocatable
	hasStop bool
}

func newSimple(def BuiltinDef, included bool, cells, inputs uint64) simple {
	if def.RatioDen == 0 {
		def.RatioDen = 1
	}
	return simple{
		name: def.Name, included: included, def: def,
		cellsPerInstance: cells, nInputCells: inputs, instancesPerComponent: 1,
	}
}

func (s *simple) Name() string                  { return s.name }
func (s *simple) Included() bool                { return s.included }
func (s *simple) Base() memory.Relocatable      { return s.base }
func (s *simple) CellsPerInstance() uint64      { return s.cellsPerInstance }
func (s *simple) InputCellsPerInstance() uint64 { return s.nInputCells }

// Def returns the layout definition the builtin was built from.
func (s *simple) Def() BuiltinDef { return s.def }

func (s *simple) InitializeSegments(m *memory.Memory) {
	s.base = m.AddSegment()
	s.hasBase = true
}

func (s *simple) InitialStack() []memory.Value {
	if s.included {
		return []memory.Value{memory.RelocValue(s.base)}
	}
	return nil
}

func (s *simple) NeededAllocatedZeros() uint64 { return 0 }

func (s *simple) SetAllocatedZeros(memory.Relocatable) {}

func (s *simple) AddValidationRules(*memory.Memory)    {}
func (s *simple) AddAutoDeductionRules(*memory.Memory) {}

func (s *simple) UsedCells(env *Env) uint64 { return env.Mem.UsedSize(s.base.Segment) }

func (s *simple) usedInstances(used uint64) uint64 { return ceilDiv(used, s.cellsPerInstance) }

func (s *simple) UsedInstances(env *Env) uint64 { return s.usedInstances(s.UsedCells(env)) }

// finalStack reads the stop pointer with usedCells as the used size.
func (s *simple) finalStack(env *Env, pointer memory.Relocatable, usedInstances uint64) (memory.Relocatable, error) {
	if !s.included {
		s.stop, s.hasStop = s.base, true
		return pointer, nil
	}
	ptrAddr, err := pointer.AddInt(-1)
	if err != nil {
		return pointer, fmt.Errorf("reading the %s stop pointer: %w", s.name, err)
	}
	v, err := env.Mem.Read(ptrAddr)
	if err != nil {
		return pointer, fmt.Errorf("reading the %s stop pointer: %w", s.name, err)
	}
	expected := s.base.Add(usedInstances * s.cellsPerInstance)
	if !v.IsReloc() || v.Reloc() != expected {
		return pointer, fmt.Errorf("Invalid stop pointer for %s. Expected: %s, found: %s", s.name, expected, pyStr(v))
	}
	s.stop, s.hasStop = v.Reloc(), true
	return ptrAddr, nil
}

func (s *simple) FinalStack(env *Env, pointer memory.Relocatable) (memory.Relocatable, error) {
	return s.finalStack(env, pointer, s.UsedInstances(env))
}

// allocatedInstances is SimpleBuiltinRunnerWithLowRatio.get_allocated_instances
// (with ratio_den 1 for the other builtins).
func (s *simple) allocatedInstances(env *Env, usedInstances func() uint64) (uint64, error) {
	if s.def.DynamicRatio {
		needed := ceilDiv(usedInstances(), s.instancesPerComponent)
		if needed == 0 {
			return 0, nil
		}
		return s.instancesPerComponent * nextPowerOf2(needed), nil
	}
	if s.def.Ratio == 0 {
		return 0, nil
	}
	minSteps := ceilDiv(s.def.Ratio*s.instancesPerComponent, s.def.RatioDen)
	if env.Steps < minSteps {
		return 0, insufficient("Number of steps must be at least %d for the %s builtin.", minSteps, s.name)
	}
	num := env.Steps * s.def.RatioDen
	if num%s.def.Ratio != 0 {
		return 0, fmt.Errorf("%d is not divisible by %d.", num, s.def.Ratio)
	}
	return num / s.def.Ratio, nil
}

func (s *simple) AllocatedInstances(env *Env) (uint64, error) {
	return s.allocatedInstances(env, func() uint64 { return s.UsedInstances(env) })
}

func (s *simple) AllocatedMemoryUnits(env *Env) (uint64, error) {
	n, err := s.AllocatedInstances(env)
	if err != nil {
		return 0, err
	}
	return (s.cellsPerInstance + s.additionalUnits) * n, nil
}

func (s *simple) UsedCellsAndAllocatedSize(env *Env) (uint64, uint64, error) {
	used := s.UsedCells(env)
	n, err := s.AllocatedInstances(env)
	if err != nil {
		return 0, 0, err
	}
	size := s.cellsPerInstance * n
	if used > size {
		return used, size, insufficient("The %s builtin used %d cells but the capacity is %d.", s.name, used, size)
	}
	return used, size, nil
}

func (s *simple) FinalizeSegments(env *Env) error {
	_, size, err := s.UsedCellsAndAllocatedSize(env)
	if err != nil {
		return err
	}
	env.Mem.Finalize(s.base.Segment, &size, nil)
	return nil
}

func (s *simple) SegmentAddresses() map[string]SegmentAddresses {
	return map[string]SegmentAddresses{s.name: {Begin: s.base, Stop: s.stop, HasStop: s.hasStop}}
}

// RunSecurityChecks is SimpleBuiltinRunner.run_security_checks: every
// instance up to the last written cell has its inputs, and the deduction
// rules accept its unwritten outputs.
func (s *simple) RunSecurityChecks(env *Env) error {
	m := env.Mem
	var count, maxOff uint64
	for off := range m.Cells(s.base.Segment) {
		count++
		maxOff = off
	}
	if count == 0 {
		return nil
	}
	n := maxOff/s.cellsPerInstance + 1
	if n > count/s.nInputCells {
		return fmt.Errorf("Missing memory cells for %s.", s.name)
	}
	isSet := func(off uint64) bool {
		return m.Get(memory.Relocatable{Segment: s.base.Segment, Offset: off}).IsSet()
	}
	var missing []uint64
	for i := uint64(0); i < n; i++ {
		for j := uint64(0); j < s.nInputCells; j++ {
			if off := s.cellsPerInstance*i + j; !isSet(off) {
				missing = append(missing, off)
			}
		}
	}
	if len(missing) > 0 {
		// cairo-lang lists the offsets of a Python set; small integers
		// iterate in increasing order.
		sort.Slice(missing, func(a, b int) bool { return missing[a] < missing[b] })
		dots := "."
		if len(missing) > 20 {
			dots = "..."
			missing = missing[:20]
		}
		parts := make([]string, len(missing))
		for i, o := range missing {
			parts[i] = fmt.Sprint(o)
		}
		return fmt.Errorf("Missing memory cells for %s: %s%s", s.name, strings.Join(parts, ", "), dots)
	}
	for i := uint64(0); i < n; i++ {
		for j := s.nInputCells; j < s.cellsPerInstance; j++ {
			off := s.cellsPerInstance*i + j
			if isSet(off) {
				continue
			}
			if err := verifyDeduction(env, s.base.Add(off)); err != nil {
				return err
			}
		}
	}
	return nil
}

// verifyDeduction runs the deduction rules on an address (the VM's
// verify_auto_deductions_for_addr): through the runner when it provides it,
// else through the memory's deducer.
func verifyDeduction(env *Env, addr memory.Relocatable) error {
	if env.VerifyDeduction != nil {
		return env.VerifyDeduction(addr)
	}
	v, ok, err := env.Mem.Deduce(addr)
	if err != nil || !ok {
		return err
	}
	if cur := env.Mem.Get(addr); cur.IsSet() && cur != v {
		return fmt.Errorf("Inconsistent auto-deduction rule at address %s. %s != %s.", addr, cur, pyStr(v))
	}
	return nil
}

func (s *simple) AirPrivateInput(*Env) (map[string]any, error) { return nil, nil }

func (s *simple) RangeCheckUsage(*Env) (uint64, uint64, bool) { return 0, 0, false }

func (s *simple) UsedPermRangeCheckUnits(*Env) (uint64, error) { return 0, nil }

func (s *simple) UsedDilutedCheckUnits(spacing, nBits uint64) uint64 { return 0 }

// MemoryAccesses marks the whole (finalized) segment as accessed.
func (s *simple) MemoryAccesses(env *Env, mark func(memory.Relocatable)) error {
	size := env.Mem.Size(s.base.Segment)
	for i := uint64(0); i < size; i++ {
		mark(s.base.Add(i))
	}
	return nil
}

func (s *simple) AdditionalData() any { return nil }

// ExtendAdditionalData loads additional data of a Cairo PIE; builtins
// without additional data ignore it.
func (s *simple) ExtendAdditionalData(data any, relocate func(memory.Relocatable) memory.Relocatable, trusted bool) error {
	return nil
}

// inputOrder records, per instance, the order in which a builtin's input
// cells were first written: the AIR private input lists an instance's
// inputs in that order, as cairo-lang walks its insertion-ordered memory.
type inputOrder struct {
	offsets []uint64
}

func (o *inputOrder) record(off uint64) { o.offsets = append(o.offsets, off) }

func sortUint64(s []uint64) { sort.Slice(s, func(a, b int) bool { return s[a] < s[b] }) }

// pyStr formats a memory value as cairo-lang prints it in messages: a
// field element as its canonical (non-negative) decimal, an address as
// "segment:offset".
func pyStr(v memory.Value) string {
	if v.IsFelt() {
		return v.Felt().BigInt().String()
	}
	return v.String()
}
