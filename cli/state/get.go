package state

import (
	"context"
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
			s, c, k, err := openSlot(cmd.Context(), dbPath, contract, key)
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

// openSlot opens the database read-only and parses the --contract and
// --key of a storage slot, as get and proof take them.
func openSlot(ctx context.Context, dbPath, contract, key string) (*sqlite.Store, felt.Felt, felt.Felt, error) {
	if dbPath == "" {
		return nil, felt.Zero, felt.Zero, fmt.Errorf("--db is required")
	}
	c, err := parseFelt("contract", contract)
	if err != nil {
		return nil, felt.Zero, felt.Zero, err
	}
	k, err := parseFelt("key", key)
	if err != nil {
		return nil, felt.Zero, felt.Zero, err
	}
	s, err := sqlite.Open(ctx, dbPath, sqlite.Options{ReadOnly: true})
	if err != nil {
		return nil, felt.Zero, felt.Zero, err
	}
	return s, c, k, nil
}
