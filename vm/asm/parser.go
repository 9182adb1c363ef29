package asm

import (
	"math/big"
	"strings"
)

// Expressions.

type expr interface{ at() Pos }

type numExpr struct {
	v *big.Int
	p Pos
}

type regExpr struct {
	fp bool
	p  Pos
}

type identExpr struct {
	name string
	p    Pos
}

type derefExpr struct {
	addr expr
	p    Pos
}

type binExpr struct {
	op   byte // + - * /
	a, b expr
	p    Pos
}

type negExpr struct {
	x expr
	p Pos
}

func (e *numExpr) at() Pos   { return e.p }
func (e *regExpr) at() Pos   { return e.p }
func (e *identExpr) at() Pos { return e.p }
func (e *derefExpr) at() Pos { return e.p }
func (e *binExpr) at() Pos   { return e.p }
func (e *negExpr) at() Pos   { return e.p }

// Statements.

type stmtKind uint8

const (
	sLabel stmtKind = iota
	sFunc
	sBuiltins
	sConst
	sHint
	sInstr
)

type stmt struct {
	kind     stmtKind
	pos, end Pos
	name     string   // label, func, const
	names    []string // builtins
	value    expr     // const
	hint     hint
	ins      *instrAST
}

type hint struct {
	code           string
	prefixNewlines int
}

type instrKind uint8

const (
	iAssertEq  instrKind = iota
	iJmp                 // jmp rel/abs res
	iJmpLabel            // jmp label [if cond != 0]
	iJnz                 // jmp rel off if cond != 0
	iCall                // call rel/abs op1
	iCallLabel           // call label
	iRet
	iAddAP
	iDw
)

type instrAST struct {
	kind  instrKind
	rel   bool   // jmp, jnz, call: relative
	label string // iJmpLabel, iCallLabel
	a, b  expr   // assert: a = b; jmp/call/ap+=/dw: b; jnz: b offset, a condition
	incAP bool
	pos   Pos // start of the mnemonic or the dst operand
}

// maxDepth bounds the nesting of expressions.
const maxDepth = 64

type parser struct {
	toks []token
	i    int
}

// parse parses a whole source file into statements.
func parse(src string) ([]stmt, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	var out []stmt
	for p.peek().kind != tEOF {
		s, err := p.line()
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	return out, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekN(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) prevEnd() Pos {
	if p.i == 0 {
		return Pos{1, 1}
	}
	return p.toks[p.i-1].end
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == s
}

func (p *parser) isWord(s string) bool {
	t := p.peek()
	return t.kind == tIdent && t.text == s
}

func (p *parser) expectPunct(s, context string) error {
	if !p.isPunct(s) {
		t := p.peek()
		return errorf(t.pos, "expected %q %s, found %s", s, context, t)
	}
	p.next()
	return nil
}

// endOfStatement accepts an optional ';' followed by a newline or the end of
// the file.
func (p *parser) endOfStatement(what string) error {
	if p.isPunct(";") {
		p.next()
	}
	t := p.peek()
	switch t.kind {
	case tNewline:
		p.next()
		return nil
	case tEOF:
		return nil
	}
	return errorf(t.pos, "unexpected %s after %s", t, what)
}

// line parses one line: an optional label and an optional statement.
func (p *parser) line() ([]stmt, error) {
	var out []stmt
	t := p.peek()
	if t.kind == tNewline {
		p.next()
		return nil, nil
	}
	if t.kind == tIdent && p.peekN(1).kind == tPunct && p.peekN(1).text == ":" {
		if keywords[t.text] {
			return nil, errorf(t.pos, "%q is a reserved word and cannot be a label", t.text)
		}
		p.next()
		p.next()
		out = append(out, stmt{kind: sLabel, pos: t.pos, end: p.prevEnd(), name: t.text})
		if k := p.peek().kind; k == tNewline || k == tEOF {
			p.next()
			return out, nil
		}
		t = p.peek()
	}
	switch {
	case t.kind == tHint:
		p.next()
		out = append(out, stmt{kind: sHint, pos: t.pos, end: t.end, hint: parseHint(t.text)})
		return out, p.endOfStatement("a hint block")
	case t.kind == tDirective:
		s, err := p.directive()
		if err != nil {
			return nil, err
		}
		return append(out, s), nil
	case t.kind == tIdent && t.text == "func":
		p.next()
		n := p.peek()
		if n.kind != tIdent {
			return nil, errorf(n.pos, "expected a function name after func, found %s", n)
		}
		if keywords[n.text] {
			return nil, errorf(n.pos, "%q is a reserved word and cannot be a function name", n.text)
		}
		p.next()
		if err := p.expectPunct(":", "after the function name"); err != nil {
			return nil, err
		}
		out = append(out, stmt{kind: sFunc, pos: t.pos, end: p.prevEnd(), name: n.text})
		return out, p.endOfStatement("the function label")
	case t.kind == tIdent && t.text == "const":
		p.next()
		n := p.peek()
		if n.kind != tIdent || keywords[n.text] {
			return nil, errorf(n.pos, "expected a constant name after const, found %s", n)
		}
		p.next()
		if err := p.expectPunct("=", "after the constant name"); err != nil {
			return nil, err
		}
		v, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		out = append(out, stmt{kind: sConst, pos: t.pos, end: p.prevEnd(), name: n.text, value: v})
		return out, p.endOfStatement("the constant definition")
	}
	ins, err := p.instruction()
	if err != nil {
		return nil, err
	}
	out = append(out, stmt{kind: sInstr, pos: ins.pos, end: p.prevEnd(), ins: ins})
	return out, p.endOfStatement("the instruction")
}

func (p *parser) directive() (stmt, error) {
	t := p.next()
	switch t.text {
	case "%builtins":
		s := stmt{kind: sBuiltins, pos: t.pos}
		for p.peek().kind == tIdent {
			s.names = append(s.names, p.next().text)
		}
		if len(s.names) == 0 {
			return stmt{}, errorf(p.peek().pos, "expected builtin names after %%builtins, found %s", p.peek())
		}
		s.end = p.prevEnd()
		return s, p.endOfStatement("the builtin list")
	case "%lang":
		if p.peek().kind == tIdent {
			p.next()
		}
		return stmt{kind: sBuiltins, pos: t.pos, end: p.prevEnd()}, p.endOfStatement("%lang")
	}
	return stmt{}, errorf(t.pos, "unknown directive %s (expected %%builtins)", t.text)
}

// parseHint extracts the code of a hint token as cairo-lang does: newlines
// right after %{ are counted, trailing space is dropped and the lines'
// common indentation removed.
func parseHint(raw string) hint {
	body := strings.TrimSuffix(strings.TrimPrefix(raw, "%{"), "%}")
	// Leading lines made only of spaces and tabs.
	prefix := 0
	rest := body
	for {
		j := strings.IndexByte(rest, '\n')
		if j < 0 || strings.Trim(rest[:j], " \t") != "" {
			break
		}
		prefix++
		rest = rest[j+1:]
	}
	code := strings.TrimRight(rest, " \t\r\n\v\f")
	lines := strings.Split(code, "\n")
	common := -1
	for _, l := range lines {
		if l == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if common < 0 || n < common {
			common = n
		}
	}
	if common > 0 {
		for i, l := range lines {
			if len(l) >= common {
				lines[i] = l[common:]
			}
		}
		code = strings.Join(lines, "\n")
	}
	return hint{code: code, prefixNewlines: prefix}
}

func (p *parser) instruction() (*instrAST, error) {
	t := p.peek()
	ins := &instrAST{pos: t.pos}
	switch {
	case t.kind == tPunct && t.text == "[":
		a, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct("=", "in an assert_eq instruction"); err != nil {
			return nil, err
		}
		b, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		ins.kind, ins.a, ins.b = iAssertEq, a, b
	case t.kind == tIdent && t.text == "ret":
		p.next()
		ins.kind = iRet
	case t.kind == tIdent && t.text == "ap":
		p.next()
		if err := p.expectPunct("+=", "after ap"); err != nil {
			return nil, err
		}
		b, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		ins.kind, ins.b = iAddAP, b
	case t.kind == tIdent && t.text == "dw":
		p.next()
		b, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		ins.kind, ins.b = iDw, b
	case t.kind == tIdent && t.text == "jmp":
		p.next()
		if err := p.jump(ins); err != nil {
			return nil, err
		}
	case t.kind == tIdent && t.text == "call":
		p.next()
		if err := p.call(ins); err != nil {
			return nil, err
		}
	case t.kind == tIdent:
		return nil, errorf(t.pos, "unknown instruction %q", t.text)
	default:
		return nil, errorf(t.pos, "expected an instruction, a label or a directive, found %s", t)
	}
	if p.isPunct(",") {
		p.next()
		if !p.isWord("ap") || p.peekN(1).kind != tPunct || p.peekN(1).text != "++" {
			return nil, errorf(p.peek().pos, "expected \"ap++\" after \",\", found %s", p.peek())
		}
		p.next()
		p.next()
		ins.incAP = true
	}
	return ins, nil
}

func (p *parser) jump(ins *instrAST) error {
	t := p.peek()
	switch {
	case t.kind == tIdent && (t.text == "rel" || t.text == "abs"):
		p.next()
		ins.rel = t.text == "rel"
		b, err := p.expr(0)
		if err != nil {
			return err
		}
		ins.kind, ins.b = iJmp, b
		if p.isWord("if") {
			if !ins.rel {
				return errorf(p.peek().pos, "conditional jumps are relative: use \"jmp rel ... if\"")
			}
			ins.kind = iJnz
			c, err := p.condition()
			if err != nil {
				return err
			}
			ins.a = c
		}
		return nil
	case t.kind == tIdent && !keywords[t.text]:
		p.next()
		ins.kind, ins.label, ins.rel = iJmpLabel, t.text, true
		ins.b = &identExpr{name: t.text, p: t.pos}
		if p.isWord("if") {
			c, err := p.condition()
			if err != nil {
				return err
			}
			ins.a = c
		}
		return nil
	}
	return errorf(t.pos, "expected rel, abs or a label after jmp, found %s", t)
}

// condition parses `if EXPR != 0`.
func (p *parser) condition() (expr, error) {
	p.next() // if
	c, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct("!=", "in the jump condition"); err != nil {
		return nil, err
	}
	z := p.peek()
	if z.kind != tNumber || !isZero(z.text) {
		return nil, errorf(z.pos, "invalid condition: expected \"!= 0\", found \"!= %s\"", z.text)
	}
	p.next()
	return c, nil
}

func isZero(s string) bool {
	v, ok := parseNumber(s)
	return ok && v.Sign() == 0
}

func (p *parser) call(ins *instrAST) error {
	t := p.peek()
	switch {
	case t.kind == tIdent && (t.text == "rel" || t.text == "abs"):
		p.next()
		ins.rel = t.text == "rel"
		b, err := p.expr(0)
		if err != nil {
			return err
		}
		ins.kind, ins.b = iCall, b
		return nil
	case t.kind == tIdent && !keywords[t.text]:
		p.next()
		ins.kind, ins.label, ins.rel = iCallLabel, t.text, true
		ins.b = &identExpr{name: t.text, p: t.pos}
		return nil
	}
	return errorf(t.pos, "expected rel, abs or a label after call, found %s", t)
}

func parseNumber(s string) (*big.Int, bool) {
	v := new(big.Int)
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return v.SetString(s[2:], 16)
	}
	return v.SetString(s, 10)
}

// expr parses sum := product (('+'|'-') product)*.
func (p *parser) expr(depth int) (expr, error) {
	if depth > maxDepth {
		return nil, errorf(p.peek().pos, "expression nested too deeply")
	}
	return p.binaryLevel(depth, "+", "-", p.product)
}

// product parses product := unary (('*'|'/') unary)*.
func (p *parser) product(depth int) (expr, error) {
	return p.binaryLevel(depth, "*", "/", p.unary)
}

// binaryLevel parses operand ((op1|op2) operand)*, left-associative.
func (p *parser) binaryLevel(depth int, op1, op2 string, operand func(int) (expr, error)) (expr, error) {
	a, err := operand(depth)
	if err != nil {
		return nil, err
	}
	for p.isPunct(op1) || p.isPunct(op2) {
		op := p.next()
		b, err := operand(depth)
		if err != nil {
			return nil, err
		}
		a = &binExpr{op: op.text[0], a: a, b: b, p: a.at()}
	}
	return a, nil
}

func (p *parser) unary(depth int) (expr, error) {
	if p.isPunct("-") {
		t := p.next()
		if depth+1 > maxDepth {
			return nil, errorf(t.pos, "expression nested too deeply")
		}
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &negExpr{x: x, p: t.pos}, nil
	}
	return p.atom(depth)
}

func (p *parser) atom(depth int) (expr, error) {
	t := p.peek()
	switch t.kind {
	case tNumber:
		p.next()
		v, ok := parseNumber(t.text)
		if !ok {
			return nil, errorf(t.pos, "invalid number %q", t.text)
		}
		return &numExpr{v: v, p: t.pos}, nil
	case tIdent:
		switch t.text {
		case "ap", "fp":
			p.next()
			return &regExpr{fp: t.text == "fp", p: t.pos}, nil
		}
		if keywords[t.text] {
			return nil, errorf(t.pos, "expected an expression, found the reserved word %q", t.text)
		}
		p.next()
		return &identExpr{name: t.text, p: t.pos}, nil
	case tPunct:
		switch t.text {
		case "[":
			p.next()
			inner, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			if err := p.expectPunct("]", "to close the dereference"); err != nil {
				return nil, err
			}
			return &derefExpr{addr: inner, p: t.pos}, nil
		case "(":
			p.next()
			inner, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			if err := p.expectPunct(")", "to close the parenthesis"); err != nil {
				return nil, err
			}
			return inner, nil
		}
	}
	return nil, errorf(t.pos, "expected an expression, found %s", t)
}
