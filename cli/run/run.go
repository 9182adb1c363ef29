// Package run implements `kairo run`, a drop-in for cairo-lang's cairo-run:
// the same flags (underscored or dashed), the same printed output and the
// same trace, memory and AIR input files.
package run

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/vm/builtins"
	"github.com/kairo-dev/kairo/vm/program"
	"github.com/kairo-dev/kairo/vm/runner"
)

// Options are cairo-run's flags.
type Options struct {
	IO *cmdutil.IOStreams

	Program              string
	Layout               string
	LayoutParamsFile     string
	PrintOutput          bool
	PrintInfo            bool
	PrintSegments        bool
	PrintMemory          bool
	RelocatePrints       bool
	TraceFile            string
	MemoryFile           string
	ProofMode            bool
	AirPublicInput       string
	AirPrivateInput      string
	CairoPieOutput       string
	SecureRun            optionalBool
	AllowMissingBuiltins optionalBool
	Steps                uint64
	MinSteps             uint64
	NoEnd                bool
	ProgramInput         string
	Entrypoint           string
}

// NewCmdRun builds the command; runF replaces the run function in tests.
func NewCmdRun(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "run [PROGRAM.json]",
		Short: "Run a compiled Cairo 0 program, as cairo-run does",
		Long: `Run a compiled Cairo 0 program (cairo-compile output) with cairo-run's flags and
outputs: printed output and info, trace and memory files, AIR public and
private inputs in proof mode, and Cairo PIEs. Flags may be spelled with
underscores (--print_output) or dashes (--print-output).`,
		Args:          cobra.MaximumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if opts.Program != "" && opts.Program != args[0] {
					return errors.New("give the program either as an argument or with --program, not both")
				}
				opts.Program = args[0]
			}
			if opts.Program == "" {
				return errors.New("no program given: kairo run PROGRAM.json")
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	fl := cmd.Flags()
	fl.SetNormalizeFunc(cmdutil.NormalizeUnderscores)
	fl.StringVar(&opts.Program, "program", "", "the compiled program (JSON)")
	fl.StringVar(&opts.Layout, "layout", "plain", "the layout of the Cairo AIR: "+fmt.Sprint(builtins.LayoutNames()))
	fl.StringVar(&opts.LayoutParamsFile, "cairo_layout_params_file", "", "JSON parameters of the dynamic layout")
	fl.BoolVar(&opts.PrintOutput, "print_output", false, "print the program output")
	fl.BoolVar(&opts.PrintInfo, "print_info", false, "print steps, used memory cells and registers")
	fl.BoolVar(&opts.PrintSegments, "print_segments", false, "print the segment relocation table")
	fl.BoolVar(&opts.PrintMemory, "print_memory", false, "print the memory")
	fl.BoolVar(&opts.RelocatePrints, "relocate_prints", false, "print relocated addresses in --print_memory and --print_info")
	fl.StringVar(&opts.TraceFile, "trace_file", "", "write the binary trace to this file")
	fl.StringVar(&opts.MemoryFile, "memory_file", "", "write the binary memory to this file")
	fl.BoolVar(&opts.ProofMode, "proof_mode", false, "prepare a provable execution trace")
	fl.StringVar(&opts.AirPublicInput, "air_public_input", "", "write the AIR public input (proof mode)")
	fl.StringVar(&opts.AirPrivateInput, "air_private_input", "", "write the AIR private input (proof mode)")
	fl.StringVar(&opts.CairoPieOutput, "cairo_pie_output", "", "write a Cairo PIE zip")
	fl.Var(&opts.SecureRun, "secure_run", "verify the run is secure (default: on outside proof mode)")
	fl.Lookup("secure_run").NoOptDefVal = "true"
	fl.Var(&opts.AllowMissingBuiltins, "allow_missing_builtins", "allow builtins the layout lacks (default: on in proof mode)")
	fl.Lookup("allow_missing_builtins").NoOptDefVal = "true"
	fl.Uint64Var(&opts.Steps, "steps", 0, "run exactly this many steps")
	fl.Uint64Var(&opts.MinSteps, "min_steps", 0, "run at least this many steps")
	fl.BoolVar(&opts.NoEnd, "no_end", false, "do not require the end of the program (with --steps)")
	fl.StringVar(&opts.ProgramInput, "program_input", "", "JSON file available to hints as program_input")
	fl.StringVar(&opts.Entrypoint, "entrypoint", "", "function to run instead of main")
	return cmd
}

// optionalBool is a flag that is unset, true or false (cairo-run's
// `--secure_run [True|False]`).
type optionalBool struct {
	set bool
	val bool
}

func (o *optionalBool) String() string {
	if !o.set {
		return ""
	}
	return fmt.Sprint(o.val)
}

func (o *optionalBool) Set(s string) error {
	switch s {
	case "true", "True", "1":
		o.val = true
	case "false", "False", "0":
		o.val = false
	default:
		return fmt.Errorf("expected True or False, got %q", s)
	}
	o.set = true
	return nil
}

func (o *optionalBool) Type() string { return "bool" }

func (o optionalBool) or(def bool) bool {
	if o.set {
		return o.val
	}
	return def
}

// checkArgs mirrors cairo-run's argument assertions.
func (o *Options) checkArgs() error {
	switch {
	case o.Steps != 0 && o.MinSteps != 0:
		return errors.New("--steps and --min_steps cannot be both specified.")
	case o.CairoPieOutput != "" && o.NoEnd:
		return errors.New("--no_end and --cairo_pie_output cannot be both specified.")
	case o.CairoPieOutput != "" && o.ProofMode:
		return errors.New("--proof_mode and --cairo_pie_output cannot be both specified.")
	case o.AirPublicInput != "" && !o.ProofMode:
		return errors.New("--air_public_input can only be used in proof_mode.")
	case o.AirPrivateInput != "" && !o.ProofMode:
		return errors.New("--air_private_input can only be used in proof_mode.")
	case o.AirPrivateInput != "" && o.TraceFile == "":
		return errors.New("--trace_file must be set when --air_private_input is set.")
	case o.AirPrivateInput != "" && o.MemoryFile == "":
		return errors.New("--memory_file must be set when --air_private_input is set.")
	case o.Layout == "dynamic" && o.LayoutParamsFile == "":
		return errors.New("--cairo_layout_params_file must be given with --layout dynamic.")
	case o.NoEnd && o.Steps == 0:
		return errors.New("--steps must be specified when running with --no-end.")
	}
	return nil
}

// Run runs the program as the options say.
func Run(o *Options) error {
	if err := o.checkArgs(); err != nil {
		return err
	}
	p, err := program.Load(o.Program)
	if err != nil {
		return err
	}
	var layout builtins.Layout
	if o.Layout == "dynamic" {
		b, err := os.ReadFile(o.LayoutParamsFile)
		if err != nil {
			return fmt.Errorf("read layout params: %w", err)
		}
		if layout, err = builtins.DynamicLayout(b); err != nil {
			return fmt.Errorf("layout params %s: %w", o.LayoutParamsFile, err)
		}
	} else if layout, err = builtins.LayoutByName(o.Layout); err != nil {
		return err
	}
	var input any
	if o.ProgramInput != "" {
		b, err := os.ReadFile(o.ProgramInput)
		if err != nil {
			return fmt.Errorf("read program input: %w", err)
		}
		if err := json.Unmarshal(b, &input); err != nil {
			return fmt.Errorf("program input %s: invalid JSON: %w", o.ProgramInput, err)
		}
	}
	out := bufio.NewWriterSize(o.IO.Out, 1<<16)
	defer out.Flush()
	cfg := runner.Config{
		Layout:               layout,
		ProofMode:            o.ProofMode,
		SecureRun:            o.SecureRun.or(!o.ProofMode),
		AllowMissingBuiltins: o.AllowMissingBuiltins.or(o.ProofMode),
		Steps:                o.Steps,
		MinSteps:             o.MinSteps,
		NoEnd:                o.NoEnd,
		Entrypoint:           o.Entrypoint,
		ProgramInput:         input,
		Trace:                o.TraceFile != "" || o.ProofMode,
		TrackAccesses:        o.CairoPieOutput != "",
		Stdout:               out,
	}
	r, err := runner.New(p, cfg)
	if err != nil {
		return err
	}
	// The trace and memory files are written while the program runs when
	// they can be: into files beside them that replace them once the run
	// succeeded.
	var trace, mem *streamedFile
	if o.TraceFile != "" {
		trace = startStream(o.TraceFile, func(f *os.File) fileStream { return r.StreamTrace(f) })
		defer trace.abandon()
	}
	if o.MemoryFile != "" {
		mem = startStream(o.MemoryFile, func(f *os.File) fileStream { return r.StreamMemory(f) })
		defer mem.abandon()
	}
	if err := r.Run(); err != nil {
		out.Flush()
		fmt.Fprintln(o.IO.ErrOut, r.FormatError(err))
		return &cmdutil.ExitError{Code: 1}
	}
	if o.CairoPieOutput != "" {
		if err := writeFile(o.CairoPieOutput, r.WriteCairoPie); err != nil {
			return err
		}
	}
	if err := r.Relocate(); err != nil {
		return err
	}
	// The run succeeded and its addresses are final, so the files are
	// about to be replaced, as cairo-run replaces them at this point: the
	// previous ones are emptied while the new ones are completed.
	trace.emptyPrevious()
	mem.emptyPrevious()
	if o.PrintMemory {
		r.PrintMemory(out)
	}
	if o.PrintOutput {
		if err := r.PrintOutput(out); err != nil {
			return err
		}
	}
	if o.PrintInfo {
		r.PrintInfo(out)
		if o.ProofMode && !o.NoEnd {
			u, err := r.BuiltinUsage()
			if err != nil {
				return err
			}
			fmt.Fprintln(out, u)
		}
	}
	if o.PrintSegments {
		r.PrintSegments(out)
	}
	// The trace and memory files only read the finished run, so they are
	// written at the same time.
	traceErr := make(chan error, 1)
	go func() {
		if o.TraceFile == "" {
			traceErr <- nil
			return
		}
		if trace != nil {
			traceErr <- trace.finish()
			return
		}
		traceErr <- writeFile(o.TraceFile, r.WriteTrace)
	}()
	var memErr error
	switch {
	case mem != nil:
		memErr = mem.finish()
	case o.MemoryFile != "":
		memErr = writeFile(o.MemoryFile, r.WriteMemory)
	}
	if err := <-traceErr; err != nil {
		return err
	}
	if memErr != nil {
		return memErr
	}
	if o.AirPublicInput != "" {
		b, err := r.AirPublicInput()
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.AirPublicInput, b, 0o644); err != nil {
			return fmt.Errorf("write air public input: %w", err)
		}
	}
	if o.AirPrivateInput != "" {
		tp, _ := filepath.Abs(o.TraceFile)
		mp, _ := filepath.Abs(o.MemoryFile)
		b, err := r.AirPrivateInput(tp, mp)
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.AirPrivateInput, b, 0o644); err != nil {
			return fmt.Errorf("write air private input: %w", err)
		}
	}
	return out.Flush()
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// fileStream is a file that a run writes while the program runs
// (runner.StreamTrace, runner.StreamMemory).
type fileStream interface {
	Finish() error
	Stop()
}

// streamedFile is a file written during the run into a temporary file in
// its directory, renamed over it once complete, so that a failed run
// leaves no file (or the previous one) as cairo-run does.
type streamedFile struct {
	path   string
	tmp    *os.File
	stream fileStream
	done   bool
	// emptied is closed once the previous file has been emptied.
	emptied chan struct{}
}

// emptyPrevious starts emptying the file the stream will replace.
func (t *streamedFile) emptyPrevious() {
	if t == nil || t.emptied != nil {
		return
	}
	t.emptied = make(chan struct{})
	go func() {
		defer close(t.emptied)
		emptyPrevious(t.path)
	}()
}

// waitEmptied waits for emptyPrevious to finish, if it was started.
func (t *streamedFile) waitEmptied() {
	if t.emptied != nil {
		<-t.emptied
	}
}

// startStream starts streaming a file for path; it returns nil (the file
// is then written after the run) when path exists and is not a regular
// file or no file can be created beside it.
func startStream(path string, start func(*os.File) fileStream) *streamedFile {
	var perm os.FileMode // zero: a new file's permissions
	if fi, err := os.Lstat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return nil
		}
		perm = fi.Mode().Perm()
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	tmp, err := createBeside(path)
	if err != nil {
		return nil
	}
	if perm != 0 {
		if err := tmp.Chmod(perm); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return nil
		}
	}
	return &streamedFile{path: path, tmp: tmp, stream: start(tmp)}
}

// createBeside creates a new file in path's directory with the permissions
// os.Create gives (0666 less the umask), under an unused hidden name.
func createBeside(path string) (*os.File, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	var err error
	for range 10 {
		var f *os.File
		name := filepath.Join(dir, fmt.Sprintf(".%s.%d-%d.tmp", base, os.Getpid(), rand.Uint32()))
		f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
	}
	return nil, err
}

// finish completes the file and moves it into place.
func (t *streamedFile) finish() error {
	t.done = true
	err := t.stream.Finish()
	if cerr := t.tmp.Close(); err == nil {
		err = cerr
	}
	t.waitEmptied()
	if err == nil {
		err = os.Rename(t.tmp.Name(), t.path)
	}
	if err != nil {
		os.Remove(t.tmp.Name())
		return fmt.Errorf("write %s: %w", t.path, err)
	}
	return nil
}

// abandon removes the temporary file of a stream that was not finished.
func (t *streamedFile) abandon() {
	if t == nil || t.done {
		return
	}
	t.waitEmptied()
	t.stream.Stop()
	t.tmp.Close()
	os.Remove(t.tmp.Name())
}
