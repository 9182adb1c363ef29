package asm

import (
	"bytes"
	"encoding/json"
)

// The types below mirror the compiled-program JSON of cairo-compile. Fields
// are declared in alphabetical order: cairo-compile sorts keys, and so does
// encoding/json for maps.

// Program is a compiled Cairo 0 program as cairo-compile writes it.
type Program struct {
	Attributes       []json.RawMessage     `json:"attributes"`
	Builtins         []string              `json:"builtins"`
	CompilerVersion  string                `json:"compiler_version"`
	Data             []string              `json:"data"`
	DebugInfo        *DebugInfo            `json:"debug_info"`
	Hints            map[string][]Hint     `json:"hints"`
	Identifiers      map[string]Identifier `json:"identifiers"`
	MainScope        string                `json:"main_scope"`
	Prime            string                `json:"prime"`
	ReferenceManager ReferenceManager      `json:"reference_manager"`
}

// Hint is a hint attached to a pc.
type Hint struct {
	AccessibleScopes []string         `json:"accessible_scopes"`
	Code             string           `json:"code"`
	FlowTrackingData FlowTrackingData `json:"flow_tracking_data"`
}

// FlowTrackingData is the ap tracking state at a pc.
type FlowTrackingData struct {
	APTracking   APTracking     `json:"ap_tracking"`
	ReferenceIDs map[string]int `json:"reference_ids"`
}

// APTracking says how far ap moved since the start of its group.
type APTracking struct {
	Group  int `json:"group"`
	Offset int `json:"offset"`
}

// Identifier is an entry of the identifiers map. Labels have PC, functions
// PC and Decorators, constants Value.
type Identifier struct {
	Decorators *[]string        `json:"decorators,omitempty"`
	PC         *int             `json:"pc,omitempty"`
	Type       string           `json:"type"`
	Value      *json.RawMessage `json:"value,omitempty"`
}

// ReferenceManager holds the references of hints; assembly has none.
type ReferenceManager struct {
	References []json.RawMessage `json:"references"`
}

// DebugInfo maps pcs to source locations.
type DebugInfo struct {
	FileContents         map[string]string              `json:"file_contents"`
	InstructionLocations map[string]InstructionLocation `json:"instruction_locations"`
}

// InstructionLocation is the debug information of one pc.
type InstructionLocation struct {
	AccessibleScopes []string         `json:"accessible_scopes"`
	FlowTrackingData FlowTrackingData `json:"flow_tracking_data"`
	Hints            []HintLocation   `json:"hints"`
	Inst             Location         `json:"inst"`
}

// HintLocation is where a hint of a pc is written.
type HintLocation struct {
	Location        Location `json:"location"`
	NPrefixNewlines int      `json:"n_prefix_newlines"`
}

// Location is a source range: 1-based lines and columns, end exclusive.
type Location struct {
	EndCol    int       `json:"end_col"`
	EndLine   int       `json:"end_line"`
	InputFile InputFile `json:"input_file"`
	StartCol  int       `json:"start_col"`
	StartLine int       `json:"start_line"`
}

// InputFile names a source file.
type InputFile struct {
	Filename string `json:"filename"`
}

// MarshalIndent renders p as cairo-compile does: four-space indentation,
// sorted keys, a final newline.
func (p *Program) MarshalIndent() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
