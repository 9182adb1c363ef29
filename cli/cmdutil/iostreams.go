// Package cmdutil holds what every kairo command shares: the I/O streams,
// the decision about colour made once at the writer, the named styles and
// the configuration (kairo.toml and KAIRO_* environment variables).
package cmdutil

import (
	"bytes"
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IOStreams are the streams a command reads and writes. Colour and terminal
// detection are decided here once, never at call sites.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	outTTY bool
	errTTY bool
	color  bool
}

// System returns the process's standard streams, with colour enabled when
// stdout is a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE
// forces it on.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.outTTY = isTerminal(os.Stdout)
	s.errTTY = isTerminal(os.Stderr)
	s.color = decideColor(s.outTTY, os.Getenv)
	return s
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

func decideColor(tty bool, getenv func(string) string) bool {
	if v := getenv("CLICOLOR_FORCE"); v != "" && v != "0" {
		return true
	}
	if getenv("NO_COLOR") != "" || getenv("CLICOLOR") == "0" {
		return false
	}
	return tty
}

// Test returns streams backed by buffers, with colour off and no terminal.
func Test() (s *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// ColorEnabled reports whether styled output may be written to Out.
func (s *IOStreams) ColorEnabled() bool { return s.color }

// SetColorEnabled overrides the colour decision (tests, --color flags).
func (s *IOStreams) SetColorEnabled(v bool) { s.color = v }

// IsStdoutTTY reports whether Out is a terminal: tables fall back to
// tab-separated text when it is not.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// IsStderrTTY reports whether ErrOut is a terminal: progress goes there only
// when it is.
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }
