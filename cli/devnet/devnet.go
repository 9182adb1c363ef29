// Package devnet implements `kairo devnet`: the local devnet persisted in a
// SQLite store. Every verb lives in its own file and registers itself in
// NewCmdDevnet; verbs share the --db flag and its resolution through
// DBPath.
package devnet

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
)

// NewCmdDevnet returns the devnet command group.
func NewCmdDevnet(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Run and manage the local devnet and its snapshots",
		Long: `The devnet keeps its chain and state in one SQLite file (--db, or devnet.db
in kairo.toml, or KAIRO_DEVNET_DB). Snapshots are copies of that file kept
beside it in FILE.snapshots/.`,
	}
	cmd.PersistentFlags().String("db", "", "devnet database file (default: devnet.db from kairo.toml or KAIRO_DEVNET_DB)")
	for _, add := range verbs {
		cmd.AddCommand(add(f))
	}
	return cmd
}

// verbs are the devnet sub-commands.
var verbs = []func(*cmdutil.Factory) *cobra.Command{
	newCmdInit,
	newCmdDeclare,
	newCmdDeploy,
	newCmdDeployAccount,
	newCmdInvoke,
	newCmdCall,
	newCmdBlock,
	newCmdTx,
	newCmdReceipt,
	newCmdAccounts,
	newCmdSnapshot,
	newCmdRevert,
	newCmdSnapshots,
}

// DBPath returns the database file a devnet command works on: --db, else
// the devnet.db setting.
func DBPath(f *cmdutil.Factory, cmd *cobra.Command) (string, error) {
	if p, _ := cmd.Flags().GetString("db"); p != "" {
		return p, nil
	}
	if f.Config != nil {
		if p := f.Config.GetString("devnet.db"); p != "" {
			return p, nil
		}
	}
	return "", errors.New("no devnet database: pass --db FILE, or set devnet.db in kairo.toml or KAIRO_DEVNET_DB")
}
