package felt

import (
	"math/big"
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
