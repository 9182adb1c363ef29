package hints

import (
	"fmt"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

const (
	codeFindElement = "array_ptr = ids.array_ptr\n" +
		"elm_size = ids.elm_size\n" +
		"assert isinstance(elm_size, int) and elm_size > 0, \\\n" +
		"    f'Invalid value for elm_size. Got: {elm_size}.'\n" +
		"key = ids.key\n\n" +
		"if '__find_element_index' in globals():\n" +
		"    ids.index = __find_element_index\n" +
		"    found_key = memory[array_ptr + elm_size * __find_element_index]\n" +
		"    assert found_key == key, \\\n" +
		"        f'Invalid index found in __find_element_index. index: {__find_element_index}, ' \\\n" +
		"        f'expected key {key}, found key: {found_key}.'\n" +
		"    # Delete __find_element_index to make sure it's not used for the next calls.\n" +
		"    del __find_element_index\n" +
		"else:\n" +
		"    n_elms = ids.n_elms\n" +
		"    assert isinstance(n_elms, int) and n_elms >= 0, \\\n" +
		"        f'Invalid value for n_elms. Got: {n_elms}.'\n" +
		"    if '__find_element_max_size' in globals():\n" +
		"        assert n_elms <= __find_element_max_size, \\\n" +
		"            f'find_element() can only be used with n_elms<={__find_element_max_size}. ' \\\n" +
		"            f'Got: n_elms={n_elms}.'\n\n" +
		"    for i in range(n_elms):\n" +
		"        if memory[array_ptr + elm_size * i] == key:\n" +
		"            ids.index = i\n" +
		"            break\n" +
		"    else:\n" +
		"        raise ValueError(f'Key {key} was not found.')"
	searchSortedPrologue = "array_ptr = ids.array_ptr\n" +
		"elm_size = ids.elm_size\n" +
		"assert isinstance(elm_size, int) and elm_size > 0, \\\n" +
		"    f'Invalid value for elm_size. Got: {elm_size}.'\n\n" +
		"n_elms = ids.n_elms\n" +
		"assert isinstance(n_elms, int) and n_elms >= 0, \\\n" +
		"    f'Invalid value for n_elms. Got: {n_elms}.'\n" +
		"if '__find_element_max_size' in globals():\n" +
		"    assert n_elms <= __find_element_max_size, \\\n" +
		"        f'find_element() can only be used with n_elms<={__find_element_max_size}. ' \\\n" +
		"        f'Got: n_elms={n_elms}.'\n\n"
	codeSearchSortedLower = searchSortedPrologue +
		"for i in range(n_elms):\n" +
		"    if memory[array_ptr + elm_size * i] >= ids.key:\n" +
		"        ids.index = i\n" +
		"        break\n" +
		"else:\n" +
		"    ids.index = n_elms"
	codeSearchSorted = searchSortedPrologue +
		"for i in range(n_elms):\n" +
		"    if memory[array_ptr + elm_size * i] >= ids.key:\n" +
		"        ids.index = i\n" +
		"        ids.exists = 1 if memory[array_ptr + elm_size * i] == ids.key else 0\n" +
		"        break\n" +
		"else:\n" +
		"    ids.index = n_elms\n" +
		"    ids.exists = 0"
)

// findElementHints are the hints of starkware.cairo.common.find_element.
func findElementHints() map[string]Func {
	return map[string]Func{
		codeFindElement:       hintFindElement,
		codeSearchSortedLower: func(c *Context) error { return searchSorted(c, false) },
		codeSearchSorted:      func(c *Context) error { return searchSorted(c, true) },
	}
}

// arrayArgs are the checked array_ptr and elm_size of find_element and
// search_sorted.
func arrayArgs(c *Context) (memory.Relocatable, int64, error) {
	arr, err := c.Value("array_ptr")
	if err != nil {
		return memory.Relocatable{}, 0, err
	}
	size, err := c.Value("elm_size")
	if err != nil {
		return memory.Relocatable{}, 0, err
	}
	if !size.IsFelt() || size.Felt().IsZero() {
		return memory.Relocatable{}, 0, fmt.Errorf("Invalid value for elm_size. Got: %s.", size)
	}
	n, ok := size.Felt().Uint64()
	if !ok || n > 1<<40 {
		return memory.Relocatable{}, 0, fmt.Errorf("elm_size %s is too large to index memory", size)
	}
	if !arr.IsReloc() {
		return memory.Relocatable{}, 0, fmt.Errorf("array_ptr must be an address, got %s", arr)
	}
	return arr.Reloc(), int64(n), nil
}

// nElms reads ids.n_elms and checks it against __find_element_max_size.
func nElms(c *Context) (int64, error) {
	v, err := c.Value("n_elms")
	if err != nil {
		return 0, err
	}
	if !v.IsFelt() {
		return 0, fmt.Errorf("Invalid value for n_elms. Got: %s.", v)
	}
	n := v.Felt().BigInt()
	limit, ok, err := pyScopeLimit(c, "__find_element_max_size")
	if err != nil {
		return 0, err
	}
	if ok && n.Cmp(limit) > 0 {
		return 0, fmt.Errorf("find_element() can only be used with n_elms<=%s. Got: n_elms=%s.", limit, n)
	}
	if !n.IsInt64() || n.Int64() > 1<<40 {
		return 0, fmt.Errorf("n_elms=%s is too large to index memory", n)
	}
	return n.Int64(), nil
}

func hintFindElement(c *Context) error {
	arr, size, err := arrayArgs(c)
	if err != nil {
		return err
	}
	key, err := c.Value("key")
	if err != nil {
		return err
	}
	if idxVar, ok := c.Scope()["__find_element_index"]; ok {
		idx, isInt := pyScopeInt(idxVar)
		if !isInt {
			return fmt.Errorf("__find_element_index must be an integer, found %T", idxVar)
		}
		if err := pySetInt(c, "index", idx); err != nil {
			return err
		}
		if idx.Sign() < 0 || !idx.IsInt64() || idx.Int64() > 1<<40 {
			return fmt.Errorf("__find_element_index=%s is out of range", idx)
		}
		found, err := pyRead(c, arr.Add(uint64(size*idx.Int64())))
		if err != nil {
			return err
		}
		if found != key {
			return fmt.Errorf("Invalid index found in __find_element_index. index: %s, expected key %s, found key: %s.", idx, key, found)
		}
		delete(c.Scope(), "__find_element_index")
		return nil
	}
	n, err := nElms(c)
	if err != nil {
		return err
	}
	for i := int64(0); i < n; i++ {
		v, err := pyRead(c, arr.Add(uint64(size*i)))
		if err != nil {
			return err
		}
		if v == key {
			return c.SetFelt("index", felt.FromUint64(uint64(i)))
		}
	}
	return fmt.Errorf("Key %s was not found.", key)
}

// searchSorted is search_sorted_lower (exists false) and search_sorted
// (which also writes ids.exists).
func searchSorted(c *Context, exists bool) error {
	arr, size, err := arrayArgs(c)
	if err != nil {
		return err
	}
	n, err := nElms(c)
	if err != nil {
		return err
	}
	key, err := c.Value("key")
	if err != nil {
		return err
	}
	for i := int64(0); i < n; i++ {
		v, err := pyRead(c, arr.Add(uint64(size*i)))
		if err != nil {
			return err
		}
		ge, err := pyGreaterEqual(v, key)
		if err != nil {
			return err
		}
		if ge {
			if err := c.SetFelt("index", felt.FromUint64(uint64(i))); err != nil {
				return err
			}
			if exists {
				return pySetBool(c, "exists", v == key)
			}
			return nil
		}
	}
	if err := c.SetFelt("index", felt.FromUint64(uint64(n))); err != nil {
		return err
	}
	if exists {
		return pySetBool(c, "exists", false)
	}
	return nil
}

// pyCompare orders two memory values as Python orders ints and
// RelocatableValues: integers by value, addresses of one segment by
// offset; anything else is a TypeError.
func pyCompare(a, b memory.Value) (int, error) {
	switch {
	case a.IsFelt() && b.IsFelt():
		return a.Felt().Cmp(b.Felt()), nil
	case a.IsReloc() && b.IsReloc() && a.Reloc().Segment == b.Reloc().Segment:
		x, y := a.Reloc().Offset, b.Reloc().Offset
		switch {
		case x < y:
			return -1, nil
		case x > y:
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("'<' not supported between %s and %s", pyTypeName(a), pyTypeName(b))
}

func pyGreaterEqual(a, b memory.Value) (bool, error) {
	d, err := pyCompare(a, b)
	return d >= 0, err
}

func pyTypeName(v memory.Value) string {
	if v.IsReloc() {
		return "instances of 'RelocatableValue'"
	}
	return "instances of 'int'"
}
