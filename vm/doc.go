// Package vm is the Cairo virtual machine: registers, the fetch-decode-execute
// step with operand deduction, hints called before an instruction, the
// execution trace, and errors located at the failing pc.
//
// The flow of a run is program → vm → runner: package program loads the
// compiled JSON, this package executes instructions over package memory,
// and package runner sets up the entry point, builtins and hints, ends the
// run and writes the outputs cairo-run writes.
//
// Each pc of the program segment is decoded once and cached; a pc without a
// hint costs one nil check. Memory reads and writes go straight to segment
// slices.
package vm
