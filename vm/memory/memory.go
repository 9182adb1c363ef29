package memory

import (
	"errors"
	"fmt"
	"iter"
	"math/bits"
	"slices"
	"sort"
)

// ErrUnknownValue is wrapped when a read finds an unset cell.
var ErrUnknownValue = errors.New("Unknown value for memory cell")

// InconsistentError reports a write that would change a written cell.
type InconsistentError struct {
	Addr     Relocatable
	Old, New Value
}

func (e *InconsistentError) Error() string {
	return fmt.Sprintf("Inconsistent memory assignment at address %s. %s != %s.", e.Addr, e.Old, e.New)
}

// ValidationRule checks a cell of a segment when it is written; builtins use
// it (range_check bounds, signature checks).
type ValidationRule func(m *Memory, addr Relocatable) error

// Deducer computes the value of an unset cell of a builtin segment from the
// cells it depends on; it reports false when it cannot.
type Deducer func(m *Memory, addr Relocatable) (Value, bool, error)

// Cells live in pages of pageSize, so a growing segment never moves: the
// first page grows fourfold up to pageSize (small segments stay small),
// later pages are allocated whole when first written. Pages of 4096 cells
// (128 KiB) keep the unused tail of a segment's last page, and the copies
// while the first page grows, small: a run allocates little more than the
// cells it writes, which keeps the garbage collector out of its way.
const (
	pageBits = 12
	pageSize = 1 << pageBits
	pageMask = pageSize - 1
)

// maxDensePages bounds the page table; pages beyond it (offsets past 128M
// cells, which only unusual programs reach) live in a sparse map.
const maxDensePages = 1 << 15

type segment struct {
	pages    [][]Value
	far      map[uint64][]Value // pages at index >= maxDensePages
	hi       uint64             // one past the highest written offset
	set      uint64             // number of set cells
	accessed []uint64           // bitset of accessed offsets
	validate ValidationRule
	deduce   Deducer
	fence    uint64 // a change to a cell below it calls onFence first
	onFence  func()
}

// guard calls the segment's fence hook before a change to a cell at off.
func (s *segment) guard(off uint64) {
	if off < s.fence {
		s.onFence()
	}
}

func (s *segment) get(off uint64) Value {
	p := off >> pageBits
	if p >= uint64(len(s.pages)) {
		if p >= maxDensePages {
			if pg, ok := s.far[p]; ok {
				return pg[off&pageMask]
			}
		}
		return Value{}
	}
	pg := s.pages[p]
	i := off & pageMask
	if i >= uint64(len(pg)) {
		return Value{}
	}
	return pg[i]
}

// cell returns the cell at off, allocating its page.
func (s *segment) cell(off uint64) *Value {
	p := off >> pageBits
	i := off & pageMask
	if p < uint64(len(s.pages)) {
		if pg := s.pages[p]; i < uint64(len(pg)) {
			return &pg[i]
		}
	}
	if p >= maxDensePages {
		pg, ok := s.far[p]
		if !ok {
			if s.far == nil {
				s.far = map[uint64][]Value{}
			}
			pg = make([]Value, pageSize)
			s.far[p] = pg
		}
		return &pg[i]
	}
	for uint64(len(s.pages)) <= p {
		s.pages = append(s.pages, nil)
	}
	pg := s.pages[p]
	if p > 0 {
		pg = newPage()
	} else {
		// Growing fourfold (64, 256, 1024, 4096 cells) copies and
		// allocates about two thirds of what doubling does on the way to
		// a full page, while small segments stay small.
		n := uint64(len(pg)) * 4
		if n < 64 {
			n = 64
		}
		for n <= i {
			n *= 4
		}
		if n > pageSize {
			n = pageSize
		}
		np := make([]Value, n)
		copy(np, pg)
		pg = np
	}
	s.pages[p] = pg
	return &pg[i]
}

// newPage allocates a full page and writes to each of its operating-system
// pages. A run reads a cell before it writes it (write-once checks), and a
// fresh page of memory first read is mapped to the kernel's shared zero
// page: the write that follows then faults again and remaps it, which
// flushes that mapping from every processor the process runs on (an
// interrupt to each, a costly exit on a virtual machine) whenever another
// of its threads is running, such as a file stream's writer. Written
// first, each page faults once, with no remapping.
func newPage() []Value {
	pg := make([]Value, pageSize)
	const perOSPage = 4096 / 32
	for i := 0; i < len(pg); i += perOSPage {
		pg[i].w[0] = 0
	}
	return pg
}

// eachPage calls fn for every page in offset order until fn returns false.
func (s *segment) eachPage(fn func(base uint64, pg []Value) bool) {
	for p, pg := range s.pages {
		if !fn(uint64(p)<<pageBits, pg) {
			return
		}
	}
	if len(s.far) == 0 {
		return
	}
	keys := make([]uint64, 0, len(s.far))
	for k := range s.far {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !fn(k<<pageBits, s.far[k]) {
			return
		}
	}
}

// each calls fn for every set cell in offset order until fn returns false.
func (s *segment) each(fn func(off uint64, v Value) bool) {
	s.eachPage(func(base uint64, pg []Value) bool {
		for i := range pg {
			if pg[i].IsSet() {
				if !fn(base+uint64(i), pg[i]) {
					return false
				}
			}
		}
		return true
	})
}

// Memory is the VM's write-once memory: real segments (index >= 0) and
// temporary segments (index < 0) that relocation rules later move into real
// ones.
type Memory struct {
	segs  []segment
	temps []segment // temps[i] is segment -(i+1)

	relocationRules map[int]Relocatable
	finalSizes      map[int]uint64
	publicMemory    map[int][]PublicCell
	frozen          bool
}

// PublicCell is an offset of a segment that is part of the public memory,
// with its page.
type PublicCell struct {
	Offset uint64
	Page   uint64
}

// New returns an empty memory.
func New() *Memory {
	return &Memory{
		relocationRules: map[int]Relocatable{},
		finalSizes:      map[int]uint64{},
		publicMemory:    map[int][]PublicCell{},
	}
}

// AddSegment appends a real segment and returns its base.
func (m *Memory) AddSegment() Relocatable {
	m.segs = append(m.segs, segment{})
	return Relocatable{Segment: len(m.segs) - 1}
}

// AddTempSegment appends a temporary segment (negative index) and returns
// its base.
func (m *Memory) AddTempSegment() Relocatable {
	m.temps = append(m.temps, segment{})
	return Relocatable{Segment: -len(m.temps)}
}

// NumSegments returns the number of real segments.
func (m *Memory) NumSegments() int { return len(m.segs) }

// NumTempSegments returns the number of temporary segments.
func (m *Memory) NumTempSegments() int { return len(m.temps) }

func (m *Memory) seg(i int) *segment {
	if i >= 0 {
		if i < len(m.segs) {
			return &m.segs[i]
		}
		return nil
	}
	if j := -i - 1; j < len(m.temps) {
		return &m.temps[j]
	}
	return nil
}

// Get returns the value at addr, or an unset Value. Addresses in temporary
// segments that have a relocation rule are returned relocated, as
// cairo-lang's memory does.
func (m *Memory) Get(addr Relocatable) Value {
	if uint(addr.Segment) < uint(len(m.segs)) {
		v := m.segs[addr.Segment].get(addr.Offset)
		if len(m.relocationRules) != 0 && v.IsReloc() {
			return m.relocated(v)
		}
		return v
	}
	return m.getSlow(addr)
}

func (m *Memory) getSlow(addr Relocatable) Value {
	s := m.seg(addr.Segment)
	if s == nil {
		return Value{}
	}
	v := s.get(addr.Offset)
	if len(m.relocationRules) != 0 && v.IsReloc() {
		return m.relocated(v)
	}
	return v
}

func (m *Memory) relocated(v Value) Value {
	if v.segment() >= 0 {
		return v
	}
	return RelocValue(m.RelocateAddr(v.Reloc()))
}

// Ptr returns the cell at addr of a real segment whose storage exists, or
// nil. Reading through it gives what Get gives while the memory has no
// relocation rules (HasRelocationRules); writing through it is not allowed
// (Set checks consistency, validation and the segment's size).
func (m *Memory) Ptr(addr Relocatable) *Value {
	if uint(addr.Segment) >= uint(len(m.segs)) {
		return nil
	}
	s := &m.segs[addr.Segment]
	p := addr.Offset >> pageBits
	if p >= uint64(len(s.pages)) {
		return nil
	}
	pg := s.pages[p]
	i := addr.Offset & pageMask
	if i >= uint64(len(pg)) {
		return nil
	}
	return &pg[i]
}

// HasRelocationRules reports whether temporary segments have relocation
// rules not applied yet (reads of addresses into them are then relocated).
func (m *Memory) HasRelocationRules() bool { return len(m.relocationRules) != 0 }

// Read returns the value at addr or an error when the cell is unset.
func (m *Memory) Read(addr Relocatable) (Value, error) {
	v := m.Get(addr)
	if !v.IsSet() {
		return v, fmt.Errorf("%w at address %s", ErrUnknownValue, addr)
	}
	return v, nil
}

// ReadFelt reads a field element.
func (m *Memory) ReadFelt(addr Relocatable) (Value, error) {
	v, err := m.Read(addr)
	if err != nil {
		return v, err
	}
	if !v.IsFelt() {
		return v, fmt.Errorf("expected a field element at address %s, found the address %s", addr, v.Reloc())
	}
	return v, nil
}

// Set writes v at addr. Writing the value a cell already holds is allowed;
// writing a different one is an InconsistentError. The segment's validation
// rule runs on every new write.
func (m *Memory) Set(addr Relocatable, v Value) error {
	// Fast path: an unset cell of an existing page of a real segment.
	if uint(addr.Segment) < uint(len(m.segs)) && !m.frozen && v.IsSet() {
		s := &m.segs[addr.Segment]
		if p := addr.Offset >> pageBits; p < uint64(len(s.pages)) {
			pg := s.pages[p]
			if i := addr.Offset & pageMask; i < uint64(len(pg)) && !pg[i].IsSet() && addr.Offset >= s.fence {
				pg[i] = v
				s.set++
				if addr.Offset >= s.hi {
					s.hi = addr.Offset + 1
				}
				if s.validate != nil {
					return s.validate(m, addr)
				}
				return nil
			}
		}
	}
	return m.setSlow(addr, v)
}

func (m *Memory) setSlow(addr Relocatable, v Value) error {
	if m.frozen {
		return errors.New("memory is frozen and cannot be changed")
	}
	s := m.seg(addr.Segment)
	if s == nil {
		return fmt.Errorf("cannot write to address %s: segment %d does not exist", addr, addr.Segment)
	}
	if !v.IsSet() {
		return fmt.Errorf("cannot write an unset value to %s", addr)
	}
	off := addr.Offset
	if off >= 1<<40 {
		return fmt.Errorf("cannot write to address %s: offset too large", addr)
	}
	cur := s.cell(off)
	if cur.IsSet() {
		if *cur != v {
			return &InconsistentError{Addr: addr, Old: *cur, New: v}
		}
		return nil
	}
	s.guard(off)
	*cur = v
	s.set++
	if off >= s.hi {
		s.hi = off + 1
	}
	if s.validate != nil {
		if err := s.validate(m, addr); err != nil {
			return err
		}
	}
	return nil
}

// Load writes data at consecutive addresses from addr and returns the
// address after the last one.
//
// Into a segment without a validation rule, cells are copied a page at a
// time (loading a program is a memmove, not one Set per word); existing
// cells are still checked for consistency.
func (m *Memory) Load(addr Relocatable, data []Value) (Relocatable, error) {
	s := m.seg(addr.Segment)
	if s == nil || s.validate != nil || m.frozen || addr.Offset+uint64(len(data)) >= 1<<40 {
		for i, v := range data {
			if err := m.Set(addr.Add(uint64(i)), v); err != nil {
				return addr, err
			}
		}
		return addr.Add(uint64(len(data))), nil
	}
	s.guard(addr.Offset)
	var added uint64
	for i := 0; i < len(data); {
		off := addr.Offset + uint64(i)
		// Allocate the page (and grow it) through its last cell in range.
		inPage := min(uint64(len(data)-i), pageSize-(off&pageMask))
		s.cell(off + inPage - 1)
		pg := s.pages[off>>pageBits]
		if off>>pageBits >= maxDensePages {
			pg = s.far[off>>pageBits]
		}
		dst := pg[off&pageMask : off&pageMask+inPage]
		for j, v := range data[i : i+int(inPage)] {
			if !v.IsSet() {
				return addr, fmt.Errorf("cannot write an unset value to %s", Relocatable{addr.Segment, off + uint64(j)})
			}
			if cur := dst[j]; cur.IsSet() {
				if cur != v {
					return addr, &InconsistentError{Addr: Relocatable{addr.Segment, off + uint64(j)}, Old: cur, New: v}
				}
			} else {
				added++
			}
		}
		copy(dst, data[i:i+int(inPage)])
		s.set += added
		added = 0
		i += int(inPage)
	}
	if end := addr.Offset + uint64(len(data)); len(data) > 0 && end > s.hi {
		s.hi = end
	}
	return addr.Add(uint64(len(data))), nil
}

// Pages iterates over a segment's storage pages in order, with the offset
// of each page's first cell; unset cells are zero Values. The slices must
// not be modified.
func (m *Memory) Pages(index int) iter.Seq2[uint64, []Value] {
	return func(yield func(uint64, []Value) bool) {
		if s := m.seg(index); s != nil {
			s.eachPage(yield)
		}
	}
}

// PageCells is the number of cells of a full storage page: page p of a
// segment holds the cells at offsets p*PageCells to (p+1)*PageCells-1.
const PageCells = pageSize

// Page returns page p of a segment (shorter than PageCells, or nil, when
// its tail or the whole page was never allocated; unset cells are zero
// Values). The slice must not be modified, and it is the page as it is
// now: a first page that is not full yet is replaced when it grows.
func (m *Memory) Page(index int, p uint64) []Value {
	s := m.seg(index)
	if s == nil {
		return nil
	}
	if p < uint64(len(s.pages)) {
		return s.pages[p]
	}
	if p >= maxDensePages {
		return s.far[p]
	}
	return nil
}

// NumPages returns one past the index of the last page of a segment that
// may hold cells below its used size.
func (m *Memory) NumPages(index int) uint64 {
	return (m.UsedSize(index) + pageSize - 1) >> pageBits
}

// Cells iterates over the set cells of a segment in offset order.
func (m *Memory) Cells(index int) iter.Seq2[uint64, Value] {
	return func(yield func(uint64, Value) bool) {
		if s := m.seg(index); s != nil {
			s.each(yield)
		}
	}
}

// SetValidationRule installs the rule checked on every write to a segment.
func (m *Memory) SetValidationRule(index int, rule ValidationRule) {
	if s := m.seg(index); s != nil {
		s.validate = rule
	}
}

// ValidateExisting runs every segment's rule over the cells already written.
func (m *Memory) ValidateExisting() error {
	for i := range m.segs {
		s := &m.segs[i]
		if s.validate == nil {
			continue
		}
		var err error
		s.each(func(off uint64, _ Value) bool {
			err = s.validate(m, Relocatable{i, off})
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// SetDeducer installs the auto-deduction function of a builtin segment.
func (m *Memory) SetDeducer(index int, d Deducer) {
	if s := m.seg(index); s != nil {
		s.deduce = d
	}
}

// Deduce asks the segment's deducer for the value at addr.
func (m *Memory) Deduce(addr Relocatable) (Value, bool, error) {
	s := m.seg(addr.Segment)
	if s == nil || s.deduce == nil {
		return Value{}, false, nil
	}
	return s.deduce(m, addr)
}

// HasDeducer reports whether the segment has an auto-deduction function.
func (m *Memory) HasDeducer(index int) bool {
	s := m.seg(index)
	return s != nil && s.deduce != nil
}

// MarkAccessed records that an instruction (or a builtin) accessed addr;
// memory holes are the cells of a segment that nothing accessed.
func (m *Memory) MarkAccessed(addr Relocatable) {
	if addr.Segment < 0 || addr.Segment >= len(m.segs) {
		return
	}
	s := &m.segs[addr.Segment]
	w := addr.Offset >> 6
	if w >= uint64(len(s.accessed)) {
		if addr.Offset >= s.hi {
			// Only written cells can be accessed; reads of unset cells
			// fail before they are marked.
			return
		}
		n := w + 1
		if c := uint64(len(s.accessed)) * 2; c > n {
			n = c
		}
		na := make([]uint64, n)
		copy(na, s.accessed)
		s.accessed = na
	}
	s.accessed[w] |= 1 << (addr.Offset & 63)
}

// AccessedCount returns how many distinct cells of a segment were accessed.
func (m *Memory) AccessedCount(index int) uint64 {
	if index < 0 || index >= len(m.segs) {
		return 0
	}
	var n int
	for _, w := range m.segs[index].accessed {
		n += bits.OnesCount64(w)
	}
	return uint64(n)
}

// IsAccessed reports whether addr was accessed.
func (m *Memory) IsAccessed(addr Relocatable) bool {
	if addr.Segment < 0 || addr.Segment >= len(m.segs) {
		return false
	}
	s := &m.segs[addr.Segment]
	w := addr.Offset >> 6
	return w < uint64(len(s.accessed)) && s.accessed[w]&(1<<(addr.Offset&63)) != 0
}

// UsedSize returns one past the highest written offset of a segment.
func (m *Memory) UsedSize(index int) uint64 {
	s := m.seg(index)
	if s == nil {
		return 0
	}
	return s.hi
}

// Finalize fixes a segment's size (used in relocation instead of its used
// size) and its public memory cells.
func (m *Memory) Finalize(index int, size *uint64, public []PublicCell) {
	if size != nil {
		m.finalSizes[index] = *size
	}
	m.publicMemory[index] = public
}

// Size returns the finalized size of a segment, or its used size.
func (m *Memory) Size(index int) uint64 {
	if s, ok := m.finalSizes[index]; ok {
		return s
	}
	return m.UsedSize(index)
}

// FinalSize returns the finalized size, if any.
func (m *Memory) FinalSize(index int) (uint64, bool) {
	s, ok := m.finalSizes[index]
	return s, ok
}

// PublicMemory returns the public cells recorded for a segment.
func (m *Memory) PublicMemory(index int) []PublicCell { return m.publicMemory[index] }

// Freeze forbids further writes.
func (m *Memory) Freeze() { m.frozen = true }

// Unfreeze allows writes again (the runner writes padding after end_run).
func (m *Memory) Unfreeze() { m.frozen = false }

// CountSet returns the number of set cells in real segments.
func (m *Memory) CountSet() int {
	n := 0
	for i := range m.segs {
		n += int(m.segs[i].set)
	}
	return n
}

// SetFence makes every later change to a cell of real segment index below
// offset below call fn first, on the goroutine making the change: another
// goroutine may read those cells meanwhile, as long as fn returns only once
// it is done with them. A zero below (or a nil fn) removes the fence.
func (m *Memory) SetFence(index int, below uint64, fn func()) {
	if index < 0 || index >= len(m.segs) {
		return
	}
	s := &m.segs[index]
	if fn == nil {
		below = 0
	}
	s.fence, s.onFence = below, fn
}

// SegmentCountSet returns the number of set cells of a segment.
func (m *Memory) SegmentCountSet(index int) uint64 {
	if s := m.seg(index); s != nil {
		return s.set
	}
	return 0
}

// AddRelocationRule moves temporary segment src (offset 0) to dst when
// RelocateTemporary runs; until then reads of values pointing into src see
// them relocated.
func (m *Memory) AddRelocationRule(src, dst Relocatable) error {
	if src.Segment >= 0 {
		return fmt.Errorf("src_ptr.segment_index must be < 0, src_ptr=%s.", src)
	}
	if src.Offset != 0 {
		return fmt.Errorf("src_ptr.offset must be 0, src_ptr=%s.", src)
	}
	if _, ok := m.relocationRules[src.Segment]; ok {
		return fmt.Errorf("The segment with index %d already has a relocation rule.", src.Segment)
	}
	m.relocationRules[src.Segment] = dst
	return nil
}

// RelocateAddr applies the relocation rules to an address.
func (m *Memory) RelocateAddr(r Relocatable) Relocatable {
	for r.Segment < 0 {
		dst, ok := m.relocationRules[r.Segment]
		if !ok {
			return r
		}
		r = Relocatable{dst.Segment, dst.Offset + r.Offset}
	}
	return r
}

// RelocateTemporary applies the relocation rules: the cells of every
// temporary segment with a rule move to their destination and every value
// pointing into such a segment is rewritten. Segments without a rule stay.
func (m *Memory) RelocateTemporary() error {
	if len(m.relocationRules) == 0 {
		return nil
	}
	for i := range m.segs {
		if s := &m.segs[i]; s.fence > 0 {
			s.onFence()
		}
	}
	fix := func(v Value) Value {
		if v.IsReloc() && v.segment() < 0 {
			return RelocValue(m.RelocateAddr(v.Reloc()))
		}
		return v
	}
	fixAll := func(s *segment) {
		s.eachPage(func(_ uint64, pg []Value) bool {
			for j := range pg {
				pg[j] = fix(pg[j])
			}
			return true
		})
	}
	for i := range m.segs {
		fixAll(&m.segs[i])
	}
	for ti := range m.temps {
		idx := -(ti + 1)
		if _, ok := m.relocationRules[idx]; !ok {
			continue
		}
		base := m.RelocateAddr(Relocatable{Segment: idx})
		src := m.temps[ti]
		m.temps[ti] = segment{}
		var err error
		src.each(func(off uint64, v Value) bool {
			dst := base.Add(off)
			if dst.Segment < 0 {
				err = fmt.Errorf("relocation of segment %d leads to temporary segment %d", idx, dst.Segment)
				return false
			}
			err = m.Set(dst, fix(v))
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	for ti := range m.temps {
		fixAll(&m.temps[ti])
	}
	m.relocationRules = map[int]Relocatable{}
	return nil
}

// RelocationTable returns the relocated base address of every real segment:
// the first segment starts at 1 and each next one after the previous one's
// size.
func (m *Memory) RelocationTable() []uint64 {
	bases := make([]uint64, len(m.segs)+1)
	cur := uint64(1)
	for i := range m.segs {
		bases[i] = cur
		cur += m.Size(i)
	}
	bases[len(m.segs)] = cur
	return bases
}

// Relocated is a cell of the relocated (flat) memory.
type Relocated struct {
	Addr  uint64
	Value [32]byte // little-endian
}

// RelocateValue flattens a value with a relocation table.
func RelocateValue(v Value, bases []uint64) ([32]byte, error) {
	switch v.Kind() {
	case KindFelt:
		return v.Felt().BytesLE(), nil
	case KindReloc:
		r := v.Reloc()
		if r.Segment < 0 || r.Segment >= len(bases)-1 {
			return [32]byte{}, fmt.Errorf("cannot relocate %s: no such segment", r)
		}
		var b [32]byte
		a := bases[r.Segment] + r.Offset
		for i := 0; i < 8; i++ {
			b[i] = byte(a >> (8 * i))
		}
		return b, nil
	}
	return [32]byte{}, errors.New("cannot relocate an unset value")
}

// ForEachRelocated calls fn with the flat address and value of every set
// cell of the real segments, in address order.
func (m *Memory) ForEachRelocated(bases []uint64, fn func(addr uint64, v Value) error) error {
	var err error
	for i := range m.segs {
		m.segs[i].each(func(off uint64, v Value) bool {
			err = fn(bases[i]+off, v)
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// TempSegmentsInUse lists temporary segments that still hold cells.
func (m *Memory) TempSegmentsInUse() []int {
	var out []int
	for ti := range m.temps {
		if m.temps[ti].hi > 0 {
			out = append(out, -(ti + 1))
		}
	}
	sort.Ints(out)
	return out
}
