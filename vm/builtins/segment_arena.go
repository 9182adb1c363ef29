package builtins

import (
	"fmt"

	"github.com/kairo-dev/kairo/vm/memory"
)

// segmentArenaSize is the size of a SegmentArenaBuiltin instance: infos,
// n_segments, n_finalized.
const segmentArenaSize = 3

// SegmentArena is Starknet's segment_arena builtin. Its segment starts with
// an empty arena (a pointer to a fresh infos segment, 0, 0) and its base is
// the cell after it.
type SegmentArena struct {
	simple
}

// NewSegmentArena returns a segment_arena runner.
func NewSegmentArena(included bool) *SegmentArena {
	def := BuiltinDef{Name: NameSegmentArena, DynamicRatio: true, RatioDen: 1}
	return &SegmentArena{simple: newSimple(def, included, segmentArenaSize, segmentArenaSize)}
}

// InitializeSegments adds the infos segment and the arena segment, writes
// the empty arena and sets the base after it.
func (s *SegmentArena) InitializeSegments(m *memory.Memory) {
	// Writing three cells into a segment just added fails only on a frozen
	// memory, which the runner never initializes.
	_ = s.initialize(m)
}

func (s *SegmentArena) initialize(m *memory.Memory) error {
	infos := m.AddSegment()
	start := m.AddSegment()
	init := []memory.Value{memory.RelocValue(infos), memory.Uint64Value(0), memory.Uint64Value(0)}
	if _, err := m.Load(start, init); err != nil {
		return fmt.Errorf("initializing the segment arena: %w", err)
	}
	s.base, s.hasBase = start.Add(segmentArenaSize), true
	return nil
}

// UsedCells excludes the initial arena.
func (s *SegmentArena) UsedCells(env *Env) uint64 {
	used := env.Mem.UsedSize(s.base.Segment)
	if used < segmentArenaSize {
		return 0
	}
	return used - segmentArenaSize
}

func (s *SegmentArena) UsedInstances(env *Env) uint64 { return s.usedInstances(s.UsedCells(env)) }

func (s *SegmentArena) FinalStack(env *Env, pointer memory.Relocatable) (memory.Relocatable, error) {
	return s.finalStack(env, pointer, s.UsedInstances(env))
}

func (s *SegmentArena) AllocatedInstances(env *Env) (uint64, error) {
	return s.allocatedInstances(env, func() uint64 { return s.UsedInstances(env) })
}

func (s *SegmentArena) AllocatedMemoryUnits(env *Env) (uint64, error) {
	n, err := s.AllocatedInstances(env)
	return segmentArenaSize * n, err
}

func (s *SegmentArena) UsedCellsAndAllocatedSize(env *Env) (uint64, uint64, error) {
	used := s.UsedCells(env)
	n, err := s.AllocatedInstances(env)
	if err != nil {
		return 0, 0, err
	}
	size := segmentArenaSize * n
	if used > size {
		return used, size, insufficient("The %s builtin used %d cells but the capacity is %d.", s.name, used, size)
	}
	return used, size, nil
}

func (s *SegmentArena) FinalizeSegments(env *Env) error {
	_, size, err := s.UsedCellsAndAllocatedSize(env)
	if err != nil {
		return err
	}
	env.Mem.Finalize(s.base.Segment, &size, nil)
	return nil
}

// MemoryAccesses marks nothing: the arena's cells count as accessed only
// through the VM.
func (s *SegmentArena) MemoryAccesses(*Env, func(memory.Relocatable)) error { return nil }
