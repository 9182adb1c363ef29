package block

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/sequencer/kvtx"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/vm/felt"
)

// GenOptions are `kairo block gen`'s flags.
type GenOptions struct {
	Workload string
	Txs      int
	Accounts int
	TxCost   time.Duration
	Seed     uint64
	Output   string
	// DB is the devnet whose genesis accounts the erc20 workload's
	// transfers are between; AllAccounts uses all of them.
	DB          string
	AllAccounts bool
	ctx         context.Context
}

func (o *GenOptions) config() kvtx.GenConfig {
	return kvtx.GenConfig{Workload: o.Workload, Txs: o.Txs, Accounts: o.Accounts, TxCost: o.TxCost, Seed: o.Seed}
}

func newCmdGen(f *cmdutil.Factory, runF func(*GenOptions) error) *cobra.Command {
	o := &GenOptions{}
	cmd := &cobra.Command{
		Use:   "gen --workload W [flags]",
		Short: "Generate a block of a workload",
		Long: `Generate a block file. Workloads:
  transfers  random transfers among --accounts accounts (2: fully serial;
             10000: nearly conflict-free)
  hotspot    the same transfers, each also paying a fee to one sequencer
             account (a commutative delta: no conflict)
  chain      transaction i reads what transaction i-1 wrote
  random     operations reading 1-4 and writing 1-2 of --accounts keys
  erc20      Starknet transactions: signed v1 INVOKEs of fee-token transfers
             between the genesis accounts of the devnet --db (all of them,
             or the first --accounts), from their current nonces; run them
             with kairo block run --db
The same flags always generate the same block (for erc20: on the same
chain state).`,
		Example: "  kairo block gen --workload transfers --txs 10000 --accounts 10000 --tx-cost 50us -o block.json\n  kairo block gen --workload erc20 --db devnet.db --txs 1000 -o txs.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.AllAccounts, o.ctx = !cmd.Flags().Changed("accounts"), cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return runGen(f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Workload, "workload", "transfers", "transfers, hotspot, chain, random or erc20 (with --db)")
	fl.IntVarP(&o.Txs, "txs", "n", 1000, "number of transactions")
	fl.IntVarP(&o.Accounts, "accounts", "k", 1000, "accounts (transfers, hotspot) or keys (random)")
	fl.DurationVar(&o.TxCost, "tx-cost", 0, "CPU work of each transaction, e.g. 50us (a calibrated hashing loop)")
	fl.Uint64Var(&o.Seed, "seed", 1, "random seed")
	fl.StringVarP(&o.Output, "output", "o", "-", "output file (- for standard output)")
	addDBFlag(cmd, &o.DB)
	return cmd
}

func runGen(f *cmdutil.Factory, o *GenOptions) error {
	if o.Workload == "erc20" {
		return genERC20(f, o)
	}
	if o.DB != "" {
		return fmt.Errorf("--db is for --workload erc20 (the built-in workloads need no devnet)")
	}
	b, err := kvtx.Generate(o.config())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := b.WriteJSON(&buf); err != nil {
		return err
	}
	return writeOutput(f, o.Output, buf.Bytes(), b.Description)
}

// genERC20 writes signed transfers between the devnet's genesis accounts.
func genERC20(f *cmdutil.Factory, o *GenOptions) error {
	if o.Txs < 1 {
		return fmt.Errorf("--txs must be at least 1, not %d", o.Txs)
	}
	ctx := o.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	path, err := dbPath(f, o.DB, "--workload erc20")
	if err != nil {
		return err
	}
	sess, err := openChain(ctx, f, path, true)
	if err != nil {
		return err
	}
	defer sess.Close()
	g := sess.net.Genesis()
	if len(g.Accounts) < 2 {
		return fmt.Errorf("%s has %d genesis accounts; transfers need at least 2 (kairo devnet init --accounts N)", path, len(g.Accounts))
	}
	n := len(g.Accounts)
	if !o.AllAccounts {
		if o.Accounts < 2 || o.Accounts > n {
			return fmt.Errorf("--accounts must be between 2 and the devnet's %d genesis accounts, not %d", n, o.Accounts)
		}
		n = o.Accounts
	}
	batch, err := sess.net.NewBatch(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	accounts := make([]txn.Account, n)
	nonces := make([]uint64, n)
	for i, a := range g.Accounts[:n] {
		acc := txn.Account{}
		if acc.Address, err = devnet.ParseAddress("genesis account", a.Address); err != nil {
			return err
		}
		if acc.PrivateKey, err = devnet.ParseFelt("genesis private key", a.PrivateKey); err != nil {
			return err
		}
		acc.PublicKey = txn.PublicKey(acc.PrivateKey)
		accounts[i] = acc
		nonce, err := sess.store.Nonce(ctx, acc.Address)
		if err != nil {
			return err
		}
		v, ok := nonce.Uint64()
		if !ok {
			return fmt.Errorf("account %s has nonce %s", acc.Address, nonce)
		}
		nonces[i] = v
	}
	txs, err := txn.Transfers(txn.TransferOptions{ChainID: batch.Config.ChainID, Token: batch.Config.FeeToken,
		Accounts: accounts, Nonces: nonces, Txs: o.Txs, MaxFee: erc20MaxFee})
	if err != nil {
		return err
	}
	tf := &txn.File{Description: fmt.Sprintf("%d signed ETH transfers between %d genesis accounts of %s, from block %d",
		o.Txs, n, filepath.Base(path), batch.Number())}
	for _, tx := range txs {
		tf.Txs = append(tf.Txs, &txn.FileTx{Tx: tx})
	}
	var buf bytes.Buffer
	if err := txn.WriteFile(&buf, tf); err != nil {
		return err
	}
	return writeOutput(f, o.Output, buf.Bytes(), tf.Description)
}

// writeOutput writes a generated file to path ("-": standard output) and
// says on the error stream what it wrote.
func writeOutput(f *cmdutil.Factory, path string, data []byte, description string) error {
	if path == "-" {
		_, err := f.IO.Out.Write(data)
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(f.IO.ErrOut, "wrote %s: %s\n", path, description)
	return nil
}

// erc20MaxFee is each generated transfer's maximum fee: 0.01 ETH, far
// above a transfer's fee at the devnet's gas price.
var erc20MaxFee = felt.FromUint64(1e16)
