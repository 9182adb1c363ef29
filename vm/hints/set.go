package hints

import (
	"fmt"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

const codeSetAdd = "assert ids.elm_size > 0\n" +
	"assert ids.set_ptr <= ids.set_end_ptr\n" +
	"elm_list = memory.get_range(ids.elm_ptr, ids.elm_size)\n" +
	"for i in range(0, ids.set_end_ptr - ids.set_ptr, ids.elm_size):\n" +
	"    if memory.get_range(ids.set_ptr + i, ids.elm_size) == elm_list:\n" +
	"        ids.index = i // ids.elm_size\n" +
	"        ids.is_elm_in_set = 1\n" +
	"        break\n" +
	"else:\n" +
	"    ids.is_elm_in_set = 0"

// setHints are the hints of starkware.cairo.common.set.
func setHints() map[string]Func {
	return map[string]Func{codeSetAdd: hintSetAdd}
}

// pyGetRange is memory.get_range(addr, n).
func pyGetRange(c *Context, addr memory.Relocatable, n uint64) ([]memory.Value, error) {
	out := make([]memory.Value, n)
	for i := range out {
		v, err := pyRead(c, addr.Add(uint64(i)))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func hintSetAdd(c *Context) error {
	sizeV, err := c.Value("elm_size")
	if err != nil {
		return err
	}
	if !sizeV.IsFelt() || sizeV.Felt().IsZero() {
		return fmt.Errorf("assert ids.elm_size > 0 failed (elm_size = %s)", sizeV)
	}
	size, ok := sizeV.Felt().Uint64()
	if !ok || size > 1<<40 {
		return fmt.Errorf("elm_size %s is too large to index memory", sizeV)
	}
	setPtr, err := c.Reloc("set_ptr")
	if err != nil {
		return err
	}
	setEnd, err := c.Reloc("set_end_ptr")
	if err != nil {
		return err
	}
	if setPtr.Segment != setEnd.Segment {
		return fmt.Errorf("'<=' not supported between relocatable values of different segments: %s, %s", setPtr, setEnd)
	}
	if setPtr.Offset > setEnd.Offset {
		return fmt.Errorf("assert ids.set_ptr <= ids.set_end_ptr failed: %s > %s", setPtr, setEnd)
	}
	elmPtr, err := c.Reloc("elm_ptr")
	if err != nil {
		return err
	}
	elm, err := pyGetRange(c, elmPtr, size)
	if err != nil {
		return err
	}
	span := setEnd.Offset - setPtr.Offset
	for i := uint64(0); i < span; i += size {
		match := true
		for j := uint64(0); j < size; j++ {
			v, err := pyRead(c, setPtr.Add(i+j))
			if err != nil {
				return err
			}
			if v != elm[j] {
				match = false
				// get_range reads every cell before comparing.
				for k := j + 1; k < size; k++ {
					if _, err := pyRead(c, setPtr.Add(i+k)); err != nil {
						return err
					}
				}
				break
			}
		}
		if match {
			if err := c.SetFelt("index", felt.FromUint64(i/size)); err != nil {
				return err
			}
			return c.SetFelt("is_elm_in_set", felt.One)
		}
	}
	return c.SetFelt("is_elm_in_set", felt.Zero)
}
