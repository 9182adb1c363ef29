package kvtx

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

const goodBlock = `{
  "kairo_block": 1,
  "description": "two accounts and a fee",
  "tx_cost": "5us",
  "sequencer": "seq",
  "genesis": {
    "alice": "100",
    "bob": 7,
    "storage:0x1:0x2": "0x10",
    "nonce:0x1": "3"
  },
  "txs": [
    {"type": "transfer", "from": "alice", "to": "bob", "amount": "10", "fee": "1"},
    {"type": "op", "reads": ["bob", "storage:0x1:0x2"], "writes": ["class:0x1"], "adds": {"seq": "2"}, "cost": "1ms"},
    {"type": "op"}
  ]
}
`

func TestParseBlock(t *testing.T) {
	b, err := ParseBlock([]byte(goodBlock))
	if err != nil {
		t.Fatal(err)
	}
	if b.Description != "two accounts and a fee" || b.TxCost != 5*time.Microsecond || !b.HasSeq || b.Sequencer != NameKey("seq") {
		t.Fatalf("header %+v", b)
	}
	want := state.Map{
		NameKey("alice"): felt.FromUint64(100),
		NameKey("bob"):   felt.FromUint64(7),
		state.StorageKey(felt.One, felt.FromUint64(2)): felt.FromUint64(16),
		state.NonceKey(felt.One):                       felt.FromUint64(3),
	}
	if len(b.Genesis) != len(want) {
		t.Fatalf("genesis %v", b.Genesis)
	}
	for k, v := range want {
		if b.Genesis[k] != v {
			t.Fatalf("genesis[%s] = %s, want %s", k, b.Genesis[k], v)
		}
	}
	tr := b.Txs[0]
	if tr.Type != TypeTransfer || tr.From != NameKey("alice") || tr.To != NameKey("bob") || tr.Amount != felt.FromUint64(10) || tr.Fee != felt.One || tr.HasCost {
		t.Fatalf("tx 0 %+v", tr)
	}
	op := b.Txs[1]
	if op.Type != TypeOp || len(op.Reads) != 2 || op.Writes[0] != state.ClassHashKey(felt.One) || op.Adds[0].Value != felt.FromUint64(2) || op.Cost != time.Millisecond {
		t.Fatalf("tx 1 %+v", op)
	}
	if c := b.Costs(); c[0] != 5*time.Microsecond || c[1] != time.Millisecond {
		t.Fatalf("costs %v", c)
	}
}

// TestParseErrors: every bad block gets a clear message at the right place.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"malformed", "{\n  \"kairo_block\": 1,\n  \"txs\": [}\n", `3:11: malformed JSON`},
		{"truncated", "{\"kairo_block\": 1, \"txs\": [", `1:28: malformed JSON: unexpected end of file`},
		{"empty", "", `1:1: malformed JSON: unexpected end of file`},
		{"trailing", "{\"kairo_block\": 1, \"txs\": []} []", `1:32: unexpected data after the block object`},
		{"not an object", "[1]", `1:1: the block must be an object, not an array`},
		{"unknown field", "{\"kairo_block\": 1,\n \"tx\": []}", `2:2: unknown field "tx" in the block (known: kairo_block, description, tx_cost, sequencer, genesis, txs)`},
		{"missing version", "{\"txs\": []}", `1:1: the block is missing field "kairo_block"`},
		{"missing txs", "{\"kairo_block\": 1}", `1:1: the block is missing field "txs"`},
		{"version", "{\"kairo_block\": 2, \"txs\": []}", `1:17: unsupported kairo_block version 2 (this kairo reads 1)`},
		{"duplicate field", "{\"kairo_block\": 1, \"txs\": [],\n\"txs\": []}", `2:1: duplicate key "txs" (first at 1:20)`},
		{"duplicate genesis key", "{\"kairo_block\": 1, \"txs\": [], \"genesis\": {\"a\": 1,\n \"a\": 2}}", `2:2: duplicate key "a" (first at 1:43)`},
		{"same cell twice", "{\"kairo_block\": 1, \"txs\": [], \"genesis\": {\"a\": 1,\n \"storage:0:0x61\": 2}}", `2:2: genesis: duplicate key "storage:0:0x61" (the same cell as at 1:43)`},
		{"bad key", "{\"kairo_block\": 1, \"txs\": [], \"genesis\": {\"1a\": 1}}", `1:43: genesis: invalid key "1a"`},
		{"bad value", "{\"kairo_block\": 1, \"txs\": [], \"genesis\": {\"a\": \"-1\"}}", `1:48: genesis["a"]: invalid number "-1"`},
		{"big value", "{\"kairo_block\": 1, \"txs\": [], \"genesis\": {\"a\": \"0x800000000000011000000000000000000000000000000000000000000000001\"}}", `is not below the field prime`},
		{"float value", "{\"kairo_block\": 1, \"txs\": [], \"genesis\": {\"a\": 1.5}}", `1:48: genesis["a"]: invalid number "1.5"`},
		{"tx not object", "{\"kairo_block\": 1, \"txs\": [3]}", `1:28: txs[0] must be an object, not a number`},
		{"tx no type", "{\"kairo_block\": 1, \"txs\": [\n  {\"from\": \"a\"}]}", `2:3: txs[0] is missing field "type" (transfer or op)`},
		{"tx bad type", "{\"kairo_block\": 1, \"txs\": [{\"type\": \"swap\"}]}", `1:37: txs[0].type: unknown transaction type "swap" (want transfer or op)`},
		{"transfer missing to", "{\"kairo_block\": 1, \"txs\": [\n {\"type\": \"transfer\", \"from\": \"a\", \"amount\": 1}]}", `2:2: txs[0] (transfer) is missing field "to"`},
		{"transfer unknown field", "{\"kairo_block\": 1, \"txs\": [{\"type\": \"transfer\", \"form\": \"a\"}]}", `1:49: unknown field "form" in txs[0] (transfer)`},
		{"tx duplicate field", "{\"kairo_block\": 1, \"txs\": [{\"type\": \"op\", \"reads\": [], \"reads\": []}]}", `1:56: duplicate key "reads" (first at 1:43)`},
		{"fee without sequencer", "{\"kairo_block\": 1, \"txs\": [{\"type\": \"transfer\", \"from\": \"a\", \"to\": \"b\", \"amount\": 1, \"fee\": 1}]}", `txs[0].fee needs the block's "sequencer" field`},
		{"op duplicate read", "{\"kairo_block\": 1, \"txs\": [{\"type\": \"op\", \"reads\": [\"a\", \"a\"]}]}", `1:58: txs[0].reads: duplicate key "a"`},
		{"op reads not array", "{\"kairo_block\": 1, \"txs\": [{\"type\": \"op\", \"reads\": \"a\"}]}", `1:52: txs[0].reads must be an array of keys, not a string`},
		{"bad cost", "{\"kairo_block\": 1, \"tx_cost\": \"fast\", \"txs\": []}", `1:31: tx_cost: invalid duration "fast"`},
		{"negative cost", "{\"kairo_block\": 1, \"txs\": [{\"type\": \"op\", \"cost\": \"-1us\"}]}", `txs[0].cost: invalid duration "-1us"`},
		{"deep", "{\"kairo_block\": 1, \"txs\": " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "}", `nesting deeper than 32`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBlock([]byte(tt.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n  %v\nwant it to contain\n  %s", err, tt.want)
			}
		})
	}
}

// TestRoundTrip: a generated block written and parsed again is the same
// block, and writing it again gives the same bytes.
func TestRoundTrip(t *testing.T) {
	for _, w := range Workloads {
		b, err := Generate(GenConfig{Workload: w, Txs: 50, Accounts: 7, TxCost: 3 * time.Microsecond, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		var one, two bytes.Buffer
		if err := b.WriteJSON(&one); err != nil {
			t.Fatal(err)
		}
		p, err := ParseBlock(one.Bytes())
		if err != nil {
			t.Fatalf("%s: %v\n%s", w, err, one.String())
		}
		p.WriteJSON(&two)
		if one.String() != two.String() {
			t.Fatalf("%s: second write differs", w)
		}
		if len(p.Txs) != 50 || len(p.Genesis) != len(b.Genesis) {
			t.Fatalf("%s: %d txs, %d genesis keys", w, len(p.Txs), len(p.Genesis))
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	for _, w := range Workloads {
		var a, b bytes.Buffer
		for _, buf := range []*bytes.Buffer{&a, &b} {
			blk, err := Generate(GenConfig{Workload: w, Txs: 30, Accounts: 5, Seed: 4})
			if err != nil {
				t.Fatal(err)
			}
			blk.WriteJSON(buf)
		}
		if a.String() != b.String() {
			t.Fatalf("%s: same seed, different blocks", w)
		}
	}
	if _, err := Generate(GenConfig{Workload: "nope", Txs: 1}); err == nil {
		t.Fatal("unknown workload accepted")
	}
	if _, err := Generate(GenConfig{Workload: "transfers", Txs: 1, Accounts: 1}); err == nil {
		t.Fatal("transfers over one account accepted")
	}
}

func TestKeys(t *testing.T) {
	for _, tt := range []struct{ in, canon string }{
		{"a17", "a17"},
		{"_x.y-z", "_x.y-z"},
		{"storage:0x0:0x616c696365", "alice"},
		{"storage:1:2", "storage:0x1:0x2"},
		{"nonce:0x5", "nonce:0x5"},
		{"class:12", "class:0xc"},
		{"storage:0:0", "storage:0x0:0x0"},
	} {
		k, err := ParseKey(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got := KeyName(k); got != tt.canon {
			t.Fatalf("KeyName(ParseKey(%q)) = %q, want %q", tt.in, got, tt.canon)
		}
		if k2, err := ParseKey(KeyName(k)); err != nil || k2 != k {
			t.Fatalf("%s does not round-trip", tt.in)
		}
	}
	for _, bad := range []string{"", "9a", "a b", "storage:1", "nonce:1:2", "coin:1", "storage:x:1", "storage:-1:1", strings.Repeat("a", 32)} {
		if _, err := ParseKey(bad); err == nil {
			t.Fatalf("ParseKey(%q) accepted", bad)
		}
	}
}

func TestTransfer(t *testing.T) {
	a, b, seq := NameKey("a"), NameKey("b"), NameKey("seq")
	blk := &Block{Genesis: state.Map{a: felt.FromUint64(10)}, Sequencer: seq, HasSeq: true, Txs: []TxSpec{
		{Type: TypeTransfer, From: a, To: b, Amount: felt.FromUint64(6), Fee: felt.FromUint64(1)},
		{Type: TypeTransfer, From: a, To: b, Amount: felt.FromUint64(6)}, // 3 left: fails
		{Type: TypeTransfer, From: b, To: b, Amount: felt.FromUint64(1), Fee: felt.FromUint64(2)},
	}}
	r, err := sequential(blk)
	if err != nil {
		t.Fatal(err)
	}
	if r.Txs[1].Err == nil || !strings.Contains(r.Txs[1].Err.Error(), "insufficient balance: a holds 3, needs 6") {
		t.Fatalf("tx 1: %v", r.Txs[1].Err)
	}
	want := map[state.Key]uint64{a: 3, b: 4, seq: 3}
	for _, kv := range r.Diff {
		if kv.Value != felt.FromUint64(want[kv.Key]) {
			t.Fatalf("%s = %s, want %d", KeyName(kv.Key), kv.Value.Decimal(), want[kv.Key])
		}
	}
}

// FuzzParseBlock: the parser never panics, and what it accepts it writes
// back into a block it parses the same way.
func FuzzParseBlock(f *testing.F) {
	f.Add([]byte(goodBlock))
	f.Add([]byte(`{"kairo_block": 1, "txs": []}`))
	f.Add([]byte(`{"kairo_block": 1, "txs": [{"type": "op", "reads": ["a"], "writes": ["b"]}]}`))
	f.Add([]byte(`{"kairo_block": 1, "genesis": {"a": "0x1"}, "txs": [{"type": "transfer", "from": "a", "to": "b", "amount": 1}]}`))
	f.Add([]byte(`{"kairo_block": 1, "txs": [}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBlock(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Col < 1 {
				t.Fatalf("error without location: %v", err)
			}
			return
		}
		var one, two bytes.Buffer
		if err := b.WriteJSON(&one); err != nil {
			t.Fatal(err)
		}
		b2, err := ParseBlock(one.Bytes())
		if err != nil {
			t.Fatalf("written block does not parse: %v\n%s", err, one.String())
		}
		b2.WriteJSON(&two)
		if one.String() != two.String() {
			t.Fatalf("round trip differs:\n%s\n%s", one.String(), two.String())
		}
	})
}
