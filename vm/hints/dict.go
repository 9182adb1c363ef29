package hints

import (
	"fmt"
	"strings"

	"github.com/kairo-dev/kairo/vm/memory"
)

// Hint codes of starkware.cairo.common.dict and default_dict.
const (
	codeDictNew = "if '__dict_manager' not in globals():\n" +
		"    from starkware.cairo.common.dict import DictManager\n" +
		"    __dict_manager = DictManager()\n\n" +
		"memory[ap] = __dict_manager.new_dict(segments, initial_dict)\n" +
		"del initial_dict"
	codeDefaultDictNew = "if '__dict_manager' not in globals():\n" +
		"    from starkware.cairo.common.dict import DictManager\n" +
		"    __dict_manager = DictManager()\n\n" +
		"memory[ap] = __dict_manager.new_default_dict(segments, ids.default_value)"
	codeDictRead = "dict_tracker = __dict_manager.get_tracker(ids.dict_ptr)\n" +
		"dict_tracker.current_ptr += ids.DictAccess.SIZE\n" +
		"ids.value = dict_tracker.data[ids.key]"
	codeDictWrite = "dict_tracker = __dict_manager.get_tracker(ids.dict_ptr)\n" +
		"dict_tracker.current_ptr += ids.DictAccess.SIZE\n" +
		"ids.dict_ptr.prev_value = dict_tracker.data[ids.key]\n" +
		"dict_tracker.data[ids.key] = ids.new_value"
	codeDictUpdate = "# Verify dict pointer and prev value.\n" +
		"dict_tracker = __dict_manager.get_tracker(ids.dict_ptr)\n" +
		"current_value = dict_tracker.data[ids.key]\n" +
		"assert current_value == ids.prev_value, \\\n" +
		"    f'Wrong previous value in dict. Got {ids.prev_value}, expected {current_value}.'\n\n" +
		"# Update value.\n" +
		"dict_tracker.data[ids.key] = ids.new_value\n" +
		"dict_tracker.current_ptr += ids.DictAccess.SIZE"
	codeDictSquashCopyDict = "# Prepare arguments for dict_new. In particular, the same dictionary values should be copied\n" +
		"# to the new (squashed) dictionary.\n" +
		"vm_enter_scope({\n" +
		"    # Make __dict_manager accessible.\n" +
		"    '__dict_manager': __dict_manager,\n" +
		"    # Create a copy of the dict, in case it changes in the future.\n" +
		"    'initial_dict': dict(__dict_manager.get_dict(ids.dict_accesses_end)),\n" +
		"})"
	codeDictSquashUpdatePtr = "# Update the DictTracker's current_ptr to point to the end of the squashed dict.\n" +
		"__dict_manager.get_tracker(ids.squashed_dict_start).current_ptr = \\\n" +
		"    ids.squashed_dict_end.address_"
	codePrintDict = "print(bytes.fromhex(f\"{ids.name:062x}\").decode().replace('\\x00',''))\n" +
		"data = __dict_manager.get_dict(ids.dict_ptr)\n" +
		"print(\n" +
		"    {k: v if isinstance(v, int) else [memory[v + i] for i in range(ids.pointer_size)] for k, v in data.items()}\n" +
		")"
)

// Scope variable names shared by the dict hints, as in the Python
// originals.
const (
	scopeDictManager = "__dict_manager"
	scopeInitialDict = "initial_dict"
)

// pyDict is a Python dict (or a defaultdict) from Cairo values to Cairo
// values, keeping Python's insertion order.
type pyDict struct {
	order      []memory.Value
	vals       map[memory.Value]memory.Value
	hasDefault bool
	def        memory.Value
}

func newPyDict() *pyDict {
	return &pyDict{vals: map[memory.Value]memory.Value{}}
}

// get is data[key]: a defaultdict inserts and returns its default for a
// missing key, a plain dict raises KeyError.
func (d *pyDict) get(k memory.Value) (memory.Value, error) {
	if v, ok := d.vals[k]; ok {
		return v, nil
	}
	if !d.hasDefault {
		return memory.Value{}, fmt.Errorf("KeyError: %s", pyRepr(k))
	}
	d.set(k, d.def)
	return d.def, nil
}

// set is data[key] = value.
func (d *pyDict) set(k, v memory.Value) {
	if _, ok := d.vals[k]; !ok {
		d.order = append(d.order, k)
	}
	d.vals[k] = v
}

// plainCopy is dict(d): the same items in the same order, without a
// default.
func (d *pyDict) plainCopy() *pyDict {
	c := &pyDict{order: make([]memory.Value, len(d.order)), vals: make(map[memory.Value]memory.Value, len(d.vals))}
	copy(c.order, d.order)
	for k, v := range d.vals {
		c.vals[k] = v
	}
	return c
}

// dictTracker is cairo-lang's DictTracker: the Python dict of a Cairo dict
// and the first unused position of its segment.
type dictTracker struct {
	data       *pyDict
	currentPtr memory.Relocatable
}

// dictManager is cairo-lang's DictManager: the trackers of the dicts a run
// created, by segment index. It lives in the __dict_manager scope variable.
type dictManager struct {
	trackers map[int]*dictTracker
}

func newDictManager() *dictManager {
	return &dictManager{trackers: map[int]*dictTracker{}}
}

// newDict creates a dict segment holding initial.
func (dm *dictManager) newDict(c *Context, initial *pyDict) (memory.Relocatable, error) {
	base := c.Mem().AddSegment()
	if _, ok := dm.trackers[base.Segment]; ok {
		return base, fmt.Errorf("segment %d already has a dict tracker", base.Segment)
	}
	data := newPyDict()
	if initial != nil {
		for _, k := range initial.order {
			data.set(k, initial.vals[k])
		}
	}
	dm.trackers[base.Segment] = &dictTracker{data: data, currentPtr: base}
	return base, nil
}

// newDefaultDict creates a default-dict segment.
func (dm *dictManager) newDefaultDict(c *Context, def memory.Value) (memory.Relocatable, error) {
	base := c.Mem().AddSegment()
	if _, ok := dm.trackers[base.Segment]; ok {
		return base, fmt.Errorf("segment %d already has a dict tracker", base.Segment)
	}
	data := newPyDict()
	data.hasDefault, data.def = true, def
	dm.trackers[base.Segment] = &dictTracker{data: data, currentPtr: base}
	return base, nil
}

// tracker is get_tracker(dict_ptr).
func (dm *dictManager) tracker(ptr memory.Value) (*dictTracker, error) {
	if !ptr.IsReloc() {
		return nil, fmt.Errorf("'int' object has no attribute 'segment_index'")
	}
	p := ptr.Reloc()
	t, ok := dm.trackers[p.Segment]
	if !ok {
		return nil, fmt.Errorf("Dictionary pointer %s was not created using dict_new().", p)
	}
	if t.currentPtr != p {
		return nil, fmt.Errorf("Wrong dict pointer supplied. Got %s, expected %s.", p, t.currentPtr)
	}
	return t, nil
}

// pyDictManager returns the __dict_manager of the current scope.
func pyDictManager(c *Context) (*dictManager, error) {
	v, err := c.Get(scopeDictManager)
	if err != nil {
		return nil, err
	}
	dm, ok := v.(*dictManager)
	if !ok {
		return nil, fmt.Errorf("__dict_manager is a %T, not a DictManager", v)
	}
	return dm, nil
}

// ensureDictManager is the "if '__dict_manager' not in globals()" prologue.
func ensureDictManager(c *Context) (*dictManager, error) {
	if _, ok := c.Scope()[scopeDictManager]; !ok {
		c.Set(scopeDictManager, newDictManager())
	}
	return pyDictManager(c)
}

// trackerOf is __dict_manager.get_tracker(ids.<name>).
func trackerOf(c *Context, name string) (*dictTracker, error) {
	dm, err := pyDictManager(c)
	if err != nil {
		return nil, err
	}
	ptr, err := c.Value(name)
	if err != nil {
		return nil, err
	}
	return dm.tracker(ptr)
}

// advanceTracker is dict_tracker.current_ptr += ids.DictAccess.SIZE.
func advanceTracker(c *Context, t *dictTracker) error {
	size, err := c.StructSize("DictAccess")
	if err != nil {
		return err
	}
	t.currentPtr = t.currentPtr.Add(uint64(size))
	return nil
}

// dictHints are the hints of starkware.cairo.common.dict and
// starkware.cairo.common.default_dict.
func dictHints() map[string]Func {
	return map[string]Func{
		codeDictNew:             hintDictNew,
		codeDefaultDictNew:      hintDefaultDictNew,
		codeDictRead:            hintDictRead,
		codeDictWrite:           hintDictWrite,
		codeDictUpdate:          hintDictUpdate,
		codeDictSquashCopyDict:  hintDictSquashCopyDict,
		codeDictSquashUpdatePtr: hintDictSquashUpdatePtr,
		codePrintDict:           hintPrintDict,
	}
}

func hintDictNew(c *Context) error {
	dm, err := ensureDictManager(c)
	if err != nil {
		return err
	}
	v, err := c.Get(scopeInitialDict)
	if err != nil {
		return err
	}
	initial, ok := v.(*pyDict)
	if !ok {
		return fmt.Errorf("initial_dict is a %T, not a dict", v)
	}
	base, err := dm.newDict(c, initial)
	if err != nil {
		return err
	}
	if err := c.Mem().Set(c.AP(), memory.RelocValue(base)); err != nil {
		return err
	}
	delete(c.Scope(), scopeInitialDict)
	return nil
}

func hintDefaultDictNew(c *Context) error {
	dm, err := ensureDictManager(c)
	if err != nil {
		return err
	}
	def, err := c.Value("default_value")
	if err != nil {
		return err
	}
	base, err := dm.newDefaultDict(c, def)
	if err != nil {
		return err
	}
	return c.Mem().Set(c.AP(), memory.RelocValue(base))
}

// dictAccess is the common start of dict_read, dict_write and dict_update:
// the tracker of ids.dict_ptr (kept as the scope's dict_tracker), moved past
// this access first when advance is set (read and write move it before
// reading, update after checking), ids.key and its current value.
func dictAccess(c *Context, advance bool) (t *dictTracker, key, cur memory.Value, err error) {
	if t, err = trackerOf(c, "dict_ptr"); err != nil {
		return nil, key, cur, err
	}
	c.Set("dict_tracker", t)
	if advance {
		if err = advanceTracker(c, t); err != nil {
			return nil, key, cur, err
		}
	}
	if key, err = c.Value("key"); err != nil {
		return nil, key, cur, err
	}
	if cur, err = t.data.get(key); err != nil {
		return nil, key, cur, err
	}
	return t, key, cur, nil
}

func hintDictRead(c *Context) error {
	_, _, v, err := dictAccess(c, true)
	if err != nil {
		return err
	}
	return c.SetValue("value", v)
}

func hintDictWrite(c *Context) error {
	t, key, prev, err := dictAccess(c, true)
	if err != nil {
		return err
	}
	if err := c.SetValue("dict_ptr.prev_value", prev); err != nil {
		return err
	}
	nv, err := c.Value("new_value")
	if err != nil {
		return err
	}
	t.data.set(key, nv)
	return nil
}

func hintDictUpdate(c *Context) error {
	t, key, cur, err := dictAccess(c, false)
	if err != nil {
		return err
	}
	prev, err := c.Value("prev_value")
	if err != nil {
		return err
	}
	if cur != prev {
		return fmt.Errorf("Wrong previous value in dict. Got %s, expected %s.", prev, cur)
	}
	nv, err := c.Value("new_value")
	if err != nil {
		return err
	}
	t.data.set(key, nv)
	return advanceTracker(c, t)
}

func hintDictSquashCopyDict(c *Context) error {
	dm, err := pyDictManager(c)
	if err != nil {
		return err
	}
	ptr, err := c.Value("dict_accesses_end")
	if err != nil {
		return err
	}
	t, err := dm.tracker(ptr)
	if err != nil {
		return err
	}
	c.EnterScope(Scope{scopeDictManager: dm, scopeInitialDict: t.data.plainCopy()})
	return nil
}

func hintDictSquashUpdatePtr(c *Context) error {
	t, err := trackerOf(c, "squashed_dict_start")
	if err != nil {
		return err
	}
	end, err := c.Reloc("squashed_dict_end")
	if err != nil {
		return err
	}
	t.currentPtr = end
	return nil
}

func hintPrintDict(c *Context) error {
	if err := printName(c); err != nil {
		return err
	}
	dm, err := pyDictManager(c)
	if err != nil {
		return err
	}
	ptr, err := c.Value("dict_ptr")
	if err != nil {
		return err
	}
	t, err := dm.tracker(ptr)
	if err != nil {
		return err
	}
	c.Set("data", t.data)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range t.data.order {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pyRepr(k))
		b.WriteString(": ")
		v := t.data.vals[k]
		if v.IsFelt() {
			b.WriteString(v.String())
			continue
		}
		n, err := pyInt64(c, "pointer_size", "pointer_size")
		if err != nil {
			return err
		}
		b.WriteByte('[')
		for j := int64(0); j < n; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			x, err := pyRead(c, v.Reloc().Add(uint64(j)))
			if err != nil {
				return err
			}
			b.WriteString(pyRepr(x))
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	_, err = fmt.Fprintln(c.Runtime().Out, b.String())
	return err
}
