package state

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/store"
)

func newCmdVerifyProof(f *cmdutil.Factory) *cobra.Command {
	var contract, key, root, value, rule string
	cmd := &cobra.Command{
		Use:   "verify-proof [FILE] --contract C --key K [--root R] [--value V]",
		Short: "Check a storage proof; exit 1 when it is invalid",
		Long: `Reads a proof in the starknet_getStorageProof shape (from FILE, or standard
input) and checks the contract's leaf against the contracts-tree root and
the key against the contract's storage root. With --root, the global roots
must also combine into that state root (under --root-rule); with --value,
the proven value must equal it. Prints the proven value; exits 1 when the
proof is invalid.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := parseFelt("contract", contract)
			if err != nil {
				return err
			}
			k, err := parseFelt("key", key)
			if err != nil {
				return err
			}
			rr, err := parseRootRule(rule)
			if err != nil {
				return err
			}
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			data, name, err := readInput(f, path)
			if err != nil {
				return err
			}
			p, err := store.ParseStorageProof(data)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			st := f.IO.Styles()
			invalid := func(format string, a ...any) error {
				fmt.Fprintf(f.IO.ErrOut, "%s %s: %s\n", st.Bad.Render("invalid proof"), name, fmt.Sprintf(format, a...))
				return &cmdutil.ExitError{Code: 1}
			}
			stateRoot := p.StateRoot(rr)
			if root != "" {
				want, err := parseFelt("root", root)
				if err != nil {
					return err
				}
				if stateRoot != want {
					return invalid("global roots combine into state root %s, not %s", stateRoot, want)
				}
			}
			v, err := p.Verify(c, k)
			if err != nil {
				return invalid("%v", err)
			}
			if value != "" {
				want, err := parseFelt("value", value)
				if err != nil {
					return err
				}
				if v != want {
					return invalid("proves storage %s[%s] = %s, not %s", c, k, v, want)
				}
			}
			fmt.Fprintf(f.IO.Out, "%s storage %s[%s] = %s under state root %s\n", st.Good.Render("valid:"), c, k, v, stateRoot)
			return nil
		},
	}
	cmd.Flags().StringVar(&contract, "contract", "", "contract address")
	cmd.Flags().StringVar(&key, "key", "", "storage key")
	cmd.Flags().StringVar(&root, "root", "", "state root the proof must commit to")
	cmd.Flags().StringVar(&value, "value", "", "value the proof must show")
	cmd.Flags().StringVar(&rule, "root-rule", "v0.14", "state-root rule for --root: v0.14 or legacy")
	return cmd
}
