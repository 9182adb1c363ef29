package runner

import (
	"archive/zip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/kairo-dev/kairo/vm/felt"
)

// Cairo PIE address encoding (RelocatableValue.to_bytes): the top bit
// marks an address, then 16 bits of segment and 47 bits of offset.
const (
	pieOffsetBits = 47
	pieFieldBytes = 32
)

type pieSegment struct {
	Index int    `json:"index"`
	Size  uint64 `json:"size"`
}

// bigNumber marshals a non-negative integer as a bare JSON number, as
// Python's json writes ints of any size.
type bigNumber struct{ v *big.Int }

func (b bigNumber) MarshalJSON() ([]byte, error) { return []byte(b.v.String()), nil }

// WriteCairoPie writes the run as a Cairo PIE zip readable by cairo-lang
// (metadata.json, memory.bin, additional_data.json,
// execution_resources.json, version.json).
func (r *Runner) WriteCairoPie(w io.Writer) error {
	if !r.runEnded {
		return errors.New("a Cairo PIE needs a finished run")
	}
	if !r.VM.TrackAccesses {
		return errors.New("a Cairo PIE needs the run to track memory accesses (Config.TrackAccesses)")
	}
	mainPC, ok := r.entrypointPC()
	if !ok {
		return errors.New("a Cairo PIE needs a main function")
	}
	known := map[int]bool{r.programBase.Segment: true, r.executionBase.Segment: true}
	builtinSegs := map[string]pieSegment{}
	for _, b := range r.Builtins {
		for name, sa := range b.SegmentAddresses() {
			if !sa.HasStop {
				return fmt.Errorf("%s segment stop ptr is None.", name)
			}
			n, err := sa.Stop.Sub(sa.Begin)
			if err != nil {
				return err
			}
			if _, dup := builtinSegs[name]; dup {
				return fmt.Errorf("Builtin segment name collision: %s.", name)
			}
			builtinSegs[name] = pieSegment{Index: sa.Begin.Segment, Size: uint64(n)}
			known[sa.Begin.Segment] = true
		}
	}
	nUsed := uint64(len(r.Program.Builtins))
	retFP, retPC := r.Mem.Get(r.executionBase.Add(nUsed)), r.Mem.Get(r.executionBase.Add(nUsed+1))
	if !retFP.IsReloc() || !retPC.IsReloc() {
		return fmt.Errorf("Expecting a relocatable value got %s.", retFP)
	}
	known[retFP.Reloc().Segment] = true
	known[retPC.Reloc().Segment] = true
	extra := []pieSegment{}
	for i := 0; i < r.Mem.NumSegments(); i++ {
		if !known[i] {
			extra = append(extra, pieSegment{Index: i, Size: r.Mem.Size(i)})
		}
	}
	data := make([]bigNumber, len(r.Program.Data))
	for i, v := range r.Program.Data {
		data[i] = bigNumber{v.Felt().BigInt()}
	}
	metadata := map[string]any{
		"program": map[string]any{
			"prime":    bigNumber{felt.Prime()},
			"data":     data,
			"builtins": r.Program.Builtins,
			"main":     mainPC,
		},
		"program_segment":   pieSegment{r.programBase.Segment, uint64(len(r.Program.Data))},
		"execution_segment": pieSegment{r.executionBase.Segment, r.VM.AP.Offset - r.executionBase.Offset},
		"ret_fp_segment":    pieSegment{retFP.Reloc().Segment, 0},
		"ret_pc_segment":    pieSegment{retPC.Reloc().Segment, 0},
		"builtin_segments":  builtinSegs,
		"extra_segments":    extra,
	}
	additional := map[string]any{}
	counter := map[string]uint64{}
	env := r.env()
	for _, b := range r.Builtins {
		if d := b.AdditionalData(); d != nil {
			additional[b.Name()+"_builtin"] = d
		}
		counter[b.Name()+"_builtin"] = b.UsedInstances(env)
	}
	holes, err := r.MemoryHoles()
	if err != nil {
		return err
	}
	steps := r.VM.Step
	if r.OriginalSteps != nil {
		steps = *r.OriginalSteps
	}
	resources := map[string]any{
		"n_steps":                  steps,
		"n_memory_holes":           holes,
		"builtin_instance_counter": counter,
	}
	zw := zip.NewWriter(w)
	files := []struct {
		name string
		body func(io.Writer) error
	}{
		{"metadata.json", jsonBody(metadata)},
		{"memory.bin", r.writePieMemory},
		{"additional_data.json", jsonBody(additional)},
		{"execution_resources.json", jsonBody(resources)},
		{"version.json", jsonBody(map[string]string{"cairo_pie": "1.1"})},
	}
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		if err := f.body(fw); err != nil {
			return fmt.Errorf("cairo pie %s: %w", f.name, err)
		}
	}
	return zw.Close()
}

func jsonBody(v any) func(io.Writer) error {
	return func(w io.Writer) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
}

// writePieMemory serializes every cell with unrelocated addresses.
func (r *Runner) writePieMemory(w io.Writer) error {
	var buf [8 + pieFieldBytes]byte
	for seg := 0; seg < r.Mem.NumSegments(); seg++ {
		for off, v := range r.Mem.Cells(seg) {
			binary.LittleEndian.PutUint64(buf[:8], 1<<63|uint64(seg)<<pieOffsetBits|off)
			for i := range buf[8:] {
				buf[8+i] = 0
			}
			if v.IsFelt() {
				le := v.Felt().BytesLE()
				copy(buf[8:], le[:])
			} else {
				a := v.Reloc()
				if a.Segment < 0 {
					return fmt.Errorf("temporary segment address %s in memory", a)
				}
				binary.LittleEndian.PutUint64(buf[8:], uint64(a.Segment)<<pieOffsetBits|a.Offset)
				buf[8+pieFieldBytes-1] |= 0x80
			}
			if _, err := w.Write(buf[:]); err != nil {
				return err
			}
		}
	}
	return nil
}
