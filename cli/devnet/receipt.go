package devnet

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
)

func newCmdReceipt(f *cmdutil.Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "receipt HASH",
		Short: "Show a transaction's receipt: status, fee, resources, events, messages",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, v, err := findTx(f, cmd, args[0])
			if err != nil {
				return err
			}
			defer s.Close()
			ctx := cmd.Context()
			if asJSON {
				return printJSON(f, receiptJSON(ctx, s.net, v))
			}
			st := f.IO.Styles()
			w := f.IO.Out
			fmt.Fprintf(w, "%s %s\n", st.Title.Render("Receipt of"), v.Tx.Hash)
			status := v.Receipt.Status
			if status == devnet.StatusSucceeded {
				status = st.Good.Render(status)
			} else {
				status = st.Bad.Render(status)
			}
			field(w, st, "status", status)
			if v.Receipt.RevertReason != "" {
				field(w, st, "reason", v.Receipt.RevertReason)
			}
			field(w, st, "block", fmt.Sprintf("%d %s", v.Block.Number, st.Muted.Render(v.Block.Hash.String())))
			field(w, st, "actual fee", v.Receipt.ActualFee.String())
			if rp := v.RPayload; rp != nil {
				if rp.ContractAddress != "" {
					field(w, st, "contract", rp.ContractAddress)
				}
				if rp.ClassHash != "" {
					field(w, st, "class hash", rp.ClassHash)
				}
				if v.Tx.Type == devnet.TypeInvoke {
					field(w, st, "retdata", listText(rp.Retdata))
				}
				if v.Tx.Type != devnet.TypeDeclare {
					field(w, st, "resources", resourcesText(rp.ExecutionResources))
				}
				field(w, st, "messages", fmt.Sprint(len(rp.MessagesSent)))
				for i, m := range rp.MessagesSent {
					fmt.Fprintf(w, "    %d from %s to %s payload [%s]\n", i, m.FromAddress, m.ToAddress, listText(m.Payload))
				}
			}
			field(w, st, "events", fmt.Sprint(len(v.Events)))
			printEvents(ctx, w, st, s.net, v.Events, v.Block.Number)
			return nil
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}
