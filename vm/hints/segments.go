package hints

import (
	"fmt"

	"github.com/kairo-dev/kairo/vm/memory"
)

// segmentsHints are the hints of starkware.cairo.common.segments and the
// segment hints test programs use.
func segmentsHints() map[string]Func {
	return map[string]Func{
		"memory.add_relocation_rule(src_ptr=ids.src_ptr, dest_ptr=ids.dest_ptr)": func(c *Context) error {
			src, err := c.Value("src_ptr")
			if err != nil {
				return err
			}
			dst, err := c.Value("dest_ptr")
			if err != nil {
				return err
			}
			if !src.IsReloc() {
				return fmt.Errorf("'int' object has no attribute 'segment_index' (src_ptr=%s)", src)
			}
			if !dst.IsReloc() {
				return fmt.Errorf("dest_ptr must be an address, found %s", dst)
			}
			return c.Mem().AddRelocationRule(src.Reloc(), dst.Reloc())
		},
		"ids.temporary_array = segments.add_temp_segment()": func(c *Context) error {
			return c.SetValue("temporary_array", memory.RelocValue(c.Mem().AddTempSegment()))
		},
	}
}
