package devnet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/store/sqlite"
)

func newCmdInit(f *cmdutil.Factory) *cobra.Command {
	var classesDir, chainID, seqAddr, balance string
	var accounts int
	var seed uint64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "init [--classes DIR] [--accounts N --seed S] [--chain-id ID]",
		Short: "Create a devnet: a new database with its genesis block",
		Long: `Creates the devnet database and commits block 0: the genesis record (chain id,
sequencer address) and the declaration of every Cairo 0 class in --classes DIR.
With --accounts N, DIR must hold one account class and one ERC20 class: block 0
then also deploys the ETH and STRK fee tokens and N accounts funded in both,
whose keys derive from --seed; their addresses and private keys are printed
(and listed by 'kairo devnet accounts'). The database must not exist yet.
Transactions are then sent with 'kairo devnet declare|deploy|invoke', from a
genesis account (--account) or impersonating any caller (--from).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := DBPath(f, cmd)
			if err != nil {
				return err
			}
			opts := devnet.InitOptions{}
			if opts.Options, err = Options(f); err != nil {
				return err
			}
			if chainID != "" {
				if opts.ChainID, err = devnet.ParseChainID(chainID); err != nil {
					return err
				}
			}
			if seqAddr != "" {
				if opts.SequencerAddress, err = devnet.ParseAddress("--sequencer-address", seqAddr); err != nil {
					return err
				}
			}
			opts.Accounts, opts.Seed = accounts, seed
			if accounts < 0 {
				return fmt.Errorf("--accounts: %d is negative", accounts)
			}
			if balance != "" {
				if opts.Balance, err = devnet.ParseFelt("--balance", balance); err != nil {
					return err
				}
			}
			if accounts > 0 && classesDir == "" {
				return fmt.Errorf("--accounts needs --classes DIR with an account class and an ERC20 class")
			}
			if classesDir != "" {
				if opts.Classes, err = devnet.ReadClassDir(classesDir); err != nil {
					return err
				}
			}
			if _, err := os.Stat(path); err == nil {
				return fmt.Errorf("%s already exists: remove it or pass another --db", path)
			} else if !errors.Is(err, os.ErrNotExist) {
				return err
			}
			s, err := sqlite.Open(cmd.Context(), path, sqlite.Options{Create: true})
			if err != nil {
				return err
			}
			net, g, err := devnet.Init(cmd.Context(), s, opts)
			if cerr := s.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				// Nothing was committed: leave no empty database behind.
				os.Remove(path)
				os.Remove(path + "-wal")
				os.Remove(path + "-shm")
				return err
			}
			h := g.Header
			if asJSON {
				type jsonClass struct {
					ClassHash string `json:"class_hash"`
				}
				out := struct {
					DB      string         `json:"db"`
					Genesis devnet.Genesis `json:"genesis"`
					Block   jsonHeader     `json:"block"`
					Classes []jsonClass    `json:"declared_classes"`
				}{DB: path, Genesis: net.Genesis(), Block: headerJSON(h), Classes: []jsonClass{}}
				for _, c := range g.Classes {
					out.Classes = append(out.Classes, jsonClass{c.String()})
				}
				return printJSON(f, out)
			}
			st := f.IO.Styles()
			w := f.IO.Out
			fmt.Fprintf(w, "%s %s\n", st.Good.Render("Created devnet"), st.Highlight.Render(path))
			field(w, st, "chain id", chainIDText(net))
			field(w, st, "sequencer", net.Genesis().SequencerAddress)
			field(w, st, "block 0", h.Hash.String())
			field(w, st, "state root", h.StateRoot.String())
			field(w, st, "classes", fmt.Sprint(len(g.Classes)))
			for i, c := range g.Classes {
				fmt.Fprintf(w, "    %s %s\n", c, st.Muted.Render(filepath.Base(opts.Classes[i].Name)))
			}
			gen := net.Genesis()
			if len(gen.Accounts) == 0 {
				return nil
			}
			field(w, st, "fee tokens", fmt.Sprintf("ETH %s, STRK %s", gen.FeeToken, gen.STRKFeeToken))
			field(w, st, "accounts", fmt.Sprintf("%d, %s wei each, seed %d", len(gen.Accounts), gen.Balance, seed))
			for i, a := range gen.Accounts {
				fmt.Fprintf(w, "    %d %s\n", i, st.Highlight.Render(a.Address))
				fmt.Fprintf(w, "      %s %s\n", st.Muted.Render("private key"), a.PrivateKey)
				fmt.Fprintf(w, "      %s  %s\n", st.Muted.Render("public key"), a.PublicKey)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&classesDir, "classes", "", "declare every Cairo 0 class (*.json) of this directory in block 0")
	cmd.Flags().IntVar(&accounts, "accounts", 0, "deploy this many funded accounts and the fee tokens (needs --classes)")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "seed of the accounts' private keys")
	cmd.Flags().StringVar(&balance, "balance", "", "each account's balance in wei and fri (default 10^21)")
	cmd.Flags().StringVar(&chainID, "chain-id", "", "chain id, a short string or 0x felt (default SN_SEPOLIA)")
	cmd.Flags().StringVar(&seqAddr, "sequencer-address", "", "sequencer address written in block headers (default 0x1000)")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// chainIDText spells the chain id as its short string when it is one.
func chainIDText(net *devnet.Devnet) string {
	id := net.ChainID()
	if s, ok := devnet.DecodeShortString(id); ok {
		return fmt.Sprintf("%s (%s)", s, id)
	}
	return id.String()
}
