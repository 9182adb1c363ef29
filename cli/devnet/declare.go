package devnet

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/vm/felt"
)

func newCmdDeclare(f *cmdutil.Factory) *cobra.Command {
	var from string
	var sf senderFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "declare CLASS.json [--account ADDRESS [--private-key K] [--max-fee F] | --from ADDRESS]",
		Short: "Declare a Cairo 0 class in a new block",
		Long: `Declares a Cairo 0 contract class, in the compiled form (program as a JSON
object) or the RPC form (program as base64 gzip), and prints its class hash.
The declaration is a block of its own; the class is kept in the database and
can then be deployed with 'kairo devnet deploy CLASS_HASH'. With --account,
the declaration is a version 1 DECLARE from that account: validated by its
__validate_declare__, signed, with its nonce, paying its fee; with --from
(or neither), a version 0 declaration by an impersonated sender.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sf.set() && from != "" {
				return fmt.Errorf("--account and --from exclude each other")
			}
			if err := sf.check(); err != nil {
				return err
			}
			sender := felt.Zero
			if from != "" {
				var err error
				if sender, err = devnet.ParseAddress("--from", from); err != nil {
					return err
				}
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read class: %w", err)
			}
			s, err := openDevnet(f, cmd, false)
			if err != nil {
				return err
			}
			defer s.Close()
			var o *devnet.Outcome
			if sf.set() {
				acct, perr := sf.sender()
				if perr != nil {
					return perr
				}
				o, err = s.net.DeclareFrom(cmd.Context(), acct, data)
			} else {
				o, err = s.net.Declare(cmd.Context(), data, sender)
			}
			if err != nil {
				return reportRejection(f, fmt.Errorf("declare %s: %w", args[0], err))
			}
			if asJSON {
				return printJSON(f, outcomeJSON(cmd.Context(), s.net, o))
			}
			st := f.IO.Styles()
			fmt.Fprintf(f.IO.Out, "%s %s\n", st.Good.Render("Declared class"), st.Highlight.Render(o.ClassHash.String()))
			outcomeText(cmd.Context(), f.IO.Out, st, s.net, o)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "impersonated sender address (default 0x1)")
	sf.register(cmd)
	addJSONFlag(cmd, &asJSON)
	return cmd
}
