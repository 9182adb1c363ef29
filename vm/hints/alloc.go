package hints

import "github.com/kairo-dev/kairo/vm/memory"

// allocHints are the hints of starkware.cairo.common.alloc.
func allocHints() map[string]Func {
	return map[string]Func{
		"memory[ap] = segments.add()": func(c *Context) error {
			base := c.Mem().AddSegment()
			return c.Mem().Set(c.AP(), memory.RelocValue(base))
		},
	}
}
