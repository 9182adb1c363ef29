// Package hints runs the hints of compiled Cairo 0 programs natively in Go.
//
// A hint is matched by its exact code against the registry of implemented
// hints when the program is loaded; the VM then calls the compiled hint
// before the instruction at its pc. Hints reach the program's references
// through IDs (ids.x in the Python original), share state through
// execution scopes (vm_enter_scope / vm_exit_scope), and see the run's
// builtins and program input through the Runtime.
//
// A hint that kairo does not implement is compiled into one that fails
// when reached, so programs that carry unreached library hints still run.
package hints

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/kairo-dev/kairo/vm"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
	"github.com/kairo-dev/kairo/vm/program"
)

// Func implements one hint.
type Func func(c *Context) error

// Scope is one execution scope: the variables hints share.
type Scope map[string]any

// Runtime is the hint state of one run.
type Runtime struct {
	Program *program.Program
	// Builtins are the run's builtin runners by name ("ecdsa", ...); hints
	// assert the small interface they need (e.g. AddSignature).
	Builtins map[string]any
	// Scopes is the stack of execution scopes; the first one holds
	// program_input.
	Scopes []Scope
	// Funcs is the shared registry hints are matched against; it must not
	// be modified. Local hints (AddLocal) are matched first.
	Funcs map[string]Func
	local map[string]Func

	resolved map[resolveKey]*siteName
	// Out receives what hints print (print() in the Python originals).
	Out io.Writer
	// Extra is state that hint modules keep across hints (a dict manager,
	// ...), keyed by module.
	Extra map[string]any

	refs []parsedRef
}

type parsedRef struct {
	e     expr
	err   error
	group int
	off   int
	apDep bool
	// parsed is false for a reference not parsed yet (NewRuntime parses
	// references on first use; Prepare parses them all).
	parsed bool
}

func (r *parsedRef) parse(ref *program.Reference) {
	e, err := parseExpr(ref.Value)
	*r = parsedRef{e: e, err: err, group: ref.ApTrackingData.Group, off: ref.ApTrackingData.Offset, parsed: true}
	if err == nil {
		r.apDep = usesAP(e)
	}
}

// refAt returns the parsed reference idx of the program, parsing it on
// first use.
func (rt *Runtime) refAt(idx int) (*parsedRef, bool) {
	if idx < 0 || idx >= len(rt.refs) {
		return nil, false
	}
	r := &rt.refs[idx]
	if !r.parsed {
		r.parse(&rt.Program.References[idx])
	}
	return r, true
}

// NewRuntime returns the hint state of a run of p. programInput is the
// parsed --program_input JSON (nil when none).
func NewRuntime(p *program.Program, runners map[string]any, programInput any) *Runtime {
	rt := &Runtime{
		Program:  p,
		Builtins: runners,
		Funcs:    Registry(),
		Extra:    map[string]any{},
		Out:      io.Discard,
	}
	if programInput == nil {
		programInput = map[string]any{}
	}
	rt.Scopes = []Scope{{"program_input": programInput}}
	// References are parsed on first use: a run reaches few of them.
	rt.refs = make([]parsedRef, len(p.References))
	return rt
}

// Prepared is what a program's hint runtimes share and never modify: its
// references, parsed. Runs of the same program (contract calls) prepare it
// once and start each runtime with NewPreparedRuntime.
type Prepared struct {
	program *program.Program
	refs    []parsedRef
}

// Prepare parses the references of p.
func Prepare(p *program.Program) *Prepared {
	refs := make([]parsedRef, len(p.References))
	for i := range p.References {
		refs[i].parse(&p.References[i])
	}
	return &Prepared{program: p, refs: refs}
}

// NewPreparedRuntime is NewRuntime for a prepared program.
func NewPreparedRuntime(pre *Prepared, runners map[string]any, programInput any) *Runtime {
	rt := &Runtime{
		Program:  pre.program,
		Builtins: runners,
		Funcs:    Registry(),
		Extra:    map[string]any{},
		Out:      io.Discard,
		refs:     pre.refs,
	}
	if programInput == nil {
		programInput = map[string]any{}
	}
	rt.Scopes = []Scope{{"program_input": programInput}}
	return rt
}

// compiled is a hint bound to its implementation and location.
type compiled struct {
	rt    *Runtime
	hint  *program.Hint
	fn    Func
	index int
	// names caches what the names the hint uses resolve to: identifiers,
	// the hint's scopes and its reference ids never change during a run.
	names []*siteName
	// ctx is the Context of the current execution, reused from one to the
	// next (hints run one at a time and do not keep their Context).
	ctx Context
}

// Compile binds every hint of the program to its implementation and
// returns them indexed by pc, ready for vm.VM.Hints.
func (rt *Runtime) Compile() [][]vm.Hint {
	maxPC := uint64(0)
	for pc := range rt.Program.Hints {
		if pc+1 > maxPC {
			maxPC = pc + 1
		}
	}
	out := make([][]vm.Hint, maxPC)
	for pc, hs := range rt.Program.Hints {
		list := make([]vm.Hint, len(hs))
		for i := range hs {
			list[i] = &compiled{rt: rt, hint: &hs[i], fn: rt.lookup(hs[i].Code), index: i}
		}
		out[pc] = list
	}
	return out
}

// AddLocal registers a hint for this run only (contract execution adds its
// syscall hints this way), matched before the shared registry.
func (rt *Runtime) AddLocal(code string, f Func) {
	if rt.local == nil {
		rt.local = map[string]Func{}
	}
	rt.local[code] = f
	rt.local[NormalizeCode(code)] = f
}

func (rt *Runtime) lookup(code string) Func {
	if f, ok := rt.local[code]; ok {
		return f
	}
	if f, ok := rt.local[NormalizeCode(code)]; ok {
		return f
	}
	if f, ok := rt.Funcs[code]; ok {
		return f
	}
	if f, ok := rt.Funcs[NormalizeCode(code)]; ok {
		return f
	}
	return nil
}

// NormalizeCode strips trailing whitespace of every line and surrounding
// blank lines, the only textual variation compiled programs show.
func NormalizeCode(code string) string {
	lines := strings.Split(code, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// Supported reports whether a hint code is implemented.
func (rt *Runtime) Supported(code string) bool { return rt.lookup(code) != nil }

// Execute runs the hint.
func (h *compiled) Execute(m *vm.VM) error {
	if h.fn == nil {
		return &vm.UnknownHintError{Code: h.hint.Code}
	}
	c := &h.ctx
	*c = Context{VM: m, rt: h.rt, hint: h.hint, site: h}
	if err := h.fn(c); err != nil {
		return &vm.HintError{Code: h.hint.Code, Err: err}
	}
	return nil
}

// Context is what a hint implementation works with.
type Context struct {
	VM   *vm.VM
	rt   *Runtime
	hint *program.Hint
	// site is the compiled hint being executed, whose name cache lookups
	// use (nil outside hint execution).
	site *compiled
}

// Runtime returns the run's hint state.
func (c *Context) Runtime() *Runtime { return c.rt }

// Mem is the VM's memory.
func (c *Context) Mem() *memory.Memory { return c.VM.Mem }

// Code is the hint's code.
func (c *Context) Code() string { return c.hint.Code }

// Scope returns the current (innermost) execution scope.
func (c *Context) Scope() Scope { return c.rt.Scopes[len(c.rt.Scopes)-1] }

// EnterScope pushes a new scope with the given variables.
func (c *Context) EnterScope(vars Scope) {
	if vars == nil {
		vars = Scope{}
	}
	c.rt.Scopes = append(c.rt.Scopes, vars)
}

// ExitScope pops the current scope.
func (c *Context) ExitScope() error {
	if len(c.rt.Scopes) <= 1 {
		return fmt.Errorf("cannot exit the main scope")
	}
	c.rt.Scopes = c.rt.Scopes[:len(c.rt.Scopes)-1]
	return nil
}

// Get returns a variable of the current scope.
func (c *Context) Get(name string) (any, error) {
	v, ok := c.Scope()[name]
	if !ok {
		return nil, fmt.Errorf("name '%s' is not defined", name)
	}
	return v, nil
}

// Set sets a variable of the current scope.
func (c *Context) Set(name string, v any) { c.Scope()[name] = v }

// AP, FP and PC are the current registers.
func (c *Context) AP() memory.Relocatable { return c.VM.AP }
func (c *Context) FP() memory.Relocatable { return c.VM.FP }
func (c *Context) PC() memory.Relocatable { return c.VM.PC }

// Builtin returns the runner of a builtin (by name without "_builtin").
func (c *Context) Builtin(name string) (any, bool) {
	r, ok := c.rt.Builtins[name]
	return r, ok
}

// reference resolution ------------------------------------------------------

// resolve finds the identifier a hint name refers to, searching the hint's
// accessible scopes from the innermost out and following aliases.
func (c *Context) resolve(name string) (string, *program.Identifier, error) {
	n, err := c.lookup(name)
	if err != nil {
		return "", nil, err
	}
	return n.full, n.id, nil
}

// lookup returns the cached resolution of a name the hint uses.
func (c *Context) lookup(name string) (*siteName, error) {
	if s := c.site; s != nil {
		for _, n := range s.names {
			if n.name == name {
				return n, nil
			}
		}
		full, id, err := c.resolveUncached(name)
		if err != nil {
			return nil, err
		}
		n := &siteName{name: name, full: full, id: id}
		s.names = append(s.names, n)
		return n, nil
	}
	key := resolveKey{c.hint, name}
	if n, ok := c.rt.resolved[key]; ok {
		return n, nil
	}
	full, id, err := c.resolveUncached(name)
	if err != nil {
		return nil, err
	}
	if c.rt.resolved == nil {
		c.rt.resolved = map[resolveKey]*siteName{}
	}
	n := &siteName{name: name, full: full, id: id}
	c.rt.resolved[key] = n
	return n, nil
}

// resolveKey and siteName cache name resolution per hint: the
// identifiers and a hint's scopes never change during a run.
type resolveKey struct {
	hint *program.Hint
	name string
}

// siteName is a name as one hint resolves it: the identifier and, filled
// on first use, the constant's value or the reference's parsed expression.
type siteName struct {
	name string
	full string
	id   *program.Identifier

	constDone bool
	constVal  felt.Felt
	constErr  error

	refDone bool
	ref     *parsedRef
	refErr  error
}

// constValue returns the value of a const identifier.
func (n *siteName) constValue() (felt.Felt, error) {
	if !n.constDone {
		n.constVal, n.constErr = felt.FromString(n.id.Value.String())
		n.constDone = true
	}
	return n.constVal, n.constErr
}

func (c *Context) resolveUncached(name string) (string, *program.Identifier, error) {
	scopes := c.hint.AccessibleScopes
	for i := len(scopes) - 1; i >= 0; i-- {
		full := scopes[i] + "." + name
		if fn, id := c.rt.resolveFull(full); id != nil {
			return fn, id, nil
		}
	}
	if fn, id := c.rt.resolveFull(name); id != nil {
		return fn, id, nil
	}
	return "", nil, fmt.Errorf("Unknown identifier '%s'.", name)
}

// resolveFull resolves a full name, following aliases on the name and on
// its prefixes.
func (rt *Runtime) resolveFull(name string) (string, *program.Identifier) {
	ids := rt.Program.Identifiers
	for depth := 0; depth < 32; depth++ {
		if id, ok := ids[name]; ok {
			if id.Type == "alias" {
				name = id.Destination
				continue
			}
			return name, id
		}
		// An alias on a prefix: a.b.c where a.b is an alias.
		found := false
		for i := strings.LastIndexByte(name, '.'); i > 0; i = strings.LastIndexByte(name[:i], '.') {
			if id, ok := ids[name[:i]]; ok && id.Type == "alias" {
				name = id.Destination + name[i:]
				found = true
				break
			}
		}
		if !found {
			return "", nil
		}
	}
	return "", nil
}

// refValue evaluates the reference a name denotes and returns its value and
// type, and the expression it came from.
func (c *Context) refValue(name string) (memory.Value, cairoType, expr, error) {
	n, err := c.lookup(name)
	if err != nil {
		return memory.Value{}, cairoType{}, nil, err
	}
	switch n.id.Type {
	case "const":
		f, err := n.constValue()
		return memory.FeltValue(f), feltType, nil, err
	case "reference":
	default:
		return memory.Value{}, cairoType{}, nil, fmt.Errorf("Unsupported identifier type '%s' of identifier '%s'.", n.id.Type, name)
	}
	ref, err := c.nameRef(n)
	if err != nil {
		return memory.Value{}, cairoType{}, nil, err
	}
	v, t, err := evalRef(ref.e, c.regs(ref), c.VM.Mem)
	return v, t, ref.e, err
}

// nameRef returns the parsed reference a resolved name denotes at the
// hint.
func (c *Context) nameRef(n *siteName) (*parsedRef, error) {
	if !n.refDone {
		n.ref, n.refErr = c.reference(n.full, n.name)
		n.refDone = true
	}
	return n.ref, n.refErr
}

// reference returns the parsed reference of the identifier full (name as
// the hint wrote it) visible at the hint.
func (c *Context) reference(full, name string) (*parsedRef, error) {
	idx, ok := c.hint.FlowTrackingData.ReferenceIDs[full]
	if !ok {
		return nil, fmt.Errorf("Reference '%s' is revoked.", name)
	}
	ref, ok := c.rt.refAt(idx)
	if !ok {
		return nil, fmt.Errorf("reference %d of '%s' is out of range", idx, name)
	}
	if ref.err != nil {
		return nil, ref.err
	}
	return ref, nil
}

// evalRef evaluates a reference expression. A dereference of a struct
// pointer ([cast(fp, T*)], a struct-typed reference) is not read: such a
// reference denotes the struct at that address, whose cells may not be
// written yet.
func evalRef(e expr, r regs, mem *memory.Memory) (memory.Value, cairoType, error) {
	if d, ok := e.(exprDeref); ok {
		a, t, err := eval(d.addr, r, mem)
		if err != nil {
			return a, t, err
		}
		if t.ptr == 1 && t.isStruct() {
			return memory.Value{}, cairoType{name: t.name}, nil
		}
	}
	return eval(e, r, mem)
}

func (c *Context) regs(ref *parsedRef) regs {
	r := regs{fp: c.VM.FP}
	if !ref.apDep {
		return r
	}
	cur := c.hint.FlowTrackingData.ApTracking
	if cur.Group != ref.group {
		r.apErr = fmt.Errorf("ap-based reference from a different ap-tracking group (%d, now %d) cannot be evaluated", ref.group, cur.Group)
		return r
	}
	ap, err := c.VM.AP.AddInt(int64(ref.off - cur.Offset))
	if err != nil {
		r.apErr = err
		return r
	}
	r.ap = &ap
	return r
}

// IsStruct reports whether a type names a struct (not felt).
func (t cairoType) isStruct() bool { return t.name != "felt" && t.name != "" }

// Value returns ids.name: a felt or an address. For a reference of struct
// type T the value is the struct's address; for T* it is the pointer.
func (c *Context) Value(name string) (memory.Value, error) {
	v, _, err := c.valueType(name)
	return v, err
}

// valueType is Value with the type of the value (T* where Value gives the
// address of a struct T).
func (c *Context) valueType(name string) (memory.Value, cairoType, error) {
	head, rest, hasRest := strings.Cut(name, ".")
	v, t, e, err := c.refValue(head)
	if err != nil {
		return v, t, err
	}
	if t.isStruct() && t.ptr == 0 {
		d, ok := unwrapDeref(e)
		if !ok {
			return v, t, fmt.Errorf("Expected expression of type '%s' to have an address.", t)
		}
		a, _, err := eval(d.addr, c.regs(c.refFor(head)), c.VM.Mem)
		if err != nil {
			return a, t, err
		}
		v = a
		t.ptr = 1
	}
	for hasRest {
		var m string
		m, rest, hasRest = strings.Cut(rest, ".")
		if !v.IsReloc() {
			return v, t, fmt.Errorf("'%s' is not a struct reference", name)
		}
		mt, off, err := c.member(t, m)
		if err != nil {
			return v, t, err
		}
		addr := v.Reloc().Add(uint64(off))
		if mt.isStruct() && mt.ptr == 0 {
			v, t = memory.RelocValue(addr), cairoType{name: mt.name, ptr: 1}
			continue
		}
		if v, err = c.VM.Mem.Read(addr); err != nil {
			return v, t, err
		}
		t = mt
	}
	return v, t, nil
}

func (c *Context) refFor(name string) *parsedRef {
	n, err := c.lookup(name)
	if err != nil {
		return &parsedRef{}
	}
	idx, ok := c.hint.FlowTrackingData.ReferenceIDs[n.full]
	if !ok {
		return &parsedRef{}
	}
	ref, ok := c.rt.refAt(idx)
	if !ok {
		return &parsedRef{}
	}
	return ref
}

func unwrapDeref(e expr) (exprDeref, bool) {
	for {
		switch x := e.(type) {
		case exprDeref:
			return x, true
		case exprCast:
			e = x.e
		default:
			return exprDeref{}, false
		}
	}
}

// member returns the type and offset of a struct member; t is a pointer to
// the struct.
func (c *Context) member(t cairoType, name string) (cairoType, int, error) {
	if !t.isStruct() || t.ptr != 1 {
		return cairoType{}, 0, fmt.Errorf("'%s' is not a member of a struct (type %s)", name, t)
	}
	_, sd := c.rt.resolveFull(t.name)
	if sd == nil || sd.Type != "struct" {
		return cairoType{}, 0, fmt.Errorf("unknown struct %s", t.name)
	}
	m, ok := sd.Members[name]
	if !ok {
		return cairoType{}, 0, fmt.Errorf("'%s' is not a member of '%s'.", name, t.name)
	}
	return parseType(m.CairoType), m.Offset, nil
}

// Felt returns ids.name as a field element.
func (c *Context) Felt(name string) (felt.Felt, error) {
	v, err := c.Value(name)
	if err != nil {
		return felt.Zero, err
	}
	if !v.IsFelt() {
		return felt.Zero, fmt.Errorf("ids.%s: expected a field element, found the address %s", name, v)
	}
	return v.Felt(), nil
}

// Reloc returns ids.name as an address.
func (c *Context) Reloc(name string) (memory.Relocatable, error) {
	v, err := c.Value(name)
	if err != nil {
		return memory.Relocatable{}, err
	}
	if !v.IsReloc() {
		return memory.Relocatable{}, fmt.Errorf("ids.%s: expected an address, found %s", name, v)
	}
	return v.Reloc(), nil
}

// Addr returns the memory address that ids.name (a reference to memory,
// optionally with members) denotes; it is where SetValue writes.
func (c *Context) Addr(name string) (memory.Relocatable, error) {
	if !strings.Contains(name, ".") {
		n, err := c.lookup(name)
		if err != nil {
			return memory.Relocatable{}, err
		}
		if n.id.Type != "reference" {
			return memory.Relocatable{}, fmt.Errorf("%s does not reference memory and cannot be assigned.", name)
		}
		ref, err := c.nameRef(n)
		if err != nil {
			return memory.Relocatable{}, err
		}
		d, ok := unwrapDeref(ref.e)
		if !ok {
			return memory.Relocatable{}, fmt.Errorf("%s does not reference memory and cannot be assigned.", name)
		}
		a, _, err := eval(d.addr, c.regs(ref), c.VM.Mem)
		if err != nil {
			return memory.Relocatable{}, err
		}
		if !a.IsReloc() {
			return memory.Relocatable{}, fmt.Errorf("%s: address %s is not relocatable", name, a)
		}
		return a.Reloc(), nil
	}
	dot := strings.LastIndexByte(name, '.')
	parent, last := name[:dot], name[dot+1:]
	base, err := c.Value(parent)
	if err != nil {
		return memory.Relocatable{}, err
	}
	t, err := c.typeOf(parent)
	if err != nil {
		return memory.Relocatable{}, err
	}
	_, off, err := c.member(t, last)
	if err != nil {
		return memory.Relocatable{}, err
	}
	if !base.IsReloc() {
		return memory.Relocatable{}, fmt.Errorf("ids.%s is not a struct reference", parent)
	}
	return base.Reloc().Add(uint64(off)), nil
}

// typeOf returns the pointer type that Value(name) has when name denotes a
// struct (T* for both T and T* references).
func (c *Context) typeOf(name string) (cairoType, error) {
	path := strings.Split(name, ".")
	_, t, _, err := c.refValue(path[0])
	if err != nil {
		return t, err
	}
	if t.isStruct() && t.ptr == 0 {
		t.ptr = 1
	}
	for _, m := range path[1:] {
		mt, _, err := c.member(t, m)
		if err != nil {
			return t, err
		}
		if mt.isStruct() && mt.ptr == 0 {
			mt.ptr = 1
		}
		t = mt
	}
	return t, nil
}

// SetValue writes v to the memory cell ids.name denotes.
func (c *Context) SetValue(name string, v memory.Value) error {
	a, err := c.Addr(name)
	if err != nil {
		return err
	}
	return c.VM.Mem.Set(a, v)
}

// SetFelt writes a field element to ids.name.
func (c *Context) SetFelt(name string, f felt.Felt) error {
	return c.SetValue(name, memory.FeltValue(f))
}

// Const returns a constant visible from the hint (ids.NAME for a const).
func (c *Context) Const(name string) (felt.Felt, error) {
	n, err := c.lookup(name)
	if err != nil {
		return felt.Zero, err
	}
	if n.id.Type != "const" || n.id.Value == nil {
		return felt.Zero, fmt.Errorf("'%s' is not a constant", name)
	}
	return n.constValue()
}

// StructSize returns the size of a struct visible from the hint
// (ids.Name.SIZE).
func (c *Context) StructSize(name string) (int, error) {
	_, id, err := c.resolve(name)
	if err != nil {
		return 0, err
	}
	if id.Type != "struct" || id.Size == nil {
		return 0, fmt.Errorf("'%s' is not a struct", name)
	}
	return *id.Size, nil
}

// HasName reports whether ids.name resolves (hints that behave differently
// when an identifier exists use it).
func (c *Context) HasName(name string) bool {
	_, _, err := c.resolve(name)
	return err == nil
}

// registry ------------------------------------------------------------------

// Registry returns every implemented hint by exact code (and normalized
// code).
// The map is built once per process and shared; callers must not modify it.
func Registry() map[string]Func { return sharedRegistry() }

// sharedRegistry builds the registry on first use; it is never modified
// afterwards, so runs share it safely.
var sharedRegistry = sync.OnceValue(buildRegistry)

func buildRegistry() map[string]Func {
	out := map[string]Func{}
	for _, m := range modules() {
		for code, f := range m.Hints() {
			out[code] = f
			out[NormalizeCode(code)] = f
		}
	}
	return out
}

// Module is a group of implemented hints.
type Module struct {
	Name  string
	Codes []string
}

// Modules returns the implemented hints grouped by module, codes sorted.
func Modules() []Module {
	var out []Module
	for _, m := range modules() {
		mod := Module{Name: m.Name}
		for code := range m.Hints() {
			mod.Codes = append(mod.Codes, code)
		}
		sort.Strings(mod.Codes)
		out = append(out, mod)
	}
	return out
}
