package felt

import (
	"math/big"
	"strings"
	"testing"
)

func TestStringForms(t *testing.T) {
	pMinus1 := new(big.Int).Sub(Prime(), big.NewInt(1))
	tests := []struct {
		in                    Felt
		hex, decimal, signedD string
	}{
		{FromUint64(0), "0x0", "0", "0"},
		{FromUint64(255), "0xff", "255", "255"},
		{FromInt64(-1), "0x800000000000011000000000000000000000000000000000000000000000000", pMinus1.String(), "-1"},
		{FromInt64(-65535), "0x800000000000010ffffffffffffffffffffffffffffffffffffffffffff0002", new(big.Int).Sub(Prime(), big.NewInt(65535)).String(), "-65535"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.hex {
			t.Errorf("String() = %s, want %s", got, tt.hex)
		}
		if got := tt.in.Decimal(); got != tt.decimal {
			t.Errorf("Decimal() = %s, want %s", got, tt.decimal)
		}
		if got := tt.in.SignedDecimal(); got != tt.signedD {
			t.Errorf("SignedDecimal() = %s, want %s", got, tt.signedD)
		}
	}
}

func TestFromString(t *testing.T) {
	tests := []struct {
		in   string
		want Felt
		ok   bool
	}{
		{"0x10", FromUint64(16), true},
		{"16", FromUint64(16), true},
		{"-1", FromInt64(-1), true},
		{"0x800000000000011000000000000000000000000000000000000000000000001", Zero, true},
		{"0x", Zero, false},
		{"", Zero, false},
		{"0xzz", Zero, false},
		{"12a", Zero, false},
	}
	for _, tt := range tests {
		got, err := FromString(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("FromString(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && got != tt.want {
			t.Errorf("FromString(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestArithmetic(t *testing.T) {
	a, b := FromUint64(7), FromUint64(3)
	if got := a.Sub(b).Add(b); got != a {
		t.Fatalf("a - b + b = %v", got)
	}
	if got := a.Div(b).Mul(b); got != a {
		t.Fatalf("a / b * b = %v", got)
	}
	if got := a.Neg().Add(a); !got.IsZero() {
		t.Fatalf("-a + a = %v", got)
	}
	if got := FromLimbs(a.Limbs()); got != a {
		t.Fatalf("FromLimbs(Limbs) = %v", got)
	}
	if u, ok := FromInt64(-1).Uint64(); ok {
		t.Fatalf("P-1 fits in uint64: %d", u)
	}
	if FromUint64(1<<40).BitLen() != 41 {
		t.Fatal("BitLen")
	}
	le := FromUint64(0x0102).BytesLE()
	if le[0] != 0x02 || le[1] != 0x01 {
		t.Fatalf("BytesLE = %x", le[:4])
	}
}

func FuzzFromString(f *testing.F) {
	for _, s := range []string{"0x1", "-5", "123456789012345678901234567890", "0x", "--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := FromString(s)
		if err != nil {
			return
		}
		if v.BigInt().Cmp(Prime()) >= 0 {
			t.Fatalf("FromString(%q) not reduced", s)
		}
	})
}

func TestParseCanonical(t *testing.T) {
	top := "0x800000000000011000000000000000000000000000000000000000000000000" // P - 1
	tests := []struct {
		in      string
		want    string // the felt in hex, or
		wantErr string
	}{
		{in: "0", want: "0x0"},
		{in: "42", want: "0x2a"},
		{in: "0x2A", want: "0x2a"},
		{in: top, want: top},
		{in: PrimeHex, wantErr: "is not below the field prime"},
		{in: "-1", wantErr: `invalid number "-1"`},
		{in: "+1", wantErr: `invalid number "+1"`},
		{in: "0x+1", wantErr: `invalid number "0x+1"`},
		{in: "0x-1", wantErr: `invalid number "0x-1"`},
		{in: "1_000", wantErr: `invalid number "1_000"`},
		{in: " 1", wantErr: `invalid number " 1"`},
		{in: "0x", wantErr: `invalid number "0x"`},
		{in: "", wantErr: `invalid number ""`},
		{in: "1.5", wantErr: `invalid number "1.5"`},
	}
	for _, tt := range tests {
		got, err := ParseCanonical(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseCanonical(%q) = %s, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseCanonical(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParseCanonical: whatever it accepts is below P and prints back to
// the same integer.
func FuzzParseCanonical(f *testing.F) {
	for _, s := range []string{"0", "42", "0x2a", PrimeHex, "-1", "0x", "1_0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseCanonical(s)
		if err != nil {
			return
		}
		want, ok := new(big.Int).SetString(strings.TrimPrefix(s, "0x"), map[bool]int{true: 16, false: 10}[strings.HasPrefix(s, "0x")])
		if !ok || want.Cmp(Prime()) >= 0 || v.BigInt().Cmp(want) != 0 {
			t.Fatalf("ParseCanonical(%q) = %s", s, v)
		}
	})
}

func TestFromBytesBECanonical(t *testing.T) {
	pm1 := MustFromString("-1").BytesBE() // P - 1
	var p, max [32]byte
	Prime().FillBytes(p[:])
	for i := range max {
		max[i] = 0xff
	}
	tests := []struct {
		name string
		in   [32]byte
		ok   bool
	}{
		{"zero", [32]byte{}, true},
		{"small", [32]byte{31: 42}, true},
		{"P - 1", pm1, true},
		{"P", p, false},
		{"2^256 - 1", max, false},
	}
	for _, tt := range tests {
		got, ok := FromBytesBECanonical(&tt.in)
		if ok != tt.ok {
			t.Errorf("%s: ok = %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if ok && got.BytesBE() != tt.in {
			t.Errorf("%s: decoded %s, which encodes as %x", tt.name, got, got.BytesBE())
		}
	}
}
