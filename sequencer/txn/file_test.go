package txn

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/vm/felt"
)

// sampleFile has one transaction of each kind the format spells.
const sampleFile = `{
  "kairo_starknet_txs": 1,
  "description": "one of each",
  "transactions": [
    {"type": "INVOKE", "version": "0x1", "sender_address": "0x123", "calldata": ["0x1", 2, "3"], "nonce": "0x0", "max_fee": "1000", "signature": ["0x1", "0x2"]},
    {"type": "INVOKE", "version": "0x3", "sender_address": "0x123", "calldata": [], "nonce": 1, "signature": [],
     "resource_bounds": {"l1_gas": {"max_amount": "0x100", "max_price_per_unit": "0x5f5e100"}, "l2_gas": {"max_amount": "0x0", "max_price_per_unit": "0x0"}},
     "tip": "0x0", "paymaster_data": [], "account_deployment_data": [], "nonce_data_availability_mode": "L1", "fee_data_availability_mode": "L1"},
    {"type": "INVOKE", "version": "0x0", "impersonated": true, "sender_address": "0x5", "contract_address": "0x77", "entry_point": "increase_balance", "calldata": ["0x10"]},
    {"type": "DEPLOY_ACCOUNT", "version": "0x1", "class_hash": "0xabc", "contract_address_salt": "0x9", "constructor_calldata": ["0x9"], "nonce": "0x0", "max_fee": "0x10", "signature": ["0x1", "0x2"]},
    {"type": "L1_HANDLER", "version": "0x0", "contract_address": "0x77", "entry_point_selector": "0x2d757788a8d8d6f21d1cd40bce38a8222d70654214e96ff95d8086e684fbee5", "calldata": ["0x1", "0x2"], "nonce": "0x4"},
    {"type": "DEPLOY", "version": "0x0", "class_hash": "0xabc", "contract_address_salt": "0x1", "constructor_calldata": []}
  ]
}
`

func TestParseFile(t *testing.T) {
	f, err := ParseFile([]byte(sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	if f.Description != "one of each" || len(f.Txs) != 6 {
		t.Fatalf("%+v", f)
	}
	inv := f.Txs[0].Tx
	if inv.Type != Invoke || inv.Version != 1 || inv.Sender != felt.FromUint64(0x123) || len(inv.Calldata) != 3 ||
		inv.Calldata[1] != felt.FromUint64(2) || inv.MaxFee != felt.FromUint64(1000) || len(inv.Signature) != 2 {
		t.Errorf("invoke v1: %+v", inv)
	}
	if f.Txs[0].Line != 5 || f.Txs[0].Col != 5 {
		t.Errorf("invoke v1 at %d:%d, want 5:5", f.Txs[0].Line, f.Txs[0].Col)
	}
	v3 := f.Txs[1].Tx
	if v3.Version != 3 || v3.Nonce != felt.One || v3.ResourceBounds.L1Gas.MaxAmount != 256 || v3.ResourceBounds.L1Gas.MaxPricePerUnit != felt.FromUint64(100_000_000) {
		t.Errorf("invoke v3: %+v", v3)
	}
	imp := f.Txs[2]
	if !imp.Tx.Impersonated || imp.Tx.Contract != felt.FromUint64(0x77) || imp.EntryPoint != "increase_balance" ||
		imp.Tx.EntryPointSelector != contract.Selector("increase_balance") {
		t.Errorf("impersonated: %+v", imp.Tx)
	}
	da := f.Txs[3].Tx
	if da.Type != DeployAccount || da.ClassHash != felt.FromUint64(0xabc) || da.Salt != felt.FromUint64(9) || len(da.Calldata) != 1 {
		t.Errorf("deploy account: %+v", da)
	}
	l1 := f.Txs[4].Tx
	if l1.Type != L1Handler || l1.Sender != felt.FromUint64(0x77) || l1.Nonce != felt.FromUint64(4) {
		t.Errorf("l1 handler: %+v", l1)
	}
	// Writing and reading back gives the same transactions and hashes.
	var buf bytes.Buffer
	if err := WriteFile(&buf, f); err != nil {
		t.Fatal(err)
	}
	g, err := ParseFile(buf.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	for i := range f.Txs {
		a, b := f.Txs[i].Tx, g.Txs[i].Tx
		ha, erra := a.Hash(ChainIDSepolia)
		hb, errb := b.Hash(ChainIDSepolia)
		if a.Impersonated {
			ha, hb = a.ImpersonatedHash(ChainIDSepolia, 3), b.ImpersonatedHash(ChainIDSepolia, 3)
		}
		if ha != hb || (erra == nil) != (errb == nil) || a.Type != b.Type || a.Version != b.Version {
			t.Errorf("transaction %d changed on the round trip: %+v\n%+v", i, a, b)
		}
	}
	var again bytes.Buffer
	if err := WriteFile(&again, g); err != nil {
		t.Fatal(err)
	}
	if again.String() != buf.String() {
		t.Errorf("second write differs:\n%s\n%s", buf.String(), again.String())
	}
}

func TestIsTxsFile(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{sampleFile, true},
		{`{"kairo_block": 1, "txs": []}`, false},
		{`{"description": {"kairo_starknet_txs": 1}, "kairo_starknet_txs": 1}`, true},
		{`{"description": {"kairo_starknet_txs": 1}}`, false},
		{`[1, 2]`, false},
		{`{`, false},
	} {
		if got := IsTxsFile([]byte(tt.in)); got != tt.want {
			t.Errorf("IsTxsFile(%q) = %v", tt.in, got)
		}
	}
}

func TestParseFileErrors(t *testing.T) {
	wrap := func(tx string) string {
		return "{\n  \"kairo_starknet_txs\": 1,\n  \"transactions\": [\n    " + tx + "\n  ]\n}\n"
	}
	for _, tt := range []struct {
		name, in, want string
	}{
		{"malformed", wrap(`{"type": "INVOKE",]`), "4:23: malformed JSON"},
		{"not an object", `[]`, "1:1: a transactions file is a JSON object"},
		{"no version", `{"transactions": []}`, `1:1: missing field "kairo_starknet_txs"`},
		{"bad version", `{"kairo_starknet_txs": 2, "transactions": []}`, "1:24: kairo_starknet_txs 2: this kairo reads version 1"},
		{"unknown top field", `{"kairo_starknet_txs": 1, "txs": []}`, `1:27: unknown field "txs"`},
		{"unknown field", wrap(`{"type": "INVOKE", "version": 1, "sender": "0x1"}`), `4:38: transactions[0]: unknown field "sender"`},
		{"duplicate field", wrap(`{"type": "INVOKE", "type": "DECLARE"}`), `4:24: transactions[0]: duplicate field "type" (first at 4:6)`},
		{"unknown type", wrap(`{"type": "INVOKE_V9", "version": 1}`), `4:6: transactions[0]: unknown type "INVOKE_V9"`},
		{"missing sender", wrap(`{"type": "INVOKE", "version": "0x1", "calldata": []}`), `4:5: transactions[0] (INVOKE) is missing field "sender_address"`},
		{"bad felt", wrap(`{"type": "INVOKE", "version": "0x1", "sender_address": "0xZZ"}`), `4:42: transactions[0] (INVOKE): sender_address: invalid number "0xZZ"`},
		{"at the prime", wrap(`{"type": "INVOKE", "version": "0x1", "sender_address": "0x800000000000011000000000000000000000000000000000000000000000001"}`), `sender_address: 0x800000000000011000000000000000000000000000000000000000000000001 is not below the field prime`},
		{"bad calldata element", wrap(`{"type": "INVOKE", "version": "0x1", "sender_address": "1", "calldata": ["0x1", 2.5]}`), `4:65: transactions[0] (INVOKE): calldata[1]: invalid number "2.5"`},
		{"version too big", wrap(`{"type": "INVOKE", "version": "0x10000000000000000"}`), `version: 0x10000000000000000 does not fit in 64 bits`},
		{"negative", wrap(`{"type": "INVOKE", "version": "0x1", "sender_address": "-1"}`), `invalid number "-1"`},
		{"wrong type", wrap(`{"type": "INVOKE", "version": "0x1", "sender_address": "0x1", "calldata": "0x1"}`), `4:67: transactions[0]: calldata must be an array`},
		{"field of another type", wrap(`{"type": "INVOKE", "version": "0x1", "sender_address": "0x1", "class_hash": "0x1"}`), `4:67: transactions[0] (INVOKE): field "class_hash" does not apply to a version 1 INVOKE`},
		{"impersonated v1", wrap(`{"type": "INVOKE", "version": "0x1", "impersonated": true}`), `only version 0 INVOKEs are impersonated`},
		{"both selectors", wrap(`{"type": "L1_HANDLER", "version": "0x0", "contract_address": "0x1", "entry_point": "f", "entry_point_selector": "0x1"}`), `give entry_point_selector or entry_point, not both`},
		{"bad class", wrap(`{"type": "DECLARE", "version": "0x1", "sender_address": "0x1", "contract_class": {"abi": []}}`), `4:68: transactions[0] (DECLARE): invalid Cairo 0 contract class`},
		{"bad bound", wrap(`{"type": "INVOKE", "version": "0x3", "sender_address": "0x1", "resource_bounds": {"l3_gas": {"max_amount": "0x1", "max_price_per_unit": "0x1"}}}`), `unknown resource "l3_gas"`},
		{"trailing data", `{"kairo_starknet_txs": 1, "transactions": []} x`, "1:47: unexpected data after the transactions object"},
		{"truncated", `{"kairo_starknet_txs": 1, "transactions": [`, "malformed JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile([]byte(tt.in))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FileError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want %q", err, tt.want)
			}
		})
	}
}

// TestDeclareFile: a DECLARE carries its Cairo 0 class, whose hash is
// checked against class_hash when given.
func TestDeclareFile(t *testing.T) {
	raw := shared.ReadFixture(t, erc20File)
	cls := loadClass(t, erc20File)
	in := `{"kairo_starknet_txs": 1, "transactions": [{"type": "DECLARE", "version": "0x1", "sender_address": "0x1", "nonce": "0x0", "max_fee": "0x0", "signature": [], "contract_class": ` + string(raw) + `}]}`
	f, err := ParseFile([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if f.Txs[0].Tx.Class.Hash != cls.Hash || f.Txs[0].Tx.ClassHash != cls.Hash || len(f.Txs[0].ClassJSON) == 0 {
		t.Fatalf("declared %s, want %s", f.Txs[0].Tx.ClassHash, cls.Hash)
	}
	bad := strings.Replace(in, `"signature": []`, `"signature": [], "class_hash": "0x1"`, 1)
	if _, err := ParseFile([]byte(bad)); err == nil || !strings.Contains(err.Error(), "is not the class's hash") {
		t.Fatalf("wrong class hash: %v", err)
	}
}

// FuzzParseFile: no input makes the parser panic or fail without a
// location, and what it reads writes back to a file it reads the same.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(sampleFile))
	f.Add([]byte(`{"kairo_starknet_txs": 1, "transactions": []}`))
	f.Add([]byte(`{"kairo_starknet_txs": 1, "transactions": [{"type": "INVOKE", "version": "0x1"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseFile(data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Line < 1 || fe.Col < 1 {
				t.Fatalf("error without a location: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteFile(&buf, file); err != nil {
			t.Fatal(err)
		}
		again, err := ParseFile(buf.Bytes())
		if err != nil {
			t.Fatalf("written file does not parse: %v\n%s", err, buf.String())
		}
		if len(again.Txs) != len(file.Txs) {
			t.Fatalf("%d transactions, then %d", len(file.Txs), len(again.Txs))
		}
	})
}
