package devnet

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
)

func newCmdBlock(f *cmdutil.Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "block [N|latest]",
		Short: "Show a block: header, state root, transactions and events",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			latest, n := true, uint64(0)
			if len(args) == 1 && args[0] != "latest" {
				v, err := strconv.ParseUint(args[0], 10, 64)
				if err != nil {
					return fmt.Errorf("block: %q is neither a block number nor latest", args[0])
				}
				latest, n = false, v
			}
			s, err := openDevnet(f, cmd, true)
			if err != nil {
				return err
			}
			defer s.Close()
			b, err := s.net.Block(cmd.Context(), n, latest)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if asJSON {
				type jsonTx struct {
					Hash   string `json:"transaction_hash"`
					Type   string `json:"type"`
					Status string `json:"execution_status"`
				}
				out := struct {
					jsonHeader
					Transactions []jsonTx    `json:"transactions"`
					Events       []jsonEvent `json:"events"`
				}{jsonHeader: headerJSON(b.Header), Transactions: []jsonTx{}, Events: eventsJSON(ctx, s.net, b.Events, b.Header.Number)}
				for i, t := range b.Transactions {
					out.Transactions = append(out.Transactions, jsonTx{t.Hash.String(), t.Type, b.Receipts[i].Status})
				}
				return printJSON(f, out)
			}
			st := f.IO.Styles()
			w := f.IO.Out
			h := b.Header
			fmt.Fprintf(w, "%s %s\n", st.Title.Render(fmt.Sprintf("Block %d", h.Number)), h.Hash)
			field(w, st, "parent", h.ParentHash.String())
			field(w, st, "state root", h.StateRoot.String())
			field(w, st, "contracts", h.ContractsRoot.String())
			field(w, st, "classes", h.ClassesRoot.String())
			field(w, st, "timestamp", fmt.Sprintf("%d (%s)", h.Timestamp, time.Unix(int64(h.Timestamp), 0).UTC().Format(time.RFC3339)))
			field(w, st, "sequencer", h.SequencerAddress.String())
			field(w, st, "version", h.StarknetVersion)
			field(w, st, "transactions", fmt.Sprint(len(b.Transactions)))
			for i, t := range b.Transactions {
				status := b.Receipts[i].Status
				if status == devnet.StatusSucceeded {
					status = st.Good.Render(status)
				} else {
					status = st.Bad.Render(status)
				}
				fmt.Fprintf(w, "    %d %s %s %s\n", i, st.Key.Render(fmt.Sprintf("%-14s", t.Type)), t.Hash, status)
			}
			field(w, st, "events", fmt.Sprint(len(b.Events)))
			printEvents(ctx, w, st, s.net, b.Events, h.Number)
			return nil
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}
