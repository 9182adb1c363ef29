package hints

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/program"
)

var errRefPattern = regexp.MustCompile(`{([a-zA-Z_0-9.]+)}`)

// SubstituteErrorMessage replaces the {name} references of a with_attr
// error_message by their values at fp, as cairo-lang does; references that
// are ap-based or cannot be evaluated are left as they are and listed.
func (rt *Runtime) SubstituteErrorMessage(a *program.Attribute, m *memory.Memory, fp memory.Relocatable) string {
	if a.FlowTrackingData == nil {
		return a.Value
	}
	c := &Context{
		rt:   rt,
		hint: &program.Hint{AccessibleScopes: a.AccessibleScopes, FlowTrackingData: *a.FlowTrackingData},
	}
	var invalid []string
	out := errRefPattern.ReplaceAllStringFunc(a.Value, func(match string) string {
		name := match[1 : len(match)-1]
		v, err := c.valueAtFP(name, m, fp)
		if err != nil {
			invalid = append(invalid, name)
			return match
		}
		if v.IsFelt() {
			return v.Felt().SignedDecimal()
		}
		return v.String()
	})
	if len(invalid) > 0 {
		quoted := make([]string, len(invalid))
		for i, s := range invalid {
			quoted[i] = "'" + s + "'"
		}
		out += fmt.Sprintf(" (Cannot evaluate ap-based or complex references: [%s])", strings.Join(quoted, ", "))
	}
	return out
}

// valueAtFP evaluates a reference with only fp known.
func (c *Context) valueAtFP(name string, m *memory.Memory, fp memory.Relocatable) (memory.Value, error) {
	full, id, err := c.resolve(name)
	if err != nil {
		return memory.Value{}, err
	}
	if id.Type != "reference" {
		return memory.Value{}, fmt.Errorf("%s is not a reference", name)
	}
	idx, ok := c.hint.FlowTrackingData.ReferenceIDs[full]
	if !ok {
		return memory.Value{}, fmt.Errorf("reference %s is revoked", name)
	}
	ref, ok := c.rt.refAt(idx)
	if !ok {
		return memory.Value{}, fmt.Errorf("reference %s is revoked", name)
	}
	if ref.err != nil {
		return memory.Value{}, ref.err
	}
	if ref.apDep {
		return memory.Value{}, fmt.Errorf("%s is ap-based", name)
	}
	v, t, err := eval(ref.e, regs{fp: fp}, m)
	if err != nil {
		return v, err
	}
	if t.isStruct() {
		return v, fmt.Errorf("%s is a struct", name)
	}
	return v, nil
}
