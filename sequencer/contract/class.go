package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
	"github.com/kairo-dev/kairo/vm/hints"
	"github.com/kairo-dev/kairo/vm/program"
)

// EntryPointType is the kind of an entry point.
type EntryPointType int

// The entry point types, in the order the class hash lists them.
const (
	External EntryPointType = iota
	L1Handler
	Constructor
)

// EntryPointTypes lists every type in class-hash order.
var EntryPointTypes = [3]EntryPointType{External, L1Handler, Constructor}

// String is the type's name in the class JSON ("EXTERNAL", ...).
func (t EntryPointType) String() string {
	switch t {
	case External:
		return "EXTERNAL"
	case L1Handler:
		return "L1_HANDLER"
	case Constructor:
		return "CONSTRUCTOR"
	}
	return fmt.Sprintf("EntryPointType(%d)", int(t))
}

// EntryPoint is an entry point of a class: the selector it answers to and
// the pc of its wrapper in the program.
type EntryPoint struct {
	Selector felt.Felt
	Offset   uint64
}

// Class is a loaded Cairo 0 contract class.
type Class struct {
	// EntryPoints are the entry points by type, sorted by selector.
	EntryPoints [3][]EntryPoint
	// Program is the class's program.
	Program *program.Program
	// ABI is the class's abi as given (null when absent).
	ABI json.RawMessage
	// Hash is the class hash (compute_deprecated_class_hash).
	Hash felt.Felt
	// HintedHash is the hinted class hash that Hash includes.
	HintedHash felt.Felt
	// Decoded is the program's decode table every call of the class
	// shares.
	Decoded *vm.DecodeTable
	// Hints is the program's hint data every call of the class shares
	// (its references, parsed once).
	Hints *hints.Prepared
}

// Special entry point names and the selector they map to.
const (
	DefaultEntryPointName   = "__default__"
	DefaultL1EntryPointName = "__l1_default__"
)

// Well-known selectors.
var (
	ConstructorSelector = Selector("constructor")
	// DefaultSelector is the selector of __default__ and __l1_default__.
	DefaultSelector = felt.Zero
)

// Selector returns the selector of an entry point name: sn_keccak of the
// name, and 0 for __default__ and __l1_default__.
func Selector(name string) felt.Felt {
	if name == DefaultEntryPointName || name == DefaultL1EntryPointName {
		return felt.Zero
	}
	return hash.StarknetKeccak([]byte(name))
}

// Load reads a class file in either form.
func Load(path string) (*Class, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load class: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("load class %s: %w", path, err)
	}
	return c, nil
}

// ErrInvalidClass is wrapped by every error about a malformed class.
var ErrInvalidClass = errors.New("invalid Cairo 0 contract class")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidClass, fmt.Sprintf(format, args...))
}

var hexOffset = regexp.MustCompile(`^0x[0-9a-f]+$`)

// Parse parses a class in the compiled form or the RPC form (program as
// base64 gzip, optionally inside a JSON-RPC "result").
func Parse(b []byte) (*Class, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, invalid("not a JSON object: %v", err)
	}
	if r, ok := top["result"]; ok {
		if _, hasProgram := top["program"]; !hasProgram {
			top = nil
			if err := json.Unmarshal(r, &top); err != nil {
				return nil, invalid("result: not a JSON object: %v", err)
			}
		}
	}
	if _, ok := top["sierra_program"]; ok {
		return nil, invalid("this is a Sierra (Cairo 1) class, not a Cairo 0 class")
	}
	for k := range top {
		switch k {
		case "abi", "entry_points_by_type", "program":
		default:
			return nil, invalid("%s: unknown field", k)
		}
	}
	rawProgram, ok := top["program"]
	if !ok || string(rawProgram) == "null" {
		return nil, invalid("program: missing required field")
	}
	progJSON, err := programJSON(rawProgram)
	if err != nil {
		return nil, err
	}
	c := &Class{ABI: json.RawMessage("null")}
	if abi, ok := top["abi"]; ok {
		t := bytes.TrimSpace(abi)
		if string(t) != "null" && (len(t) == 0 || t[0] != '[') {
			return nil, invalid("abi: not a valid list")
		}
		c.ABI = abi
	}
	progTree, err := decodeTree(progJSON)
	if err != nil {
		return nil, invalid("program: %v", err)
	}
	progMap, ok := progTree.(map[string]any)
	if !ok {
		return nil, invalid("program: not a JSON object")
	}
	if di, ok := progMap["debug_info"]; ok && di != nil {
		if _, isObj := di.(map[string]any); !isObj {
			// Some tools write [] for a missing debug_info; the class hash
			// nulls it anyway.
			progMap["debug_info"] = nil
			progJSON, err = json.Marshal(progMap)
			if err != nil {
				return nil, invalid("program: %v", err)
			}
		}
	}
	if attrs, ok := progMap["attributes"].([]any); ok {
		for i, a := range attrs {
			if _, isObj := a.(map[string]any); !isObj {
				return nil, invalid("program.attributes[%d]: not an object", i)
			}
		}
	}
	p, err := program.Parse(progJSON)
	if err != nil {
		return nil, fmt.Errorf("%w: program: %v", ErrInvalidClass, err)
	}
	c.Program = p
	if err := c.parseEntryPoints(top["entry_points_by_type"]); err != nil {
		return nil, err
	}
	var abiTree any
	if abiTree, err = decodeTree(c.ABI); err != nil {
		return nil, invalid("abi: %v", err)
	}
	if c.HintedHash, err = hintedClassHash(progMap, abiTree); err != nil {
		return nil, err
	}
	c.Hash = c.computeHash()
	c.Hints = hints.Prepare(c.Program)
	c.Decoded = vm.NewDecodeTable(c.Program.Data)
	return c, nil
}

// programJSON returns the program's JSON: the object itself, or the
// decoded base64 gzip string of the RPC form.
func programJSON(raw json.RawMessage) ([]byte, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || (t[0] != '{' && t[0] != '"') {
		return nil, invalid("program: expected an object or a base64 string")
	}
	b, err := program.ClassProgramJSON(t)
	if err != nil {
		return nil, invalid("program: %v", err)
	}
	return b, nil
}

func (c *Class) parseEntryPoints(raw json.RawMessage) error {
	if raw == nil || string(raw) == "null" {
		return invalid("entry_points_by_type: missing required field")
	}
	var byType map[string][]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &byType); err != nil {
		return invalid("entry_points_by_type: %v", err)
	}
	for k := range byType {
		switch k {
		case "EXTERNAL", "L1_HANDLER", "CONSTRUCTOR":
		default:
			return invalid("entry_points_by_type: unknown entry point type %q", k)
		}
	}
	n := uint64(len(c.Program.Data))
	for _, t := range EntryPointTypes {
		list, ok := byType[t.String()]
		if !ok {
			if t == Constructor {
				return invalid("the contract is missing constructor endpoints")
			}
			return invalid("entry_points_by_type: missing %s", t)
		}
		eps := make([]EntryPoint, 0, len(list))
		for i, e := range list {
			ep, err := parseEntryPoint(e)
			if err != nil {
				return invalid("entry_points_by_type.%s[%d]: %v", t, i, err)
			}
			if ep.Offset >= n {
				return invalid("invalid entry point offset %d, len(program_data)=%d", ep.Offset, n)
			}
			if i > 0 && eps[i-1].Selector.Cmp(ep.Selector) >= 0 {
				return invalid("entry points must be unique and sorted")
			}
			eps = append(eps, ep)
		}
		if t == Constructor && len(eps) > 1 {
			return invalid("a contract may have at most 1 constructor")
		}
		c.EntryPoints[t] = eps
	}
	return nil
}

func parseEntryPoint(e map[string]json.RawMessage) (EntryPoint, error) {
	var ep EntryPoint
	for k, v := range e {
		switch k {
		case "selector", "offset":
		case "builtins":
			if string(v) != "null" {
				return ep, errors.New("entry point should not have builtins in deprecated contracts")
			}
		default:
			return ep, fmt.Errorf("%s: unknown field", k)
		}
	}
	var sel string
	if err := json.Unmarshal(e["selector"], &sel); err != nil {
		return ep, errors.New("selector: expected a hex string")
	}
	s, err := felt.FromString(sel)
	if err != nil || !strings.HasPrefix(sel, "0x") {
		return ep, fmt.Errorf("selector: invalid %q", sel)
	}
	ep.Selector = s
	off := bytes.TrimSpace(e["offset"])
	if len(off) == 0 {
		return ep, errors.New("offset: missing required field")
	}
	if off[0] == '"' {
		var h string
		if err := json.Unmarshal(off, &h); err != nil || !hexOffset.MatchString(h) {
			return ep, fmt.Errorf("offset field is of unexpected format: %s", off)
		}
		ep.Offset, err = strconv.ParseUint(h[2:], 16, 64)
		if err != nil {
			return ep, fmt.Errorf("offset: %v", err)
		}
		return ep, nil
	}
	ep.Offset, err = strconv.ParseUint(string(off), 10, 64)
	if err != nil {
		return ep, fmt.Errorf("offset: expected a non-negative integer, got %s", off)
	}
	return ep, nil
}

// EntryPoint returns the entry point of the given type and selector. A
// class whose first entry point of that type is __default__ answers every
// unknown selector with it, as Starknet does.
func (c *Class) EntryPoint(t EntryPointType, selector felt.Felt) (EntryPoint, bool) {
	eps := c.EntryPoints[t]
	for _, ep := range eps {
		if ep.Selector == selector {
			return ep, true
		}
	}
	if len(eps) > 0 && eps[0].Selector == DefaultSelector {
		return eps[0], true
	}
	return EntryPoint{}, false
}

// computeHash is compute_deprecated_class_hash_inner.
func (c *Class) computeHash() felt.Felt {
	flat := func(eps []EntryPoint) []felt.Felt {
		out := make([]felt.Felt, 0, 2*len(eps))
		for _, ep := range eps {
			out = append(out, ep.Selector, felt.FromUint64(ep.Offset))
		}
		return out
	}
	builtins := make([]felt.Felt, len(c.Program.Builtins))
	for i, b := range c.Program.Builtins {
		builtins[i] = felt.FromBytesBE([]byte(b))
	}
	data := make([]felt.Felt, len(c.Program.Data))
	for i, v := range c.Program.Data {
		data[i] = v.Felt()
	}
	return hash.PedersenArray(
		felt.Zero,
		hash.PedersenArray(flat(c.EntryPoints[External])...),
		hash.PedersenArray(flat(c.EntryPoints[L1Handler])...),
		hash.PedersenArray(flat(c.EntryPoints[Constructor])...),
		hash.PedersenArray(builtins...),
		c.HintedHash,
		hash.PedersenArray(data...),
	)
}
