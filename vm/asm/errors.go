package asm

import "fmt"

// Pos is a position in a source file: 1-based line and column (in runes).
type Pos struct {
	Line, Col int
}

// Error is an assembly error at a position of a source file.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// errAt is the error type produced below the file level; the assembler adds
// the file name.
type posError struct {
	pos Pos
	msg string
}

func (e *posError) Error() string { return fmt.Sprintf("%d:%d: %s", e.pos.Line, e.pos.Col, e.msg) }

func errorf(p Pos, format string, args ...any) *posError {
	return &posError{pos: p, msg: fmt.Sprintf(format, args...)}
}
