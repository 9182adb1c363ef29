// Package program loads compiled Cairo 0 programs: the JSON that
// cairo-compile writes (data, builtins, hints, identifiers, reference
// manager, attributes, debug info, main scope, prime).
//
// Loading is strict, as cairo-lang's schema is: missing or null required
// fields, unknown top-level fields, a different prime or malformed hex are
// errors. Inputs that are not a compiled Cairo 0 program at all (a .cairo
// source, a Sierra or CASM class, a Cairo 0 contract class, truncated JSON)
// get an error that says what the file is and what to do instead.
package program

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// Program is a loaded compiled program.
type Program struct {
	Prime           string
	Data            []memory.Value
	Builtins        []string
	Hints           map[uint64][]Hint
	Identifiers     map[string]*Identifier
	References      []Reference
	Attributes      []Attribute
	MainScope       string
	CompilerVersion string

	// debug_info is most of a compiled program's JSON and only error
	// messages need it, so it is decoded on first use.
	debugRaw  json.RawMessage
	debugOnce sync.Once
	debug     *DebugInfo
}

// DebugInfo returns the program's debug information (source locations of
// instructions and the source files), or nil when it has none or it cannot
// be decoded.
func (p *Program) DebugInfo() *DebugInfo {
	p.debugOnce.Do(func() {
		if len(p.debugRaw) > 0 {
			p.debug, _ = parseDebugInfo(p.debugRaw)
		}
	})
	return p.debug
}

// ApTracking identifies an ap-tracking group and the offset of ap in it.
type ApTracking struct {
	Group  int `json:"group"`
	Offset int `json:"offset"`
}

// FlowTrackingData is the ap tracking and references visible at a pc.
type FlowTrackingData struct {
	ApTracking   ApTracking     `json:"ap_tracking"`
	ReferenceIDs map[string]int `json:"reference_ids"`
}

// Hint is a hint attached to a pc.
type Hint struct {
	Code             string           `json:"code"`
	AccessibleScopes []string         `json:"accessible_scopes"`
	FlowTrackingData FlowTrackingData `json:"flow_tracking_data"`
}

// Reference is an entry of the reference manager: a Cairo expression such
// as "[cast(fp + (-3), felt*)]" valid from pc within an ap-tracking group.
type Reference struct {
	ApTrackingData ApTracking `json:"ap_tracking_data"`
	PC             uint64     `json:"pc"`
	Value          string     `json:"value"`
}

// Member is a struct member.
type Member struct {
	CairoType string `json:"cairo_type"`
	Offset    int    `json:"offset"`
}

// Identifier is an entry of the identifiers table. Which fields are set
// depends on Type: function and label have PC, const has Value, alias has
// Destination, struct has Members and Size, reference has References and
// CairoType, member has CairoType and Offset, type_definition has CairoType.
type Identifier struct {
	Type        string            `json:"type"`
	PC          *uint64           `json:"pc,omitempty"`
	Value       *json.Number      `json:"value,omitempty"`
	Destination string            `json:"destination,omitempty"`
	Members     map[string]Member `json:"members,omitempty"`
	Size        *int              `json:"size,omitempty"`
	FullName    string            `json:"full_name,omitempty"`
	CairoType   string            `json:"cairo_type,omitempty"`
	References  []Reference       `json:"references,omitempty"`
	Decorators  []string          `json:"decorators,omitempty"`
}

// Attribute is a `with_attr` scope: error_message texts shown when an
// instruction in [StartPC, EndPC) fails.
type Attribute struct {
	Name             string            `json:"name"`
	StartPC          uint64            `json:"start_pc"`
	EndPC            uint64            `json:"end_pc"`
	Value            string            `json:"value"`
	AccessibleScopes []string          `json:"accessible_scopes"`
	FlowTrackingData *FlowTrackingData `json:"flow_tracking_data"`
}

// InputFile names a source file.
type InputFile struct {
	Filename string `json:"filename"`
}

// Location is a span of Cairo source.
type Location struct {
	StartLine      int               `json:"start_line"`
	StartCol       int               `json:"start_col"`
	EndLine        int               `json:"end_line"`
	EndCol         int               `json:"end_col"`
	InputFile      InputFile         `json:"input_file"`
	ParentLocation *ParentLoc        `json:"-"`
	RawParent      []json.RawMessage `json:"parent_location,omitempty"`
}

// ParentLoc is the location a location was expanded from, with a message.
type ParentLoc struct {
	Location *Location
	Message  string
}

// InstructionLocation is the debug information of one instruction.
type InstructionLocation struct {
	Inst             Location         `json:"inst"`
	AccessibleScopes []string         `json:"accessible_scopes"`
	FlowTrackingData FlowTrackingData `json:"flow_tracking_data"`
}

// DebugInfo maps pcs to source locations.
type DebugInfo struct {
	InstructionLocations map[uint64]*InstructionLocation
	FileContents         map[string]string
}

// ErrNotProgram is wrapped by errors for inputs that are not compiled
// Cairo 0 programs.
var ErrNotProgram = errors.New("not a compiled Cairo 0 program")

// Load reads and parses a compiled program file.
func Load(path string) (*Program, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load program: %w", err)
	}
	p, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("load program %s: %w", path, err)
	}
	return p, nil
}

var topLevelFields = map[string]bool{
	"attributes": true, "builtins": true, "compiler_version": true, "data": true,
	"debug_info": true, "hints": true, "identifiers": true, "main_scope": true,
	"prime": true, "reference_manager": true,
}

var lowerHex = regexp.MustCompile(`^-?0x[0-9a-f]+$`)

// Parse parses a compiled program from JSON.
func Parse(b []byte) (*Program, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotProgram)
	}
	if trimmed[0] != '{' {
		if looksLikeCairoSource(trimmed) {
			return nil, fmt.Errorf("%w: this looks like Cairo source code; compile it first (cairo-compile FILE.cairo --output FILE.json), or assemble Cairo assembly with `kairo asm`", ErrNotProgram)
		}
		return nil, fmt.Errorf("%w: not a JSON object", ErrNotProgram)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: invalid JSON: %s", ErrNotProgram, describeJSONError(b, err))
	}
	if err := detectOtherFormats(raw); err != nil {
		return nil, err
	}
	var problems []string
	for k := range raw {
		if !topLevelFields[k] {
			problems = append(problems, fmt.Sprintf("%s: unknown field", k))
		}
	}
	required := func(name string) json.RawMessage {
		v, ok := raw[name]
		if !ok {
			problems = append(problems, name+": missing required field")
			return nil
		}
		if string(v) == "null" {
			problems = append(problems, name+": may not be null")
			return nil
		}
		return v
	}
	p := &Program{Hints: map[uint64][]Hint{}, Identifiers: map[string]*Identifier{}}

	if v := required("prime"); v != nil {
		var s string
		if err := json.Unmarshal(v, &s); err != nil || !lowerHex.MatchString(s) {
			problems = append(problems, fmt.Sprintf("prime: expected an all-lowercase hex string, got %s", string(v)))
		} else if s != felt.PrimeHex {
			problems = append(problems, fmt.Sprintf("prime: %s is not the Stark prime %s that kairo supports", s, felt.PrimeHex))
		} else {
			p.Prime = s
		}
	}
	if v := required("data"); v != nil {
		var words []string
		if err := json.Unmarshal(v, &words); err != nil {
			problems = append(problems, "data: expected a list of hex strings")
		} else {
			p.Data = make([]memory.Value, len(words))
			for i, w := range words {
				if !lowerHex.MatchString(w) {
					problems = append(problems, fmt.Sprintf("data[%d]: expected an all-lowercase hex string, got %q", i, w))
					break
				}
				f, err := felt.FromString(w)
				if err != nil {
					problems = append(problems, fmt.Sprintf("data[%d]: %v", i, err))
					break
				}
				p.Data[i] = memory.FeltValue(f)
			}
		}
	}
	if v := required("builtins"); v != nil {
		if err := json.Unmarshal(v, &p.Builtins); err != nil {
			problems = append(problems, "builtins: expected a list of builtin names")
		}
	}
	if v := required("main_scope"); v != nil {
		if err := json.Unmarshal(v, &p.MainScope); err != nil {
			problems = append(problems, "main_scope: expected a string")
		}
	}
	if v := required("reference_manager"); v != nil {
		var rm struct {
			References []Reference `json:"references"`
		}
		if err := strictUnmarshal(v, &rm); err != nil {
			problems = append(problems, fmt.Sprintf("reference_manager: %v", err))
		}
		p.References = rm.References
	}
	if v := required("identifiers"); v != nil {
		if err := parseIdentifiers(v, p.Identifiers); err != nil {
			problems = append(problems, fmt.Sprintf("identifiers: %v", err))
		}
	}
	if v := required("hints"); v != nil {
		var hs map[string][]Hint
		if err := json.Unmarshal(v, &hs); err != nil {
			problems = append(problems, fmt.Sprintf("hints: %v", err))
		}
		for k, list := range hs {
			pc, err := strconv.ParseUint(k, 10, 64)
			if err != nil {
				problems = append(problems, fmt.Sprintf("hints: invalid pc %q", k))
				continue
			}
			p.Hints[pc] = list
		}
	}
	if v, ok := raw["attributes"]; ok {
		if string(v) == "null" {
			problems = append(problems, "attributes: may not be null")
		} else if err := json.Unmarshal(v, &p.Attributes); err != nil {
			problems = append(problems, fmt.Sprintf("attributes: %v", err))
		}
	}
	if v, ok := raw["compiler_version"]; ok && string(v) != "null" {
		_ = json.Unmarshal(v, &p.CompilerVersion)
	}
	if v, ok := raw["debug_info"]; ok && string(v) != "null" {
		if err := checkDebugInfo(v); err != nil {
			problems = append(problems, fmt.Sprintf("debug_info: %v", err))
		}
		p.debugRaw = v
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("invalid compiled program: %s", strings.Join(problems, "; "))
	}
	return p, nil
}

func strictUnmarshal(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

func parseIdentifiers(b json.RawMessage, out map[string]*Identifier) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var ids map[string]*Identifier
	if err := d.Decode(&ids); err != nil {
		return err
	}
	names := make([]string, 0, len(ids))
	for k := range ids {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		id := ids[name]
		if id == nil {
			return fmt.Errorf("%s: may not be null", name)
		}
		if id.Type == "" {
			return fmt.Errorf("%s: type: missing required field", name)
		}
		if (id.Type == "function" || id.Type == "label") && id.PC == nil {
			return fmt.Errorf("%s: pc may not be null", name)
		}
		out[name] = id
	}
	return nil
}

// checkDebugInfo checks the shape of debug_info without decoding the
// locations: an object whose instruction_locations and file_contents are
// not null.
func checkDebugInfo(b json.RawMessage) error {
	var present map[string]json.RawMessage
	if err := json.Unmarshal(b, &present); err != nil {
		return err
	}
	for _, k := range []string{"instruction_locations", "file_contents"} {
		if v, ok := present[k]; ok && string(v) == "null" {
			return fmt.Errorf("%s: may not be null", k)
		}
	}
	return nil
}

func parseDebugInfo(b json.RawMessage) (*DebugInfo, error) {
	var raw struct {
		InstructionLocations map[string]json.RawMessage `json:"instruction_locations"`
		FileContents         map[string]string          `json:"file_contents"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	di := &DebugInfo{InstructionLocations: map[uint64]*InstructionLocation{}, FileContents: raw.FileContents}
	for k, v := range raw.InstructionLocations {
		pc, err := strconv.ParseUint(k, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("instruction_locations: invalid pc %q", k)
		}
		var il InstructionLocation
		if err := json.Unmarshal(v, &il); err != nil {
			return nil, fmt.Errorf("instruction_locations[%s]: %v", k, err)
		}
		il.Inst.resolveParents()
		di.InstructionLocations[pc] = &il
	}
	return di, nil
}

// resolveParents decodes the [location, message] pair cairo-compile writes
// for an expanded location.
func (l *Location) resolveParents() {
	if len(l.RawParent) != 2 {
		return
	}
	var parent Location
	var msg string
	if json.Unmarshal(l.RawParent[0], &parent) != nil || json.Unmarshal(l.RawParent[1], &msg) != nil {
		return
	}
	parent.resolveParents()
	l.ParentLocation = &ParentLoc{Location: &parent, Message: msg}
}

func looksLikeCairoSource(b []byte) bool {
	s := string(b)
	for _, kw := range []string{"%builtins", "func ", "from starkware", "%lang", "fn ", "mod ", "use ", "#[", "struct ", "namespace ", "//", "#"} {
		if strings.Contains(s, kw) {
			return true
		}
	}
	return false
}

func detectOtherFormats(raw map[string]json.RawMessage) error {
	_, hasEP := raw["entry_points_by_type"]
	_, hasProgram := raw["program"]
	_, hasSierra := raw["sierra_program"]
	_, hasBytecode := raw["bytecode"]
	_, hasData := raw["data"]
	switch {
	case hasSierra:
		return fmt.Errorf("%w: this is a Sierra contract class (Cairo 1); kairo runs compiled Cairo 0 programs", ErrNotProgram)
	case hasBytecode && !hasData:
		return fmt.Errorf("%w: this is a CASM compiled class (Cairo 1); kairo runs compiled Cairo 0 programs", ErrNotProgram)
	case hasEP && hasProgram:
		return fmt.Errorf("%w: this is a Cairo 0 contract class; declare it on a devnet with `kairo devnet declare` instead of running it", ErrNotProgram)
	case raw["jsonrpc"] != nil || raw["result"] != nil:
		return fmt.Errorf("%w: this is a JSON-RPC response, not a compiled program", ErrNotProgram)
	}
	return nil
}

// describeJSONError turns a JSON syntax error into "line L, column C: msg".
func describeJSONError(b []byte, err error) string {
	var se *json.SyntaxError
	off := int64(-1)
	if errors.As(err, &se) {
		off = se.Offset
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		off = te.Offset
	}
	if err.Error() == "unexpected end of JSON input" {
		return "the JSON ends early (truncated file?)"
	}
	if off < 0 {
		return err.Error()
	}
	line, col := 1, 1
	for i := int64(0); i < off && i < int64(len(b)); i++ {
		if b[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// Main returns the pc of the main function (<main_scope>.main).
func (p *Program) Main() (uint64, bool) { return p.labelPC(p.MainScope + ".main") }

// Start and End return the pcs of the proof-mode labels __start__ and
// __end__.
func (p *Program) Start() (uint64, bool) { return p.labelPC(p.MainScope + ".__start__") }

// End returns the pc of the __end__ label.
func (p *Program) End() (uint64, bool) { return p.labelPC(p.MainScope + ".__end__") }

// LabelPC resolves a function or label name (aliases followed) to its pc.
func (p *Program) LabelPC(name string) (uint64, bool) { return p.labelPC(name) }

func (p *Program) labelPC(name string) (uint64, bool) {
	id := p.Resolve(name)
	if id == nil || id.PC == nil {
		return 0, false
	}
	return *id.PC, true
}

// Resolve returns the identifier with this full name, following aliases.
func (p *Program) Resolve(name string) *Identifier {
	for i := 0; i < 64; i++ {
		id, ok := p.Identifiers[name]
		if !ok {
			return nil
		}
		if id.Type != "alias" {
			return id
		}
		name = id.Destination
	}
	return nil
}
