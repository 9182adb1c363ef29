package kvtx

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// Workloads lists the generators.
var Workloads = []string{"transfers", "hotspot", "chain", "random"}

// GenConfig describes a generated block.
type GenConfig struct {
	Workload string        // one of Workloads
	Txs      int           // number of transactions
	Accounts int           // accounts (transfers, hotspot) or keys (random); chain ignores it
	TxCost   time.Duration // work of every transaction
	Seed     uint64
}

// InitialBalance is every generated account's balance in genesis.
const InitialBalance = 10_000

// Generate builds a block; the same config always builds the same block.
//
//   - transfers: random transfers of 1..1000 between Accounts accounts
//     holding InitialBalance each (2 accounts: fully serial; 10,000: nearly
//     conflict-free); some fail for lack of balance.
//   - hotspot: the same transfers, each also paying a fee of 1..10 to the
//     sequencer account as a delta.
//   - chain: transaction i reads c<i> and writes c<i+1>, so each reads what
//     the one before it wrote.
//   - random: operations reading 1..4 and writing 1..2 of Accounts keys,
//     one in five also adding to one of them.
func Generate(c GenConfig) (*Block, error) {
	if c.Txs < 0 || c.Txs > 10_000_000 {
		return nil, fmt.Errorf("txs must be between 0 and 10,000,000, not %d", c.Txs)
	}
	if c.TxCost < 0 || c.TxCost > maxCost {
		return nil, fmt.Errorf("tx cost must be between 0 and %s, not %s", maxCost, c.TxCost)
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0x6b6169726f))
	b := &Block{TxCost: c.TxCost, Genesis: state.Map{}, Txs: make([]TxSpec, c.Txs)}
	names := func(prefix string, n int) []state.Key {
		ks := make([]state.Key, n)
		for i := range ks {
			ks[i] = NameKey(prefix + strconv.Itoa(i))
		}
		return ks
	}
	switch c.Workload {
	case "transfers", "hotspot":
		if c.Accounts < 2 {
			return nil, fmt.Errorf("%s needs at least 2 accounts, not %d", c.Workload, c.Accounts)
		}
		accts := names("a", c.Accounts)
		for _, k := range accts {
			b.Genesis[k] = felt.FromUint64(InitialBalance)
		}
		hot := c.Workload == "hotspot"
		if hot {
			b.Sequencer, b.HasSeq = NameKey("sequencer"), true
		}
		for i := range b.Txs {
			from := rng.IntN(c.Accounts)
			to := rng.IntN(c.Accounts - 1)
			if to >= from {
				to++
			}
			t := TxSpec{Type: TypeTransfer, From: accts[from], To: accts[to], Amount: felt.FromUint64(1 + rng.Uint64N(1000))}
			if hot {
				t.Fee = felt.FromUint64(1 + rng.Uint64N(10))
			}
			b.Txs[i] = t
		}
		b.Description = fmt.Sprintf("%s: %d transfers over %d accounts, seed %d", c.Workload, c.Txs, c.Accounts, c.Seed)
	case "chain":
		cells := names("c", c.Txs+1)
		b.Genesis[cells[0]] = felt.One
		for i := range b.Txs {
			b.Txs[i] = TxSpec{Type: TypeOp, Reads: cells[i : i+1], Writes: cells[i+1 : i+2]}
		}
		b.Description = fmt.Sprintf("chain: %d operations, each reading what the one before wrote", c.Txs)
	case "random":
		if c.Accounts < 1 {
			return nil, fmt.Errorf("random needs at least 1 key, not %d", c.Accounts)
		}
		keys := names("k", c.Accounts)
		for _, k := range keys {
			b.Genesis[k] = felt.FromUint64(rng.Uint64N(1000))
		}
		pick := func(n int) []state.Key {
			n = min(n, c.Accounts)
			var out []state.Key
			for len(out) < n {
				k := keys[rng.IntN(c.Accounts)]
				dup := false
				for _, o := range out {
					dup = dup || o == k
				}
				if !dup {
					out = append(out, k)
				}
			}
			return out
		}
		for i := range b.Txs {
			t := TxSpec{Type: TypeOp, Reads: pick(1 + rng.IntN(4)), Writes: pick(1 + rng.IntN(2))}
			if rng.IntN(5) == 0 {
				t.Adds = []state.KV{{Key: keys[rng.IntN(c.Accounts)], Value: felt.FromUint64(1 + rng.Uint64N(100))}}
			}
			b.Txs[i] = t
		}
		b.Description = fmt.Sprintf("random: %d operations over %d keys, seed %d", c.Txs, c.Accounts, c.Seed)
	default:
		return nil, fmt.Errorf("unknown workload %q (want transfers, hotspot, chain or random)", c.Workload)
	}
	return b, nil
}
