package devnet

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/kairo-dev/kairo/vm/felt"
)

// addressBound is 2^251: contract addresses and storage keys are below it.
var addressBound = new(big.Int).Lsh(big.NewInt(1), 251)

// ParseFelt parses a field element written in decimal or as 0x-prefixed
// hexadecimal. Unlike felt.FromString it refuses negative numbers and
// values of P or more instead of reducing them. what names the value in
// errors.
func ParseFelt(what, s string) (felt.Felt, error) {
	v, err := parseUint(s)
	if err != nil {
		return felt.Zero, fmt.Errorf("%s: %w", what, err)
	}
	if v.Cmp(felt.Prime()) >= 0 {
		return felt.Zero, fmt.Errorf("%s: %s is not below the field prime", what, s)
	}
	return felt.FromBigInt(v), nil
}

// ParseAddress parses a contract address: a felt below 2^251.
func ParseAddress(what, s string) (felt.Felt, error) {
	v, err := parseUint(s)
	if err != nil {
		return felt.Zero, fmt.Errorf("%s: %w", what, err)
	}
	if v.Cmp(addressBound) >= 0 {
		return felt.Zero, fmt.Errorf("%s: %s is not a contract address (2^251 or more)", what, s)
	}
	return felt.FromBigInt(v), nil
}

func parseUint(s string) (*big.Int, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, errors.New("empty value")
	}
	v := new(big.Int)
	var ok bool
	switch {
	case strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X"):
		digits := t[2:]
		ok = digits != "" && !strings.ContainsAny(digits, "+-_") && len(digits) <= 80
		if ok {
			_, ok = v.SetString(digits, 16)
		}
	default:
		ok = t[0] >= '0' && t[0] <= '9' && !strings.ContainsAny(t, "_") && len(t) <= 100
		if ok {
			_, ok = v.SetString(t, 10)
		}
	}
	if !ok {
		return nil, fmt.Errorf("%q is neither a decimal nor a 0x-prefixed hexadecimal number", s)
	}
	return v, nil
}

// ShortString encodes s as a Cairo short string: at most 31 ASCII
// characters, big-endian.
func ShortString(s string) (felt.Felt, error) {
	if len(s) > 31 {
		return felt.Zero, fmt.Errorf("short string %q is longer than 31 characters", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return felt.Zero, fmt.Errorf("short string %q is not ASCII", s)
		}
	}
	return felt.FromBytesBE([]byte(s)), nil
}

// ParseCalldata parses calldata given as one or more arguments, each a
// comma-separated list of felts: decimal, 0x-prefixed hexadecimal, or a
// short string in single quotes ('KRO'). An empty argument is an empty
// list; an empty item between commas is an error naming its position.
func ParseCalldata(args []string) ([]felt.Felt, error) {
	out := []felt.Felt{}
	for _, arg := range args {
		if strings.TrimSpace(arg) == "" {
			continue
		}
		for _, item := range strings.Split(arg, ",") {
			what := fmt.Sprintf("calldata[%d]", len(out))
			t := strings.TrimSpace(item)
			if len(t) >= 2 && t[0] == '\'' && t[len(t)-1] == '\'' {
				v, err := ShortString(t[1 : len(t)-1])
				if err != nil {
					return nil, fmt.Errorf("%s: %w", what, err)
				}
				out = append(out, v)
				continue
			}
			v, err := ParseFelt(what, t)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// ParseChainID reads a chain id: a short string such as SN_SEPOLIA, or a
// 0x-prefixed felt.
func ParseChainID(s string) (felt.Felt, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
		return ParseFelt("chain id", t)
	}
	if t == "" {
		return felt.Zero, errors.New("chain id: empty value")
	}
	v, err := ShortString(t)
	if err != nil {
		return felt.Zero, fmt.Errorf("chain id: %w", err)
	}
	return v, nil
}

// DecodeShortString returns the text of a felt that is a printable short
// string, and false otherwise.
func DecodeShortString(f felt.Felt) (string, bool) {
	if f.IsZero() {
		return "", false
	}
	b := f.BytesBE()
	i := 0
	for i < len(b) && b[i] == 0 {
		i++
	}
	for _, c := range b[i:] {
		if c < 0x20 || c > 0x7e {
			return "", false
		}
	}
	return string(b[i:]), true
}
