// Package kvtx is the built-in transaction model: transfers between
// accounts and generic read-compute-write operations over a key-value
// state, the workload generators that build blocks of them, and the block
// file format (docs/block-format.md).
//
// Accounts and named keys are storage cells of contract 0 whose storage key
// is the name as a Cairo short string ("a17" is storage:0x0:0x613137), so the
// model runs on the same state keys as Starknet contracts.
package kvtx

import (
	"fmt"
	"strings"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// maxNameLen is the longest name: a short string fits in 31 bytes.
const maxNameLen = 31

// validName reports whether s can name a key: a letter or underscore, then
// letters, digits, '_', '-' or '.', at most 31 bytes.
func validName(s string) bool {
	if s == "" || len(s) > maxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// NameKey returns the key of the named account or cell: storage of contract
// 0 at the name's short-string value.
func NameKey(name string) state.Key {
	return state.StorageKey(felt.Zero, felt.FromBytesBE([]byte(name)))
}

// ParseKey parses a key as the block file spells it: a name (see
// validName), storage:CONTRACT:SLOT, nonce:CONTRACT or class:CONTRACT, with
// felts in decimal or 0x-hexadecimal.
func ParseKey(s string) (state.Key, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		if !validName(s) {
			return state.Key{}, fmt.Errorf("invalid key %q: a name is a letter or '_' then up to 30 letters, digits, '_', '-' or '.'; other keys are storage:CONTRACT:SLOT, nonce:CONTRACT or class:CONTRACT", s)
		}
		return NameKey(s), nil
	}
	parts := strings.Split(rest, ":")
	want := 1
	if kind == "storage" {
		want = 2
	}
	if len(parts) != want {
		return state.Key{}, fmt.Errorf("invalid key %q: want storage:CONTRACT:SLOT, nonce:CONTRACT or class:CONTRACT", s)
	}
	fs := make([]felt.Felt, len(parts))
	for i, p := range parts {
		f, err := felt.ParseCanonical(p)
		if err != nil {
			return state.Key{}, fmt.Errorf("invalid key %q: %v", s, err)
		}
		fs[i] = f
	}
	switch kind {
	case "storage":
		return state.StorageKey(fs[0], fs[1]), nil
	case "nonce":
		return state.NonceKey(fs[0]), nil
	case "class":
		return state.ClassHashKey(fs[0]), nil
	}
	return state.Key{}, fmt.Errorf("invalid key %q: unknown kind %q (want storage, nonce or class)", s, kind)
}

// KeyName spells k for people: its name when it is a named key, else its
// canonical form.
func KeyName(k state.Key) string {
	if k.Kind == state.Storage && k.Contract.IsZero() && k.Slot.BitLen() <= 8*maxNameLen {
		b := k.Slot.BytesBE()
		i := 0
		for i < len(b) && b[i] == 0 {
			i++
		}
		if s := string(b[i:]); validName(s) {
			return s
		}
	}
	return k.String()
}
