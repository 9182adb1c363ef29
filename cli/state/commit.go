package state

import (
	"fmt"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/store/sqlite"
)

func newCmdCommit(f *cmdutil.Factory) *cobra.Command {
	var diffPath, dbPath, rule string
	cmd := &cobra.Command{
		Use:   "commit --diff DIFF.json [--db FILE]",
		Short: "Apply a state diff and print the storage, contracts, classes and state roots",
		Long: `Applies a state diff, in the shape
  {"contracts": [{"address", "class_hash", "nonce", "storage": {key: value}}],
   "classes": [{"class_hash", "compiled_class_hash"}]}
and prints the storage root of every contract in the diff, the contracts
root, the classes root and the state root, in hex.

Without --db the diff is applied to an empty state in memory. With --db it
lands as a new block of that devnet database (created if missing).

A diff may carry the roots it expects (expected_storage_root,
expected_contracts_trie_root, expected_state_root, as published vectors
do): they are checked, and a mismatch fails the command.

--root-rule picks the state-root rule: v0.14 (Starknet since 0.14.0) or
legacy (before it: a zero classes root makes the state root the contracts
root, as for mainnet block 0). A database keeps the rule it was created
with.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if diffPath == "" {
				return fmt.Errorf("--diff is required (a file, or - for stdin)")
			}
			rr, err := parseRootRule(rule)
			if err != nil {
				return err
			}
			data, name, err := readInput(f, diffPath)
			if err != nil {
				return err
			}
			d, err := commitment.ParseStateDiff(data)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			var res *commitment.Result
			block := ""
			if dbPath == "" {
				res, err = commitment.NewCommitter(commitment.NewMemoryState(), commitment.WithRootRule(rr)).Commit(d)
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			} else {
				res, block, err = commitToDB(cmd, dbPath, rr, cmd.Flags().Changed("root-rule"), d)
				if err != nil {
					return err
				}
			}
			printRoots(f, res, block)
			if err := res.Check(d); err != nil {
				return fmt.Errorf("%s: roots differ from the expected ones: %w", name, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&diffPath, "diff", "", "state diff JSON file (- for stdin)")
	cmd.Flags().StringVar(&dbPath, "db", "", "devnet database to commit the diff to as a new block")
	cmd.Flags().StringVar(&rule, "root-rule", "v0.14", "state-root rule: v0.14 or legacy")
	return cmd
}

// commitToDB commits d as a new block of the database at path and returns
// the roots as a commitment result.
func commitToDB(cmd *cobra.Command, path string, rule commitment.RootRule, ruleSet bool, d *commitment.StateDiff) (*commitment.Result, string, error) {
	ctx := cmd.Context()
	s, err := sqlite.Open(ctx, path, sqlite.Options{Create: true, RootRule: rule})
	if err != nil {
		return nil, "", err
	}
	defer s.Close()
	if ruleSet && s.RootRule() != rule {
		return nil, "", fmt.Errorf("store %s uses the %s root rule, not %s", path, ruleName(s.RootRule()), ruleName(rule))
	}
	h, err := s.CommitBlock(ctx, &store.Block{Header: store.Header{Timestamp: uint64(time.Now().Unix())}, Diff: d})
	if err != nil {
		return nil, "", err
	}
	res := &commitment.Result{ContractsRoot: h.ContractsRoot, ClassesRoot: h.ClassesRoot, StateRoot: h.StateRoot}
	for _, c := range d.Contracts {
		root, err := s.StorageRoot(ctx, c.Address)
		if err != nil {
			return nil, "", err
		}
		res.Contracts = append(res.Contracts, commitment.ContractState{Address: c.Address, StorageRoot: root})
	}
	return res, fmt.Sprint(h.Number), nil
}

func printRoots(f *cmdutil.Factory, res *commitment.Result, block string) {
	st := f.IO.Styles()
	line := func(style lipgloss.Style, label, value string) {
		fmt.Fprintf(f.IO.Out, "%s  %s\n", style.Render(fmt.Sprintf("%-14s", label)), value)
	}
	if block != "" {
		line(st.Header, "block", block)
	}
	for _, c := range res.Contracts {
		line(st.Key, "storage root", fmt.Sprintf("%s  %s", c.StorageRoot, st.Muted.Render("contract "+c.Address.String())))
	}
	line(st.Header, "contracts root", res.ContractsRoot.String())
	line(st.Header, "classes root", res.ClassesRoot.String())
	line(st.Highlight, "state root", res.StateRoot.String())
}
