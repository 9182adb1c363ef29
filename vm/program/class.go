package program

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/kairo-dev/kairo/vm/felt"
)

// EntryPoint is an entry point of a Cairo 0 contract class: the selector
// and the pc offset of the function's wrapper.
type EntryPoint struct {
	Selector felt.Felt
	Offset   uint64
}

// Entry point types of a Cairo 0 contract class.
const (
	EntryPointExternal    = "EXTERNAL"
	EntryPointL1Handler   = "L1_HANDLER"
	EntryPointConstructor = "CONSTRUCTOR"
)

// ContractClass is a Cairo 0 (deprecated) contract class: entry points by
// type, the compiled program and the ABI.
type ContractClass struct {
	EntryPoints map[string][]EntryPoint
	Program     *Program
	// ABI is the class's ABI as it appears in the file (nil when absent).
	ABI json.RawMessage
}

// maxProgramSize bounds a decompressed program of the RPC form.
const maxProgramSize = 256 << 20

// LoadContractClass reads and parses a Cairo 0 contract class file.
func LoadContractClass(path string) (*ContractClass, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load contract class: %w", err)
	}
	c, err := ParseContractClass(b)
	if err != nil {
		return nil, fmt.Errorf("load contract class %s: %w", path, err)
	}
	return c, nil
}

// IsContractClass reports whether b looks like a Cairo 0 contract class in
// either form (it has entry_points_by_type and program, at the top level
// or under a JSON-RPC result); it does not validate it.
func IsContractClass(b []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return false
	}
	if r, ok := top["result"]; ok {
		top = nil
		if json.Unmarshal(r, &top) != nil {
			return false
		}
	}
	_, ep := top["entry_points_by_type"]
	_, p := top["program"]
	return ep && p
}

var classFields = map[string]bool{"abi": true, "entry_points_by_type": true, "program": true}

// ParseContractClass parses a Cairo 0 contract class: the compiled form
// (cairo-compile / starknet-compile-deprecated output, with program as a
// JSON object) or the RPC form (a starknet_getClass result, bare or inside
// a JSON-RPC response, with program as a base64 gzip string).
func ParseContractClass(b []byte) (*ContractClass, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("not a contract class: invalid JSON: %s", describeJSONError(b, err))
	}
	if top == nil {
		return nil, errors.New("not a contract class: not a JSON object")
	}
	if r, ok := top["result"]; ok {
		for k := range top {
			if k != "result" && k != "jsonrpc" && k != "id" {
				return nil, fmt.Errorf("JSON-RPC response: unknown field %q", k)
			}
		}
		top = nil
		if err := json.Unmarshal(r, &top); err != nil || top == nil {
			return nil, errors.New("JSON-RPC response: result is not a contract class object")
		}
	} else if e, ok := top["error"]; ok {
		return nil, fmt.Errorf("JSON-RPC error response: %s", bytes.TrimSpace(e))
	}
	if _, ok := top["sierra_program"]; ok {
		return nil, errors.New("this is a Sierra contract class (Cairo 1), not a Cairo 0 contract class")
	}
	var problems []string
	for k := range top {
		if !classFields[k] {
			problems = append(problems, fmt.Sprintf("%s: unknown field", k))
		}
	}
	c := &ContractClass{EntryPoints: map[string][]EntryPoint{}}
	if v, ok := top["abi"]; ok && string(v) != "null" {
		c.ABI = v
	}
	if v, ok := top["entry_points_by_type"]; !ok || string(v) == "null" {
		problems = append(problems, "entry_points_by_type: missing required field")
	} else if err := parseEntryPoints(v, c.EntryPoints); err != nil {
		problems = append(problems, fmt.Sprintf("entry_points_by_type: %v", err))
	}
	if v, ok := top["program"]; !ok || string(v) == "null" {
		problems = append(problems, "program: missing required field")
	} else {
		p, err := parseClassProgram(v)
		if err != nil {
			problems = append(problems, fmt.Sprintf("program: %v", err))
		}
		c.Program = p
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("invalid contract class: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

func parseEntryPoints(b json.RawMessage, out map[string][]EntryPoint) error {
	var raw map[string][]struct {
		Selector json.RawMessage `json:"selector"`
		Offset   json.RawMessage `json:"offset"`
	}
	if err := strictUnmarshal(b, &raw); err != nil {
		return err
	}
	types := make([]string, 0, len(raw))
	for t := range raw {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		switch t {
		case EntryPointExternal, EntryPointL1Handler, EntryPointConstructor:
		default:
			return fmt.Errorf("unknown entry point type %q", t)
		}
		eps := make([]EntryPoint, 0, len(raw[t]))
		for i, ep := range raw[t] {
			if ep.Selector == nil || ep.Offset == nil {
				return fmt.Errorf("%s[%d]: selector and offset are required", t, i)
			}
			sel, err := classFelt(ep.Selector)
			if err != nil {
				return fmt.Errorf("%s[%d].selector: %v", t, i, err)
			}
			off, err := classOffset(ep.Offset)
			if err != nil {
				return fmt.Errorf("%s[%d].offset: %v", t, i, err)
			}
			eps = append(eps, EntryPoint{Selector: sel, Offset: off})
		}
		out[t] = eps
	}
	return nil
}

// classFelt parses a selector: a 0x-prefixed hex string.
func classFelt(b json.RawMessage) (felt.Felt, error) {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return felt.Zero, fmt.Errorf("expected a hex string, got %s", b)
	}
	if !strings.HasPrefix(s, "0x") || len(s) < 3 || len(s) > 66 {
		return felt.Zero, fmt.Errorf("expected a hex string, got %q", s)
	}
	v, ok := new(big.Int).SetString(s[2:], 16)
	if !ok {
		return felt.Zero, fmt.Errorf("expected a hex string, got %q", s)
	}
	if v.Cmp(felt.Prime()) >= 0 {
		return felt.Zero, fmt.Errorf("%s is not below the field prime", s)
	}
	return felt.FromBigInt(v), nil
}

// classOffset parses an entry point offset: a JSON integer (compiled form)
// or a hex string (newer compiled form and RPC form).
func classOffset(b json.RawMessage) (uint64, error) {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if !strings.HasPrefix(s, "0x") || len(s) < 3 {
			return 0, fmt.Errorf("expected a hex string, got %q", s)
		}
		return strconv.ParseUint(s[2:], 16, 63)
	}
	var n uint64
	if err := json.Unmarshal(b, &n); err != nil {
		return 0, fmt.Errorf("expected a non-negative integer or a hex string, got %s", b)
	}
	return n, nil
}

// ClassProgramJSON returns the JSON of a class's program: the object
// itself, or the decompressed base64 gzip string of the RPC form.
func ClassProgramJSON(v json.RawMessage) ([]byte, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || v[0] != '"' {
		return v, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, err
	}
	z, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid base64: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("invalid gzip data: %v", err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxProgramSize+1))
	if err != nil {
		return nil, fmt.Errorf("invalid gzip data: %v", err)
	}
	if len(b) > maxProgramSize {
		return nil, fmt.Errorf("the decompressed program exceeds %d bytes", maxProgramSize)
	}
	return b, nil
}

// parseClassProgram parses the program of a class: a JSON object, or a
// base64 string of its gzip compression.
func parseClassProgram(v json.RawMessage) (*Program, error) {
	b, err := ClassProgramJSON(v)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return nil, errors.New("expected a JSON object or a base64 gzip string")
	}
	changed := false
	// Classes declared with early compilers carry "debug_info": [] where
	// cairo-compile writes null; both mean no debug information.
	if di, ok := raw["debug_info"]; ok && string(bytes.TrimSpace(di)) == "[]" {
		raw["debug_info"] = json.RawMessage("null")
		changed = true
	}
	// A class's program is opaque to Starknet, which stores it as given:
	// attributes that are not with_attr scopes (objects) carry no
	// information kairo uses and are dropped.
	if at, ok := raw["attributes"]; ok {
		var items []json.RawMessage
		if json.Unmarshal(at, &items) == nil {
			kept := items[:0]
			for _, it := range items {
				if t := bytes.TrimSpace(it); len(t) > 0 && t[0] == '{' {
					kept = append(kept, it)
				}
			}
			if len(kept) != len(items) {
				nb, err := json.Marshal(kept)
				if err != nil {
					return nil, err
				}
				raw["attributes"] = nb
				changed = true
			}
		}
	}
	if changed {
		nb, err := json.Marshal(raw)
		if err != nil {
			return nil, err
		}
		b = nb
	}
	return Parse(b)
}
