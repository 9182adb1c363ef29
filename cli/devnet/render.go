package devnet

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/vm/felt"
)

// field prints one "label  value" line of a detail view.
func field(w io.Writer, st cmdutil.Styles, label, value string) {
	fmt.Fprintf(w, "  %s %s\n", st.Muted.Render(fmt.Sprintf("%-12s", label)), value)
}

func hexList(fs []felt.Felt) string {
	if len(fs) == 0 {
		return "[]"
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return strings.Join(parts, " ")
}

func resourcesText(r devnet.Resources) string {
	parts := []string{fmt.Sprintf("%d steps", r.Steps)}
	if r.MemoryHoles > 0 {
		parts = append(parts, fmt.Sprintf("%d memory holes", r.MemoryHoles))
	}
	names := make([]string, 0, len(r.Builtins))
	for n := range r.Builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %d", strings.TrimSuffix(n, "_builtin"), r.Builtins[n]))
	}
	return strings.Join(parts, ", ")
}

// printEvents lists events with their ABI names.
func printEvents(ctx context.Context, w io.Writer, st cmdutil.Styles, net *devnet.Devnet, evs []store.Event, block uint64) {
	for i, e := range evs {
		name := net.EventName(ctx, e, block)
		if name != "" {
			name = st.Highlight.Render(name) + " "
		}
		fmt.Fprintf(w, "    %d %sfrom %s keys [%s] data [%s]\n", i, name, e.FromAddress, hexList(e.Keys), hexList(e.Data))
	}
}

// JSON shapes of the devnet commands' --json output.
type (
	jsonHeader struct {
		Number           uint64 `json:"block_number"`
		Hash             string `json:"block_hash"`
		ParentHash       string `json:"parent_hash"`
		StateRoot        string `json:"new_root"`
		ContractsRoot    string `json:"contracts_root"`
		ClassesRoot      string `json:"classes_root"`
		Timestamp        uint64 `json:"timestamp"`
		SequencerAddress string `json:"sequencer_address"`
		StarknetVersion  string `json:"starknet_version"`
		TxCount          uint64 `json:"transaction_count"`
		EventCount       uint64 `json:"event_count"`
	}
	jsonEvent struct {
		FromAddress string   `json:"from_address"`
		Name        string   `json:"name,omitempty"`
		Keys        []string `json:"keys"`
		Data        []string `json:"data"`
	}
	jsonReceipt struct {
		TransactionHash string                 `json:"transaction_hash"`
		ExecutionStatus string                 `json:"execution_status"`
		ActualFee       string                 `json:"actual_fee"`
		RevertReason    string                 `json:"revert_reason,omitempty"`
		BlockNumber     uint64                 `json:"block_number"`
		BlockHash       string                 `json:"block_hash"`
		Events          []jsonEvent            `json:"events"`
		Details         *devnet.ReceiptPayload `json:"details,omitempty"`
	}
)

func headerJSON(h store.Header) jsonHeader {
	return jsonHeader{Number: h.Number, Hash: h.Hash.String(), ParentHash: h.ParentHash.String(), StateRoot: h.StateRoot.String(),
		ContractsRoot: h.ContractsRoot.String(), ClassesRoot: h.ClassesRoot.String(), Timestamp: h.Timestamp,
		SequencerAddress: h.SequencerAddress.String(), StarknetVersion: h.StarknetVersion, TxCount: h.TxCount, EventCount: h.EventCount}
}

func hexes(fs []felt.Felt) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

func eventsJSON(ctx context.Context, net *devnet.Devnet, evs []store.Event, block uint64) []jsonEvent {
	out := make([]jsonEvent, len(evs))
	for i, e := range evs {
		out[i] = jsonEvent{FromAddress: e.FromAddress.String(), Name: net.EventName(ctx, e, block), Keys: hexes(e.Keys), Data: hexes(e.Data)}
	}
	return out
}

func receiptJSON(ctx context.Context, net *devnet.Devnet, v *devnet.TxView) jsonReceipt {
	return jsonReceipt{TransactionHash: v.Tx.Hash.String(), ExecutionStatus: v.Receipt.Status, ActualFee: v.Receipt.ActualFee.String(),
		RevertReason: v.Receipt.RevertReason, BlockNumber: v.Block.Number, BlockHash: v.Block.Hash.String(),
		Events: eventsJSON(ctx, net, v.Events, v.Block.Number), Details: v.RPayload}
}

// outcomeText prints what a committed transaction did.
func outcomeText(ctx context.Context, w io.Writer, st cmdutil.Styles, net *devnet.Devnet, o *devnet.Outcome) {
	field(w, st, "block", fmt.Sprintf("%d %s", o.Block.Number, st.Muted.Render(o.Block.Hash.String())))
	field(w, st, "transaction", o.TxHash.String())
	field(w, st, "state root", o.Block.StateRoot.String())
	if o.Type == devnet.TypeInvoke {
		field(w, st, "retdata", hexList(o.Retdata))
	}
	if !o.ActualFee.IsZero() {
		field(w, st, "actual fee", o.ActualFee.Decimal())
	}
	if o.Type != devnet.TypeDeclare || len(o.Events) > 0 {
		field(w, st, "resources", resourcesText(o.Resources))
		field(w, st, "events", fmt.Sprint(len(o.Events)))
		printEvents(ctx, w, st, net, o.Events, o.Block.Number)
	}
}

type jsonOutcome struct {
	Type            string            `json:"type"`
	TransactionHash string            `json:"transaction_hash"`
	BlockNumber     uint64            `json:"block_number"`
	BlockHash       string            `json:"block_hash"`
	StateRoot       string            `json:"new_root"`
	ClassHash       string            `json:"class_hash,omitempty"`
	ContractAddress string            `json:"contract_address,omitempty"`
	Retdata         []string          `json:"retdata,omitempty"`
	Events          []jsonEvent       `json:"events,omitempty"`
	Resources       *devnet.Resources `json:"execution_resources,omitempty"`
	ActualFee       string            `json:"actual_fee"`
}

func outcomeJSON(ctx context.Context, net *devnet.Devnet, o *devnet.Outcome) jsonOutcome {
	j := jsonOutcome{Type: o.Type, TransactionHash: o.TxHash.String(), BlockNumber: o.Block.Number, BlockHash: o.Block.Hash.String(),
		StateRoot: o.Block.StateRoot.String(), ActualFee: o.ActualFee.String()}
	if !o.ClassHash.IsZero() {
		j.ClassHash = o.ClassHash.String()
	}
	if o.Type == devnet.TypeDeploy || o.Type == devnet.TypeDeployAccount {
		j.ContractAddress = o.ContractAddress.String()
	}
	if o.Type == devnet.TypeInvoke {
		j.Retdata = hexes(o.Retdata)
	}
	if o.Type != devnet.TypeDeclare || len(o.Events) > 0 {
		r := o.Resources
		j.Resources = &r
		j.Events = eventsJSON(ctx, net, o.Events, o.Block.Number)
	}
	return j
}
