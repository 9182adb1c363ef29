package txn

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/kairo-dev/kairo/vm/felt"
)

// outBound is a v3 resource bound as written.
type outBound struct {
	MaxAmount       string `json:"max_amount"`
	MaxPricePerUnit string `json:"max_price_per_unit"`
}

// outTx is a transaction as WriteFile spells it: the fields in a fixed
// order, values in hexadecimal.
type outTx struct {
	Type                  string              `json:"type"`
	Version               string              `json:"version"`
	Impersonated          bool                `json:"impersonated,omitempty"`
	SenderAddress         string              `json:"sender_address,omitempty"`
	ContractAddress       string              `json:"contract_address,omitempty"`
	EntryPointSelector    string              `json:"entry_point_selector,omitempty"`
	EntryPoint            string              `json:"entry_point,omitempty"`
	Calldata              []string            `json:"calldata,omitempty"`
	ClassHash             string              `json:"class_hash,omitempty"`
	CompiledClassHash     string              `json:"compiled_class_hash,omitempty"`
	ContractAddressSalt   string              `json:"contract_address_salt,omitempty"`
	ConstructorCalldata   []string            `json:"constructor_calldata,omitempty"`
	Nonce                 string              `json:"nonce,omitempty"`
	MaxFee                string              `json:"max_fee,omitempty"`
	ResourceBounds        map[string]outBound `json:"resource_bounds,omitempty"`
	Tip                   string              `json:"tip,omitempty"`
	PaymasterData         []string            `json:"paymaster_data,omitempty"`
	AccountDeploymentData []string            `json:"account_deployment_data,omitempty"`
	NonceDAMode           string              `json:"nonce_data_availability_mode,omitempty"`
	FeeDAMode             string              `json:"fee_data_availability_mode,omitempty"`
	Signature             []string            `json:"signature,omitempty"`
	ContractClass         json.RawMessage     `json:"contract_class,omitempty"`
}

func hexList(fs []felt.Felt) []string {
	if len(fs) == 0 {
		return nil
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

func daName(m uint32) string {
	if m == 1 {
		return "L2"
	}
	return "L1"
}

// fileForm is a transaction in the file's JSON form.
func fileForm(ft *FileTx) outTx {
	tx := ft.Tx
	o := outTx{Type: fileTypeName(tx.Type), Version: "0x" + strconv.FormatUint(tx.Version, 16), Impersonated: tx.Impersonated,
		Signature: hexList(tx.Signature)}
	if !tx.Nonce.IsZero() || (tx.Version > 0 && tx.Type != Deploy) || tx.Type == L1Handler {
		o.Nonce = tx.Nonce.String()
	}
	if tx.Version < 3 && tx.Type != Deploy && tx.Type != L1Handler && !tx.Impersonated {
		o.MaxFee = tx.MaxFee.String()
	}
	selector := func() {
		if ft.EntryPoint != "" {
			o.EntryPoint = ft.EntryPoint
		} else {
			o.EntryPointSelector = tx.EntryPointSelector.String()
		}
	}
	switch tx.Type {
	case Invoke:
		switch {
		case tx.Impersonated:
			o.SenderAddress, o.ContractAddress = tx.Sender.String(), tx.Contract.String()
			selector()
		case tx.Version == 0:
			o.ContractAddress = tx.Sender.String()
			selector()
		default:
			o.SenderAddress = tx.Sender.String()
		}
		o.Calldata = hexList(tx.Calldata)
	case Declare:
		o.SenderAddress = tx.Sender.String()
		if tx.Version >= 2 {
			o.ClassHash, o.CompiledClassHash = tx.ClassHash.String(), tx.CompiledClassHash.String()
		} else {
			o.ContractClass = ft.ClassJSON
		}
	case DeployAccount, Deploy:
		o.ClassHash, o.ContractAddressSalt = tx.ClassHash.String(), tx.Salt.String()
		o.ConstructorCalldata = hexList(tx.Calldata)
	case L1Handler:
		o.ContractAddress = tx.Sender.String()
		selector()
		o.Calldata = hexList(tx.Calldata)
	}
	if tx.Version == 3 {
		b := tx.ResourceBounds
		bound := func(r ResourceBound) outBound {
			return outBound{MaxAmount: "0x" + strconv.FormatUint(r.MaxAmount, 16), MaxPricePerUnit: r.MaxPricePerUnit.String()}
		}
		o.ResourceBounds = map[string]outBound{"l1_gas": bound(b.L1Gas), "l2_gas": bound(b.L2Gas)}
		if b.L1DataGas != nil {
			o.ResourceBounds["l1_data_gas"] = bound(*b.L1DataGas)
		}
		o.Tip = "0x" + strconv.FormatUint(tx.Tip, 16)
		o.PaymasterData, o.AccountDeploymentData = hexList(tx.PaymasterData), hexList(tx.AccountDeploymentData)
		o.NonceDAMode, o.FeeDAMode = daName(tx.NonceDAMode), daName(tx.FeeDAMode)
	}
	return o
}

// WriteFile writes a transactions file: one transaction per line, so
// generated files diff well. ParseFile reads back the same transactions.
func WriteFile(w io.Writer, f *File) error {
	bw := bufio.NewWriter(w)
	desc, err := json.Marshal(f.Description)
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, "{\n  %q: %d,\n  \"description\": %s,\n  \"transactions\": [", FileTag, FileVersion, desc)
	for i, ft := range f.Txs {
		line, err := json.Marshal(fileForm(ft))
		if err != nil {
			return fmt.Errorf("transaction %d: %w", i, err)
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		bw.Write(line)
	}
	if len(f.Txs) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}
