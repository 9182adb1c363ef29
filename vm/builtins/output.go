package builtins

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/kairo-dev/kairo/vm/memory"
)

// Page is a public memory page of the output builtin: Size cells from
// offset Start of the output segment.
type Page struct {
	Start uint64
	Size  uint64
}

// OutputState is the output builtin's state, saved and restored around an
// inner program that manages its own pages (get_state/set_state).
type OutputState struct {
	Base       memory.Relocatable
	Pages      map[uint64]Page
	PageOrder  []uint64
	Attributes map[string]any
}

// Output is the output builtin (cairo-lang's OutputBuiltinRunner): one cell
// per instance, public memory split into pages, attributes for the Cairo
// PIE.
type Output struct {
	included   bool
	base       memory.Relocatable
	stop       memory.Relocatable
	hasStop    bool
	pages      map[uint64]Page
	pageOrder  []uint64 // page ids in the order they were added
	attributes map[string]any
}

// NewOutput returns an output builtin runner.
func NewOutput(included bool) *Output {
	return &Output{included: included, pages: map[uint64]Page{}, attributes: map[string]any{}}
}

func (o *Output) Name() string                  { return NameOutput }
func (o *Output) Included() bool                { return o.included }
func (o *Output) Base() memory.Relocatable      { return o.base }
func (o *Output) CellsPerInstance() uint64      { return 1 }
func (o *Output) InputCellsPerInstance() uint64 { return 1 }

func (o *Output) InitializeSegments(m *memory.Memory) {
	o.base = m.AddSegment()
	o.hasStop = false
}

func (o *Output) InitialStack() []memory.Value {
	if o.included {
		return []memory.Value{memory.RelocValue(o.base)}
	}
	return nil
}

func (o *Output) NeededAllocatedZeros() uint64         { return 0 }
func (o *Output) SetAllocatedZeros(memory.Relocatable) {}
func (o *Output) AddValidationRules(*memory.Memory)    {}
func (o *Output) AddAutoDeductionRules(*memory.Memory) {}
func (o *Output) RunSecurityChecks(*Env) error         { return nil }
func (o *Output) UsedCells(env *Env) uint64            { return env.Mem.UsedSize(o.base.Segment) }
func (o *Output) UsedInstances(env *Env) uint64        { return o.UsedCells(env) }
func (o *Output) AllocatedInstances(env *Env) (uint64, error) {
	return o.UsedInstances(env), nil
}

// AllocatedMemoryUnits is 0: the output builtin uses public memory only.
func (o *Output) AllocatedMemoryUnits(*Env) (uint64, error) { return 0, nil }

func (o *Output) UsedCellsAndAllocatedSize(env *Env) (uint64, uint64, error) {
	n := o.UsedCells(env)
	return n, n, nil
}

func (o *Output) FinalStack(env *Env, pointer memory.Relocatable) (memory.Relocatable, error) {
	if !o.included {
		o.stop, o.hasStop = o.base, true
		return pointer, nil
	}
	ptrAddr, err := pointer.AddInt(-1)
	if err != nil {
		return pointer, fmt.Errorf("reading the output stop pointer: %w", err)
	}
	v, err := env.Mem.Read(ptrAddr)
	if err != nil {
		return pointer, fmt.Errorf("reading the output stop pointer: %w", err)
	}
	expected := o.base.Add(o.UsedCells(env))
	if !v.IsReloc() || v.Reloc() != expected {
		return pointer, fmt.Errorf("Invalid stop pointer for output. Expected: %s, found: %s", expected, pyStr(v))
	}
	o.stop, o.hasStop = v.Reloc(), true
	return ptrAddr, nil
}

// FinalizeSegments fixes the segment size and makes every cell public, in
// page 0 unless a page claims it.
func (o *Output) FinalizeSegments(env *Env) error {
	size := o.UsedCells(env)
	offsetPage := map[uint64]uint64{}
	for _, id := range o.pageOrder {
		p := o.pages[id]
		if p.Start+p.Size > size || p.Start+p.Size < p.Start {
			return fmt.Errorf("Page %d is out of bounds.", id)
		}
		for i := p.Start; i < p.Start+p.Size; i++ {
			if cur, ok := offsetPage[i]; ok && cur != id {
				return fmt.Errorf("Offset %d was already assigned a page.", i)
			}
			offsetPage[i] = id
		}
	}
	public := make([]memory.PublicCell, size)
	for i := range public {
		public[i] = memory.PublicCell{Offset: uint64(i), Page: offsetPage[uint64(i)]}
	}
	env.Mem.Finalize(o.base.Segment, &size, public)
	return nil
}

func (o *Output) setPage(id uint64, p Page) {
	if _, ok := o.pages[id]; !ok {
		o.pageOrder = append(o.pageOrder, id)
	}
	o.pages[id] = p
}

func (o *Output) SegmentAddresses() map[string]SegmentAddresses {
	return map[string]SegmentAddresses{NameOutput: {Begin: o.base, Stop: o.stop, HasStop: o.hasStop}}
}

func (o *Output) AirPrivateInput(*Env) (map[string]any, error)        { return nil, nil }
func (o *Output) RangeCheckUsage(*Env) (uint64, uint64, bool)         { return 0, 0, false }
func (o *Output) UsedPermRangeCheckUnits(*Env) (uint64, error)        { return 0, nil }
func (o *Output) UsedDilutedCheckUnits(spacing, nBits uint64) uint64  { return 0 }
func (o *Output) MemoryAccesses(*Env, func(memory.Relocatable)) error { return nil }

// AddPage marks size cells from start (an address in the output segment) as
// the page id (output_builtin.add_page in hints).
func (o *Output) AddPage(id uint64, start memory.Value, size uint64) error {
	if _, ok := o.pages[id]; ok {
		return fmt.Errorf("Page %d was already assigned.", id)
	}
	if !start.IsReloc() || start.Reloc().Segment != o.base.Segment {
		return errors.New("page_start must be in the output segment.")
	}
	o.setPage(id, Page{Start: start.Reloc().Offset - o.base.Offset, Size: size})
	return nil
}

// AddAttribute sets an attribute written in the Cairo PIE's additional data
// (output_builtin.add_attribute); value must be JSON-encodable.
func (o *Output) AddAttribute(name string, value any) { o.attributes[name] = value }

// Pages returns a copy of the pages by id.
func (o *Output) Pages() map[uint64]Page {
	out := make(map[uint64]Page, len(o.pages))
	for k, v := range o.pages {
		out[k] = v
	}
	return out
}

// Attributes returns the attributes (not copied).
func (o *Output) Attributes() map[string]any { return o.attributes }

// State returns the builtin's state (get_state).
func (o *Output) State() OutputState {
	return OutputState{Base: o.base, Pages: o.pages, PageOrder: o.pageOrder, Attributes: o.attributes}
}

// SetState restores a state returned by State (set_state).
func (o *Output) SetState(s OutputState) {
	o.base, o.pages, o.pageOrder, o.attributes = s.Base, s.Pages, s.PageOrder, s.Attributes
	if o.pages == nil {
		o.pages = map[uint64]Page{}
	}
	if o.attributes == nil {
		o.attributes = map[string]any{}
	}
}

// NewState clears the pages and attributes and moves the base (new_state).
func (o *Output) NewState(base memory.Relocatable) {
	o.base = base
	o.pages = map[uint64]Page{}
	o.pageOrder = nil
	o.attributes = map[string]any{}
}

// OutputAdditionalData is the output builtin's Cairo PIE additional data:
// {"pages": {"id": [start, size]}, "attributes": {...}}.
type OutputAdditionalData struct {
	Pages      map[uint64]Page
	Attributes map[string]any
}

// MarshalJSON writes the pages sorted by id, as cairo-lang does.
func (d OutputAdditionalData) MarshalJSON() ([]byte, error) {
	ids := make([]uint64, 0, len(d.Pages))
	for id := range d.Pages {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	pages := make(Object, len(ids))
	for i, id := range ids {
		p := d.Pages[id]
		pages[i] = Field{strconv.FormatUint(id, 10), []uint64{p.Start, p.Size}}
	}
	attrs := d.Attributes
	if attrs == nil {
		attrs = map[string]any{}
	}
	return json.Marshal(Object{{"pages", pages}, {"attributes", attrs}})
}

func (o *Output) AdditionalData() any {
	return OutputAdditionalData{Pages: o.Pages(), Attributes: o.attributes}
}

// ExtendAdditionalData loads the pages and attributes of a Cairo PIE's
// output additional data (decoded JSON).
func (o *Output) ExtendAdditionalData(data any, _ func(memory.Relocatable) memory.Relocatable, _ bool) error {
	obj, ok := data.(map[string]any)
	if !ok || len(obj) != 2 || obj["pages"] == nil || obj["attributes"] == nil {
		return errors.New("Invalid output builtin data.")
	}
	pages, ok := obj["pages"].(map[string]any)
	if !ok {
		return errors.New("Invalid output builtin pages field.")
	}
	parsed := map[uint64]Page{}
	for k, v := range pages {
		id, err := strconv.ParseUint(k, 10, 64)
		vals, ok := v.([]any)
		if err != nil || !ok || len(vals) != 2 {
			return errors.New("Invalid output builtin pages field.")
		}
		var nums [2]uint64
		for i, x := range vals {
			n, ok := jsonUint(x)
			if !ok || n == 0 || n >= 1<<30 {
				return errors.New("Invalid output builtin pages field.")
			}
			nums[i] = n
		}
		parsed[id] = Page{Start: nums[0], Size: nums[1]}
	}
	attrs, ok := obj["attributes"].(map[string]any)
	if !ok {
		return errors.New("Invalid output builtin attributes field.")
	}
	ids := make([]uint64, 0, len(parsed))
	for id := range parsed {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	for _, id := range ids {
		o.setPage(id, parsed[id])
	}
	for k, v := range attrs {
		o.attributes[k] = v
	}
	return nil
}

// jsonUint reads a non-negative integer decoded by encoding/json (float64
// or json.Number).
func jsonUint(x any) (uint64, bool) {
	switch v := x.(type) {
	case float64:
		if v < 0 || v != float64(uint64(v)) {
			return 0, false
		}
		return uint64(v), true
	case json.Number:
		n, err := strconv.ParseUint(string(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}
