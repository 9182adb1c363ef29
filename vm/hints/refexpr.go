package hints

import (
	"fmt"
	"math/big"
	"strings"
	"unicode"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// expr is a parsed reference expression, such as "[cast(fp + (-3), felt*)]".
type expr interface{}

type (
	exprInt   struct{ v felt.Felt }
	exprReg   struct{ fp bool }
	exprDeref struct{ addr expr }
	exprCast  struct {
		e  expr
		ty cairoType
	}
	exprBin struct {
		op   byte // '+', '-', '*'
		l, r expr
		// small says r is an integer constant n of less than 62 bits,
		// which eval adds to or subtracts from an address directly.
		small bool
		n     int64
	}
	exprNeg struct{ e expr }
)

// cairoType is a Cairo type: a base name ("felt" or a struct's full name)
// and a pointer depth.
type cairoType struct {
	name string
	ptr  int
}

func (t cairoType) String() string { return t.name + strings.Repeat("*", t.ptr) }

var feltType = cairoType{name: "felt"}

func parseType(s string) cairoType {
	s = strings.TrimSpace(s)
	n := 0
	for strings.HasSuffix(s, "*") {
		s = strings.TrimSpace(s[:len(s)-1])
		n++
	}
	return cairoType{name: s, ptr: n}
}

// newBin builds a binary expression, noting a small constant right
// operand.
func newBin(op byte, l, r expr) exprBin {
	b := exprBin{op: op, l: l, r: r}
	if i, ok := r.(exprInt); ok && op != '*' {
		if u, ok := i.v.Uint64(); ok && u < 1<<62 {
			b.small, b.n = true, int64(u)
		} else if u, ok := i.v.Neg().Uint64(); ok && u < 1<<62 {
			b.small, b.n = true, -int64(u)
		}
	}
	return b
}

type parser struct {
	s   string
	pos int
}

// parseExpr parses a reference expression of the reference manager.
func parseExpr(s string) (expr, error) {
	p := &parser{s: s}
	e, err := p.sum()
	if err != nil {
		return nil, fmt.Errorf("parse reference %q: %w", s, err)
	}
	p.ws()
	if p.pos != len(p.s) {
		return nil, fmt.Errorf("parse reference %q: unexpected %q at %d", s, p.s[p.pos:], p.pos)
	}
	return e, nil
}

func (p *parser) ws() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *parser) eat(tok string) bool {
	p.ws()
	if strings.HasPrefix(p.s[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func (p *parser) sum() (expr, error) {
	l, err := p.product()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.eat("+"):
			r, err := p.product()
			if err != nil {
				return nil, err
			}
			l = newBin('+', l, r)
		case p.peekMinus():
			p.pos++
			r, err := p.product()
			if err != nil {
				return nil, err
			}
			l = newBin('-', l, r)
		default:
			return l, nil
		}
	}
}

func (p *parser) peekMinus() bool {
	p.ws()
	return p.pos < len(p.s) && p.s[p.pos] == '-'
}

func (p *parser) product() (expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.eat("*") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = newBin('*', l, r)
	}
	return l, nil
}

func (p *parser) unary() (expr, error) {
	if p.peekMinus() {
		p.pos++
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		if i, ok := e.(exprInt); ok {
			// -n is folded: the negated constant, of the same type.
			return exprInt{i.v.Neg()}, nil
		}
		return exprNeg{e}, nil
	}
	return p.atom()
}

func (p *parser) atom() (expr, error) {
	p.ws()
	switch {
	case p.eat("["):
		e, err := p.sum()
		if err != nil {
			return nil, err
		}
		if !p.eat("]") {
			return nil, fmt.Errorf("missing ]")
		}
		return exprDeref{e}, nil
	case p.eat("("):
		e, err := p.sum()
		if err != nil {
			return nil, err
		}
		if !p.eat(")") {
			return nil, fmt.Errorf("missing )")
		}
		return e, nil
	case p.eat("cast("):
		e, err := p.sum()
		if err != nil {
			return nil, err
		}
		if !p.eat(",") {
			return nil, fmt.Errorf("missing , in cast")
		}
		depth, start := 0, p.pos
		for p.pos < len(p.s) {
			c := p.s[p.pos]
			if c == '(' {
				depth++
			} else if c == ')' {
				if depth == 0 {
					break
				}
				depth--
			}
			p.pos++
		}
		ty := parseType(p.s[start:p.pos])
		if !p.eat(")") {
			return nil, fmt.Errorf("missing ) after cast type")
		}
		return exprCast{e, ty}, nil
	}
	start := p.pos
	for p.pos < len(p.s) && (unicode.IsLetter(rune(p.s[p.pos])) || unicode.IsDigit(rune(p.s[p.pos])) || p.s[p.pos] == '_') {
		p.pos++
	}
	tok := p.s[start:p.pos]
	switch tok {
	case "ap":
		return exprReg{fp: false}, nil
	case "fp":
		return exprReg{fp: true}, nil
	case "":
		return nil, fmt.Errorf("unexpected %q at %d", p.s[p.pos:], p.pos)
	}
	var v big.Int
	if _, ok := v.SetString(tok, 0); !ok {
		return nil, fmt.Errorf("unsupported token %q", tok)
	}
	return exprInt{felt.FromBigInt(&v)}, nil
}

// regs are the register values used to evaluate a reference; ap is nil
// when the reference's ap cannot be deduced (a different ap-tracking group).
type regs struct {
	ap    *memory.Relocatable
	fp    memory.Relocatable
	apErr error
}

// eval evaluates e to a value and its type.
func eval(e expr, r regs, mem *memory.Memory) (memory.Value, cairoType, error) {
	switch x := e.(type) {
	case exprInt:
		return memory.FeltValue(x.v), feltType, nil
	case exprReg:
		if x.fp {
			return memory.RelocValue(r.fp), cairoType{name: "felt", ptr: 1}, nil
		}
		if r.ap == nil {
			return memory.Value{}, cairoType{}, r.apErr
		}
		return memory.RelocValue(*r.ap), cairoType{name: "felt", ptr: 1}, nil
	case exprCast:
		v, _, err := eval(x.e, r, mem)
		return v, x.ty, err
	case exprDeref:
		a, t, err := eval(x.addr, r, mem)
		if err != nil {
			return a, t, err
		}
		if !a.IsReloc() {
			return memory.Value{}, cairoType{}, fmt.Errorf("cannot dereference the field element %s", a)
		}
		v, err := mem.Read(a.Reloc())
		if err != nil {
			return v, cairoType{}, err
		}
		if t.ptr > 0 {
			t.ptr--
		} else {
			t = feltType
		}
		return v, t, nil
	case exprNeg:
		v, t, err := eval(x.e, r, mem)
		if err != nil {
			return v, t, err
		}
		if !v.IsFelt() {
			return v, t, fmt.Errorf("cannot negate the address %s", v)
		}
		return memory.FeltValue(v.Felt().Neg()), t, nil
	case exprBin:
		l, lt, err := eval(x.l, r, mem)
		if err != nil {
			return l, lt, err
		}
		if x.small && l.IsReloc() {
			// address ± n, as Value.Add and Value.Sub compute it; the
			// constant is a felt, so the type is the address's.
			a, n := l.Reloc(), x.n
			if x.op == '-' {
				n = -n
			}
			if n >= 0 && a.Offset+uint64(n) >= a.Offset {
				return memory.RelocValue(memory.Relocatable{Segment: a.Segment, Offset: a.Offset + uint64(n)}), lt, nil
			}
			if n < 0 && uint64(-n) <= a.Offset {
				return memory.RelocValue(memory.Relocatable{Segment: a.Segment, Offset: a.Offset - uint64(-n)}), lt, nil
			}
		}
		rv, rt, err := eval(x.r, r, mem)
		if err != nil {
			return rv, rt, err
		}
		var v memory.Value
		switch x.op {
		case '+':
			v, err = l.Add(rv)
		case '-':
			v, err = l.Sub(rv)
		case '*':
			v, err = l.Mul(rv)
		}
		t := lt
		if lt.ptr == 0 && rt.ptr > 0 {
			t = rt
		}
		if x.op == '-' && lt.ptr > 0 && rt.ptr > 0 {
			t = feltType
		}
		return v, t, err
	}
	return memory.Value{}, cairoType{}, fmt.Errorf("unsupported expression %T", e)
}

// usesAP reports whether e reads the ap register.
func usesAP(e expr) bool {
	switch x := e.(type) {
	case exprReg:
		return !x.fp
	case exprCast:
		return usesAP(x.e)
	case exprDeref:
		return usesAP(x.addr)
	case exprNeg:
		return usesAP(x.e)
	case exprBin:
		return usesAP(x.l) || usesAP(x.r)
	}
	return false
}
