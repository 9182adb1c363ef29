package devnet

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
)

func newCmdAccounts(f *cmdutil.Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "accounts",
		Short: "List the devnet's genesis accounts with their keys and nonces",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openDevnet(f, cmd, true)
			if err != nil {
				return err
			}
			defer s.Close()
			accts, err := s.net.Accounts(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				type jsonAccount struct {
					Address    string `json:"address"`
					ClassHash  string `json:"class_hash"`
					PublicKey  string `json:"public_key"`
					PrivateKey string `json:"private_key"`
					Nonce      string `json:"nonce"`
					Balance    string `json:"balance"`
				}
				out := []jsonAccount{}
				for _, a := range accts {
					out = append(out, jsonAccount{a.Address, a.ClassHash, a.PublicKey, a.PrivateKey, a.Nonce.String(), a.Balance.Decimal()})
				}
				return printJSON(f, out)
			}
			if len(accts) == 0 {
				fmt.Fprintf(f.IO.ErrOut, "%s has no genesis accounts: send transactions with --from ADDRESS\n", s.path)
				return nil
			}
			st := f.IO.Styles()
			for i, a := range accts {
				fmt.Fprintf(f.IO.Out, "%s %s\n", st.Title.Render(fmt.Sprintf("Account %d", i)), st.Highlight.Render(a.Address))
				field(f.IO.Out, st, "private key", a.PrivateKey)
				field(f.IO.Out, st, "public key", a.PublicKey)
				field(f.IO.Out, st, "class hash", a.ClassHash)
				field(f.IO.Out, st, "nonce", a.Nonce.String())
				field(f.IO.Out, st, "balance", a.Balance.Decimal()+" wei")
			}
			return nil
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}
