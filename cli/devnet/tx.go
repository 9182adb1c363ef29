package devnet

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
)

// findTx opens the devnet and finds the transaction named by args[0].
func findTx(f *cmdutil.Factory, cmd *cobra.Command, arg string) (*session, *devnet.TxView, error) {
	h, err := devnet.ParseFelt("transaction hash", arg)
	if err != nil {
		return nil, nil, err
	}
	s, err := openDevnet(f, cmd, true)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.net.Transaction(cmd.Context(), h)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, v, nil
}

func newCmdTx(f *cmdutil.Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tx HASH",
		Short: "Show a transaction",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, v, err := findTx(f, cmd, args[0])
			if err != nil {
				return err
			}
			defer s.Close()
			if asJSON {
				out := struct {
					Hash        string            `json:"transaction_hash"`
					Type        string            `json:"type"`
					BlockNumber uint64            `json:"block_number"`
					BlockHash   string            `json:"block_hash"`
					Index       int               `json:"transaction_index"`
					Transaction *devnet.TxPayload `json:"transaction,omitempty"`
				}{v.Tx.Hash.String(), v.Tx.Type, v.Block.Number, v.Block.Hash.String(), v.Index, v.Payload}
				if out.Transaction != nil && len(out.Transaction.ContractClass) > 0 {
					// The class is large; 'kairo devnet tx' shows what the
					// transaction did, not the program.
					p := *out.Transaction
					p.ContractClass = nil
					out.Transaction = &p
				}
				return printJSON(f, out)
			}
			st := f.IO.Styles()
			w := f.IO.Out
			fmt.Fprintf(w, "%s %s\n", st.Title.Render("Transaction"), v.Tx.Hash)
			typ := v.Tx.Type
			if v.Payload != nil && v.Payload.Impersonated {
				typ += st.Muted.Render(" (impersonated)")
			}
			field(w, st, "type", typ)
			field(w, st, "block", fmt.Sprintf("%d %s, index %d", v.Block.Number, st.Muted.Render(v.Block.Hash.String()), v.Index))
			p := v.Payload
			if p == nil {
				field(w, st, "payload", fmt.Sprintf("%d bytes in another tool's encoding", len(v.Tx.Payload)))
				return nil
			}
			switch p.Type {
			case devnet.TypeGenesis:
				if g := p.Genesis; g != nil {
					field(w, st, "chain id", g.ChainID)
					field(w, st, "sequencer", g.SequencerAddress)
					field(w, st, "version", g.StarknetVersion)
				}
			case devnet.TypeDeclare:
				field(w, st, "sender", p.SenderAddress)
				field(w, st, "class hash", p.ClassHash)
				field(w, st, "class", fmt.Sprintf("%d bytes of JSON", len(p.ContractClass)))
				accountFields(w, st, p)
			case devnet.TypeDeployAccount:
				field(w, st, "address", p.ContractAddress)
				field(w, st, "class hash", p.ClassHash)
				field(w, st, "salt", p.ContractAddressSalt)
				field(w, st, "calldata", listText(p.ConstructorCalldata))
				accountFields(w, st, p)
			case devnet.TypeDeploy:
				field(w, st, "deployer", p.SenderAddress)
				field(w, st, "address", p.ContractAddress)
				field(w, st, "class hash", p.ClassHash)
				field(w, st, "salt", p.ContractAddressSalt)
				field(w, st, "calldata", listText(p.ConstructorCalldata))
			case devnet.TypeInvoke:
				field(w, st, "sender", p.SenderAddress)
				field(w, st, "contract", p.ContractAddress)
				fn := p.EntryPointSelector
				if p.EntryPoint != "" {
					fn = fmt.Sprintf("%s (%s)", p.EntryPoint, p.EntryPointSelector)
				}
				field(w, st, "function", fn)
				field(w, st, "calldata", listText(p.Calldata))
				accountFields(w, st, p)
			}
			return nil
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func listText(ss []string) string {
	if len(ss) == 0 {
		return "[]"
	}
	return strings.Join(ss, " ")
}

// accountFields prints the nonce, maximum fee and signature of an
// account's transaction.
func accountFields(w io.Writer, st cmdutil.Styles, p *devnet.TxPayload) {
	if p.Nonce == "" {
		return
	}
	field(w, st, "version", p.Version)
	field(w, st, "nonce", p.Nonce)
	field(w, st, "max fee", p.MaxFee)
	field(w, st, "signature", listText(p.Signature))
}
