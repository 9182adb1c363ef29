package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// decodeTree decodes JSON into maps, slices, strings, bools, nil and
// json.Number (numbers keep their text).
func decodeTree(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// hintedClassHash is compute_deprecated_hinted_class_hash: sn_keccak of
// json.dumps({"abi": abi, "program": program}, sort_keys=True) where the
// program is cairo-lang's dump of it with debug_info null, compiler_version
// dropped when absent, the attributes compatibility rules applied, and the
// "(a : felt)" spelling of named tuple types for programs compiled before
// compiler versions were recorded.
func hintedClassHash(prog map[string]any, abi any) (felt.Felt, error) {
	p := make(map[string]any, len(prog))
	for k, v := range prog {
		p[k] = v
	}
	p["debug_info"] = nil
	if v, ok := p["compiler_version"]; ok && v == nil {
		delete(p, "compiler_version")
	}
	_, hasVersion := p["compiler_version"]
	if err := canonicalHexList(p, "data"); err != nil {
		return felt.Zero, err
	}
	if s, ok := p["prime"].(string); ok {
		h, err := canonicalHex(s)
		if err != nil {
			return felt.Zero, invalid("program.prime: %v", err)
		}
		p["prime"] = h
	}
	attrs, _ := p["attributes"].([]any)
	if len(attrs) == 0 {
		delete(p, "attributes")
	} else {
		out := make([]any, len(attrs))
		for i, a := range attrs {
			m := a.(map[string]any)
			c := make(map[string]any, len(m))
			for k, v := range m {
				c[k] = v
			}
			if s, ok := c["accessible_scopes"].([]any); !ok || len(s) == 0 {
				delete(c, "accessible_scopes")
			}
			if v, ok := c["flow_tracking_data"]; !ok || v == nil {
				delete(c, "flow_tracking_data")
			}
			out[i] = c
		}
		p["attributes"] = out
	}
	if !hasVersion {
		for _, k := range []string{"identifiers", "reference_manager"} {
			if v, ok := p[k]; ok {
				p[k] = addCompatSpace(v)
			}
		}
	}
	var buf bytes.Buffer
	if err := pyDump(&buf, map[string]any{"abi": abi, "program": p}, "", true); err != nil {
		return felt.Zero, err
	}
	return hash.StarknetKeccak(buf.Bytes()), nil
}

func canonicalHex(s string) (string, error) {
	v, ok := new(big.Int).SetString(strings.TrimPrefix(strings.ToLower(s), "0x"), 16)
	if !ok || !strings.HasPrefix(strings.ToLower(s), "0x") {
		return "", fmt.Errorf("invalid hex %q", s)
	}
	return "0x" + v.Text(16), nil
}

func canonicalHexList(p map[string]any, key string) error {
	list, ok := p[key].([]any)
	if !ok {
		return nil
	}
	out := make([]any, len(list))
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			return invalid("program.%s[%d]: expected a hex string", key, i)
		}
		h, err := canonicalHex(s)
		if err != nil {
			return invalid("program.%s[%d]: %v", key, i, err)
		}
		out[i] = h
	}
	p[key] = out
	return nil
}

// addCompatSpace rewrites "a: felt" as "a : felt" in every cairo_type and
// reference value string below v (add_backward_compatibility_space).
func addCompatSpace(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if s, ok := e.(string); ok && (k == "cairo_type" || k == "value") {
				out[k] = strings.ReplaceAll(strings.ReplaceAll(s, ": ", " : "), "  :", " :")
				continue
			}
			out[k] = addCompatSpace(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = addCompatSpace(e)
		}
		return out
	}
	return v
}

// pyDump writes v as Python's json.dumps(v, sort_keys=True) does: ", " and
// ": " separators, keys sorted, non-ASCII escaped. The program's hints are
// keyed by integers in cairo-lang, so they sort numerically.
func pyDump(w *bytes.Buffer, v any, path string, top bool) error {
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		if x {
			w.WriteString("true")
		} else {
			w.WriteString("false")
		}
	case json.Number:
		s := string(x)
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			if b, ok := new(big.Int).SetString(s, 10); ok {
				s = b.String()
			} else if f, err := strconv.ParseFloat(s, 64); err == nil {
				// cairo-lang loads the program's numbers as Python ints
				// (int(1.5e+26) for a float literal); the abi keeps floats.
				if strings.HasPrefix(path, "program") && f == math.Trunc(f) && !math.IsInf(f, 0) {
					bi, _ := big.NewFloat(f).Int(nil)
					s = bi.String()
				} else {
					s = pyFloat(f)
				}
			} else {
				return invalid("%s: unsupported number %s", path, s)
			}
		}
		w.WriteString(s)
	case string:
		pyString(w, x)
	case []any:
		w.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				w.WriteString(", ")
			}
			if err := pyDump(w, e, path, false); err != nil {
				return err
			}
		}
		w.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		if path == "program.hints" {
			nums := make(map[string]uint64, len(keys))
			for _, k := range keys {
				n, err := strconv.ParseUint(k, 10, 64)
				if err != nil {
					return invalid("program.hints: invalid pc %q", k)
				}
				nums[k] = n
			}
			sort.Slice(keys, func(i, j int) bool { return nums[keys[i]] < nums[keys[j]] })
		} else {
			sort.Strings(keys)
		}
		w.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.WriteString(", ")
			}
			if path == "program.hints" {
				w.WriteString(`"` + strconv.FormatUint(mustUint(k), 10) + `"`)
			} else {
				pyString(w, k)
			}
			w.WriteString(": ")
			sub := k
			if !top {
				sub = path + "." + k
			}
			if err := pyDump(w, x[k], sub, false); err != nil {
				return err
			}
		}
		w.WriteByte('}')
	default:
		return invalid("%s: unsupported JSON value %T", path, v)
	}
	return nil
}

func mustUint(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

func pyFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

const hexDigits = "0123456789abcdef"

// pyString writes s as Python's json with ensure_ascii: \" \\ \n \r \t \b
// \f, other characters outside printable ASCII as \uXXXX (surrogate pairs
// above the BMP).
func pyString(w *bytes.Buffer, s string) {
	w.WriteByte('"')
	u4 := func(r rune) {
		w.WriteString(`\u`)
		w.WriteByte(hexDigits[(r>>12)&0xf])
		w.WriteByte(hexDigits[(r>>8)&0xf])
		w.WriteByte(hexDigits[(r>>4)&0xf])
		w.WriteByte(hexDigits[r&0xf])
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			w.WriteString(`\"`)
		case r == '\\':
			w.WriteString(`\\`)
		case r == '\n':
			w.WriteString(`\n`)
		case r == '\r':
			w.WriteString(`\r`)
		case r == '\t':
			w.WriteString(`\t`)
		case r == '\b':
			w.WriteString(`\b`)
		case r == '\f':
			w.WriteString(`\f`)
		case r >= 0x20 && r <= 0x7e:
			w.WriteByte(byte(r))
		case r > 0xffff:
			r -= 0x10000
			u4(0xd800 | (r>>10)&0x3ff)
			u4(0xdc00 | r&0x3ff)
		default:
			u4(r)
		}
	}
	w.WriteByte('"')
}
