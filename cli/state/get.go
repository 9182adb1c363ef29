package state

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/store/sqlite"
	"github.com/kairo-dev/kairo/vm/felt"
)

func newCmdGet(f *cmdutil.Factory) *cobra.Command {
	var dbPath, contract, key string
	var block uint64
	cmd := &cobra.Command{
		Use:   "get --db FILE --contract C --key K [--block N]",
		Short: "Print a storage value, at the head or as of block N",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dbPath == "" {
				return fmt.Errorf("--db is required")
			}
			c, err := parseFelt("contract", contract)
			if err != nil {
				return err
			}
			k, err := parseFelt("key", key)
			if err != nil {
				return err
			}
			s, err := sqlite.Open(cmd.Context(), dbPath, sqlite.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer s.Close()
			var v felt.Felt
			if cmd.Flags().Changed("block") {
				v, err = s.StorageAt(cmd.Context(), c, k, block)
			} else {
				v, err = s.Storage(cmd.Context(), c, k)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(f.IO.Out, v)
			return nil
		},
	}
	cmd.Flags().StringVar(&dbPath, "db", "", "devnet database")
	cmd.Flags().StringVar(&contract, "contract", "", "contract address")
	cmd.Flags().StringVar(&key, "key", "", "storage key")
	cmd.Flags().Uint64Var(&block, "block", 0, "read the value as of this block (default: the head)")
	return cmd
}
