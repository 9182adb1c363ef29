package runner

import (
	"errors"
	"fmt"

	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/memory"
)

// insufficientCells is cairo-lang's InsufficientAllocatedCells: the run
// needs more steps.
type insufficientCells struct{ msg string }

func (e *insufficientCells) Error() string { return e.msg }

// checkUsedCells reports whether the layout has enough cells for the run;
// when not, it prints cairo-run's warning and the run is extended.
func (r *Runner) checkUsedCells() (bool, error) {
	err := r.usedCellsError()
	if err == nil {
		return true, nil
	}
	var ic *insufficientCells
	if errors.As(err, &ic) {
		fmt.Fprintf(r.Config.Stdout, "Warning: %s Increasing number of steps.\n", ic.msg)
		return false, nil
	}
	return false, err
}

func asInsufficient(err error) error {
	if err == nil {
		return nil
	}
	var ic *insufficientCells
	if errors.As(err, &ic) {
		return err
	}
	if builtins.IsInsufficientAllocatedCells(err) {
		return &insufficientCells{msg: err.Error()}
	}
	return err
}

func (r *Runner) usedCellsError() error {
	env := r.env()
	for _, b := range r.Builtins {
		if _, _, err := b.UsedCellsAndAllocatedSize(env); err != nil {
			return asInsufficient(err)
		}
	}
	if err := r.checkRangeCheckUsage(); err != nil {
		return asInsufficient(err)
	}
	if err := r.checkMemoryUsage(); err != nil {
		return asInsufficient(err)
	}
	return asInsufficient(r.checkDilutedCheckUsage())
}

// PermRangeCheckLimits returns the smallest and largest 16-bit offsets of
// the executed instructions and the range-check builtins.
func (r *Runner) PermRangeCheckLimits() (uint64, uint64, error) {
	lo, hi := uint64(1<<16), uint64(0)
	for i := range r.VM.TraceLen() {
		pc, _, _ := r.VM.TraceRegisters(i)
		v := r.Mem.Get(pc)
		if !v.IsFelt() {
			return 0, 0, fmt.Errorf("instruction at %s is not a field element", pc)
		}
		enc, _ := v.Felt().Uint64()
		for _, o := range [3]uint64{enc & 0xffff, (enc >> 16) & 0xffff, (enc >> 32) & 0xffff} {
			lo = min(lo, o)
			hi = max(hi, o)
		}
	}
	env := r.env()
	for _, b := range r.Builtins {
		if bl, bh, ok := b.RangeCheckUsage(env); ok {
			lo = min(lo, bl)
			hi = max(hi, bh)
		}
	}
	return lo, hi, nil
}

func (r *Runner) checkRangeCheckUsage() error {
	lo, hi, err := r.PermRangeCheckLimits()
	if err != nil {
		return err
	}
	env := r.env()
	var used uint64
	for _, b := range r.Builtins {
		u, err := b.UsedPermRangeCheckUnits(env)
		if err != nil {
			return err
		}
		used += u
	}
	unused := int64((r.Config.Layout.RCUnits-3)*r.VM.Step) - int64(used)
	bound := int64(hi) - int64(lo)
	if unused < bound {
		return &insufficientCells{fmt.Sprintf("There are only %d cells to fill the range checks holes, but potentially %d are required.", unused, bound)}
	}
	return nil
}

// MemoryHoles counts the cells of every segment that no instruction and no
// builtin accessed.
func (r *Runner) MemoryHoles() (uint64, error) {
	env := r.env()
	extra := map[memory.Relocatable]bool{}
	mark := func(a memory.Relocatable) {
		if !r.Mem.IsAccessed(a) {
			extra[a] = true
		}
	}
	for _, b := range r.Builtins {
		if err := b.MemoryAccesses(env, mark); err != nil {
			return 0, err
		}
	}
	if r.zeroSegment != nil {
		for i := uint64(0); i < r.zeroSegmentSize; i++ {
			a := r.zeroSegment.Add(i)
			if !r.Mem.IsAccessed(a) {
				extra[a] = true
			}
		}
	}
	perSeg := map[int]uint64{}
	for a := range extra {
		perSeg[a.Segment]++
	}
	var holes uint64
	for seg := 0; seg < r.Mem.NumSegments(); seg++ {
		size := r.Mem.Size(seg)
		acc := r.Mem.AccessedCount(seg) + perSeg[seg]
		if acc > size {
			return 0, fmt.Errorf("Accessed address in segment %d has higher offset than the maximal offset %d encountered in the memory segment.", seg, size)
		}
		holes += size - acc
	}
	return holes, nil
}

func (r *Runner) checkMemoryUsage() error {
	env := r.env()
	var builtinUnits uint64
	for _, b := range r.Builtins {
		u, err := b.AllocatedMemoryUnits(env)
		if err != nil {
			return err
		}
		builtinUnits += u
	}
	l := &r.Config.Layout
	total := l.MemoryUnitsPerStep * r.VM.Step
	public := total / l.PublicMemoryFraction
	instr := 4 * r.VM.Step
	unused := int64(total) - int64(public+instr+builtinUnits)
	holes, err := r.MemoryHoles()
	if err != nil {
		return err
	}
	if unused < int64(holes) {
		return &insufficientCells{fmt.Sprintf("There are only %d cells to fill the memory address holes, but %d are required.", unused, holes)}
	}
	return nil
}

func (r *Runner) checkDilutedCheckUsage() error {
	d := r.Config.Layout.Diluted
	if d == nil {
		return nil
	}
	env := r.env()
	var used uint64
	for _, b := range r.Builtins {
		n, err := b.AllocatedInstances(env)
		if err != nil {
			return err
		}
		used += b.UsedDilutedCheckUnits(d.Spacing, d.NBits) * n
	}
	var units uint64
	if d.LogUnitsPerStep >= 0 {
		units = r.VM.Step << uint(d.LogUnitsPerStep)
	} else {
		units = r.VM.Step >> uint(-d.LogUnitsPerStep)
	}
	unused := int64(units) - int64(used)
	bound := int64(1) << d.NBits
	if unused < bound {
		return &insufficientCells{fmt.Sprintf("There are only %d cells to fill the diluted check holes, but potentially %d are required.", unused, bound)}
	}
	return nil
}

// BuiltinUsage is cairo-run's "Builtin usage" block (proof mode).
func (r *Runner) BuiltinUsage() (string, error) {
	if len(r.Builtins) == 0 {
		return "", nil
	}
	s := "\nBuiltin usage:\n"
	env := r.env()
	for _, b := range r.Builtins {
		used, size, err := b.UsedCellsAndAllocatedSize(env)
		if err != nil {
			return "", err
		}
		pct := "100%"
		if size > 0 {
			pct = fmt.Sprintf("%.2f%%", float64(used)/float64(size)*100)
		}
		s += fmt.Sprintf("%-30s %7s (used %d cells)\n", b.Name()+"_builtin", pct, used)
	}
	return s, nil
}
