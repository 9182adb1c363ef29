package devnet

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
)

func newCmdCall(f *cmdutil.Factory) *cobra.Command {
	var c callFlags
	var block uint64
	cmd := &cobra.Command{
		Use:   "call CONTRACT FUNCTION [--calldata A,B,...] [--from ADDRESS] [--block N]",
		Short: "Run a function without committing anything and print its result",
		Long: `Runs an external function of a deployed contract on the head state, or on the
state right after block --block, and prints the values it returns, one per
line. Nothing is written.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := c.request(args)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("block") {
				r.Block = &block
			}
			s, err := openDevnet(f, cmd, true)
			if err != nil {
				return err
			}
			defer s.Close()
			ret, _, err := s.net.Call(cmd.Context(), r)
			if err != nil {
				return reportRejection(f, err)
			}
			if c.asJSON {
				return printJSON(f, struct {
					Result []string `json:"result"`
				}{hexes(ret)})
			}
			for _, v := range ret {
				fmt.Fprintln(f.IO.Out, v)
			}
			return nil
		},
	}
	c.register(cmd, "caller address the contract sees (default 0)")
	cmd.Flags().Uint64Var(&block, "block", 0, "run on the state as of this block (default: the head)")
	return cmd
}
