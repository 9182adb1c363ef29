package hints

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

const (
	codeUsortEnterScope = "vm_enter_scope(dict(__usort_max_size = globals().get('__usort_max_size')))"
	codeUsort           = "from collections import defaultdict\n\n" +
		"input_ptr = ids.input\n" +
		"input_len = int(ids.input_len)\n" +
		"if __usort_max_size is not None:\n" +
		"    assert input_len <= __usort_max_size, (\n" +
		"        f\"usort() can only be used with input_len<={__usort_max_size}. \"\n" +
		"        f\"Got: input_len={input_len}.\"\n" +
		"    )\n\n" +
		"positions_dict = defaultdict(list)\n" +
		"for i in range(input_len):\n" +
		"    val = memory[input_ptr + i]\n" +
		"    positions_dict[val].append(i)\n\n" +
		"output = sorted(positions_dict.keys())\n" +
		"ids.output_len = len(output)\n" +
		"ids.output = segments.gen_arg(output)\n" +
		"ids.multiplicities = segments.gen_arg([len(positions_dict[k]) for k in output])"
	codeVerifyUsort = "last_pos = 0\n" +
		"positions = positions_dict[ids.value][::-1]"
	codeVerifyMultiplicityAssert = "assert len(positions) == 0"
	codeVerifyMultiplicityBody   = "current_pos = positions.pop()\n" +
		"ids.next_item_index = current_pos - last_pos\n" +
		"last_pos = current_pos + 1"
)

// usortPositions is the positions_dict scope variable of usort: the input
// positions of every value.
type usortPositions map[memory.Value][]int64

// usortStack is the positions scope variable: positions still to visit,
// the next one last.
type usortStack struct{ pos []int64 }

// usortHints are the hints of starkware.cairo.common.usort.
func usortHints() map[string]Func {
	return map[string]Func{
		codeUsortEnterScope: func(c *Context) error {
			c.EnterScope(Scope{"__usort_max_size": c.Scope()["__usort_max_size"]})
			return nil
		},
		codeUsort:                    hintUsort,
		codeVerifyUsort:              hintVerifyUsort,
		codeVerifyMultiplicityAssert: hintVerifyMultiplicityAssert,
		codeVerifyMultiplicityBody:   hintVerifyMultiplicityBody,
	}
}

func hintUsort(c *Context) error {
	input, err := c.Value("input")
	if err != nil {
		return err
	}
	lenV, err := c.Value("input_len")
	if err != nil {
		return err
	}
	if !lenV.IsFelt() {
		return fmt.Errorf("int() argument must be a string, a bytes-like object or a number, not 'RelocatableValue'")
	}
	inputLen := lenV.Felt().BigInt()
	if v, ok := c.Scope()["__usort_max_size"]; ok && v != nil {
		limit, isInt := pyScopeInt(v)
		if !isInt {
			return fmt.Errorf("__usort_max_size must be an integer or None, found %T", v)
		}
		if inputLen.Cmp(limit) > 0 {
			return fmt.Errorf("usort() can only be used with input_len<=%s. Got: input_len=%s.", limit, inputLen)
		}
	}
	if !inputLen.IsInt64() || inputLen.Int64() > 1<<40 {
		return fmt.Errorf("input_len=%s is too large to index memory", inputLen)
	}
	n := inputLen.Int64()
	if n > 0 && !input.IsReloc() {
		return fmt.Errorf("ids.input must be an address, found %s", input)
	}
	positions := usortPositions{}
	var keys []memory.Value
	for i := int64(0); i < n; i++ {
		v, err := pyRead(c, input.Reloc().Add(uint64(i)))
		if err != nil {
			return err
		}
		p, seen := positions[v]
		if !seen {
			keys = append(keys, v)
		}
		positions[v] = append(p, i)
	}
	if err := sortDistinct(keys); err != nil {
		return err
	}
	c.Set("positions_dict", positions)
	if err := c.SetFelt("output_len", felt.FromUint64(uint64(len(keys)))); err != nil {
		return err
	}
	out := c.Mem().AddSegment()
	for i, k := range keys {
		if err := c.Mem().Set(out.Add(uint64(i)), k); err != nil {
			return err
		}
	}
	if err := c.SetValue("output", memory.RelocValue(out)); err != nil {
		return err
	}
	mult := c.Mem().AddSegment()
	for i, k := range keys {
		if err := c.Mem().Set(mult.Add(uint64(i)), memory.FeltValue(felt.FromUint64(uint64(len(positions[k]))))); err != nil {
			return err
		}
	}
	return c.SetValue("multiplicities", memory.RelocValue(mult))
}

func hintVerifyUsort(c *Context) error {
	pd, err := c.Get("positions_dict")
	if err != nil {
		return err
	}
	positions, ok := pd.(usortPositions)
	if !ok {
		return fmt.Errorf("positions_dict has an unexpected type %T", pd)
	}
	value, err := c.Value("value")
	if err != nil {
		return err
	}
	src := positions[value]
	rev := make([]int64, len(src))
	for i, p := range src {
		rev[len(src)-1-i] = p
	}
	c.Set("last_pos", int64(0))
	c.Set("positions", &usortStack{pos: rev})
	return nil
}

func usortStackOf(c *Context) (*usortStack, error) {
	v, err := c.Get("positions")
	if err != nil {
		return nil, err
	}
	s, ok := v.(*usortStack)
	if !ok {
		return nil, fmt.Errorf("positions has an unexpected type %T", v)
	}
	return s, nil
}

func hintVerifyMultiplicityAssert(c *Context) error {
	s, err := usortStackOf(c)
	if err != nil {
		return err
	}
	if len(s.pos) != 0 {
		return fmt.Errorf("assert len(positions) == 0 failed: %d positions left", len(s.pos))
	}
	return nil
}

func hintVerifyMultiplicityBody(c *Context) error {
	s, err := usortStackOf(c)
	if err != nil {
		return err
	}
	if len(s.pos) == 0 {
		return fmt.Errorf("pop from empty list")
	}
	cur := s.pos[len(s.pos)-1]
	s.pos = s.pos[:len(s.pos)-1]
	lv, err := c.Get("last_pos")
	if err != nil {
		return err
	}
	var last int64
	switch x := lv.(type) {
	case int64:
		last = x
	default:
		b, ok := pyScopeInt(lv)
		if !ok || !b.IsInt64() {
			return fmt.Errorf("last_pos has an unexpected value %v", lv)
		}
		last = b.Int64()
	}
	if err := c.SetFelt("next_item_index", felt.FromInt64(cur-last)); err != nil {
		return err
	}
	c.Set("last_pos", cur+1)
	return nil
}

// sortDistinct sorts distinct memory values as Python's sorted() does:
// integers by value, or addresses of one segment by offset; a mix is a
// TypeError.
func sortDistinct(keys []memory.Value) error {
	if len(keys) < 2 {
		return nil
	}
	if keys[0].IsFelt() {
		type keyed struct {
			l [4]uint64
			v memory.Value
		}
		ks := make([]keyed, len(keys))
		for i, k := range keys {
			if !k.IsFelt() {
				return fmt.Errorf("'<' not supported between instances of 'RelocatableValue' and 'int'")
			}
			ks[i] = keyed{k.Felt().Limbs(), k}
		}
		slices.SortFunc(ks, func(a, b keyed) int {
			for i := 3; i >= 0; i-- {
				if d := cmp.Compare(a.l[i], b.l[i]); d != 0 {
					return d
				}
			}
			return 0
		})
		for i := range ks {
			keys[i] = ks[i].v
		}
		return nil
	}
	seg := keys[0].Reloc().Segment
	for _, k := range keys {
		if !k.IsReloc() {
			return fmt.Errorf("'<' not supported between instances of 'int' and 'RelocatableValue'")
		}
		if k.Reloc().Segment != seg {
			return fmt.Errorf("'<' not supported between relocatable values of different segments (%d and %d)", seg, k.Reloc().Segment)
		}
	}
	slices.SortFunc(keys, func(a, b memory.Value) int { return cmp.Compare(a.Reloc().Offset, b.Reloc().Offset) })
	return nil
}
