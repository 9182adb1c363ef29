package kvtx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kairo-dev/kairo/internal/jsonpos"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// ParseError is an error in a block file, at a line and column (1-based,
// columns in bytes).
type ParseError struct {
	Line, Col int
	Msg       string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// maxCost bounds a transaction's work, so a typo cannot stall a run.
const maxCost = 10 * time.Second

// ParseBlock reads a block file (docs/block-format.md). Errors are
// *ParseError: malformed JSON, unknown fields, duplicate fields or keys,
// missing fields and invalid values, each with its location.
func ParseBlock(data []byte) (*Block, error) {
	p := &parser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	root, err := p.value()
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, p.errAt(p.next(), "unexpected data after the block object")
	}
	return p.block(root)
}

// node is a JSON value with the offset where it starts.
type node struct {
	off    int64
	kind   byte // 's' string, 'n' number, 'a' array, 'o' object, 'b' bool, '0' null
	s      string
	items  []*node
	fields []field
}

type field struct {
	name string
	off  int64
	val  *node
}

func (n *node) kindName() string {
	switch n.kind {
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 'a':
		return "an array"
	case 'o':
		return "an object"
	case 'b':
		return "a boolean"
	}
	return "null"
}

type parser struct {
	data []byte
	dec  *json.Decoder
}

// pos converts a byte offset to a line and column.
func (p *parser) errAt(off int64, format string, args ...any) error {
	l, c := jsonpos.LineCol(p.data, off)
	return &ParseError{Line: l, Col: c, Msg: fmt.Sprintf(format, args...)}
}

// next is the offset where the next token starts.
func (p *parser) next() int64 { return jsonpos.SkipSpace(p.data, p.dec.InputOffset()) }

// token reads one token, turning decoder errors into located ones.
func (p *parser) token() (json.Token, int64, error) {
	off := p.next()
	tok, err := p.dec.Token()
	if err == nil {
		return tok, off, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return nil, 0, p.errAt(max(se.Offset-1, off), "malformed JSON: %s", se.Error())
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, 0, p.errAt(int64(len(p.data)), "malformed JSON: unexpected end of file")
	}
	return nil, 0, p.errAt(off, "malformed JSON: %v", err)
}

const maxDepth = 32

func (p *parser) value() (*node, error) { return p.valueAt(0) }

func (p *parser) valueAt(depth int) (*node, error) {
	tok, off, err := p.token()
	if err != nil {
		return nil, err
	}
	n := &node{off: off}
	switch t := tok.(type) {
	case string:
		n.kind, n.s = 's', t
	case json.Number:
		n.kind, n.s = 'n', string(t)
	case bool:
		n.kind = 'b'
	case nil:
		n.kind = '0'
	case json.Delim:
		if depth >= maxDepth {
			return nil, p.errAt(off, "nesting deeper than %d", maxDepth)
		}
		switch t {
		case '[':
			n.kind = 'a'
			for p.dec.More() {
				it, err := p.valueAt(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, it)
			}
		case '{':
			n.kind = 'o'
			seen := map[string]int64{}
			for p.dec.More() {
				ktok, koff, err := p.token()
				if err != nil {
					return nil, err
				}
				name, ok := ktok.(string)
				if !ok {
					return nil, p.errAt(koff, "malformed JSON: expected a field name")
				}
				if first, dup := seen[name]; dup {
					l, c := jsonpos.LineCol(p.data, first)
					return nil, p.errAt(koff, "duplicate key %q (first at %d:%d)", name, l, c)
				}
				seen[name] = koff
				v, err := p.valueAt(depth + 1)
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, field{name: name, off: koff, val: v})
			}
		}
		// the closing delimiter
		if _, _, err := p.token(); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// fieldsOf checks an object's field names against the known ones and the
// required ones, and returns the fields by name.
func (p *parser) fieldsOf(n *node, what string, known, required []string) (map[string]*field, error) {
	if n.kind != 'o' {
		return nil, p.errAt(n.off, "%s must be an object, not %s", what, n.kindName())
	}
	m := make(map[string]*field, len(n.fields))
	for i := range n.fields {
		f := &n.fields[i]
		if !slices.Contains(known, f.name) {
			return nil, p.errAt(f.off, "unknown field %q in %s (known: %s)", f.name, what, strings.Join(known, ", "))
		}
		m[f.name] = f
	}
	for _, r := range required {
		if m[r] == nil {
			return nil, p.errAt(n.off, "%s is missing field %q", what, r)
		}
	}
	return m, nil
}

func (p *parser) str(n *node, what string) (string, error) {
	if n.kind != 's' {
		return "", p.errAt(n.off, "%s must be a string, not %s", what, n.kindName())
	}
	return n.s, nil
}

func (p *parser) key(n *node, what string) (state.Key, error) {
	s, err := p.str(n, what)
	if err != nil {
		return state.Key{}, err
	}
	k, err := ParseKey(s)
	if err != nil {
		return state.Key{}, p.errAt(n.off, "%s: %v", what, err)
	}
	return k, nil
}

func (p *parser) keys(n *node, what string) ([]state.Key, error) {
	if n.kind != 'a' {
		return nil, p.errAt(n.off, "%s must be an array of keys, not %s", what, n.kindName())
	}
	ks := make([]state.Key, 0, len(n.items))
	for _, it := range n.items {
		k, err := p.key(it, what)
		if err != nil {
			return nil, err
		}
		if slices.Contains(ks, k) {
			return nil, p.errAt(it.off, "%s: duplicate key %q", what, it.s)
		}
		ks = append(ks, k)
	}
	return ks, nil
}

// felt reads a value: a string or an integer literal.
func (p *parser) felt(n *node, what string) (felt.Felt, error) {
	if n.kind != 's' && n.kind != 'n' {
		return felt.Zero, p.errAt(n.off, "%s must be a number or a string holding one, not %s", what, n.kindName())
	}
	f, err := felt.ParseCanonical(n.s)
	if err != nil {
		return felt.Zero, p.errAt(n.off, "%s: %v", what, err)
	}
	return f, nil
}

func (p *parser) duration(n *node, what string) (time.Duration, error) {
	s, err := p.str(n, what)
	if err != nil {
		return 0, err
	}
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > maxCost {
		return 0, p.errAt(n.off, "%s: invalid duration %q (want e.g. \"50us\", between 0 and %s)", what, s, maxCost)
	}
	return d, nil
}

// keyValues reads an object of key → value, rejecting two spellings of
// the same key.
func (p *parser) keyValues(n *node, what string) ([]state.KV, error) {
	if n.kind != 'o' {
		return nil, p.errAt(n.off, "%s must be an object of key: value, not %s", what, n.kindName())
	}
	out := make([]state.KV, 0, len(n.fields))
	first := make(map[state.Key]int64, len(n.fields))
	for _, f := range n.fields {
		k, err := ParseKey(f.name)
		if err != nil {
			return nil, p.errAt(f.off, "%s: %v", what, err)
		}
		if off, dup := first[k]; dup {
			l, c := jsonpos.LineCol(p.data, off)
			return nil, p.errAt(f.off, "%s: duplicate key %q (the same cell as at %d:%d)", what, f.name, l, c)
		}
		first[k] = f.off
		v, err := p.felt(f.val, fmt.Sprintf("%s[%q]", what, f.name))
		if err != nil {
			return nil, err
		}
		out = append(out, state.KV{Key: k, Value: v})
	}
	return out, nil
}

var (
	blockFields    = []string{"kairo_block", "description", "tx_cost", "sequencer", "genesis", "txs"}
	transferFields = []string{"type", "from", "to", "amount", "fee", "cost"}
	opFields       = []string{"type", "reads", "writes", "adds", "cost"}
)

func (p *parser) block(root *node) (*Block, error) {
	f, err := p.fieldsOf(root, "the block", blockFields, []string{"kairo_block", "txs"})
	if err != nil {
		return nil, err
	}
	b := &Block{Genesis: state.Map{}}
	if v := f["kairo_block"].val; v.kind != 'n' || v.s != "1" {
		return nil, p.errAt(v.off, "unsupported kairo_block version %s (this kairo reads %d)", v.s, FormatVersion)
	}
	if d := f["description"]; d != nil {
		if b.Description, err = p.str(d.val, "description"); err != nil {
			return nil, err
		}
	}
	if c := f["tx_cost"]; c != nil {
		if b.TxCost, err = p.duration(c.val, "tx_cost"); err != nil {
			return nil, err
		}
	}
	if s := f["sequencer"]; s != nil {
		if b.Sequencer, err = p.key(s.val, "sequencer"); err != nil {
			return nil, err
		}
		b.HasSeq = true
	}
	if g := f["genesis"]; g != nil {
		kvs, err := p.keyValues(g.val, "genesis")
		if err != nil {
			return nil, err
		}
		for _, kv := range kvs {
			b.Genesis[kv.Key] = kv.Value
		}
	}
	txs := f["txs"].val
	if txs.kind != 'a' {
		return nil, p.errAt(txs.off, "txs must be an array, not %s", txs.kindName())
	}
	b.Txs = make([]TxSpec, len(txs.items))
	for i, n := range txs.items {
		if err := p.tx(b, &b.Txs[i], n, fmt.Sprintf("txs[%d]", i)); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (p *parser) tx(b *Block, t *TxSpec, n *node, what string) error {
	if n.kind != 'o' {
		return p.errAt(n.off, "%s must be an object, not %s", what, n.kindName())
	}
	var typ *node
	for i := range n.fields {
		if n.fields[i].name == "type" {
			typ = n.fields[i].val
		}
	}
	if typ == nil {
		return p.errAt(n.off, "%s is missing field \"type\" (transfer or op)", what)
	}
	ts, err := p.str(typ, what+".type")
	if err != nil {
		return err
	}
	var f map[string]*field
	switch ts {
	case "transfer":
		t.Type = TypeTransfer
		if f, err = p.fieldsOf(n, what+" (transfer)", transferFields, []string{"from", "to", "amount"}); err != nil {
			return err
		}
		if t.From, err = p.key(f["from"].val, what+".from"); err != nil {
			return err
		}
		if t.To, err = p.key(f["to"].val, what+".to"); err != nil {
			return err
		}
		if t.Amount, err = p.felt(f["amount"].val, what+".amount"); err != nil {
			return err
		}
		if fee := f["fee"]; fee != nil {
			if t.Fee, err = p.felt(fee.val, what+".fee"); err != nil {
				return err
			}
			if !t.Fee.IsZero() && !b.HasSeq {
				return p.errAt(fee.off, "%s.fee needs the block's \"sequencer\" field (who receives fees)", what)
			}
		}
	case "op":
		t.Type = TypeOp
		if f, err = p.fieldsOf(n, what+" (op)", opFields, nil); err != nil {
			return err
		}
		if r := f["reads"]; r != nil {
			if t.Reads, err = p.keys(r.val, what+".reads"); err != nil {
				return err
			}
		}
		if w := f["writes"]; w != nil {
			if t.Writes, err = p.keys(w.val, what+".writes"); err != nil {
				return err
			}
		}
		if a := f["adds"]; a != nil {
			if t.Adds, err = p.keyValues(a.val, what+".adds"); err != nil {
				return err
			}
		}
	default:
		return p.errAt(typ.off, "%s.type: unknown transaction type %q (want transfer or op)", what, ts)
	}
	if c := f["cost"]; c != nil {
		if t.Cost, err = p.duration(c.val, what+".cost"); err != nil {
			return err
		}
		t.HasCost = true
	}
	return nil
}
