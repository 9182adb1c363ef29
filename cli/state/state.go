// Package state implements `kairo state`: applying state diffs and reading,
// proving and verifying the Starknet state kept in a devnet store.
package state

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
)

// NewCmdState returns the state command group.
func NewCmdState(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Commit state diffs, read state, and prove or verify storage values",
		Long: `Work with Starknet state and its commitment: per-contract storage tries and
the contracts trie (Pedersen), the classes trie (Poseidon) and the global
state root, computed exactly as Starknet does.`,
	}
	cmd.AddCommand(newCmdCommit(f), newCmdGet(f), newCmdProof(f), newCmdVerifyProof(f))
	return cmd
}

// parseFelt reads a felt flag: 0x-prefixed hex or decimal.
func parseFelt(flag, s string) (felt.Felt, error) {
	if s == "" {
		return felt.Zero, fmt.Errorf("--%s is required", flag)
	}
	v, err := felt.FromString(s)
	if err != nil {
		return felt.Zero, fmt.Errorf("--%s: %w", flag, err)
	}
	if v.BigInt().Cmp(mustBig(s)) != 0 {
		return felt.Zero, fmt.Errorf("--%s: %s is not below the field prime", flag, s)
	}
	return v, nil
}

// parseRootRule reads --root-rule.
func parseRootRule(s string) (commitment.RootRule, error) {
	switch s {
	case "v0.14", "0.14":
		return commitment.RootRuleV014, nil
	case "legacy":
		return commitment.RootRuleLegacy, nil
	}
	return 0, fmt.Errorf("--root-rule %q: want v0.14 or legacy", s)
}

func ruleName(r commitment.RootRule) string {
	if r == commitment.RootRuleLegacy {
		return "legacy"
	}
	return "v0.14"
}

// readInput reads a file, or standard input for "-" or "".
func readInput(f *cmdutil.Factory, path string) ([]byte, string, error) {
	if path == "" || path == "-" {
		b, err := io.ReadAll(f.IO.In)
		if err != nil {
			return nil, "stdin", fmt.Errorf("read stdin: %w", err)
		}
		return b, "stdin", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, path, fmt.Errorf("read %s: %w", path, err)
	}
	return b, path, nil
}
