// Package builtins implements the Cairo builtins (output, pedersen,
// range_check, ecdsa, bitwise, ec_op, keccak, poseidon, range_check96,
// add_mod, mul_mod, segment_arena) and the layouts that size them, as
// cairo-lang 0.14 defines them.
//
// A builtin owns one memory segment (the output builtin may own pages). It
// installs validation rules (checked on every write to its segment) and
// auto-deduction rules (used by the VM to compute output cells), checks its
// stop pointer at the end of the run, and reports its usage for proof mode.
package builtins

import (
	"github.com/kairo-dev/kairo/vm/memory"
)

// Env is what a builtin needs from the runner at the end of a run.
type Env struct {
	Mem *memory.Memory
	// Steps is the VM's current step count (allocated instances in proof
	// mode follow from it and the layout ratio).
	Steps uint64
	// VerifyDeduction checks that the cell at addr equals what the
	// auto-deduction rules give (runner.vm.verify_auto_deductions_for_addr).
	VerifyDeduction func(addr memory.Relocatable) error
}

// SegmentAddresses are a builtin segment's base and stop pointer. HasStop is
// false until FinalStack has run (cairo-lang's stop_ptr is None then).
type SegmentAddresses struct {
	Begin   memory.Relocatable
	Stop    memory.Relocatable
	HasStop bool
}

// Runner is a builtin runner; the method set follows cairo-lang's
// BuiltinRunner so that the runner's end-of-run checks and proof-mode
// outputs match the reference.
type Runner interface {
	// Name is the builtin's name without the "_builtin" suffix
	// ("range_check", "ec_op", ...).
	Name() string
	// Included reports whether the program uses the builtin (it is in the
	// program's builtins list). Layout builtins that the program does not
	// use are still created in proof mode, but excluded.
	Included() bool

	// InitializeSegments adds the builtin's segment(s).
	InitializeSegments(m *memory.Memory)
	// Base is the start of the builtin's segment.
	Base() memory.Relocatable
	// InitialStack is what main receives for this builtin: [base] when
	// included, nothing otherwise.
	InitialStack() []memory.Value
	// NeededAllocatedZeros is the number of zero cells the builtin needs
	// (mod builtins); SetAllocatedZeros gives their address.
	NeededAllocatedZeros() uint64
	SetAllocatedZeros(addr memory.Relocatable)
	// AddValidationRules and AddAutoDeductionRules install the builtin's
	// rules on its segment.
	AddValidationRules(m *memory.Memory)
	AddAutoDeductionRules(m *memory.Memory)

	// FinalStack reads the builtin's stop pointer at pointer-1 (when
	// included), checks it, and returns the pointer below it.
	FinalStack(env *Env, pointer memory.Relocatable) (memory.Relocatable, error)
	// UsedCells is the used size of the builtin's segment.
	UsedCells(env *Env) uint64
	// UsedInstances is ceil(UsedCells / CellsPerInstance).
	UsedInstances(env *Env) uint64
	// AllocatedInstances is the number of instances the layout allocates
	// for env.Steps steps (an error when the steps are too few).
	AllocatedInstances(env *Env) (uint64, error)
	// AllocatedMemoryUnits is the number of memory units allocated.
	AllocatedMemoryUnits(env *Env) (uint64, error)
	// UsedCellsAndAllocatedSize checks that the used cells fit the
	// allocation and returns both.
	UsedCellsAndAllocatedSize(env *Env) (used, size uint64, err error)
	// FinalizeSegments fixes the segment's size for relocation.
	FinalizeSegments(env *Env) error
	// SegmentAddresses returns the named segment addresses written in the
	// AIR public input (begin and stop pointer).
	SegmentAddresses() map[string]SegmentAddresses
	// RunSecurityChecks checks that every instance's inputs are written and
	// its outputs are the deduced ones (verify_secure_runner).
	RunSecurityChecks(env *Env) error
	// AirPrivateInput returns the builtin's entries of the AIR private
	// input, keyed by builtin name, as JSON-encodable values (nil when it
	// has none). Entries are Objects that keep cairo-lang's key order.
	AirPrivateInput(env *Env) (map[string]any, error)
	// RangeCheckUsage returns the min and max 16-bit parts checked by the
	// builtin, when it is a range-check builtin.
	RangeCheckUsage(env *Env) (min, max uint64, ok bool)
	// UsedPermRangeCheckUnits and UsedDilutedCheckUnits feed the proof-mode
	// cell checks.
	UsedPermRangeCheckUnits(env *Env) (uint64, error)
	UsedDilutedCheckUnits(spacing, nBits uint64) uint64
	// MemoryAccesses calls mark for every address the builtin counts as
	// accessed (get_memory_accesses: not memory holes); mod builtins read
	// their tables and may fail.
	MemoryAccesses(env *Env, mark func(memory.Relocatable)) error
	// AdditionalData is the builtin's Cairo PIE additional data (nil when
	// none), JSON-encodable as cairo-lang writes it.
	AdditionalData() any
	// ExtendAdditionalData loads another run's additional data (decoded
	// JSON, as encoding/json gives it), relocating its addresses; with
	// trusted false, data that would skip validation is ignored.
	ExtendAdditionalData(data any, relocate func(memory.Relocatable) memory.Relocatable, trusted bool) error
	// CellsPerInstance and InputCellsPerInstance describe an instance.
	CellsPerInstance() uint64
	InputCellsPerInstance() uint64
}
