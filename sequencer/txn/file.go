package txn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/kairo-dev/kairo/internal/jsonpos"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/vm/felt"
)

// FileTag is the top-level field that marks a transactions file
// (docs/block-format.md); its value is the format version, FileVersion.
const (
	FileTag     = "kairo_starknet_txs"
	FileVersion = 1
)

// File is a block of Starknet transactions as a transactions file holds
// them.
type File struct {
	Description string
	Txs         []*FileTx
}

// FileTx is one transaction of a file.
type FileTx struct {
	Tx *Tx
	// ClassJSON is a DECLARE's contract_class as given (compacted): the
	// devnet keeps it with the transaction.
	ClassJSON json.RawMessage
	// EntryPoint is the function name given instead of a selector.
	EntryPoint string
	// Line and Col locate the transaction in its file.
	Line, Col int
}

// FileError is an error in a transactions file, at a line and column
// (1-based, columns in bytes).
type FileError struct {
	Line, Col int
	Msg       string
}

func (e *FileError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// IsTxsFile reports whether data is a JSON object with the FileTag field:
// a transactions file rather than another kind of block file.
func IsTxsFile(data []byte) bool {
	d := json.NewDecoder(bytes.NewReader(data))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return false
		}
		if t == FileTag {
			return true
		}
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return false
		}
	}
	return false
}

// fileParser locates errors in one file.
type fileParser struct{ data []byte }

func (p *fileParser) errAt(off int64, format string, args ...any) error {
	l, c := jsonpos.LineCol(p.data, off)
	return &FileError{Line: l, Col: c, Msg: fmt.Sprintf(format, args...)}
}

func (p *fileParser) syntax(err error, at int64) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return p.errAt(max(se.Offset-1, at), "malformed JSON: %s", se.Error())
	case errors.As(err, &te):
		return p.errAt(at, "%s must be %s, not %s", te.Field, article(te.Type.String()), te.Value)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return p.errAt(int64(len(p.data)), "malformed JSON: unexpected end of file")
	}
	return p.errAt(at, "malformed JSON: %v", err)
}

func article(t string) string {
	switch {
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case t == "bool":
		return "true or false"
	case strings.Contains(t, "int") || t == "float64":
		return "a number"
	}
	return "an object"
}

// ParseFile reads a transactions file (docs/block-format.md). Errors are
// *FileError with the location of the problem: malformed JSON, unknown or
// duplicate fields, missing fields, invalid values and classes.
func ParseFile(data []byte) (*File, error) {
	p := &fileParser{data: data}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	at := jsonpos.SkipSpace(p.data, 0)
	t, err := d.Token()
	if err != nil {
		return nil, p.syntax(err, at)
	}
	if t != json.Delim('{') {
		return nil, p.errAt(at, "a transactions file is a JSON object with %q, \"transactions\"", FileTag)
	}
	f := &File{}
	seen := map[string]int64{}
	var version json.Number
	var haveTxs bool
	for d.More() {
		koff := jsonpos.SkipSpace(p.data, d.InputOffset())
		kt, err := d.Token()
		if err != nil {
			return nil, p.syntax(err, koff)
		}
		key, _ := kt.(string)
		if first, dup := seen[key]; dup {
			l, c := jsonpos.LineCol(p.data, first)
			return nil, p.errAt(koff, "duplicate field %q (first at %d:%d)", key, l, c)
		}
		seen[key] = koff
		voff := jsonpos.SkipSpace(p.data, d.InputOffset())
		switch key {
		case FileTag:
			if err := d.Decode(&version); err != nil {
				return nil, p.errAt(voff, "%s must be a number", FileTag)
			}
			if version.String() != strconv.Itoa(FileVersion) {
				return nil, p.errAt(voff, "%s %s: this kairo reads version %d", FileTag, version, FileVersion)
			}
		case "description":
			if err := d.Decode(&f.Description); err != nil {
				return nil, p.errAt(voff, "description must be a string")
			}
		case "transactions":
			haveTxs = true
			if err := p.transactions(d, f); err != nil {
				return nil, err
			}
		default:
			return nil, p.errAt(koff, "unknown field %q (known: %s, description, transactions)", key, FileTag)
		}
	}
	if _, err := d.Token(); err != nil {
		return nil, p.syntax(err, jsonpos.SkipSpace(p.data, d.InputOffset()))
	}
	if off := jsonpos.SkipSpace(p.data, d.InputOffset()); off < int64(len(data)) {
		return nil, p.errAt(off, "unexpected data after the transactions object")
	}
	if version == "" {
		return nil, p.errAt(0, "missing field %q (the format version, %d)", FileTag, FileVersion)
	}
	if !haveTxs {
		return nil, p.errAt(0, "missing field \"transactions\"")
	}
	return f, nil
}

func (p *fileParser) transactions(d *json.Decoder, f *File) error {
	at := jsonpos.SkipSpace(p.data, d.InputOffset())
	t, err := d.Token()
	if err != nil {
		return p.syntax(err, at)
	}
	if t != json.Delim('[') {
		return p.errAt(at, "transactions must be an array")
	}
	for i := 0; d.More(); i++ {
		off := jsonpos.SkipSpace(p.data, d.InputOffset())
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			// Locate the error by scanning from the value's start.
			var se *json.SyntaxError
			var v any
			if errors.As(json.Unmarshal(p.data[off:], &v), &se) {
				return p.errAt(off+max(se.Offset-1, 0), "malformed JSON: %s", se.Error())
			}
			return p.syntax(err, off)
		}
		ft, err := p.transaction(raw, off, i)
		if err != nil {
			return err
		}
		f.Txs = append(f.Txs, ft)
	}
	_, err = d.Token()
	if err != nil {
		return p.syntax(err, jsonpos.SkipSpace(p.data, d.InputOffset()))
	}
	return nil
}

// jsonBound is a v3 resource bound.
type jsonBound struct {
	MaxAmount       json.RawMessage `json:"max_amount"`
	MaxPricePerUnit json.RawMessage `json:"max_price_per_unit"`
}

// jsonTx is a transaction as a file spells it: the Starknet JSON-RPC
// field names, which the devnet's records use too.
type jsonTx struct {
	Type                  string               `json:"type"`
	Version               json.RawMessage      `json:"version"`
	Impersonated          bool                 `json:"impersonated"`
	SenderAddress         json.RawMessage      `json:"sender_address"`
	ContractAddress       json.RawMessage      `json:"contract_address"`
	EntryPointSelector    json.RawMessage      `json:"entry_point_selector"`
	EntryPoint            string               `json:"entry_point"`
	Calldata              []json.RawMessage    `json:"calldata"`
	ClassHash             json.RawMessage      `json:"class_hash"`
	CompiledClassHash     json.RawMessage      `json:"compiled_class_hash"`
	ContractAddressSalt   json.RawMessage      `json:"contract_address_salt"`
	ConstructorCalldata   []json.RawMessage    `json:"constructor_calldata"`
	Nonce                 json.RawMessage      `json:"nonce"`
	MaxFee                json.RawMessage      `json:"max_fee"`
	ResourceBounds        map[string]jsonBound `json:"resource_bounds"`
	Tip                   json.RawMessage      `json:"tip"`
	PaymasterData         []json.RawMessage    `json:"paymaster_data"`
	AccountDeploymentData []json.RawMessage    `json:"account_deployment_data"`
	NonceDAMode           string               `json:"nonce_data_availability_mode"`
	FeeDAMode             string               `json:"fee_data_availability_mode"`
	Signature             []json.RawMessage    `json:"signature"`
	ContractClass         json.RawMessage      `json:"contract_class"`
	// present records which fields the object has.
	present map[string]bool
}

// txFields are the fields a transaction object may have.
var txFields = []string{"type", "version", "impersonated", "sender_address", "contract_address", "entry_point_selector",
	"entry_point", "calldata", "class_hash", "compiled_class_hash", "contract_address_salt", "constructor_calldata",
	"nonce", "max_fee", "resource_bounds", "tip", "paymaster_data", "account_deployment_data",
	"nonce_data_availability_mode", "fee_data_availability_mode", "signature", "contract_class"}

// txReader converts one transaction object, locating its errors.
type txReader struct {
	p    *fileParser
	raw  json.RawMessage
	off  int64
	what string
	j    jsonTx
}

// fieldOff is the offset of a field's name in the transaction (the
// transaction's start when absent).
func (r *txReader) fieldOff(name string) int64 {
	d := json.NewDecoder(bytes.NewReader(r.raw))
	if _, err := d.Token(); err != nil {
		return r.off
	}
	for d.More() {
		koff := jsonpos.SkipSpace(r.p.data, r.off+d.InputOffset()) - r.off
		k, err := d.Token()
		if err != nil {
			return r.off
		}
		if k == name {
			return r.off + koff
		}
		var skip json.RawMessage
		if d.Decode(&skip) != nil {
			return r.off
		}
	}
	return r.off
}

func (r *txReader) errf(field, format string, args ...any) error {
	return r.p.errAt(r.fieldOff(field), "%s: %s", r.what, fmt.Sprintf(format, args...))
}

func (r *txReader) has(field string) bool { return r.j.present[field] }

// felt reads a field element written as a string (decimal or 0x hex) or
// a JSON integer, below the prime.
func (r *txReader) felt(field string, raw json.RawMessage) (felt.Felt, error) {
	return r.feltAt(field, field, raw)
}

// feltAt is felt for a value the message names as label (calldata[2]).
func (r *txReader) feltAt(field, label string, raw json.RawMessage) (felt.Felt, error) {
	s := strings.TrimSpace(string(raw))
	if strings.HasPrefix(s, "\"") {
		if err := json.Unmarshal(raw, &s); err != nil {
			return felt.Zero, r.errf(field, "%s: invalid string %s", label, raw)
		}
	}
	v, err := felt.ParseCanonical(s)
	if err != nil {
		return felt.Zero, r.errf(field, "%s: %v", label, err)
	}
	return v, nil
}

func (r *txReader) optFelt(field string, raw json.RawMessage) (felt.Felt, error) {
	if raw == nil {
		return felt.Zero, nil
	}
	return r.felt(field, raw)
}

func (r *txReader) reqFelt(field string, raw json.RawMessage) (felt.Felt, error) {
	if raw == nil {
		return felt.Zero, r.p.errAt(r.off, "%s is missing field %q", r.what, field)
	}
	return r.felt(field, raw)
}

func (r *txReader) felts(field string, raws []json.RawMessage) ([]felt.Felt, error) {
	out := make([]felt.Felt, len(raws))
	for i, raw := range raws {
		v, err := r.feltAt(field, fmt.Sprintf("%s[%d]", field, i), raw)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (r *txReader) u64(field string, raw json.RawMessage) (uint64, error) {
	v, err := r.optFelt(field, raw)
	if err != nil {
		return 0, err
	}
	n, ok := v.Uint64()
	if !ok {
		return 0, r.errf(field, "%s: %s does not fit in 64 bits", field, v)
	}
	return n, nil
}

func (r *txReader) daMode(field, s string) (uint32, error) {
	switch strings.ToUpper(s) {
	case "", "L1", "0", "0X0":
		return 0, nil
	case "L2", "1", "0X1":
		return 1, nil
	}
	return 0, r.errf(field, "unknown data-availability mode %q (want L1 or L2)", s)
}

// Type names a file may use, and the name it writes.
var typeNames = map[string]Type{"INVOKE": Invoke, "INVOKE_FUNCTION": Invoke, "DECLARE": Declare,
	"DEPLOY_ACCOUNT": DeployAccount, "DEPLOY": Deploy, "L1_HANDLER": L1Handler}

func fileTypeName(t Type) string {
	if t == Invoke {
		return "INVOKE"
	}
	return t.String()
}

// allowedFields lists the fields each type and version may carry beside
// type and version.
func allowedFields(t Type, v uint64, impersonated bool) []string {
	v3 := []string{"resource_bounds", "tip", "paymaster_data", "nonce_data_availability_mode", "fee_data_availability_mode"}
	switch t {
	case Invoke:
		if impersonated {
			return []string{"impersonated", "sender_address", "contract_address", "entry_point_selector", "entry_point", "calldata", "nonce"}
		}
		switch v {
		case 0:
			return []string{"contract_address", "entry_point_selector", "entry_point", "calldata", "signature", "max_fee"}
		case 3:
			return append([]string{"sender_address", "calldata", "signature", "nonce", "account_deployment_data"}, v3...)
		}
		return []string{"sender_address", "calldata", "signature", "nonce", "max_fee"}
	case Declare:
		if v == 3 {
			return append([]string{"sender_address", "class_hash", "compiled_class_hash", "signature", "nonce", "account_deployment_data", "contract_class"}, v3...)
		}
		return []string{"sender_address", "contract_class", "class_hash", "compiled_class_hash", "signature", "nonce", "max_fee"}
	case DeployAccount:
		if v == 3 {
			return append([]string{"class_hash", "contract_address_salt", "constructor_calldata", "signature", "nonce"}, v3...)
		}
		return []string{"class_hash", "contract_address_salt", "constructor_calldata", "signature", "nonce", "max_fee"}
	case Deploy:
		return []string{"class_hash", "contract_address_salt", "constructor_calldata"}
	case L1Handler:
		return []string{"contract_address", "entry_point_selector", "entry_point", "calldata", "nonce"}
	}
	return nil
}

func (p *fileParser) transaction(raw json.RawMessage, off int64, i int) (*FileTx, error) {
	r := &txReader{p: p, raw: raw, off: off, what: fmt.Sprintf("transactions[%d]", i)}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return nil, p.errAt(off, "%s must be an object", r.what)
	}
	// Field names: known, not repeated.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, p.syntax(err, off)
	}
	r.j.present = map[string]bool{}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.Token()
	seen := map[string]int64{}
	for d.More() {
		koff := jsonpos.SkipSpace(p.data, off+d.InputOffset())
		k, _ := d.Token()
		name, _ := k.(string)
		if first, dup := seen[name]; dup {
			l, c := jsonpos.LineCol(p.data, first)
			return nil, p.errAt(koff, "%s: duplicate field %q (first at %d:%d)", r.what, name, l, c)
		}
		seen[name] = koff
		if !slices.Contains(txFields, name) {
			return nil, p.errAt(koff, "%s: unknown field %q", r.what, name)
		}
		r.j.present[name] = true
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return nil, p.syntax(err, koff)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&r.j); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			name, _, _ := strings.Cut(te.Field, ".")
			return nil, r.errf(name, "%s must be %s, not %s", te.Field, article(te.Type.String()), te.Value)
		}
		return nil, p.syntax(err, off)
	}
	j := &r.j
	if !r.has("type") {
		return nil, p.errAt(off, "%s is missing field \"type\"", r.what)
	}
	typ, ok := typeNames[j.Type]
	if !ok {
		return nil, r.errf("type", "unknown type %q (want INVOKE, DECLARE, DEPLOY_ACCOUNT, DEPLOY or L1_HANDLER)", j.Type)
	}
	r.what = fmt.Sprintf("transactions[%d] (%s)", i, fileTypeName(typ))
	if !r.has("version") {
		return nil, p.errAt(off, "%s is missing field \"version\"", r.what)
	}
	version, err := r.u64("version", j.Version)
	if err != nil {
		return nil, err
	}
	if j.Impersonated && (typ != Invoke || version != 0) {
		return nil, r.errf("impersonated", "only version 0 INVOKEs are impersonated")
	}
	allowed := allowedFields(typ, version, j.Impersonated)
	for name := range j.present {
		if name != "type" && name != "version" && !slices.Contains(allowed, name) {
			return nil, r.errf(name, "field %q does not apply to a version %d %s (it may have: %s)", name, version, fileTypeName(typ), strings.Join(allowed, ", "))
		}
	}
	ft := &FileTx{EntryPoint: j.EntryPoint}
	ft.Line, ft.Col = jsonpos.LineCol(p.data, off)
	tx := &Tx{Type: typ, Version: version, Impersonated: j.Impersonated}
	ft.Tx = tx
	if tx.Calldata, err = r.felts("calldata", j.Calldata); err != nil {
		return nil, err
	}
	if r.has("constructor_calldata") {
		if tx.Calldata, err = r.felts("constructor_calldata", j.ConstructorCalldata); err != nil {
			return nil, err
		}
	}
	if tx.Signature, err = r.felts("signature", j.Signature); err != nil {
		return nil, err
	}
	if tx.Nonce, err = r.optFelt("nonce", j.Nonce); err != nil {
		return nil, err
	}
	if tx.MaxFee, err = r.optFelt("max_fee", j.MaxFee); err != nil {
		return nil, err
	}
	if tx.Salt, err = r.optFelt("contract_address_salt", j.ContractAddressSalt); err != nil {
		return nil, err
	}
	if tx.CompiledClassHash, err = r.optFelt("compiled_class_hash", j.CompiledClassHash); err != nil {
		return nil, err
	}
	// The selector: a number or a function name.
	selector := func() error {
		switch {
		case r.has("entry_point_selector") && r.has("entry_point"):
			return r.errf("entry_point", "give entry_point_selector or entry_point, not both")
		case r.has("entry_point"):
			if strings.TrimSpace(j.EntryPoint) == "" {
				return r.errf("entry_point", "empty function name")
			}
			tx.EntryPointSelector = contract.Selector(j.EntryPoint)
		case r.has("entry_point_selector"):
			tx.EntryPointSelector, err = r.felt("entry_point_selector", j.EntryPointSelector)
			return err
		default:
			return p.errAt(off, "%s is missing field \"entry_point_selector\" (or \"entry_point\", a function name)", r.what)
		}
		return nil
	}
	switch typ {
	case Invoke:
		switch {
		case j.Impersonated:
			if tx.Sender, err = r.optFelt("sender_address", j.SenderAddress); err != nil {
				return nil, err
			}
			if tx.Contract, err = r.reqFelt("contract_address", j.ContractAddress); err != nil {
				return nil, err
			}
			if err := selector(); err != nil {
				return nil, err
			}
		case version == 0:
			if tx.Sender, err = r.reqFelt("contract_address", j.ContractAddress); err != nil {
				return nil, err
			}
			if err := selector(); err != nil {
				return nil, err
			}
		default:
			if tx.Sender, err = r.reqFelt("sender_address", j.SenderAddress); err != nil {
				return nil, err
			}
		}
	case Declare:
		if tx.Sender, err = r.reqFelt("sender_address", j.SenderAddress); err != nil {
			return nil, err
		}
		if version < 2 {
			if j.ContractClass == nil {
				return nil, p.errAt(off, "%s is missing field \"contract_class\" (a Cairo 0 class, compiled or RPC form)", r.what)
			}
			cls, err := contract.Parse(j.ContractClass)
			if err != nil {
				return nil, r.errf("contract_class", "%v", err)
			}
			var buf bytes.Buffer
			if err := json.Compact(&buf, j.ContractClass); err != nil {
				return nil, r.errf("contract_class", "%v", err)
			}
			tx.Class, ft.ClassJSON = cls, buf.Bytes()
			if r.has("class_hash") {
				h, err := r.felt("class_hash", j.ClassHash)
				if err != nil {
					return nil, err
				}
				if h != cls.Hash {
					return nil, r.errf("class_hash", "%s is not the class's hash, %s", h, cls.Hash)
				}
			}
			tx.ClassHash = cls.Hash
		} else if tx.ClassHash, err = r.reqFelt("class_hash", j.ClassHash); err != nil {
			return nil, err
		}
	case DeployAccount, Deploy:
		if tx.ClassHash, err = r.reqFelt("class_hash", j.ClassHash); err != nil {
			return nil, err
		}
	case L1Handler:
		if tx.Sender, err = r.reqFelt("contract_address", j.ContractAddress); err != nil {
			return nil, err
		}
		if err := selector(); err != nil {
			return nil, err
		}
	}
	if version == 3 {
		if err := r.v3(tx); err != nil {
			return nil, err
		}
	}
	return ft, nil
}

// v3 reads a version 3 transaction's fee fields.
func (r *txReader) v3(tx *Tx) error {
	j := &r.j
	var err error
	for name, b := range j.ResourceBounds {
		var rb ResourceBound
		if rb.MaxAmount, err = r.u64("resource_bounds", b.MaxAmount); err != nil {
			return err
		}
		if b.MaxPricePerUnit != nil {
			if rb.MaxPricePerUnit, err = r.feltAt("resource_bounds", "resource_bounds."+name+".max_price_per_unit", b.MaxPricePerUnit); err != nil {
				return err
			}
		}
		if rb.MaxPricePerUnit.BitLen() > 128 {
			return r.errf("resource_bounds", "%s max_price_per_unit does not fit in 128 bits", name)
		}
		switch strings.ToLower(name) {
		case "l1_gas":
			tx.ResourceBounds.L1Gas = rb
		case "l2_gas":
			tx.ResourceBounds.L2Gas = rb
		case "l1_data_gas":
			tx.ResourceBounds.L1DataGas = &rb
		default:
			return r.errf("resource_bounds", "unknown resource %q (want l1_gas, l2_gas, l1_data_gas)", name)
		}
	}
	if tx.Tip, err = r.u64("tip", j.Tip); err != nil {
		return err
	}
	if tx.PaymasterData, err = r.felts("paymaster_data", j.PaymasterData); err != nil {
		return err
	}
	if tx.AccountDeploymentData, err = r.felts("account_deployment_data", j.AccountDeploymentData); err != nil {
		return err
	}
	if tx.NonceDAMode, err = r.daMode("nonce_data_availability_mode", j.NonceDAMode); err != nil {
		return err
	}
	if tx.FeeDAMode, err = r.daMode("fee_data_availability_mode", j.FeeDAMode); err != nil {
		return err
	}
	return nil
}
