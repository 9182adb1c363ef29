package devnet

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/store/sqlite"
)

func newCmdSnapshots(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "snapshots",
		Short: "List the devnet's snapshots",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := DBPath(f, cmd)
			if err != nil {
				return err
			}
			s, err := sqlite.Open(cmd.Context(), path, sqlite.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer s.Close()
			list, err := s.Snapshots(cmd.Context())
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintf(f.IO.ErrOut, "no snapshots of %s\n", path)
				return nil
			}
			st := f.IO.Styles()
			// A terminal gets aligned columns; a pipe gets tab-separated
			// fields.
			var w io.Writer = f.IO.Out
			var tw *tabwriter.Writer
			if f.IO.IsStdoutTTY() {
				tw = tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
				w = tw
			}
			fmt.Fprintln(w, st.Header.Render("NAME")+"\t"+st.Header.Render("BLOCK")+"\t"+
				st.Header.Render("STATE ROOT")+"\t"+st.Header.Render("SIZE")+"\t"+st.Header.Render("CREATED"))
			for _, in := range list {
				block, root := "-", "-"
				switch {
				case in.Err != nil:
					block, root = st.Bad.Render("damaged"), in.Err.Error()
				case !in.Empty:
					block, root = fmt.Sprint(in.Block), in.StateRoot.String()
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", st.Key.Render(in.Name), block, root,
					humanSize(in.Size), in.Created.UTC().Format(time.RFC3339))
			}
			if tw != nil {
				return tw.Flush()
			}
			return nil
		},
	}
}

// humanSize prints a byte count with a binary unit.
func humanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
