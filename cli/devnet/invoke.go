package devnet

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
)

// callFlags are the flags invoke and call share.
type callFlags struct {
	from     string
	calldata []string
	asJSON   bool
}

func (c *callFlags) register(cmd *cobra.Command, fromHelp string) {
	cmd.Flags().StringArrayVar(&c.calldata, "calldata", nil, "calldata (comma-separated; repeatable)")
	cmd.Flags().StringVar(&c.from, "from", "", fromHelp)
	addJSONFlag(cmd, &c.asJSON)
}

// request parses CONTRACT FUNCTION and the flags.
func (c *callFlags) request(args []string) (devnet.CallRequest, error) {
	r := devnet.CallRequest{Function: args[1]}
	var err error
	if r.Contract, err = devnet.ParseAddress("contract", args[0]); err != nil {
		return r, err
	}
	if c.from != "" {
		if r.From, err = devnet.ParseAddress("--from", c.from); err != nil {
			return r, err
		}
	}
	if r.Calldata, err = devnet.ParseCalldata(c.calldata); err != nil {
		return r, err
	}
	return r, nil
}

// functionText names the function that ran.
func functionText(t devnet.Target) string {
	if t.Name != "" {
		return fmt.Sprintf("%s (%s)", t.Name, t.Selector)
	}
	return t.Selector.String()
}

func newCmdInvoke(f *cmdutil.Factory) *cobra.Command {
	var c callFlags
	var sf senderFlags
	cmd := &cobra.Command{
		Use:   "invoke CONTRACT FUNCTION [--calldata A,B,...] [--account ADDRESS [--private-key K] [--max-fee F] | --from ADDRESS]",
		Short: "Run a function as a transaction and commit its block",
		Long: `Runs an external function of a deployed contract as a transaction and commits
a block with its state changes, receipt and events. With --account, the call
is a version 1 INVOKE through that account's __execute__, signed with its
key (a genesis account's own, or --private-key), validated, with its nonce,
paying its fee in the fee token up to --max-fee (default: its balance); a
transaction whose execution fails after validation is reverted: it still
pays and bumps the nonce. With
--from, the call runs directly with that impersonated caller address (no
account contract, signature, nonce or fee). FUNCTION is a name from the
class's ABI or a selector. A transaction that fails is rejected: nothing is
committed.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := c.request(args)
			if err != nil {
				return err
			}
			if sf.set() && c.from != "" {
				return fmt.Errorf("--account and --from exclude each other")
			}
			if err := sf.check(); err != nil {
				return err
			}
			s, err := openDevnet(f, cmd, false)
			if err != nil {
				return err
			}
			defer s.Close()
			var o *devnet.Outcome
			var t devnet.Target
			if sf.set() {
				sender, perr := sf.sender()
				if perr != nil {
					return perr
				}
				o, t, err = s.net.InvokeFrom(cmd.Context(), sender, r)
			} else {
				o, t, err = s.net.Invoke(cmd.Context(), r)
			}
			if err != nil {
				return reportRejection(f, err)
			}
			if c.asJSON {
				return printJSON(f, outcomeJSON(cmd.Context(), s.net, o))
			}
			st := f.IO.Styles()
			fmt.Fprintf(f.IO.Out, "%s %s on %s\n", st.Good.Render("Invoked"), st.Highlight.Render(functionText(t)), o.ContractAddress)
			outcomeText(cmd.Context(), f.IO.Out, st, s.net, o)
			return nil
		},
	}
	c.register(cmd, "impersonated caller address (default 0)")
	sf.register(cmd)
	return cmd
}
