package builtins

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// LayoutParams are the parameters of a dynamic layout, as cairo-run reads
// them from --cairo_layout_params_file (cairo-lang's CairoLayoutParams).
type LayoutParams struct {
	CPUComponentStep       int64
	RCUnits                int64
	MemoryUnitsPerStep     int64
	LogDilutedUnitsPerStep int64
	// Uses, Ratio and RatioDen are indexed like dynamicParamBuiltins.
	Uses     [10]int64
	Ratio    [10]int64
	RatioDen [10]int64 // only for range_check96, add_mod and mul_mod; 1 otherwise
}

// dynamicParamBuiltins are the builtins a dynamic layout parameterizes
// (SUPPORTED_DYNAMIC_BUILTINS without output), in order.
var dynamicParamBuiltins = [10]string{
	NamePedersen, NameRangeCheck, NameEcdsa, NameBitwise, NameEcOp,
	NameKeccak, NamePoseidon, NameRangeCheck96, NameAddMod, NameMulMod,
}

// layoutParamFields lists every field of the JSON object, in cairo-lang's
// declaration order, with where it is stored.
func (p *LayoutParams) fields() []paramField {
	f := []paramField{
		{"cpu_component_step", &p.CPUComponentStep},
		{"rc_units", &p.RCUnits},
		{"memory_units_per_step", &p.MemoryUnitsPerStep},
		{"log_diluted_units_per_step", &p.LogDilutedUnitsPerStep},
	}
	for i, name := range dynamicParamBuiltins {
		f = append(f,
			paramField{"uses_" + name + "_builtin", &p.Uses[i]},
			paramField{name + "_ratio", &p.Ratio[i]})
		if isLowRatio(name) {
			f = append(f, paramField{name + "_ratio_den", &p.RatioDen[i]})
		}
	}
	return f
}

type paramField struct {
	name string
	dst  *int64
}

// ParseLayoutParams reads a dynamic layout's parameters from JSON: an object
// with exactly the fields of cairo-lang's CairoLayoutParams, each an integer.
// Missing, unknown and duplicated fields, non-integers and trailing data are
// errors.
func ParseLayoutParams(data []byte) (LayoutParams, error) {
	var p LayoutParams
	fields := p.fields()
	index := make(map[string]int, len(fields))
	for i, f := range fields {
		index[f.name] = i
	}
	seen := make([]bool, len(fields))

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return p, fmt.Errorf("layout params: %w", jsonErr(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return p, errors.New("layout params: expected a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return p, fmt.Errorf("layout params: %w", jsonErr(err))
		}
		key, ok := tok.(string)
		if !ok {
			return p, errors.New("layout params: expected a field name")
		}
		i, known := index[key]
		if !known {
			return p, fmt.Errorf("layout params: unknown field %q", key)
		}
		if seen[i] {
			return p, fmt.Errorf("layout params: duplicate field %q", key)
		}
		seen[i] = true
		tok, err = dec.Token()
		if err != nil {
			return p, fmt.Errorf("layout params: field %q: %w", key, jsonErr(err))
		}
		num, ok := tok.(json.Number)
		if !ok {
			return p, fmt.Errorf("layout params: field %q must be an integer, found %s", key, describeToken(tok))
		}
		v, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil {
			return p, fmt.Errorf("layout params: field %q must be an integer, found %s", key, num)
		}
		*fields[i].dst = v
	}
	if _, err := dec.Token(); err != nil {
		return p, fmt.Errorf("layout params: %w", jsonErr(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return p, errors.New("layout params: unexpected data after the JSON object")
	}
	for i, f := range fields {
		if !seen[i] {
			return p, fmt.Errorf("layout params: missing field %q", f.name)
		}
	}
	for i, name := range dynamicParamBuiltins {
		if !isLowRatio(name) {
			p.RatioDen[i] = 1
		}
	}
	return p, p.validate()
}

func jsonErr(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func describeToken(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case bool:
		return strconv.FormatBool(v)
	case string:
		return strconv.Quote(v)
	case nil:
		return "null"
	}
	return fmt.Sprint(t)
}

// validate checks what CairoLayoutParams.__post_init__ checks (a builtin
// that is not used has ratio 0) and rejects values that make the layout
// meaningless (negative sizes or ratios, zero denominators).
func (p *LayoutParams) validate() error {
	if p.CPUComponentStep <= 0 {
		return fmt.Errorf("layout params: cpu_component_step must be positive, found %d", p.CPUComponentStep)
	}
	if p.RCUnits < 0 {
		return fmt.Errorf("layout params: rc_units must not be negative, found %d", p.RCUnits)
	}
	if p.MemoryUnitsPerStep < 0 {
		return fmt.Errorf("layout params: memory_units_per_step must not be negative, found %d", p.MemoryUnitsPerStep)
	}
	if p.LogDilutedUnitsPerStep <= -64 || p.LogDilutedUnitsPerStep >= 64 {
		return fmt.Errorf("layout params: log_diluted_units_per_step %d is out of range", p.LogDilutedUnitsPerStep)
	}
	for i, name := range dynamicParamBuiltins {
		if p.Uses[i] < 0 {
			return fmt.Errorf("layout params: uses_%s_builtin must not be negative, found %d", name, p.Uses[i])
		}
		if p.Ratio[i] < 0 {
			return fmt.Errorf("layout params: %s_ratio must not be negative, found %d", name, p.Ratio[i])
		}
		if p.Uses[i] == 0 && p.Ratio[i] != 0 {
			return fmt.Errorf("layout params: uses_%s_builtin is 0 but %s_ratio is %d (must be 0)", name, name, p.Ratio[i])
		}
		if p.RatioDen[i] <= 0 {
			return fmt.Errorf("layout params: %s_ratio_den must be positive, found %d", name, p.RatioDen[i])
		}
	}
	return nil
}

// Layout builds the dynamic layout (CairoLayoutParams.to_cairo_layout).
func (p LayoutParams) Layout() (Layout, error) {
	if err := p.validate(); err != nil {
		return Layout{}, err
	}
	ratios := map[string][2]uint64{}
	for i, name := range dynamicParamBuiltins {
		ratios[name] = [2]uint64{uint64(p.Ratio[i]), uint64(p.RatioDen[i])}
	}
	pc := p
	return Layout{
		Name:                 "dynamic",
		CPUComponentStep:     uint64(p.CPUComponentStep),
		RCUnits:              uint64(p.RCUnits),
		PublicMemoryFraction: 8,
		MemoryUnitsPerStep:   uint64(p.MemoryUnitsPerStep),
		Diluted:              &DilutedPool{LogUnitsPerStep: p.LogDilutedUnitsPerStep, Spacing: 4, NBits: 16},
		Builtins: dynamicBuiltins(func(name string) (uint64, uint64) {
			r := ratios[name]
			return r[0], r[1]
		}),
		DynamicParams: &pc,
	}, nil
}

// DynamicLayout parses a --cairo_layout_params_file and builds its layout.
func DynamicLayout(data []byte) (Layout, error) {
	p, err := ParseLayoutParams(data)
	if err != nil {
		return Layout{}, err
	}
	return p.Layout()
}
