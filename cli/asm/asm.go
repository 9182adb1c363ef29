// Package asm holds the kairo asm and kairo disasm commands: Cairo assembly
// to compiled-program JSON and back.
package asm

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	vmasm "github.com/kairo-dev/kairo/vm/asm"
)

// NewCmdAsm returns `kairo asm FILE.casm [-o FILE.json]`.
func NewCmdAsm(f *cmdutil.Factory) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "asm FILE.casm",
		Short: "Assemble Cairo assembly into a compiled program",
		Long: "Assemble Cairo assembly (cairo-lang's instruction syntax with labels, dw, const,\n" +
			"%builtins and %{ hint %} blocks) into the compiled-program JSON that\n" +
			"cairo-compile writes and kairo run loads. The syntax is described in docs/asm.md.",
		Example: "  kairo asm fixtures/asm/fibonacci.casm -o bin/fibonacci.json\n  kairo asm prog.casm -o -",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := args[0]
			src, name, err := readInput(f, in)
			if err != nil {
				return err
			}
			prog, err := vmasm.Assemble(name, src)
			if err != nil {
				return report(f, err)
			}
			out, err := prog.MarshalIndent()
			if err != nil {
				return fmt.Errorf("encode %s: %w", name, err)
			}
			dest := output
			if dest == "" {
				if in == "-" {
					dest = "-"
				} else {
					dest = strings.TrimSuffix(in, filepath.Ext(in)) + ".json"
				}
			}
			return writeOutput(f, dest, out)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output file (default: FILE.json beside the source; - for standard output)")
	return cmd
}

// NewCmdDisasm returns `kairo disasm PROGRAM.json [-o FILE]`.
func NewCmdDisasm(f *cmdutil.Factory) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "disasm PROGRAM.json",
		Short: "Disassemble a compiled Cairo program into assembly",
		Long: "Disassemble a compiled Cairo 0 program into assembly that kairo asm turns\n" +
			"back into the same data: labels for jump and call targets and for the\n" +
			"program's functions, dw for words that are not instructions, hints as\n" +
			"%{ %} blocks.",
		Example: "  kairo disasm bin/fibonacci.json\n  kairo disasm program.json -o program.casm",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, name, err := readInput(f, args[0])
			if err != nil {
				return err
			}
			text, err := vmasm.Disassemble(name, src)
			if err != nil {
				return report(f, err)
			}
			dest := output
			if dest == "" {
				dest = "-"
			}
			return writeOutput(f, dest, []byte(text))
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output file (default: standard output)")
	return cmd
}

func readInput(f *cmdutil.Factory, path string) ([]byte, string, error) {
	if path == "-" {
		b, err := io.ReadAll(f.IO.In)
		if err != nil {
			return nil, "", fmt.Errorf("read standard input: %w", err)
		}
		return b, "<stdin>", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", path, err)
	}
	return b, path, nil
}

func writeOutput(f *cmdutil.Factory, dest string, data []byte) error {
	if dest == "-" {
		if _, err := f.IO.Out.Write(data); err != nil {
			return fmt.Errorf("write standard output: %w", err)
		}
		return nil
	}
	if err := os.WriteFile(dest, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	return nil
}

// report prints an error about the input as the one line
// FILE:LINE:COL: message (or FILE: message) and asks for exit status 1.
func report(f *cmdutil.Factory, err error) error {
	var ae *vmasm.Error
	if errors.As(err, &ae) {
		fmt.Fprintln(f.IO.ErrOut, ae.Error())
	} else {
		fmt.Fprintln(f.IO.ErrOut, err.Error())
	}
	return &cmdutil.ExitError{Code: 1}
}
