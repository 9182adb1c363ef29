package devnet

import (
	"crypto/rand"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/vm/felt"
)

func newCmdDeployAccount(f *cmdutil.Factory) *cobra.Command {
	var key, salt, maxFee string
	var calldata []string
	var addressOnly, asJSON bool
	cmd := &cobra.Command{
		Use:   "deploy-account CLASS_HASH [--private-key K] [--salt S] [--max-fee F] [--address-only]",
		Short: "Deploy an account contract that pays for its own deployment",
		Long: `Sends a version 1 DEPLOY_ACCOUNT: the account contract of a declared class is
deployed at the address computed from --salt (default: the public key), the
class hash and the constructor calldata (default: the public key, as the
OpenZeppelin account takes), its __validate_deploy__ checks the signature,
and it pays its fee from its own balance, so send it fee tokens first:

  kairo devnet deploy-account CLASS_HASH --private-key K --address-only
  kairo devnet invoke FEE_TOKEN transfer --calldata ADDRESS,AMOUNT,0 --account FUNDED
  kairo devnet deploy-account CLASS_HASH --private-key K

Without --private-key a new random key is made and printed. Then send
transactions with 'kairo devnet invoke ... --account ADDRESS --private-key K'.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r devnet.DeployAccountRequest
			var err error
			if r.ClassHash, err = devnet.ParseFelt("class hash", args[0]); err != nil {
				return err
			}
			if key != "" {
				if r.PrivateKey, err = parsePrivateKey(key); err != nil {
					return err
				}
			} else if r.PrivateKey, err = randomKey(); err != nil {
				return err
			}
			if salt != "" {
				s, perr := devnet.ParseFelt("--salt", salt)
				if perr != nil {
					return perr
				}
				r.Salt = &s
			}
			if len(calldata) > 0 {
				if r.Calldata, err = devnet.ParseCalldata(calldata); err != nil {
					return err
				}
			}
			if r.MaxFee, err = parseMaxFee(maxFee); err != nil {
				return err
			}
			keys := accountKeys{Address: r.Address().String(), PublicKey: txn.PublicKey(r.PrivateKey).String(), PrivateKey: r.PrivateKey.String()}
			if addressOnly {
				if asJSON {
					return printJSON(f, keys)
				}
				keys.print(f)
				return nil
			}
			s, err := openDevnet(f, cmd, false)
			if err != nil {
				return err
			}
			defer s.Close()
			o, err := s.net.DeployAccount(cmd.Context(), r)
			if err != nil {
				return reportRejection(f, err)
			}
			if asJSON {
				return printJSON(f, struct {
					jsonOutcome
					PublicKey  string `json:"public_key"`
					PrivateKey string `json:"private_key"`
				}{outcomeJSON(cmd.Context(), s.net, o), keys.PublicKey, keys.PrivateKey})
			}
			st := f.IO.Styles()
			fmt.Fprintf(f.IO.Out, "%s %s\n", st.Good.Render("Deployed account"), st.Highlight.Render(o.ContractAddress.String()))
			field(f.IO.Out, st, "class", o.ClassHash.String())
			field(f.IO.Out, st, "public key", keys.PublicKey)
			field(f.IO.Out, st, "private key", keys.PrivateKey)
			outcomeText(cmd.Context(), f.IO.Out, st, s.net, o)
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "private-key", "", "the account's private key (default: a new random key)")
	cmd.Flags().StringVar(&salt, "salt", "", "contract address salt (default: the public key)")
	cmd.Flags().StringArrayVar(&calldata, "calldata", nil, "constructor calldata (default: the public key)")
	registerMaxFee(cmd, &maxFee)
	cmd.Flags().BoolVar(&addressOnly, "address-only", false, "print the address and keys without sending anything")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// accountKeys are the address and keys of an account to deploy.
type accountKeys struct {
	Address    string `json:"address"`
	PublicKey  string `json:"public_key"`
	PrivateKey string `json:"private_key"`
}

func (k accountKeys) print(f *cmdutil.Factory) {
	st := f.IO.Styles()
	field(f.IO.Out, st, "address", k.Address)
	field(f.IO.Out, st, "public key", k.PublicKey)
	field(f.IO.Out, st, "private key", k.PrivateKey)
}

// randomKey is a new private key: 248 random bits, below the curve's
// order.
func randomKey() (felt.Felt, error) {
	var b [31]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return felt.Zero, fmt.Errorf("make a private key: %w", err)
		}
		if k := felt.FromBytesBE(b[:]); !k.IsZero() {
			return k, nil
		}
	}
}
