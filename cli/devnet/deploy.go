package devnet

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
)

func newCmdDeploy(f *cmdutil.Factory) *cobra.Command {
	var from, salt string
	var calldata []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "deploy CLASS_HASH [--calldata A,B,...] [--salt S] [--from ADDRESS]",
		Short: "Deploy a contract of a declared class and run its constructor",
		Long: `Deploys a contract of a declared Cairo 0 class in a new block and runs its
constructor with --calldata. The address is computed as the deploy syscall
computes it, from --salt, the class hash, the constructor calldata and the
deployer (--from; default 0, deploy from zero). Calldata items are decimal,
0x hexadecimal or 'short strings', comma-separated or in repeated flags.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r devnet.DeployRequest
			var err error
			if r.ClassHash, err = devnet.ParseFelt("class hash", args[0]); err != nil {
				return err
			}
			if salt != "" {
				if r.Salt, err = devnet.ParseFelt("--salt", salt); err != nil {
					return err
				}
			}
			if from != "" {
				if r.Deployer, err = devnet.ParseAddress("--from", from); err != nil {
					return err
				}
			}
			if r.Calldata, err = devnet.ParseCalldata(calldata); err != nil {
				return err
			}
			s, err := openDevnet(f, cmd, false)
			if err != nil {
				return err
			}
			defer s.Close()
			o, err := s.net.Deploy(cmd.Context(), r)
			if err != nil {
				return reportRejection(f, err)
			}
			if asJSON {
				return printJSON(f, outcomeJSON(cmd.Context(), s.net, o))
			}
			st := f.IO.Styles()
			fmt.Fprintf(f.IO.Out, "%s %s\n", st.Good.Render("Deployed contract"), st.Highlight.Render(o.ContractAddress.String()))
			field(f.IO.Out, st, "class", o.ClassHash.String())
			outcomeText(cmd.Context(), f.IO.Out, st, s.net, o)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&calldata, "calldata", nil, "constructor calldata (comma-separated; repeatable)")
	cmd.Flags().StringVar(&salt, "salt", "", "contract address salt (default 0)")
	cmd.Flags().StringVar(&from, "from", "", "impersonated deployer address (default 0: deploy from zero)")
	addJSONFlag(cmd, &asJSON)
	return cmd
}
