package kvtx

import (
	"testing"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/state"
)

// TestKeyedTransactions: the key set holds every key the transactions
// touch, and each transaction carries its keys' ids in it.
func TestKeyedTransactions(t *testing.T) {
	for _, cfg := range []GenConfig{
		{Workload: "transfers", Txs: 50, Accounts: 20, Seed: 1},
		{Workload: "hotspot", Txs: 50, Accounts: 20, Seed: 2},
		{Workload: "chain", Txs: 30, Seed: 3},
		{Workload: "random", Txs: 50, Accounts: 16, Seed: 4},
	} {
		b, err := Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		txs, ks := b.KeyedTransactions()
		check := func(i int, id int32, k state.Key) {
			t.Helper()
			if id < 0 || int(id) >= ks.Len() || !ks.Key(id).Equal(k) {
				t.Fatalf("%s: tx %d: id %d does not name %s", cfg.Workload, i, id, KeyName(k))
			}
		}
		for i, tx := range txs {
			switch tx := tx.(type) {
			case *Transfer:
				check(i, tx.ids[0], tx.From)
				check(i, tx.ids[1], tx.To)
				if b.HasSeq {
					check(i, tx.ids[2], tx.FeeTo)
				}
			case *Op:
				for j, k := range tx.Reads {
					check(i, tx.rids[j], k)
				}
				for j, k := range tx.Writes {
					check(i, tx.wids[j], k)
				}
				for j, a := range tx.Adds {
					check(i, tx.aids[j], a.Key)
				}
			default:
				t.Fatalf("tx %d: %T", i, tx)
			}
		}
		// The same results with and without the set.
		want, err := blockstm.Sequential(b.Transactions(), b.Genesis)
		if err != nil {
			t.Fatal(err)
		}
		got, err := blockstm.Run(txs, b.Genesis, blockstm.Options{Workers: 2, Scheduler: blockstm.Dependents, Keys: ks})
		if err != nil {
			t.Fatal(err)
		}
		if err := blockstm.Compare(want, got, nil); err != nil {
			t.Fatalf("%s: %v", cfg.Workload, err)
		}
	}
}
