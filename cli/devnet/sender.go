package devnet

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/vm/felt"
)

// senderFlags are the flags of a transaction sent from an account:
// --account, --private-key and --max-fee.
type senderFlags struct {
	account, privateKey, maxFee string
}

func (s *senderFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.account, "account", "", "send from this account: signed, validated, with its nonce, paying its fee")
	cmd.Flags().StringVar(&s.privateKey, "private-key", "", "the account's private key (default: the genesis account's)")
	registerMaxFee(cmd, &s.maxFee)
}

func registerMaxFee(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "max-fee", "", "maximum fee in wei of the fee token (default: the account's whole balance)")
}

// set reports whether the transaction is sent from an account.
func (s *senderFlags) set() bool { return s.account != "" }

// check rejects account flags without --account.
func (s *senderFlags) check() error {
	if s.account == "" && (s.privateKey != "" || s.maxFee != "") {
		return fmt.Errorf("--private-key and --max-fee need --account")
	}
	return nil
}

// sender parses the flags.
func (s *senderFlags) sender() (devnet.Sender, error) {
	var out devnet.Sender
	var err error
	if out.Address, err = devnet.ParseAddress("--account", s.account); err != nil {
		return out, err
	}
	if s.privateKey != "" {
		if out.PrivateKey, err = parsePrivateKey(s.privateKey); err != nil {
			return out, err
		}
	}
	out.MaxFee, err = parseMaxFee(s.maxFee)
	return out, err
}

// parseMaxFee parses --max-fee; "" is nil (the default).
func parseMaxFee(s string) (*felt.Felt, error) {
	if s == "" {
		return nil, nil
	}
	f, err := devnet.ParseFelt("--max-fee", s)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

func parsePrivateKey(s string) (felt.Felt, error) {
	k, err := devnet.ParseFelt("--private-key", s)
	if err == nil && k.IsZero() {
		err = fmt.Errorf("--private-key: zero is not a key")
	}
	return k, err
}
