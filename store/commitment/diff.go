package commitment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/kairo-dev/kairo/vm/felt"
)

// StateDiff is a set of state changes in the JSON shape
//
//	{"contracts": [{"address", "class_hash", "nonce", "storage": {key: value}}],
//	 "classes": [{"class_hash", "compiled_class_hash"}]}
//
// with 0x-prefixed hex felts. In a contract, class_hash, nonce and storage
// are optional (absent: unchanged); classes is optional. A diff may also
// carry the roots it is expected to produce (expected_storage_root per
// contract, expected_contracts_trie_root and expected_state_root at the top)
// and an "about" comment, as the published vectors do; Result.Check compares
// them.
type StateDiff struct {
	Contracts []ContractDiff
	Classes   []ClassDiff

	About                     string
	ExpectedContractsTrieRoot *felt.Felt
	ExpectedStateRoot         *felt.Felt
}

// ContractDiff is the change of one contract. Storage keeps the order of the
// JSON object.
type ContractDiff struct {
	Address   felt.Felt
	ClassHash *felt.Felt // nil: unchanged
	Nonce     *felt.Felt // nil: unchanged
	Storage   []StorageWrite

	ExpectedStorageRoot *felt.Felt
}

// StorageWrite sets one storage key; a zero value deletes it.
type StorageWrite struct {
	Key, Value felt.Felt
}

// ClassDiff declares a class (or, with a zero compiled class hash, removes
// its leaf).
type ClassDiff struct {
	ClassHash         felt.Felt
	CompiledClassHash felt.Felt
}

// ParseStateDiff parses a state diff strictly: unknown fields, missing
// required fields, malformed or out-of-range felts, storage keys of 2^251 or
// more, duplicate storage keys, addresses or class hashes, and trailing data
// are errors naming the offending field.
func ParseStateDiff(data []byte) (*StateDiff, error) {
	type rawContract struct {
		Address             *string         `json:"address"`
		ClassHash           *string         `json:"class_hash"`
		Nonce               *string         `json:"nonce"`
		Storage             json.RawMessage `json:"storage"`
		ExpectedStorageRoot *string         `json:"expected_storage_root"`
	}
	type rawClass struct {
		ClassHash         *string `json:"class_hash"`
		CompiledClassHash *string `json:"compiled_class_hash"`
	}
	var raw struct {
		About                     *string       `json:"about"`
		Contracts                 []rawContract `json:"contracts"`
		Classes                   []rawClass    `json:"classes"`
		ExpectedContractsTrieRoot *string       `json:"expected_contracts_trie_root"`
		ExpectedStateRoot         *string       `json:"expected_state_root"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("state diff: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("state diff: trailing data after the JSON object")
	}
	if raw.Contracts == nil {
		return nil, errors.New(`state diff: missing "contracts" (use [] for none)`)
	}
	d := &StateDiff{}
	var err error
	if raw.About != nil {
		d.About = *raw.About
	}
	if d.ExpectedContractsTrieRoot, err = optFelt("expected_contracts_trie_root", raw.ExpectedContractsTrieRoot); err != nil {
		return nil, err
	}
	if d.ExpectedStateRoot, err = optFelt("expected_state_root", raw.ExpectedStateRoot); err != nil {
		return nil, err
	}
	seen := make(map[felt.Felt]int)
	for i, rc := range raw.Contracts {
		field := fmt.Sprintf("contracts[%d]", i)
		if rc.Address == nil {
			return nil, fmt.Errorf("state diff: %s: missing \"address\"", field)
		}
		var c ContractDiff
		if c.Address, err = parseKey(field+".address", *rc.Address); err != nil {
			return nil, err
		}
		if j, dup := seen[c.Address]; dup {
			return nil, fmt.Errorf("state diff: %s.address: %s already given in contracts[%d]", field, c.Address, j)
		}
		seen[c.Address] = i
		if c.ClassHash, err = optFelt(field+".class_hash", rc.ClassHash); err != nil {
			return nil, err
		}
		if c.Nonce, err = optFelt(field+".nonce", rc.Nonce); err != nil {
			return nil, err
		}
		if c.ExpectedStorageRoot, err = optFelt(field+".expected_storage_root", rc.ExpectedStorageRoot); err != nil {
			return nil, err
		}
		if rc.Storage != nil {
			if c.Storage, err = parseStorage(field+".storage", rc.Storage); err != nil {
				return nil, err
			}
		}
		d.Contracts = append(d.Contracts, c)
	}
	seenClass := make(map[felt.Felt]int)
	for i, rc := range raw.Classes {
		field := fmt.Sprintf("classes[%d]", i)
		if rc.ClassHash == nil {
			return nil, fmt.Errorf("state diff: %s: missing \"class_hash\"", field)
		}
		if rc.CompiledClassHash == nil {
			return nil, fmt.Errorf("state diff: %s: missing \"compiled_class_hash\"", field)
		}
		var c ClassDiff
		if c.ClassHash, err = parseKey(field+".class_hash", *rc.ClassHash); err != nil {
			return nil, err
		}
		if j, dup := seenClass[c.ClassHash]; dup {
			return nil, fmt.Errorf("state diff: %s.class_hash: %s already given in classes[%d]", field, c.ClassHash, j)
		}
		seenClass[c.ClassHash] = i
		if c.CompiledClassHash, err = parseFelt(field+".compiled_class_hash", *rc.CompiledClassHash); err != nil {
			return nil, err
		}
		d.Classes = append(d.Classes, c)
	}
	return d, nil
}

// parseStorage reads a {key: value} object in order, rejecting duplicate
// keys (also when spelled differently, as 0x5 and 0x05).
func parseStorage(field string, data json.RawMessage) ([]StorageWrite, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("state diff: %s: %w", field, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("state diff: %s: want an object of key: value", field)
	}
	var out []StorageWrite
	seen := make(map[felt.Felt]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("state diff: %s: %w", field, err)
		}
		ks := tok.(string) // object keys are always strings
		key, err := parseKey(fmt.Sprintf("%s key %q", field, ks), ks)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("state diff: %s: key %q repeats key %q", field, ks, prev)
		}
		seen[key] = ks
		tok, err = dec.Token()
		if err != nil {
			return nil, fmt.Errorf("state diff: %s[%q]: %w", field, ks, err)
		}
		vs, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("state diff: %s[%q]: value must be a hex string", field, ks)
		}
		val, err := parseFelt(fmt.Sprintf("%s[%q]", field, ks), vs)
		if err != nil {
			return nil, err
		}
		out = append(out, StorageWrite{key, val})
	}
	return out, nil
}

var twoTo251 = new(big.Int).Lsh(big.NewInt(1), 251)

// parseFelt parses a 0x-prefixed hex felt below P.
func parseFelt(field, s string) (felt.Felt, error) {
	v, err := parseHex(s)
	if err != nil {
		return felt.Zero, fmt.Errorf("state diff: %s: %w", field, err)
	}
	if v.Cmp(felt.Prime()) >= 0 {
		return felt.Zero, fmt.Errorf("state diff: %s: %q is not below the field prime", field, s)
	}
	return felt.FromBigInt(v), nil
}

// parseKey parses a trie key: a 0x-prefixed hex value below 2^251.
func parseKey(field, s string) (felt.Felt, error) {
	v, err := parseHex(s)
	if err != nil {
		return felt.Zero, fmt.Errorf("state diff: %s: %w", field, err)
	}
	if v.Cmp(twoTo251) >= 0 {
		return felt.Zero, fmt.Errorf("state diff: %s: %q is 2^251 or more", field, s)
	}
	return felt.FromBigInt(v), nil
}

func optFelt(field string, s *string) (*felt.Felt, error) {
	if s == nil {
		return nil, nil
	}
	v, err := parseFelt(field, *s)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func parseHex(s string) (*big.Int, error) {
	if len(s) < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || len(s) > 2+64 {
		return nil, fmt.Errorf("%q is not a 0x-prefixed hex felt", s)
	}
	for _, c := range s[2:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, fmt.Errorf("%q is not a 0x-prefixed hex felt", s)
		}
	}
	v, ok := new(big.Int).SetString(s[2:], 16)
	if !ok {
		return nil, fmt.Errorf("%q is not a 0x-prefixed hex felt", s)
	}
	return v, nil
}

// MarshalJSON writes the diff in the shape ParseStateDiff reads.
func (d *StateDiff) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"contracts":[`)
	for i, c := range d.Contracts {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"address":%q`, c.Address.String())
		if c.ClassHash != nil {
			fmt.Fprintf(&b, `,"class_hash":%q`, c.ClassHash.String())
		}
		if c.Nonce != nil {
			fmt.Fprintf(&b, `,"nonce":%q`, c.Nonce.String())
		}
		if c.Storage != nil {
			b.WriteString(`,"storage":{`)
			for j, w := range c.Storage {
				if j > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `%q:%q`, w.Key.String(), w.Value.String())
			}
			b.WriteByte('}')
		}
		if c.ExpectedStorageRoot != nil {
			fmt.Fprintf(&b, `,"expected_storage_root":%q`, c.ExpectedStorageRoot.String())
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	if d.Classes != nil {
		b.WriteString(`,"classes":[`)
		for i, c := range d.Classes {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"class_hash":%q,"compiled_class_hash":%q}`, c.ClassHash.String(), c.CompiledClassHash.String())
		}
		b.WriteByte(']')
	}
	if d.About != "" {
		ab, _ := json.Marshal(d.About)
		b.WriteString(`,"about":`)
		b.Write(ab)
	}
	if d.ExpectedContractsTrieRoot != nil {
		fmt.Fprintf(&b, `,"expected_contracts_trie_root":%q`, d.ExpectedContractsTrieRoot.String())
	}
	if d.ExpectedStateRoot != nil {
		fmt.Fprintf(&b, `,"expected_state_root":%q`, d.ExpectedStateRoot.String())
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
