package commitment

import (
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
)

func TestParseStateDiff(t *testing.T) {
	good := `{"contracts": [{"address": "0x1", "class_hash": "0xabc", "nonce": "0x0",
		"storage": {"0x5": "0x64", "0x6": "0x0"}}], "classes": [{"class_hash": "0x10", "compiled_class_hash": "0x20"}]}`
	d, err := ParseStateDiff([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	c := d.Contracts[0]
	if c.Address != felt.One || *c.ClassHash != felt.FromUint64(0xabc) || !c.Nonce.IsZero() ||
		len(c.Storage) != 2 || c.Storage[0] != (StorageWrite{felt.FromUint64(5), felt.FromUint64(0x64)}) ||
		c.Storage[1].Key != felt.FromUint64(6) || len(d.Classes) != 1 || d.Classes[0].CompiledClassHash != felt.FromUint64(0x20) {
		t.Fatalf("parsed %+v", d)
	}
	// Round trip through MarshalJSON.
	out, _ := d.MarshalJSON()
	back, err := ParseStateDiff(out)
	if err != nil {
		t.Fatalf("re-parse %s: %v", out, err)
	}
	if again, _ := back.MarshalJSON(); string(again) != string(out) {
		t.Fatalf("round trip differs:\n%s\n%s", out, again)
	}
	// Optional fields.
	if d, err := ParseStateDiff([]byte(`{"contracts": [{"address": "0x1"}]}`)); err != nil || d.Contracts[0].ClassHash != nil || d.Classes != nil {
		t.Fatalf("minimal diff: %+v, %v", d, err)
	}

	bad := []struct {
		name, in, field string
	}{
		{"unknown top field", `{"contracts": [], "blocks": 1}`, "blocks"},
		{"unknown contract field", `{"contracts": [{"address": "0x1", "balance": "0x1"}]}`, "balance"},
		{"missing contracts", `{"classes": []}`, "contracts"},
		{"missing address", `{"contracts": [{"nonce": "0x1"}]}`, "contracts[0]"},
		{"bad hex address", `{"contracts": [{"address": "0xzz"}]}`, "contracts[0].address"},
		{"decimal address", `{"contracts": [{"address": "12"}]}`, "contracts[0].address"},
		{"address too large", `{"contracts": [{"address": "0x800000000000000000000000000000000000000000000000000000000000000"}]}`, "contracts[0].address"},
		{"nonce above P", `{"contracts": [{"address": "0x1", "nonce": "0x800000000000011000000000000000000000000000000000000000000000001"}]}`, "contracts[0].nonce"},
		{"duplicate address", `{"contracts": [{"address": "0x1"}, {"address": "0x01"}]}`, "contracts[1].address"},
		{"duplicate storage key", `{"contracts": [{"address": "0x1", "storage": {"0x5": "0x1", "0x05": "0x2"}}]}`, "contracts[0].storage"},
		{"bad storage value", `{"contracts": [{"address": "0x1", "storage": {"0x5": "hello"}}]}`, `contracts[0].storage["0x5"]`},
		{"numeric storage value", `{"contracts": [{"address": "0x1", "storage": {"0x5": 5}}]}`, `contracts[0].storage["0x5"]`},
		{"storage not an object", `{"contracts": [{"address": "0x1", "storage": ["0x5"]}]}`, "contracts[0].storage"},
		{"duplicate class", `{"contracts": [], "classes": [{"class_hash": "0x1", "compiled_class_hash": "0x2"}, {"class_hash": "0x1", "compiled_class_hash": "0x3"}]}`, "classes[1].class_hash"},
		{"missing compiled", `{"contracts": [], "classes": [{"class_hash": "0x1"}]}`, "compiled_class_hash"},
		{"trailing data", `{"contracts": []} {}`, "trailing"},
		{"negative hex", `{"contracts": [{"address": "0x-1"}]}`, "contracts[0].address"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseStateDiff([]byte(tc.in))
			if err == nil {
				t.Fatalf("accepted %s", tc.in)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error %q does not name %q", err, tc.field)
			}
		})
	}
}

func FuzzParseStateDiff(f *testing.F) {
	f.Add([]byte(`{"contracts": [{"address": "0x1", "class_hash": "0xabc", "nonce": "0x0", "storage": {"0x5": "0x64"}}], "classes": [{"class_hash": "0x10", "compiled_class_hash": "0x20"}]}`))
	f.Add([]byte(`{"contracts": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseStateDiff(data)
		if err != nil {
			return
		}
		out, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseStateDiff(out)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		if again, _ := back.MarshalJSON(); string(again) != string(out) {
			t.Fatalf("round trip differs:\n%s\n%s", out, again)
		}
	})
}
