package runner

import (
	"fmt"
	"io"
	"sync/atomic"

	"github.com/kairo-dev/kairo/vm/memory"
)

// The memory file lists the set cells in address order, and a cell's
// address depends on the size of every segment before its own, which is
// known only when the run ends. Two segments come first, though: the
// program segment at address 1, and the execution segment right after it,
// whose base is known as soon as the program is loaded (unless the program
// segment grows, which is checked at the end). The execution segment is
// where a run writes most of its cells, at the top of the stack: a page
// well below ap is, most of the time, complete.
//
// StreamMemory uses this to write the memory file while the program runs.
// Every progressSteps steps the VM's goroutine hands the pages of the
// execution segment that lie streamMargin pages or more below ap's (the
// program segment's pages first) to a writer goroutine, which encodes
// them into the file at the offsets they will have. The pages are not
// copied: the writer reads them where the VM keeps them, while the VM
// runs on. A fence (memory.SetFence) below the last page handed makes the
// VM, before it changes a cell of a handed page, wait until the writer is
// done with every page it was given (sync): the two never touch the same
// cell at the same time. The VM does not wait otherwise: when the writer
// falls behind, the pages it has not been given are written at the end
// with the rest.
//
// Nothing about a page is assumed without being checked at the end:
//   - the two segments' bases must be those the stream used (otherwise the
//     file is written again from the start);
//   - every streamed page must still hold as many set cells as when it was
//     written (memory is write-once, so an equal count means the same
//     cells; see unchanged); from the first page that gained a cell (a
//     local written long after its frame was pushed), the file is written
//     again;
//   - a page holding an address of another segment (whose base was not
//     known) is encoded again, from the finished memory, into its place.
//
// Streaming changes how fast the file is written, never what it holds: the
// conformance suite checks the streamed files against cairo-run's.

// progressSteps is how often (in steps, a power of two) a run calls the
// hook that streams the memory file.
const progressSteps = 1 << 16

// streamMargin is how many pages below ap's page the stream stays: the
// cells a run writes late are mostly the locals of frames not far below
// the top of the stack.
const streamMargin = 2

// streamQueue bounds the pages handed to the writer and not yet written.
// A page in the queue costs no memory of its own (the writer reads the
// VM's), so the bound only limits how far the writer may fall behind
// before the VM stops handing pages.
const streamQueue = 1024

// MemoryFile is what StreamMemory writes to.
type MemoryFile interface {
	io.WriterAt
	Truncate(size int64) error
}

// MemoryStream writes the memory file while the program runs; see
// StreamMemory.
type MemoryStream struct {
	r *Runner
	f MemoryFile
	streamBases

	// Owned by the VM's goroutine.
	started   bool
	stopped   bool
	progPages uint64 // pages of the program segment handed over
	next      uint64 // next page of the execution segment to hand over
	jobs      chan streamJob
	closed    bool

	// Owned by the writer until done is received.
	done    chan error
	written atomic.Int64 // pages the writer is done with (it stores, the VM loads)
	pages   []streamedPage
	end     int64 // file offset after the streamed pages

	// rewrote records that Finish found a check failed and wrote the
	// file again from the first page that changed.
	rewrote bool
}

// streamJob is a page to write, or (ack set) a request to close ack once
// every page before it is written.
type streamJob struct {
	seg   int
	page  uint64
	cells []memory.Value // the VM's page itself, not a copy
	ack   chan struct{}
}

// streamedPage is a page whose place in the file the stream took.
type streamedPage struct {
	seg      int
	page     uint64
	count    int   // set cells when it was written
	off      int64 // file offset of its first cell
	deferred bool  // it points into other segments: encoded at Finish
}

// StreamMemory starts writing the memory file to f during the run. Call it
// before Run; after Relocate, Finish completes the file (Stop abandons
// it). The file then holds exactly what WriteMemory writes.
func (r *Runner) StreamMemory(f MemoryFile) *MemoryStream {
	s := &MemoryStream{
		r:    r,
		f:    f,
		jobs: make(chan streamJob, streamQueue),
		done: make(chan error, 1),
	}
	var ok bool
	s.streamBases, ok = r.guessStreamBases()
	s.stopped = !ok
	go s.write()
	r.onProgress = s.progress
	return s
}

// progress hands the pages that are ready to the writer (VM goroutine).
func (s *MemoryStream) progress() {
	if s.stopped {
		return
	}
	m := s.r.Mem
	if !s.started {
		s.started = true
		s.progPages = m.NumPages(0)
		if s.progPages > 1024 {
			s.stopped = true
			return
		}
		for p := range s.progPages {
			s.hand(0, p, true)
		}
		m.SetFence(0, s.progPages*memory.PageCells, s.sync)
	}
	ap := s.r.VM.AP
	if ap.Segment != 1 {
		return
	}
	limit := ap.Offset / memory.PageCells
	if limit < streamMargin {
		return
	}
	limit -= streamMargin
	for s.next < limit && s.hand(1, s.next, false) {
		s.next++
	}
	m.SetFence(1, s.next*memory.PageCells, s.sync)
}

// hand gives a page to the writer; without wait it gives up (false) when
// the queue is full.
func (s *MemoryStream) hand(seg int, page uint64, wait bool) bool {
	j := streamJob{seg: seg, page: page, cells: s.r.Mem.Page(seg, page)}
	if wait {
		s.jobs <- j
	} else {
		select {
		case s.jobs <- j:
		default:
			return false
		}
	}
	return true
}

// sync returns once the writer is done with every page handed to it: the
// memory's fence calls it before the VM changes a cell of a handed page.
func (s *MemoryStream) sync() {
	// Every program page was handed at the start, and the execution
	// pages below next since.
	if s.closed || s.written.Load() == int64(s.progPages+s.next) {
		return
	}
	ack := make(chan struct{})
	s.jobs <- streamJob{ack: ack}
	<-ack
}

// write encodes the pages it is handed, in order, at their offsets.
func (s *MemoryStream) write() {
	var err error
	out := make([]byte, 40*memory.PageCells)
	bases := []uint64{s.pb, s.eb}
	for j := range s.jobs {
		if j.ack != nil {
			close(j.ack)
			continue
		}
		s.r.writing.Lock()
		if err == nil {
			base := bases[j.seg] + j.page*memory.PageCells
			n, count, _, ok := encodeCells(out, base, j.cells, bases)
			s.pages = append(s.pages, streamedPage{seg: j.seg, page: j.page, count: count, off: s.end, deferred: !ok})
			if ok && n > 0 {
				_, err = s.f.WriteAt(out[:n], s.end)
			}
			s.end += int64(40 * count)
		}
		s.r.writing.Unlock()
		s.written.Add(1)
	}
	s.done <- err
}

// wait ends the stream and returns the writer's error.
func (s *MemoryStream) wait() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.r.onProgress = nil
	close(s.jobs)
	err := <-s.done
	s.r.Mem.SetFence(0, 0, nil)
	s.r.Mem.SetFence(1, 0, nil)
	return err
}

// Stop abandons the stream (the run failed); the file is left as it is.
func (s *MemoryStream) Stop() { _ = s.wait() }

// Finish completes the memory file after Relocate.
func (s *MemoryStream) Finish() error {
	if err := s.wait(); err != nil {
		return err
	}
	r := s.r
	if r.Bases == nil {
		return fmt.Errorf("memory stream finished before relocation")
	}
	if s.started && !s.unchanged() {
		s.keepUnchanged()
	}
	if !s.started || len(s.pages) == 0 {
		s.rewrote = s.started
		if err := s.f.Truncate(0); err != nil {
			return err
		}
		return r.WriteMemory(io.NewOffsetWriter(s.f, 0))
	}
	bases := r.Bases[:len(r.Bases)-1]
	out := make([]byte, 40*memory.PageCells)
	for _, p := range s.pages {
		if !p.deferred {
			continue
		}
		cells := r.Mem.Page(p.seg, p.page)
		n, _, bad, ok := encodeCells(out, bases[p.seg]+p.page*memory.PageCells, cells, bases)
		if !ok {
			return fmt.Errorf("cannot relocate %s: no such segment", bad)
		}
		if _, err := s.f.WriteAt(out[:n], p.off); err != nil {
			return err
		}
	}
	if s.rewrote {
		if err := s.f.Truncate(s.end); err != nil {
			return err
		}
	}
	return r.writeMemoryFrom(io.NewOffsetWriter(s.f, s.end), 1, s.next)
}

// unchanged reports whether every streamed page is still valid: the two
// segments have the bases the stream used, and no streamed page gained a
// cell. A page's count of set cells can only grow, so the streamed pages
// are unchanged exactly when each segment's count of set cells is what
// they held when written plus what the pages that were not streamed hold
// now.
func (s *MemoryStream) unchanged() bool {
	r := s.r
	if !s.held(r) || r.Mem.NumPages(0) != s.progPages {
		s.pages = nil
		return false
	}
	var streamed [2]uint64
	for _, p := range s.pages {
		streamed[p.seg] += uint64(p.count)
	}
	var rest uint64
	for off, cells := range r.Mem.Pages(1) {
		if off >= s.next*memory.PageCells {
			rest += countSet(cells)
		}
	}
	return r.Mem.SegmentCountSet(0) == streamed[0] && r.Mem.SegmentCountSet(1) == streamed[1]+rest
}

// keepUnchanged drops the streamed pages from the first one that gained a
// cell on (its offset in the file, and every later page's, moved), so that
// Finish writes them again; a program page drops them all.
func (s *MemoryStream) keepUnchanged() {
	s.rewrote = true
	for i, p := range s.pages {
		if countSet(s.r.Mem.Page(p.seg, p.page)) == uint64(p.count) {
			continue
		}
		if p.seg != 1 {
			s.pages = nil
			return
		}
		s.pages, s.end, s.next = s.pages[:i], p.off, p.page
		return
	}
}

func countSet(cells []memory.Value) uint64 {
	var n uint64
	for i := range cells {
		if cells[i].IsSet() {
			n++
		}
	}
	return n
}
