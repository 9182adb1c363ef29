package txn

import (
	"fmt"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// GenesisOptions describe a devnet's initial state.
type GenesisOptions struct {
	Config Config
	// AccountClass is an OpenZeppelin-style Cairo 0 account (public key
	// in Account_public_key, __validate__ checking the signature of the
	// transaction hash); TokenClass an OpenZeppelin-style Cairo 0 ERC20.
	AccountClass, TokenClass *contract.Class
	// Accounts is the number of funded accounts; their keys derive from
	// Seed.
	Accounts int
	Seed     uint64
	// Balance is each account's balance in both fee tokens (below 2**128).
	Balance felt.Felt
}

// Account is a funded genesis account.
type Account struct {
	Address, PrivateKey, PublicKey felt.Felt
}

// Genesis is the initial state of a devnet: the account and token
// classes declared, the ETH and STRK fee tokens deployed at
// Config.FeeToken and Config.STRKFeeToken, and the accounts deployed
// and funded, all by direct state writes.
type Genesis struct {
	State    state.Map
	Classes  *execution.ClassMap
	Accounts []Account
}

// AccountKey derives the private key of genesis account i from a seed:
// Poseidon(seed, i) reduced to 251 bits (below the curve order), never
// zero.
func AccountKey(seed uint64, i int) felt.Felt {
	for n := uint64(0); ; n++ {
		h := hash.PoseidonHashMany([]felt.Felt{felt.FromUint64(seed), felt.FromUint64(uint64(i)), felt.FromUint64(n)})
		l := h.Limbs()
		l[3] &= 1<<59 - 1
		if k := felt.FromLimbs(l); !k.IsZero() {
			return k
		}
	}
}

// AccountAddress is where the genesis account with this public key is
// deployed: the account class with the public key as salt and
// constructor argument, from address zero (as a DEPLOY_ACCOUNT would).
func AccountAddress(accountClass, publicKey felt.Felt) felt.Felt {
	return execution.ContractAddress(publicKey, accountClass, []felt.Felt{publicKey}, felt.Zero)
}

// NewGenesis builds the genesis state.
func NewGenesis(opt GenesisOptions) (*Genesis, error) {
	if opt.AccountClass == nil || opt.TokenClass == nil {
		return nil, fmt.Errorf("genesis needs an account class and a token class")
	}
	if opt.Balance.BitLen() > 128 {
		return nil, fmt.Errorf("genesis balance %s does not fit in 128 bits", opt.Balance)
	}
	g := &Genesis{State: state.Map{}, Classes: execution.NewClassMap()}
	g.Classes.Declare(opt.AccountClass)
	g.Classes.Declare(opt.TokenClass)
	pubKeyVar := StorageVarAddress("Account_public_key")
	for i := 0; i < opt.Accounts; i++ {
		priv := AccountKey(opt.Seed, i)
		pub := PublicKey(priv)
		addr := AccountAddress(opt.AccountClass.Hash, pub)
		if _, dup := g.State[state.ClassHashKey(addr)]; dup {
			return nil, fmt.Errorf("genesis account %d collides with another at %s", i, addr)
		}
		g.State[state.ClassHashKey(addr)] = opt.AccountClass.Hash
		g.State[state.StorageKey(addr, pubKeyVar)] = pub
		g.Accounts = append(g.Accounts, Account{Address: addr, PrivateKey: priv, PublicKey: pub})
	}
	supply := opt.Balance.Mul(felt.FromUint64(uint64(opt.Accounts)))
	for _, tok := range []struct {
		addr         felt.Felt
		name, symbol string
	}{{opt.Config.FeeToken, "Ether", "ETH"}, {opt.Config.STRKFeeToken, "StarkNet Token", "STRK"}} {
		g.State[state.ClassHashKey(tok.addr)] = opt.TokenClass.Hash
		g.State[state.StorageKey(tok.addr, StorageVarAddress("ERC20_name"))] = shortString(tok.name)
		g.State[state.StorageKey(tok.addr, StorageVarAddress("ERC20_symbol"))] = shortString(tok.symbol)
		g.State[state.StorageKey(tok.addr, StorageVarAddress("ERC20_decimals"))] = felt.FromUint64(18)
		g.State[state.StorageKey(tok.addr, StorageVarAddress("ERC20_total_supply"))] = supply
		for _, a := range g.Accounts {
			g.State[state.StorageKey(tok.addr, BalanceKey(a.Address))] = opt.Balance
		}
	}
	return g, nil
}

// Call is one call of an account's multicall.
type Call struct {
	To       felt.Felt
	Selector felt.Felt
	Calldata []felt.Felt
}

// ExecuteCalldata is the calldata of a Cairo 0 OpenZeppelin account's
// __execute__: the call array (to, selector, data offset, data length)
// and the concatenated calldata.
func ExecuteCalldata(calls ...Call) []felt.Felt {
	out := []felt.Felt{felt.FromUint64(uint64(len(calls)))}
	var data []felt.Felt
	for _, c := range calls {
		out = append(out, c.To, c.Selector, felt.FromUint64(uint64(len(data))), felt.FromUint64(uint64(len(c.Calldata))))
		data = append(data, c.Calldata...)
	}
	out = append(out, felt.FromUint64(uint64(len(data))))
	return append(out, data...)
}

// SignedInvoke builds a v1 INVOKE of calls from an account and signs its
// hash on the chain.
func SignedInvoke(chainID felt.Felt, from Account, nonce uint64, maxFee felt.Felt, calls ...Call) (*Tx, error) {
	tx := &Tx{Type: Invoke, Version: 1, Sender: from.Address, Nonce: felt.FromUint64(nonce), MaxFee: maxFee,
		Calldata: ExecuteCalldata(calls...)}
	if err := tx.Sign(chainID, from.PrivateKey); err != nil {
		return nil, err
	}
	return tx, nil
}

// Sign sets the transaction's signature: (r, s) of its hash on the chain.
func (tx *Tx) Sign(chainID, privateKey felt.Felt) error {
	h, err := tx.Hash(chainID)
	if err != nil {
		return err
	}
	r, s, err := Sign(h, privateKey)
	if err != nil {
		return fmt.Errorf("sign transaction %s: %w", h, err)
	}
	tx.Signature = []felt.Felt{r, s}
	return nil
}

// Transfer is the call of an ERC20 transfer of amount (below 2**128).
func Transfer(token, to, amount felt.Felt) Call {
	return Call{To: token, Selector: selTransfer, Calldata: []felt.Felt{to, amount, felt.Zero}}
}
