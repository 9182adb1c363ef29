package devnet

import (
	"context"
	"fmt"
	"strings"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/store/commitment"
	"github.com/kairo-dev/kairo/vm/felt"
)

// DefaultBalance is each genesis account's balance in both fee tokens:
// 1000 ETH (10^21 wei), as starknet-devnet funds its accounts.
var DefaultBalance = felt.MustFromString("1000000000000000000000")

// isAccountClass reports whether a class is an account: it has
// __validate__ and __execute__.
func isAccountClass(c *contract.Class) bool {
	_, v := c.EntryPoint(contract.External, contract.Selector("__validate__"))
	_, e := c.EntryPoint(contract.External, contract.Selector("__execute__"))
	return v && e && c.EntryPoints[contract.External][0].Selector != contract.DefaultSelector
}

// isTokenClass reports whether a class is an ERC20: transfer and
// balanceOf, and not an account.
func isTokenClass(c *contract.Class) bool {
	if isAccountClass(c) {
		return false
	}
	has := func(name string) bool {
		sel := contract.Selector(name)
		for _, ep := range c.EntryPoints[contract.External] {
			if ep.Selector == sel {
				return true
			}
		}
		return false
	}
	return has("transfer") && has("balanceOf")
}

// pickClass returns the one class of the given files that matches.
func pickClass(what string, files []ClassFile, classes []*contract.Class, match func(*contract.Class) bool) (*contract.Class, error) {
	var found *contract.Class
	var names []string
	for i, c := range classes {
		if match(c) {
			found = c
			names = append(names, files[i].Name)
		}
	}
	switch len(names) {
	case 0:
		return nil, fmt.Errorf("funded accounts need an %s class among the classes, and there is none", what)
	case 1:
		return found, nil
	}
	return nil, fmt.Errorf("funded accounts need one %s class, and the classes hold %d: %s", what, len(names), strings.Join(names, ", "))
}

// GenesisClasses picks the account class and the ERC20 class among parsed
// class files (exactly one of each), as init --accounts does.
func GenesisClasses(files []ClassFile, classes []*contract.Class) (account, token *contract.Class, err error) {
	if account, err = pickClass("account", files, classes, isAccountClass); err != nil {
		return nil, nil, err
	}
	if token, err = pickClass("ERC20", files, classes, isTokenClass); err != nil {
		return nil, nil, err
	}
	return account, token, nil
}

// genesisAccounts builds the fee tokens and the funded accounts with
// txn.NewGenesis and returns the state diff of block 0 and the records.
func genesisAccounts(ctx context.Context, chain Chain, opts InitOptions, classes []*contract.Class, g *Genesis) (*commitment.StateDiff, error) {
	account, token, err := GenesisClasses(opts.Classes, classes)
	if err != nil {
		return nil, err
	}
	balance := opts.Balance
	if balance.IsZero() {
		balance = DefaultBalance
	}
	cfg := txn.DefaultConfig()
	gen, err := txn.NewGenesis(txn.GenesisOptions{Config: cfg, AccountClass: account, TokenClass: token,
		Accounts: opts.Accounts, Seed: opts.Seed, Balance: balance})
	if err != nil {
		return nil, err
	}
	writes := make(state.Diff, 0, len(gen.State))
	for k, v := range gen.State {
		writes = append(writes, state.KV{Key: k, Value: v})
	}
	writes.Sort()
	diff, err := stateDiff(headState{ctx: ctx, r: chain}, writes)
	if err != nil {
		return nil, err
	}
	g.FeeToken, g.STRKFeeToken, g.Balance = cfg.FeeToken.String(), cfg.STRKFeeToken.String(), balance.Decimal()
	g.Seed = &opts.Seed
	for _, a := range gen.Accounts {
		g.Accounts = append(g.Accounts, Account{Address: a.Address.String(), ClassHash: account.Hash.String(),
			PublicKey: a.PublicKey.String(), PrivateKey: a.PrivateKey.String()})
	}
	return diff, nil
}

// nextEnv returns the block after the head and its transaction
// environment.
func (d *Devnet) nextEnv(ctx context.Context) (pending, txn.Config, error) {
	p, err := d.next(ctx)
	if err != nil {
		return p, txn.Config{}, err
	}
	cfg, err := d.txConfig(p)
	return p, cfg, err
}

// txConfig is the transaction environment of block p.
func (d *Devnet) txConfig(p pending) (txn.Config, error) {
	cfg := txn.DefaultConfig()
	cfg.ChainID = d.chainID
	cfg.Block = execution.BlockInfo{Number: p.number, Timestamp: p.header.Timestamp, SequencerAddress: d.seqAddr}
	var err error
	if d.genesis.FeeToken != "" {
		if cfg.FeeToken, err = ParseAddress("genesis fee token", d.genesis.FeeToken); err != nil {
			return cfg, err
		}
	}
	if d.genesis.STRKFeeToken != "" {
		if cfg.STRKFeeToken, err = ParseAddress("genesis STRK fee token", d.genesis.STRKFeeToken); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// account returns the genesis account at addr with its key.
func (d *Devnet) account(addr felt.Felt) (txn.Account, error) {
	for _, a := range d.genesis.Accounts {
		if a.Address != addr.String() {
			continue
		}
		priv, err := ParseFelt("private key", a.PrivateKey)
		if err != nil {
			return txn.Account{}, err
		}
		pub, err := ParseFelt("public key", a.PublicKey)
		if err != nil {
			return txn.Account{}, err
		}
		return txn.Account{Address: addr, PrivateKey: priv, PublicKey: pub}, nil
	}
	return txn.Account{}, fmt.Errorf("%s is not a genesis account of this devnet, so its key is unknown (give its private key, or impersonate it with --from)", addr)
}
