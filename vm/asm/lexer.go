package asm

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tNewline
	tIdent
	tNumber
	tHint
	tDirective
	tPunct
)

type token struct {
	kind tokKind
	text string
	pos  Pos // first rune
	end  Pos // one past the last rune
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tNewline:
		return "end of line"
	case tHint:
		return "a hint block"
	}
	return fmt.Sprintf("%q", t.text)
}

// keywords may not be used as label or constant names.
var keywords = map[string]bool{
	"ap": true, "fp": true, "jmp": true, "call": true, "ret": true, "rel": true,
	"abs": true, "if": true, "dw": true, "func": true, "const": true,
}

// puncts lists the punctuation tokens, two-rune ones first.
var puncts = []string{"++", "+=", "!=", "[", "]", "(", ")", "+", "-", "*", "/", "=", ",", ":", ";"}

type lexer struct {
	src  []rune
	i    int
	line int
	col  int
}

func isIdentStart(r rune) bool {
	return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}

func isIdentRune(r rune) bool { return isIdentStart(r) || (r >= '0' && r <= '9') }

func isHex(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
}

// tokenize splits src into tokens, ending with tEOF.
func tokenize(src string) ([]token, error) {
	if !utf8.ValidString(src) {
		line := 1 + strings.Count(src[:firstInvalid(src)], "\n")
		return nil, errorf(Pos{line, 1}, "source is not valid UTF-8")
	}
	lx := &lexer{src: []rune(src), line: 1, col: 1}
	var toks []token
	for {
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tEOF {
			return toks, nil
		}
	}
}

func firstInvalid(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return i
			}
		}
	}
	return len(s)
}

func (lx *lexer) pos() Pos { return Pos{lx.line, lx.col} }

func (lx *lexer) peekAt(k int) rune {
	if lx.i+k < len(lx.src) {
		return lx.src[lx.i+k]
	}
	return 0
}

func (lx *lexer) advance() {
	if lx.src[lx.i] == '\n' {
		lx.line++
		lx.col = 1
	} else {
		lx.col++
	}
	lx.i++
}

func (lx *lexer) next() (token, error) {
	for lx.i < len(lx.src) {
		r := lx.src[lx.i]
		switch {
		case r == ' ' || r == '\t' || r == '\r':
			lx.advance()
		case r == '#' || (r == '/' && lx.peekAt(1) == '/'):
			for lx.i < len(lx.src) && lx.src[lx.i] != '\n' {
				lx.advance()
			}
		default:
			return lx.token()
		}
	}
	return token{kind: tEOF, pos: lx.pos(), end: lx.pos()}, nil
}

func (lx *lexer) take(kind tokKind, n int) token {
	start := lx.pos()
	text := string(lx.src[lx.i : lx.i+n])
	for k := 0; k < n; k++ {
		lx.advance()
	}
	return token{kind: kind, text: text, pos: start, end: lx.pos()}
}

func (lx *lexer) token() (token, error) {
	r := lx.src[lx.i]
	start := lx.pos()
	switch {
	case r == '\n':
		return lx.take(tNewline, 1), nil
	case r == '%' && lx.peekAt(1) == '{':
		for k := lx.i + 2; k+1 < len(lx.src); k++ {
			if lx.src[k] == '%' && lx.src[k+1] == '}' {
				return lx.take(tHint, k+2-lx.i), nil
			}
		}
		return token{}, errorf(start, "unterminated hint block: %%{ without a closing %%}")
	case r == '%' && isIdentStart(lx.peekAt(1)):
		n := 1
		for isIdentRune(lx.peekAt(n)) {
			n++
		}
		return lx.take(tDirective, n), nil
	case isIdentStart(r):
		n := 1
		for {
			c := lx.peekAt(n)
			if isIdentRune(c) {
				n++
			} else if c == '.' && isIdentStart(lx.peekAt(n+1)) {
				n += 2
			} else {
				break
			}
		}
		return lx.take(tIdent, n), nil
	case r >= '0' && r <= '9':
		n := 1
		if r == '0' && (lx.peekAt(1) == 'x' || lx.peekAt(1) == 'X') {
			n = 2
			for isHex(lx.peekAt(n)) {
				n++
			}
			if n == 2 {
				return token{}, errorf(start, "invalid hexadecimal number: no digits after 0x")
			}
		} else {
			for c := lx.peekAt(n); c >= '0' && c <= '9'; c = lx.peekAt(n) {
				n++
			}
		}
		if isIdentRune(lx.peekAt(n)) {
			return token{}, errorf(start, "invalid number %q", string(lx.src[lx.i:lx.i+n+1]))
		}
		return lx.take(tNumber, n), nil
	}
	for _, p := range puncts {
		if lx.hasPrefix(p) {
			return lx.take(tPunct, len(p)), nil
		}
	}
	return token{}, errorf(start, "unexpected character %q", r)
}

func (lx *lexer) hasPrefix(p string) bool {
	k := 0
	for _, c := range p {
		if lx.peekAt(k) != c {
			return false
		}
		k++
	}
	return true
}
