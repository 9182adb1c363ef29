package hints

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Hint codes of starkware.cairo.common.squash_dict.
const (
	codeSquashDict = "dict_access_size = ids.DictAccess.SIZE\n" +
		"address = ids.dict_accesses.address_\n" +
		"assert ids.ptr_diff % dict_access_size == 0, \\\n" +
		"    'Accesses array size must be divisible by DictAccess.SIZE'\n" +
		"n_accesses = ids.n_accesses\n" +
		"if '__squash_dict_max_size' in globals():\n" +
		"    assert n_accesses <= __squash_dict_max_size, \\\n" +
		"        f'squash_dict() can only be used with n_accesses<={__squash_dict_max_size}. ' \\\n" +
		"        f'Got: n_accesses={n_accesses}.'\n" +
		"# A map from key to the list of indices accessing it.\n" +
		"access_indices = {}\n" +
		"for i in range(n_accesses):\n" +
		"    key = memory[address + dict_access_size * i]\n" +
		"    access_indices.setdefault(key, []).append(i)\n" +
		"# Descending list of keys.\n" +
		"keys = sorted(access_indices.keys(), reverse=True)\n" +
		"# Are the keys used bigger than range_check bound.\n" +
		"ids.big_keys = 1 if keys[0] >= range_check_builtin.bound else 0\n" +
		"ids.first_key = key = keys.pop()"
	codeSquashDictInnerFirstIteration = "current_access_indices = sorted(access_indices[key])[::-1]\n" +
		"current_access_index = current_access_indices.pop()\n" +
		"memory[ids.range_check_ptr] = current_access_index"
	codeSquashDictInnerSkipLoop         = "ids.should_skip_loop = 0 if current_access_indices else 1"
	codeSquashDictInnerCheckAccessIndex = "new_access_index = current_access_indices.pop()\n" +
		"ids.loop_temps.index_delta_minus1 = new_access_index - current_access_index - 1\n" +
		"current_access_index = new_access_index"
	codeSquashDictInnerContinueLoop                  = "ids.loop_temps.should_continue = 1 if current_access_indices else 0"
	codeSquashDictInnerAssertLenCurrentAccessIndices = "assert len(current_access_indices) == 0"
	codeSquashDictInnerUsedAccessesAssert            = "assert ids.n_used_accesses == len(access_indices[key])"
	codeSquashDictInnerAssertLenKeys                 = "assert len(keys) == 0"
	codeSquashDictInnerNextKey                       = "assert len(keys) > 0, 'No keys left but remaining_accesses > 0.'\n" +
		"ids.next_key = key = keys.pop()"
)

// Scope variables of the squash_dict hints, named as in the Python.
const (
	scopeAccessIndices        = "access_indices"
	scopeKeys                 = "keys"
	scopeKey                  = "key"
	scopeCurrentAccessIndices = "current_access_indices"
	scopeCurrentAccessIndex   = "current_access_index"
	scopeSquashDictMaxSize    = "__squash_dict_max_size"
)

// squashAccessIndices is access_indices: for every key, the indices of the
// accesses to it, in increasing order.
type squashAccessIndices map[memory.Value][]uint64

// squashAssert is Python's AssertionError; msg is empty for a bare assert.
func squashAssert(msg string) error {
	if msg == "" {
		return errors.New("AssertionError")
	}
	return errors.New("AssertionError: " + msg)
}

var errSquashPopEmpty = errors.New("IndexError: pop from empty list")

// squashDictHints are the hints of starkware.cairo.common.squash_dict.
func squashDictHints() map[string]Func {
	return map[string]Func{
		codeSquashDict:                                   hintSquashDict,
		codeSquashDictInnerFirstIteration:                hintSquashDictInnerFirstIteration,
		codeSquashDictInnerSkipLoop:                      hintSquashDictInnerSkipLoop,
		codeSquashDictInnerCheckAccessIndex:              hintSquashDictInnerCheckAccessIndex,
		codeSquashDictInnerContinueLoop:                  hintSquashDictInnerContinueLoop,
		codeSquashDictInnerAssertLenCurrentAccessIndices: hintSquashDictInnerAssertLenCurrent,
		codeSquashDictInnerUsedAccessesAssert:            hintSquashDictInnerUsedAccesses,
		codeSquashDictInnerAssertLenKeys:                 hintSquashDictInnerAssertLenKeys,
		codeSquashDictInnerNextKey:                       hintSquashDictInnerNextKey,
	}
}

func hintSquashDict(c *Context) error {
	size, err := c.StructSize("DictAccess")
	if err != nil {
		return err
	}
	address, err := c.Reloc("dict_accesses")
	if err != nil {
		return err
	}
	ptrDiff, err := c.Value("ptr_diff")
	if err != nil {
		return err
	}
	if !ptrDiff.IsFelt() {
		return fmt.Errorf("unsupported operand type(s) for %%: 'RelocatableValue' and 'int'")
	}
	if new(big.Int).Mod(ptrDiff.Felt().BigInt(), big.NewInt(int64(size))).Sign() != 0 {
		return squashAssert("Accesses array size must be divisible by DictAccess.SIZE")
	}
	nv, err := c.Value("n_accesses")
	if err != nil {
		return err
	}
	if !nv.IsFelt() {
		return fmt.Errorf("'RelocatableValue' object cannot be interpreted as an integer")
	}
	n := nv.Felt()
	limit, ok, err := pyScopeLimit(c, scopeSquashDictMaxSize)
	if err != nil {
		return err
	}
	if ok && n.BigInt().Cmp(limit) > 0 {
		return squashAssert(fmt.Sprintf("squash_dict() can only be used with n_accesses<=%s. Got: n_accesses=%s.", limit, n.Decimal()))
	}
	count, fits := n.Uint64()
	if !fits {
		// range(n_accesses) runs until memory ends.
		count = math.MaxUint64
	}
	indices := squashAccessIndices{}
	var keys []memory.Value
	for i := uint64(0); i < count; i++ {
		key, err := pyRead(c, address.Add(uint64(size)*i))
		if err != nil {
			return err
		}
		if _, seen := indices[key]; !seen {
			keys = append(keys, key)
		}
		indices[key] = append(indices[key], i)
	}
	if len(keys) == 0 {
		return errors.New("IndexError: list index out of range")
	}
	for _, k := range keys {
		if !k.IsFelt() {
			return fmt.Errorf("TypeError: '<' not supported between instances of 'RelocatableValue' and 'int'")
		}
	}
	// Descending, so that pop() returns the smallest key.
	sort.Slice(keys, func(i, j int) bool { return keys[i].Felt().Cmp(keys[j].Felt()) > 0 })
	bound, err := pyRangeCheckBound(c)
	if err != nil {
		return err
	}
	c.Set("dict_access_size", size)
	c.Set("address", address)
	c.Set("n_accesses", n.BigInt())
	c.Set(scopeAccessIndices, indices)
	if err := pySetBool(c, "big_keys", keys[0].Felt().BigInt().Cmp(bound) >= 0); err != nil {
		return err
	}
	first := keys[len(keys)-1]
	keys = keys[:len(keys)-1]
	c.Set(scopeKeys, keys)
	c.Set(scopeKey, first)
	return c.SetValue("first_key", first)
}

func squashScopeIndices(c *Context) (squashAccessIndices, error) {
	v, err := c.Get(scopeAccessIndices)
	if err != nil {
		return nil, err
	}
	ai, ok := v.(squashAccessIndices)
	if !ok {
		return nil, fmt.Errorf("access_indices is a %T, not a dict", v)
	}
	return ai, nil
}

func squashScopeKey(c *Context) (memory.Value, error) {
	v, err := c.Get(scopeKey)
	if err != nil {
		return memory.Value{}, err
	}
	k, ok := v.(memory.Value)
	if !ok {
		return memory.Value{}, fmt.Errorf("key is a %T, not a Cairo value", v)
	}
	return k, nil
}

func squashScopeKeys(c *Context) ([]memory.Value, error) {
	v, err := c.Get(scopeKeys)
	if err != nil {
		return nil, err
	}
	k, ok := v.([]memory.Value)
	if !ok {
		return nil, fmt.Errorf("keys is a %T, not a list", v)
	}
	return k, nil
}

// squashCurrent returns current_access_indices (descending: pop() gives the
// smallest).
func squashCurrent(c *Context) ([]uint64, error) {
	v, err := c.Get(scopeCurrentAccessIndices)
	if err != nil {
		return nil, err
	}
	l, ok := v.([]uint64)
	if !ok {
		return nil, fmt.Errorf("current_access_indices is a %T, not a list", v)
	}
	return l, nil
}

func hintSquashDictInnerFirstIteration(c *Context) error {
	ai, err := squashScopeIndices(c)
	if err != nil {
		return err
	}
	key, err := squashScopeKey(c)
	if err != nil {
		return err
	}
	list, ok := ai[key]
	if !ok {
		return fmt.Errorf("KeyError: %s", pyRepr(key))
	}
	// The indices were appended in increasing order: reversed, they are
	// sorted(...)[::-1].
	cur := make([]uint64, len(list))
	for i, x := range list {
		cur[len(list)-1-i] = x
	}
	if len(cur) == 0 {
		return errSquashPopEmpty
	}
	idx := cur[len(cur)-1]
	cur = cur[:len(cur)-1]
	c.Set(scopeCurrentAccessIndices, cur)
	c.Set(scopeCurrentAccessIndex, idx)
	rc, err := c.Value("range_check_ptr")
	if err != nil {
		return err
	}
	if !rc.IsReloc() {
		return fmt.Errorf("Memory address must be relocatable, found %s", rc)
	}
	return c.Mem().Set(rc.Reloc(), memory.FeltValue(felt.FromUint64(idx)))
}

func hintSquashDictInnerSkipLoop(c *Context) error {
	cur, err := squashCurrent(c)
	if err != nil {
		return err
	}
	return pySetBool(c, "should_skip_loop", len(cur) == 0)
}

func hintSquashDictInnerCheckAccessIndex(c *Context) error {
	cur, err := squashCurrent(c)
	if err != nil {
		return err
	}
	if len(cur) == 0 {
		return errSquashPopEmpty
	}
	next := cur[len(cur)-1]
	c.Set(scopeCurrentAccessIndices, cur[:len(cur)-1])
	pv, err := c.Get(scopeCurrentAccessIndex)
	if err != nil {
		return err
	}
	prev, ok := pv.(uint64)
	if !ok {
		return fmt.Errorf("current_access_index is a %T, not an int", pv)
	}
	c.Set("new_access_index", next)
	delta := new(big.Int).SetUint64(next)
	delta.Sub(delta, new(big.Int).SetUint64(prev))
	delta.Sub(delta, bigOne)
	if delta.Sign() < 0 {
		return fmt.Errorf("Memory value must be nonnegative. Got %s.", delta)
	}
	if err := pySetInt(c, "loop_temps.index_delta_minus1", delta); err != nil {
		return err
	}
	c.Set(scopeCurrentAccessIndex, next)
	return nil
}

func hintSquashDictInnerContinueLoop(c *Context) error {
	cur, err := squashCurrent(c)
	if err != nil {
		return err
	}
	return pySetBool(c, "loop_temps.should_continue", len(cur) != 0)
}

func hintSquashDictInnerAssertLenCurrent(c *Context) error {
	cur, err := squashCurrent(c)
	if err != nil {
		return err
	}
	if len(cur) != 0 {
		return squashAssert("")
	}
	return nil
}

func hintSquashDictInnerUsedAccesses(c *Context) error {
	n, err := c.Value("n_used_accesses")
	if err != nil {
		return err
	}
	ai, err := squashScopeIndices(c)
	if err != nil {
		return err
	}
	key, err := squashScopeKey(c)
	if err != nil {
		return err
	}
	list, ok := ai[key]
	if !ok {
		return fmt.Errorf("KeyError: %s", pyRepr(key))
	}
	if n != memory.FeltValue(felt.FromUint64(uint64(len(list)))) {
		return squashAssert("")
	}
	return nil
}

func hintSquashDictInnerAssertLenKeys(c *Context) error {
	keys, err := squashScopeKeys(c)
	if err != nil {
		return err
	}
	if len(keys) != 0 {
		return squashAssert("")
	}
	return nil
}

func hintSquashDictInnerNextKey(c *Context) error {
	keys, err := squashScopeKeys(c)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return squashAssert("No keys left but remaining_accesses > 0.")
	}
	k := keys[len(keys)-1]
	c.Set(scopeKeys, keys[:len(keys)-1])
	c.Set(scopeKey, k)
	return c.SetValue("next_key", k)
}
