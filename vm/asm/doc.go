// Package asm assembles Cairo assembly into the compiled-program JSON that
// cairo-compile writes and kairo run loads, and disassembles such programs
// back into assembly the assembler accepts.
//
// The syntax is cairo-lang's instruction syntax (assert_eq, jmp, jnz, call,
// ret, ap +=, dw) plus labels, func labels, const definitions, %builtins
// and %{ hint %} blocks; docs/asm.md describes it. Instructions are encoded
// with package instruction, following cairo-lang's instruction_builder, so an
// assembled instruction has the same encoding cairo-compile gives it.
//
// Every error in a source file is an *Error that prints as
// FILE:LINE:COL: message.
package asm
