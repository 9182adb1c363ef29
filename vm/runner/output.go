package runner

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"

	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Relocate computes the flat address of every segment (the first cell is
// address 1); it fails when a segment outgrew its finalized size.
func (r *Runner) Relocate() error {
	for seg := 0; seg < r.Mem.NumSegments(); seg++ {
		if fs, ok := r.Mem.FinalSize(seg); ok && fs < r.Mem.UsedSize(seg) {
			return fmt.Errorf("Segment %d exceeded its allocated size.", seg)
		}
	}
	r.Bases = r.Mem.RelocationTable()
	return nil
}

// RelocateAddr flattens an address.
func (r *Runner) RelocateAddr(a memory.Relocatable) (uint64, error) {
	if a.Segment < 0 || a.Segment >= len(r.Bases)-1 {
		return 0, fmt.Errorf("cannot relocate %s: no such segment", a)
	}
	return r.Bases[a.Segment] + a.Offset, nil
}

// WriteTrace writes the relocated trace: 24 bytes per step, ap, fp and pc
// as little-endian u64.
func (r *Runner) WriteTrace(w io.Writer) error { return r.writeTraceFrom(w, 0) }

// writeTraceFrom writes the relocated trace from entry from, the first
// entry of a chunk.
func (r *Runner) writeTraceFrom(w io.Writer, from int) error {
	pb, eb := r.Bases[r.programBase.Segment], r.Bases[r.executionBase.Segment]
	var buf []byte
	return r.VM.TraceChunks(func(first int, entries []vm.TraceEntry) error {
		if first < from {
			return nil
		}
		if cap(buf) < 24*len(entries) {
			buf = make([]byte, 24*len(entries))
		}
		buf = buf[:24*len(entries)]
		if !r.VM.HasOddTrace() {
			encodeTrace(buf, entries, pb, eb)
			_, err := w.Write(buf)
			return err
		}
		for j, e := range entries {
			ap, fp, pc := eb+uint64(e.AP), eb+uint64(e.FP), pb+uint64(e.PC)
			if _, odd := r.VM.TraceOdd(first + j); odd {
				p, a, f := r.VM.TraceRegisters(first + j)
				var err error
				if pc, err = r.RelocateAddr(p); err != nil {
					return err
				}
				if ap, err = r.RelocateAddr(a); err != nil {
					return err
				}
				if fp, err = r.RelocateAddr(f); err != nil {
					return err
				}
			}
			rec := buf[24*j : 24*j+24]
			binary.LittleEndian.PutUint64(rec[0:], ap)
			binary.LittleEndian.PutUint64(rec[8:], fp)
			binary.LittleEndian.PutUint64(rec[16:], pc)
		}
		_, err := w.Write(buf)
		return err
	})
}

// encodeTrace encodes entries whose registers are all in the program
// (pc) and execution (ap, fp) segments, relocated with those segments'
// bases.
func encodeTrace(buf []byte, entries []vm.TraceEntry, pb, eb uint64) {
	for j, e := range entries {
		rec := buf[24*j : 24*j+24 : 24*j+24]
		binary.LittleEndian.PutUint64(rec[0:8], eb+uint64(e.AP))
		binary.LittleEndian.PutUint64(rec[8:16], eb+uint64(e.FP))
		binary.LittleEndian.PutUint64(rec[16:24], pb+uint64(e.PC))
	}
}

// TraceFile is what StreamTrace writes to: a file it can rewrite.
type TraceFile interface {
	io.Writer
	io.Seeker
	Truncate(size int64) error
}

// streamBases are the flat addresses the program and execution segments
// get unless the program segment grows during the run: the streamed trace
// and memory files are written with them, and checked against the
// relocation at the end.
type streamBases struct{ pb, eb uint64 }

// guessStreamBases returns the bases the streams write with; ok is false
// when the program and execution segments are not the first two (a stream
// then writes nothing during the run).
func (r *Runner) guessStreamBases() (b streamBases, ok bool) {
	b = streamBases{pb: 1, eb: 1 + r.Mem.Size(r.programBase.Segment)}
	return b, r.programBase.Segment == 0 && r.executionBase.Segment == 1
}

// held reports whether the relocation gave the two segments these bases.
func (b streamBases) held(r *Runner) bool {
	return r.Bases[r.programBase.Segment] == b.pb && r.Bases[r.executionBase.Segment] == b.eb
}

// TraceStream writes the trace file while the program runs; see
// StreamTrace.
type TraceStream struct {
	r *Runner
	f TraceFile
	streamBases
	chunks chan []vm.TraceEntry
	done   chan error
	// stopped is set (by the VM's goroutine) at the first chunk that
	// cannot be streamed; written is the number of entries the writer
	// wrote, read once it is done.
	stopped bool
	written int
	closed  bool
	// queued holds the full chunks not yet handed over (the VM's
	// goroutine): when the writer falls behind, the VM does not wait for
	// it but hands them over later, in order, or leaves them to Finish.
	queued [][]vm.TraceEntry
}

// StreamTrace starts writing the trace file to f during the run (which
// must record the trace): each full chunk of entries is relocated and
// written by another goroutine as soon as it is recorded, with the bases
// the program and execution segments will have unless the program segment
// grows. Call it before Run; after Relocate, Finish writes the rest of the
// trace (or rewrites the file when the bases turned out different); Stop
// abandons the stream. The file then holds exactly what WriteTrace writes.
func (r *Runner) StreamTrace(f TraceFile) *TraceStream {
	s := &TraceStream{
		r:      r,
		f:      f,
		chunks: make(chan []vm.TraceEntry, 4),
		done:   make(chan error, 1),
	}
	var ok bool
	s.streamBases, ok = r.guessStreamBases()
	s.stopped = !ok
	// The writer also allocates the chunks the VM fills next and touches
	// each of their pages, so that the page faults of the trace's memory
	// (one every 341 entries) are taken on its goroutine, not the VM's. It
	// starts once the first chunk is full: a run shorter than a chunk
	// allocates nothing more.
	supply := make(chan []vm.TraceEntry, 2)
	topUp := func() {
		for len(supply) < cap(supply) {
			supply <- prefaultedChunk()
		}
	}
	r.VM.TraceChunkSupply = supply
	go func() {
		var err error
		var buf []byte
		for entries := range s.chunks {
			r.writing.Lock()
			topUp()
			if err == nil {
				if cap(buf) < 24*len(entries) {
					buf = make([]byte, 24*len(entries))
				}
				buf = buf[:24*len(entries)]
				encodeTrace(buf, entries, s.pb, s.eb)
				if _, err = f.Write(buf); err == nil {
					s.written += len(entries)
				}
			}
			r.writing.Unlock()
		}
		s.done <- err
	}()
	r.VM.OnTraceChunk = func(first int, entries []vm.TraceEntry, odd bool) {
		if s.stopped {
			return
		}
		// Entries outside the two segments need every segment's base:
		// from this chunk on, Finish writes the trace.
		if odd {
			s.stopped = true
			return
		}
		s.queued = append(s.queued, entries)
		for len(s.queued) > 0 {
			select {
			case s.chunks <- s.queued[0]:
				s.queued[0] = nil
				s.queued = s.queued[1:]
			default:
				return
			}
		}
		s.queued = s.queued[:0:0]
	}
	return s
}

// wait ends the stream and returns the writer's error.
func (s *TraceStream) wait() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.r.VM.OnTraceChunk = nil
	s.r.VM.TraceChunkSupply = nil
	close(s.chunks)
	return <-s.done
}

// prefaultedChunk returns an empty trace chunk whose pages have been
// written once.
func prefaultedChunk() []vm.TraceEntry {
	c := make([]vm.TraceEntry, vm.TraceChunkLen)
	const perPage = 4096 / 12 // entries of 12 bytes: every page gets one
	for i := 0; i < len(c); i += perPage {
		c[i] = vm.TraceEntry{}
	}
	return c[:0]
}

// Stop abandons the stream (the run failed); the file is left as it is.
func (s *TraceStream) Stop() { _ = s.wait() }

// Finish completes the trace file after Relocate.
func (s *TraceStream) Finish() error {
	if err := s.wait(); err != nil {
		return err
	}
	r := s.r
	if r.Bases == nil {
		return fmt.Errorf("trace stream finished before relocation")
	}
	if !s.held(r) {
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := s.f.Truncate(0); err != nil {
			return err
		}
		return r.WriteTrace(s.f)
	}
	return r.writeTraceFrom(s.f, s.written)
}

// WriteMemory writes the relocated memory in address order: 40 bytes per
// cell, the address as a little-endian u64 and the value as 32
// little-endian bytes. Pages are encoded in parallel (leaving Montgomery
// form costs a multiplication per cell) and written in order.
func (r *Runner) WriteMemory(w io.Writer) error { return r.writeMemoryFrom(w, 0, 0) }

// writeMemoryFrom writes the memory file's cells from page page of segment
// seg on.
func (r *Runner) writeMemoryFrom(w io.Writer, seg int, page uint64) error {
	type job struct {
		base  uint64 // flat address of the page's first cell
		cells []memory.Value
		out   chan []byte
		err   error
	}
	bases := r.Bases[:len(r.Bases)-1]
	// A bounded number of jobs in flight bounds the buffers alive at once;
	// buffers return to the pool once written.
	const inFlight = 8
	pool := sync.Pool{New: func() any { b := make([]byte, 40*memory.PageCells); return &b }}
	jobs := make(chan *job, inFlight)
	order := make(chan *job, inFlight)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				buf := *pool.Get().(*[]byte)
				buf = buf[:cap(buf)]
				if len(buf) < 40*len(j.cells) {
					buf = make([]byte, 40*len(j.cells))
				}
				n, _, bad, ok := encodeCells(buf, j.base, j.cells, bases)
				if !ok {
					j.err = fmt.Errorf("cannot relocate %s: no such segment", bad)
				}
				j.out <- buf[:n]
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		for s := seg; s < r.Mem.NumSegments(); s++ {
			for off, cells := range r.Mem.Pages(s) {
				if s == seg && off < page*memory.PageCells {
					continue
				}
				j := &job{base: r.Bases[s] + off, cells: cells, out: make(chan []byte, 1)}
				jobs <- j
				order <- j
			}
		}
	}()
	var werr error
	for j := range order {
		buf := <-j.out
		if werr == nil && j.err != nil {
			werr = j.err
		}
		if werr == nil {
			_, werr = w.Write(buf)
		}
		pool.Put(&buf)
	}
	wg.Wait()
	return werr
}

// encodeCells encodes the set cells of a page whose first cell has flat
// address base into dst (40 bytes each, as WriteMemory writes them), with
// bases[i] the flat address of segment i. It returns the bytes written
// and the number of set cells; ok is false, with the address, when a cell
// points into a segment bases does not cover (the encoding stops there,
// the count does not).
func encodeCells(dst []byte, base uint64, cells []memory.Value, bases []uint64) (n, count int, bad memory.Relocatable, ok bool) {
	ok = true
	for i := range cells {
		v := &cells[i]
		if !v.IsSet() {
			continue
		}
		count++
		if !ok {
			continue
		}
		rec := dst[n : n+40 : n+40]
		binary.LittleEndian.PutUint64(rec[0:8], base+uint64(i))
		if v.IsFelt() {
			l := v.FeltLimbs()
			binary.LittleEndian.PutUint64(rec[8:16], l[0])
			binary.LittleEndian.PutUint64(rec[16:24], l[1])
			binary.LittleEndian.PutUint64(rec[24:32], l[2])
			binary.LittleEndian.PutUint64(rec[32:40], l[3])
			n += 40
			continue
		}
		a := v.Reloc()
		if uint(a.Segment) >= uint(len(bases)) {
			bad, ok = a, false
			continue
		}
		binary.LittleEndian.PutUint64(rec[8:16], bases[a.Segment]+a.Offset)
		clear(rec[16:40])
		n += 40
	}
	return n, count, bad, ok
}

// OutputValues returns the output builtin's cells as cairo-run prints them
// (signed felts, addresses as segment:offset, "<missing>" for holes), or
// nil without an output builtin.
func (r *Runner) OutputValues() ([]string, bool, error) {
	b := r.builtin("output")
	if b == nil {
		return nil, false, nil
	}
	_, size, err := b.UsedCellsAndAllocatedSize(r.env())
	if err != nil {
		return nil, true, err
	}
	out := make([]string, 0, size)
	for i := uint64(0); i < size; i++ {
		v := r.Mem.Get(b.Base().Add(i))
		switch {
		case !v.IsSet():
			out = append(out, "<missing>")
		case v.IsFelt():
			out = append(out, v.Felt().SignedDecimal())
		default:
			out = append(out, v.String())
		}
	}
	return out, true, nil
}

// PrintOutput prints "Program output:" and the output values.
func (r *Runner) PrintOutput(w io.Writer) error {
	vals, ok, err := r.OutputValues()
	if err != nil || !ok {
		return err
	}
	fmt.Fprintln(w, "Program output:")
	for _, v := range vals {
		fmt.Fprintf(w, "  %s\n", v)
	}
	fmt.Fprintln(w)
	return nil
}

// UsedMemoryCells is the number of written cells (len(vm_memory)).
func (r *Runner) UsedMemoryCells() int {
	n := r.Mem.CountSet()
	for _, s := range r.Mem.TempSegmentsInUse() {
		for range r.Mem.Cells(s) {
			n++
		}
	}
	return n
}

// PrintInfo prints cairo-run's --print_info block.
func (r *Runner) PrintInfo(w io.Writer) {
	orig := ""
	if r.OriginalSteps != nil {
		orig = fmt.Sprintf("(originally, %d)", *r.OriginalSteps)
	}
	fmt.Fprintf(w, "Number of steps: %d %s\nUsed memory cells: %d\nRegister values after execution:\npc = %s\nap = %s\nfp = %s\n\n",
		r.VM.Step, orig, r.UsedMemoryCells(), r.VM.PC, r.VM.AP, r.VM.FP)
}

// PrintMemory prints the (unrelocated) memory as cairo-run's --print_memory
// does.
func (r *Runner) PrintMemory(w io.Writer) {
	fmt.Fprintln(w, "Addr  Value")
	fmt.Fprintln(w, "-----------")
	var last *memory.Relocatable
	segs := make([]int, 0, r.Mem.NumSegments()+r.Mem.NumTempSegments())
	for i := -r.Mem.NumTempSegments(); i < r.Mem.NumSegments(); i++ {
		segs = append(segs, i)
	}
	sort.Ints(segs)
	for _, seg := range segs {
		for off, v := range r.Mem.Cells(seg) {
			a := memory.Relocatable{Segment: seg, Offset: off}
			if last == nil || off == 0 || *last != (memory.Relocatable{Segment: seg, Offset: off - 1}) {
				fmt.Fprintln(w, "\u22ee")
			}
			val := v.String()
			if v.IsFelt() {
				val = v.Felt().SignedDecimal()
			}
			fmt.Fprintf(w, "%-5s %s\n", a.String(), val)
			last = &a
		}
	}
	fmt.Fprintln(w)
}

// PrintSegments prints the segment relocation table.
func (r *Runner) PrintSegments(w io.Writer) {
	if r.Bases == nil {
		return
	}
	fmt.Fprintln(w, "Segment relocation table:")
	for i := 0; i < r.Mem.NumSegments(); i++ {
		fmt.Fprintf(w, "%-5d %d\n", i, r.Bases[i])
	}
}

type segmentAddrJSON struct {
	BeginAddr uint64 `json:"begin_addr"`
	StopPtr   uint64 `json:"stop_ptr"`
}

type publicMemoryEntry struct {
	Address uint64 `json:"address"`
	Value   string `json:"value"`
	Page    uint64 `json:"page"`
}

// AirPublicInput builds the --air_public_input JSON document.
func (r *Runner) AirPublicInput() ([]byte, error) {
	if r.VM.TraceLen() == 0 {
		return nil, fmt.Errorf("the run has no trace")
	}
	lo, hi, err := r.PermRangeCheckLimits()
	if err != nil {
		return nil, err
	}
	first, last := 0, r.VM.TraceLen()-1
	flat := func(i int) (pc, ap uint64, err error) {
		p, a, _ := r.VM.TraceRegisters(i)
		if pc, err = r.RelocateAddr(p); err != nil {
			return
		}
		ap, err = r.RelocateAddr(a)
		return
	}
	pc0, ap0, err := flat(first)
	if err != nil {
		return nil, err
	}
	pcN, apN, err := flat(last)
	if err != nil {
		return nil, err
	}
	segs := map[string]segmentAddrJSON{
		"program":   {BeginAddr: pc0, StopPtr: pcN},
		"execution": {BeginAddr: ap0, StopPtr: apN},
	}
	included := map[string]bool{}
	for _, n := range r.Program.Builtins {
		included[n] = true
	}
	for _, b := range r.Builtins {
		for name, sa := range b.SegmentAddresses() {
			stop := sa.Begin
			if included[name] {
				if !sa.HasStop {
					return nil, fmt.Errorf("The %s builtin stop pointer was not set.", name)
				}
				stop = sa.Stop
			}
			bb, err := r.RelocateAddr(sa.Begin)
			if err != nil {
				return nil, err
			}
			ss, err := r.RelocateAddr(stop)
			if err != nil {
				return nil, err
			}
			segs[name] = segmentAddrJSON{BeginAddr: bb, StopPtr: ss}
		}
	}
	var pub []publicMemoryEntry
	for seg := 0; seg < r.Mem.NumSegments(); seg++ {
		for _, c := range r.Mem.PublicMemory(seg) {
			a := memory.Relocatable{Segment: seg, Offset: c.Offset}
			v, err := r.Mem.Read(a)
			if err != nil {
				return nil, fmt.Errorf("public memory: %w", err)
			}
			addr, err := r.RelocateAddr(a)
			if err != nil {
				return nil, err
			}
			var hex string
			if v.IsFelt() {
				hex = v.Felt().String()
			} else {
				fa, err := r.RelocateAddr(v.Reloc())
				if err != nil {
					return nil, err
				}
				hex = fmt.Sprintf("0x%x", fa)
			}
			pub = append(pub, publicMemoryEntry{Address: addr, Value: hex, Page: c.Page})
		}
	}
	if pub == nil {
		pub = []publicMemoryEntry{}
	}
	doc := struct {
		Layout         string                     `json:"layout"`
		RCMin          uint64                     `json:"rc_min"`
		RCMax          uint64                     `json:"rc_max"`
		NSteps         int                        `json:"n_steps"`
		MemorySegments map[string]segmentAddrJSON `json:"memory_segments"`
		PublicMemory   []publicMemoryEntry        `json:"public_memory"`
		DynamicParams  any                        `json:"dynamic_params"`
	}{r.Config.Layout.Name, lo, hi, r.VM.TraceLen(), segs, pub, r.dynamicParams()}
	b, err := json.MarshalIndent(doc, "", "    ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func (r *Runner) dynamicParams() any {
	if r.Config.Layout.DynamicParams == nil {
		return nil
	}
	return r.Config.Layout.DynamicParams
}

// AirPrivateInput builds the --air_private_input JSON document.
func (r *Runner) AirPrivateInput(tracePath, memoryPath string) ([]byte, error) {
	fields := []field{{"trace_path", tracePath}, {"memory_path", memoryPath}}
	env := r.env()
	for _, b := range r.Builtins {
		m, err := b.AirPrivateInput(env)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fields = append(fields, field{k, m[k]})
		}
	}
	b, err := json.MarshalIndent(orderedObject(fields), "", "    ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

type field struct {
	key   string
	value any
}

// orderedObject marshals as a JSON object with keys in the given order.
type orderedObject []field

func (o orderedObject) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, f := range o {
		if i > 0 {
			buf = append(buf, ',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		buf = append(buf, k...)
		buf = append(buf, ':')
		buf = append(buf, v...)
	}
	return append(buf, '}'), nil
}
