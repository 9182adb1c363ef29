package devnet

import (
	"math/big"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
)

func TestParseCalldata(t *testing.T) {
	p := felt.Prime()
	pMinus1 := "0x" + new(big.Int).Sub(p, big.NewInt(1)).Text(16)
	tests := []struct {
		name string
		args []string
		want []string
		err  string
	}{
		{"none", nil, []string{}, ""},
		{"empty argument", []string{""}, []string{}, ""},
		{"hex and decimal", []string{"0x1,2", "0XfF"}, []string{"0x1", "0x2", "0xff"}, ""},
		{"spaces", []string{" 0x1 , 10 "}, []string{"0x1", "0xa"}, ""},
		{"short string", []string{"'KRO',18"}, []string{"0x4b524f", "0x12"}, ""},
		{"empty short string", []string{"''"}, []string{"0x0"}, ""},
		{"largest felt", []string{pMinus1}, []string{pMinus1}, ""},
		{"prime", []string{"0x" + p.Text(16)}, nil, "calldata[0]: 0x" + p.Text(16) + " is not below the field prime"},
		{"decimal prime", []string{"1", p.String()}, nil, "calldata[1]: " + p.String() + " is not below the field prime"},
		{"negative", []string{"-1"}, nil, `calldata[0]: "-1" is neither a decimal nor a 0x-prefixed hexadecimal number`},
		{"empty item", []string{"1,,2"}, nil, "calldata[1]: empty value"},
		{"trailing comma", []string{"1,"}, nil, "calldata[1]: empty value"},
		{"bare 0x", []string{"0x"}, nil, `calldata[0]: "0x" is neither a decimal nor a 0x-prefixed hexadecimal number`},
		{"letters", []string{"abc"}, nil, `calldata[0]: "abc" is neither a decimal nor a 0x-prefixed hexadecimal number`},
		{"signed hex", []string{"0x-1"}, nil, `calldata[0]: "0x-1" is neither a decimal nor a 0x-prefixed hexadecimal number`},
		{"long short string", []string{"'" + strings.Repeat("a", 32) + "'"}, nil, "calldata[0]: short string \"" + strings.Repeat("a", 32) + "\" is longer than 31 characters"},
		{"non-ASCII short string", []string{"'é'"}, nil, "calldata[0]: short string \"é\" is not ASCII"},
		{"underscore", []string{"1_000"}, nil, `calldata[0]: "1_000" is neither a decimal nor a 0x-prefixed hexadecimal number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCalldata(tc.args)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(hexes(got), ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %v, want %v", hexes(got), tc.want)
			}
		})
	}
}

func TestParseAddressAndChainID(t *testing.T) {
	bound := "0x8" + strings.Repeat("0", 62)
	tests := []struct {
		name, in, want, err string
		parse               func(string) (felt.Felt, error)
	}{
		{"address", "0x111", "0x111", "", func(s string) (felt.Felt, error) { return ParseAddress("--from", s) }},
		{"address 2^251", bound, "", "--from: " + bound + " is not a contract address (2^251 or more)", func(s string) (felt.Felt, error) { return ParseAddress("--from", s) }},
		{"address empty", "", "", "--from: empty value", func(s string) (felt.Felt, error) { return ParseAddress("--from", s) }},
		{"chain id name", "SN_MAIN", "0x534e5f4d41494e", "", ParseChainID},
		{"chain id hex", "0x534e5f4d41494e", "0x534e5f4d41494e", "", ParseChainID},
		{"chain id empty", " ", "", "chain id: empty value", ParseChainID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got.String() != tc.want {
				t.Fatalf("got %s, %v; want %s", got, err, tc.want)
			}
		})
	}
	if s, ok := DecodeShortString(DefaultChainID); !ok || s != "SN_SEPOLIA" {
		t.Errorf("DecodeShortString(SN_SEPOLIA) = %q, %v", s, ok)
	}
	if _, ok := DecodeShortString(felt.FromUint64(0x1000)); ok {
		t.Error("0x1000 decoded as a short string")
	}
}

// FuzzParseCalldata checks that the parser never panics, that every value
// it accepts is a canonical felt, and that the hex spelling of what it
// returns parses back to the same values.
func FuzzParseCalldata(f *testing.F) {
	for _, s := range []string{"0x1,2", "'KRO',18", "", ",", "0x", "''", "'a,b'", "1,,2", "-5", "0x" + felt.Prime().Text(16), " 7 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCalldata([]string{s})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		again, err := ParseCalldata([]string{strings.Join(hexes(got), ",")})
		if err != nil {
			t.Fatalf("re-parsing %v: %v", hexes(got), err)
		}
		if len(again) != len(got) {
			t.Fatalf("%d values re-parsed as %d", len(got), len(again))
		}
		for i := range got {
			if got[i] != again[i] || got[i].BigInt().Cmp(felt.Prime()) >= 0 {
				t.Fatalf("value %d: %s re-parsed as %s", i, got[i], again[i])
			}
		}
	})
}

// FuzzParseAddress checks that accepted addresses are below 2^251 and
// errors are one line.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"0x1", "0x8" + strings.Repeat("0", 62), "123", "", "0x", "x1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress("address", s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if a.BitLen() > 251 {
			t.Fatalf("accepted %q as %s, which is 2^251 or more", s, a)
		}
	})
}
