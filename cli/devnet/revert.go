package devnet

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/sqlite"
)

func newCmdRevert(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "revert NAME",
		Short: "Bring the devnet back to the snapshot NAME",
		Long: `Replaces the devnet database's content with the snapshot NAME, in one
transaction: a crash during the revert leaves either the old state or the
snapshot. The snapshot is kept, so one can revert to it again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := DBPath(f, cmd)
			if err != nil {
				return err
			}
			s, err := sqlite.Open(cmd.Context(), path, sqlite.Options{})
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.Revert(cmd.Context(), args[0]); err != nil {
				return err
			}
			head := "no blocks"
			h, err := s.Head(cmd.Context())
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return err
			default:
				head = fmt.Sprintf("block %d, state root %s", h.Number, h.StateRoot)
			}
			st := f.IO.Styles()
			fmt.Fprintf(f.IO.Out, "Reverted to snapshot %s: %s\n", st.Highlight.Render(args[0]), head)
			return nil
		},
	}
}
