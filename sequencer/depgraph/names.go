package depgraph

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/program"
)

// StorageNames spells the keys of a Starknet block by name: a contract as
// its class's kind (or abbreviated hash) and its address
// (ERC20@0x049d...4dc7, 0x063e...6b59@0x0410...9ff1), a storage key as
// the storage variable of the contract's class it belongs to
// (ERC20_balances[0x0412...ab3c].low).
//
// Cairo 0 storage variables are found in the class's identifiers: a
// namespace X with functions X.addr, X.read and X.write. A variable
// without arguments lives at sn_keccak(name); one with arguments at the
// Pedersen chain of its arguments from there, so those arguments are only
// recoverable by trying candidates: the values the block's transactions
// carry (senders, calldata, addresses). Variables of one argument try
// every candidate; of two, every pair when there are at most
// MaxPairCandidates candidates. The following cells of a value wider than
// one felt get the struct's member names (.low, .high) or +k.
//
// The slot table of a class is built the first time a key of one of its
// contracts is named, then cached. StorageNames is safe for concurrent
// use.
type StorageNames struct {
	classOf    func(felt.Felt) *contract.Class
	candidates []felt.Felt

	mu      sync.Mutex
	tables  map[felt.Felt]map[felt.Felt]string // class hash → slot → name
	labels  map[felt.Felt]string               // contract → label
	classes map[felt.Felt]*contract.Class      // contract → class (nil: none)
}

// MaxPairCandidates bounds the candidates tried in pairs for variables of
// two arguments (their square is the number of hashes).
const MaxPairCandidates = 150

// NewStorageNames names keys with classOf (the class of a contract, nil
// when there is none or it is unknown) and the candidate arguments of
// mapped variables (duplicates are dropped).
func NewStorageNames(classOf func(felt.Felt) *contract.Class, candidates []felt.Felt) *StorageNames {
	seen := map[felt.Felt]bool{}
	var cands []felt.Felt
	for _, c := range candidates {
		if !seen[c] {
			seen[c] = true
			cands = append(cands, c)
		}
	}
	return &StorageNames{classOf: classOf, candidates: cands, tables: map[felt.Felt]map[felt.Felt]string{},
		labels: map[felt.Felt]string{}, classes: map[felt.Felt]*contract.Class{}}
}

// Short abbreviates a field element to its first and last four hex
// digits: 0x049d...4dc7 for an address (its 64-digit form, as Starknet
// tools spell addresses), 0x1234...8901 for a shorter value; a value of at
// most ten digits is written whole.
func Short(f felt.Felt) string {
	h := strings.TrimPrefix(f.String(), "0x")
	if len(h) <= 10 {
		return "0x" + h
	}
	if len(h) >= 60 {
		h = fmt.Sprintf("%064s", h)
	}
	return "0x" + h[:4] + "..." + h[len(h)-4:]
}

// ClassName is what a class is: "account" (it has __validate__ and
// __execute__), "ERC20" (transfer and balanceOf), or else its hash,
// abbreviated (0x063e...6b59).
func ClassName(c *contract.Class) string {
	has := func(name string) bool {
		_, ok := c.EntryPoint(contract.External, contract.Selector(name))
		return ok && len(c.EntryPoints[contract.External]) > 0 && c.EntryPoints[contract.External][0].Selector != contract.DefaultSelector
	}
	switch {
	case has("__validate__") && has("__execute__"):
		return "account"
	case has("transfer") && has("balanceOf"):
		return "ERC20"
	}
	return Short(c.Hash)
}

func (n *StorageNames) class(addr felt.Felt) *contract.Class {
	if c, ok := n.classes[addr]; ok {
		return c
	}
	c := n.classOf(addr)
	n.classes[addr] = c
	return c
}

// Contract labels a contract: class name and abbreviated address.
func (n *StorageNames) Contract(addr felt.Felt) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.contract(addr)
}

func (n *StorageNames) contract(addr felt.Felt) string {
	if l, ok := n.labels[addr]; ok {
		return l
	}
	l := Short(addr)
	if c := n.class(addr); c != nil {
		l = ClassName(c) + "@" + l
	}
	n.labels[addr] = l
	return l
}

// KeyName spells a key: CONTRACT:VARIABLE for a storage key of a known
// variable, CONTRACT:SLOT for another, nonce:CONTRACT and class:CONTRACT.
func (n *StorageNames) KeyName(k state.Key) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.contract(k.Contract)
	switch k.Kind {
	case state.Nonce:
		return "nonce:" + c
	case state.ClassHash:
		return "class:" + c
	}
	if cls := n.class(k.Contract); cls != nil {
		if name, ok := n.table(cls)[k.Slot]; ok {
			return c + ":" + name
		}
	}
	return c + ":" + Short(k.Slot)
}

// table returns the slot names of a class, building them once.
func (n *StorageNames) table(cls *contract.Class) map[felt.Felt]string {
	if t, ok := n.tables[cls.Hash]; ok {
		return t
	}
	t := map[felt.Felt]string{}
	add := func(base felt.Felt, name string, fields []string) {
		for i, f := range fields {
			slot := base.Add(felt.FromUint64(uint64(i)))
			if _, dup := t[slot]; !dup {
				t[slot] = name + f
			}
		}
	}
	for _, v := range StorageVars(cls.Program) {
		switch v.Args {
		case 0:
			add(txn.StorageVarAddress(v.Name), v.Name, v.Fields)
		case 1:
			for _, a := range n.candidates {
				add(txn.StorageVarAddress(v.Name, a), v.Name+"["+Short(a)+"]", v.Fields)
			}
		case 2:
			if len(n.candidates) > MaxPairCandidates {
				continue
			}
			for _, a := range n.candidates {
				for _, b := range n.candidates {
					add(txn.StorageVarAddress(v.Name, a, b), v.Name+"["+Short(a)+"]["+Short(b)+"]", v.Fields)
				}
			}
		}
	}
	n.tables[cls.Hash] = t
	return t
}

// StorageVar is a Cairo 0 storage variable of a program.
type StorageVar struct {
	// Name is the variable's name (the last part of its scope), Args the
	// number of felts of its arguments.
	Name string
	Args int
	// Fields are the suffixes of the value's cells, in order: "" for one
	// felt; .low, .high for a Uint256; +k when the member names are
	// unknown.
	Fields []string
}

// StorageVars lists a program's storage variables, sorted by name.
func StorageVars(p *program.Program) []StorageVar {
	if p == nil {
		return nil
	}
	isFn := func(name string) bool {
		id, ok := p.Identifiers[name]
		return ok && id.Type == "function"
	}
	var out []StorageVar
	for full := range p.Identifiers {
		scope, ok := strings.CutSuffix(full, ".addr")
		if !ok || !isFn(full) || !isFn(scope+".read") || !isFn(scope+".write") {
			continue
		}
		v := StorageVar{Name: scope[strings.LastIndexByte(scope, '.')+1:]}
		if a, ok := p.Identifiers[full+".Args"]; ok && a.Size != nil {
			v.Args = *a.Size
		}
		v.Fields = valueFields(p, scope)
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b StorageVar) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// valueFields returns the cell suffixes of a storage variable's value,
// from its read function's return type.
func valueFields(p *program.Program, scope string) []string {
	typ := ""
	if r, ok := p.Identifiers[scope+".read.Return"]; ok {
		t := strings.TrimSpace(r.CairoType)
		t = strings.TrimSuffix(strings.TrimPrefix(t, "("), ")")
		if i := strings.LastIndexByte(t, ':'); i >= 0 {
			t = t[i+1:]
		}
		typ = strings.TrimSpace(t)
	}
	if typ == "" || typ == "felt" || strings.HasSuffix(typ, "*") {
		return []string{""}
	}
	if fields := structFields(p, typ, 0); len(fields) > 0 {
		return fields
	}
	// Unknown layout: the size the write function takes beyond the
	// arguments.
	size := 1
	if w, ok := p.Identifiers[scope+".write.Args"]; ok && w.Size != nil {
		if a, ok := p.Identifiers[scope+".addr.Args"]; ok && a.Size != nil {
			size = max(*w.Size-*a.Size, 1)
		}
	}
	out := []string{""}
	for k := 1; k < size; k++ {
		out = append(out, fmt.Sprintf("+%d", k))
	}
	return out
}

// structFields flattens a struct type's members into dotted suffixes by
// offset; nil when the type is not a known struct.
func structFields(p *program.Program, typ string, depth int) []string {
	if depth > 8 {
		return nil
	}
	id, ok := p.Identifiers[typ]
	for i := 0; ok && id.Type == "alias" && i < 8; i++ {
		id, ok = p.Identifiers[id.Destination]
	}
	if !ok || id.Type != "struct" || id.Size == nil || *id.Size < 1 {
		return nil
	}
	out := make([]string, *id.Size)
	for name, m := range id.Members {
		sub := []string{""}
		if m.CairoType != "felt" && !strings.HasSuffix(m.CairoType, "*") {
			if s := structFields(p, m.CairoType, depth+1); s != nil {
				sub = s
			}
		}
		for i, s := range sub {
			if off := m.Offset + i; off >= 0 && off < len(out) {
				out[off] = "." + name + s
			}
		}
	}
	for i := range out {
		if out[i] == "" {
			out[i] = fmt.Sprintf("+%d", i)
		}
	}
	return out
}
