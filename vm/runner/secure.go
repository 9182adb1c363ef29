package runner

import (
	"fmt"

	"github.com/kairo-dev/kairo/vm/memory"
)

// SecurityError is a failed verify_secure_runner check.
type SecurityError struct{ Msg string }

func (e *SecurityError) Error() string { return e.Msg }

type segmentInfo struct {
	name string
	size uint64
}

// builtinSegments returns every builtin segment with the size between its
// base and stop pointer.
func (r *Runner) builtinSegments() (map[int]segmentInfo, error) {
	out := map[int]segmentInfo{}
	for _, b := range r.Builtins {
		for name, sa := range b.SegmentAddresses() {
			if !sa.HasStop {
				return nil, fmt.Errorf("%s segment stop ptr is None.", name)
			}
			if sa.Begin.Offset != 0 {
				return nil, fmt.Errorf("Unexpected %s segment begin_addr %d.", name, sa.Begin.Offset)
			}
			n, err := sa.Stop.Sub(sa.Begin)
			if err != nil {
				return nil, err
			}
			out[sa.Begin.Segment] = segmentInfo{name: name, size: uint64(n)}
		}
	}
	return out, nil
}

// VerifySecureRunner checks what cairo-lang's verify_secure_runner checks:
// no access beyond the builtin segments' stop pointers or the program data,
// every address value points into an existing segment, and each builtin's
// own checks.
func (r *Runner) VerifySecureRunner() error { return r.verifySecure(true) }

// verifySecure is verify_secure_runner; without verifyBuiltins the bounds
// of the builtin segments are not checked (their stop pointers may not be
// known yet), the builtins' own checks still run.
func (r *Runner) verifySecure(verifyBuiltins bool) error {
	segs := map[int]segmentInfo{}
	if verifyBuiltins {
		var err error
		if segs, err = r.builtinSegments(); err != nil {
			return &SecurityError{err.Error()}
		}
	}
	progSize := uint64(len(r.Program.Data))
	nSeg := r.Mem.NumSegments()
	for seg := 0; seg < nSeg; seg++ {
		info, isBuiltin := segs[seg]
		// Cells at or past bound are out of bounds (a builtin segment's
		// stop pointer, the program's size).
		bound := uint64(1) << 63
		if isBuiltin {
			bound = info.size
		}
		if seg == r.programBase.Segment {
			bound = min(bound, progSize)
		}
		for base, cells := range r.Mem.Pages(seg) {
			if base+uint64(len(cells)) <= bound {
				// The whole page is in bounds: only address values
				// need a look.
				for i := range cells {
					if cells[i].IsReloc() {
						if s := cells[i].Reloc().Segment; s < 0 || s >= nSeg {
							return invalidValue(memory.Relocatable{Segment: seg, Offset: base + uint64(i)}, cells[i])
						}
					}
				}
				continue
			}
			for i := range cells {
				v := cells[i]
				if !v.IsSet() {
					continue
				}
				off := base + uint64(i)
				addr := memory.Relocatable{Segment: seg, Offset: off}
				if isBuiltin && off >= info.size {
					return &SecurityError{fmt.Sprintf("Out of bounds access to builtin segment %s at %s.", info.name, addr)}
				}
				if seg == r.programBase.Segment && off >= progSize {
					return &SecurityError{fmt.Sprintf("Out of bounds access to program segment at %s.", addr)}
				}
				if v.IsReloc() {
					if s := v.Reloc().Segment; s < 0 || s >= nSeg {
						return invalidValue(addr, v)
					}
				}
			}
		}
	}
	if t := r.Mem.TempSegmentsInUse(); len(t) > 0 {
		return &SecurityError{fmt.Sprintf("Expected memory address to be relocatable value. Found: temporary segment %d.", t[0])}
	}
	env := r.env()
	for _, b := range r.Builtins {
		if err := b.RunSecurityChecks(env); err != nil {
			return &SecurityError{err.Error()}
		}
	}
	return nil
}

func invalidValue(addr memory.Relocatable, v memory.Value) error {
	return &SecurityError{fmt.Sprintf("Invalid memory value at address %s: %s.", addr, v)}
}
