package state

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
)

func newCmdProof(f *cmdutil.Factory) *cobra.Command {
	var dbPath, contract, key string
	cmd := &cobra.Command{
		Use:   "proof --db FILE --contract C --key K",
		Short: "Print the Merkle proof of a storage value (starknet_getStorageProof shape)",
		Long: `Prints, as JSON in the shape of Starknet's starknet_getStorageProof result,
the path through the contracts trie to the contract's leaf, the leaf's data
(class hash, nonce, storage root), the path through the contract's storage
trie to the key, and the global roots of the head block. A key or contract
that is absent gets a non-membership proof. Check it with
'kairo state verify-proof'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, c, k, err := openSlot(cmd.Context(), dbPath, contract, key)
			if err != nil {
				return err
			}
			defer s.Close()
			p, err := s.Proof(cmd.Context(), c, k)
			if err != nil {
				return err
			}
			js, err := p.MarshalJSON()
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "%s\n", js)
			return nil
		},
	}
	cmd.Flags().StringVar(&dbPath, "db", "", "devnet database")
	cmd.Flags().StringVar(&contract, "contract", "", "contract address")
	cmd.Flags().StringVar(&key, "key", "", "storage key")
	return cmd
}
