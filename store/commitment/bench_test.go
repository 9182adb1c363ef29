package commitment

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/store/trie"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

const (
	benchContracts = 1000
	benchPerTrie   = 1000 // 1,000,000 storage entries in all
)

// benchState is the large state of the benchmarks, built once per process.
type benchState struct {
	state *MemoryState
	addrs []felt.Felt
	keys  [][]felt.Felt // existing storage keys per contract
	runs  uint64        // benchmark runs so far: each run writes new values
}

var (
	benchOnce sync.Once
	bench     *benchState
)

// standIn is a cheap two-to-one mixing function used only to build the
// initial benchmark state quickly: hashing 2 million nodes with Pedersen
// would take minutes of setup. A commit's cost does not depend on the values
// of the untouched hashes it reads, and every node the measured commit
// touches is hashed with the real Pedersen and Poseidon.
func standIn(a, b felt.Felt) felt.Felt {
	return a.Mul(felt.FromUint64(0x9e3779b97f4a7c15)).Add(b).Add(felt.One)
}

func loadBenchState(b *testing.B) *benchState {
	b.Helper()
	benchOnce.Do(func() {
		r := rand.New(rand.NewPCG(42, 42))
		s := &benchState{state: NewMemoryState()}
		contracts, _ := trie.New(nil, standIn)
		for c := 0; c < benchContracts; c++ {
			addr := felt.FromUint64(r.Uint64()).Mul(felt.FromUint64(r.Uint64()))
			addr = felt.FromLimbs(maskKey(addr.Limbs()))
			s.addrs = append(s.addrs, addr)
			t, _ := trie.New(nil, standIn)
			keys := make([]felt.Felt, benchPerTrie)
			for i := range keys {
				keys[i] = felt.FromLimbs([4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64() >> 5})
				if err := t.Put(keys[i], felt.FromUint64(r.Uint64()|1)); err != nil {
					panic(err) // keys are built below 2^251
				}
			}
			s.keys = append(s.keys, keys)
			root, set, err := t.Commit()
			if err != nil {
				panic(err)
			}
			st := trie.NewMemoryStore()
			if err := st.Apply(set); err != nil {
				panic(err)
			}
			s.state.tries[TrieID{Kind: StorageTrie, Address: addr}] = st
			cs := ContractState{Address: addr, ClassHash: felt.FromUint64(0xc1a55), StorageRoot: root}
			s.state.contracts[addr] = cs
			if err := contracts.Put(addr, standIn(root, cs.ClassHash)); err != nil {
				panic(err)
			}
		}
		_, set, err := contracts.Commit()
		if err != nil {
			panic(err)
		}
		st := trie.NewMemoryStore()
		if err := st.Apply(set); err != nil {
			panic(err)
		}
		s.state.tries[TrieID{Kind: ContractsTrie}] = st
		bench = s
	})
	return bench
}

func maskKey(l [4]uint64) [4]uint64 {
	l[3] >>= 5
	return l
}

// blockDiff returns the diff of a block of txs transactions that each write
// 5 storage keys of a random contract: 4 existing keys and 1 new one.
func (s *benchState) blockDiff(r *rand.Rand, txs int) *StateDiff {
	byAddr := map[int]map[felt.Felt]felt.Felt{}
	for tx := 0; tx < txs; tx++ {
		c := r.IntN(len(s.addrs))
		if byAddr[c] == nil {
			byAddr[c] = map[felt.Felt]felt.Felt{}
		}
		for w := 0; w < 4; w++ {
			byAddr[c][s.keys[c][r.IntN(len(s.keys[c]))]] = felt.FromUint64(r.Uint64() | 1)
		}
		byAddr[c][felt.FromLimbs([4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64() >> 5})] = felt.FromUint64(r.Uint64() | 1)
	}
	d := &StateDiff{}
	for c, ws := range byAddr {
		cd := ContractDiff{Address: s.addrs[c]}
		for k, v := range ws {
			cd.Storage = append(cd.Storage, StorageWrite{k, v})
		}
		d.Contracts = append(d.Contracts, cd)
	}
	return d
}

// BenchmarkCommitBlock commits blocks of 1,000 transactions writing 5
// storage keys each on a state of 1,000,000 storage entries over 1,000
// contracts, roots included.
func BenchmarkCommitBlock(b *testing.B) {
	s := loadBenchState(b)
	s.runs++
	r := rand.New(rand.NewPCG(1, s.runs))
	committer := NewCommitter(s.state)
	nodes := 0
	// tables built outside the measurement, those of the bulk batches
	// included (a running process has moved to them)
	hash.Pedersen(felt.One, felt.One)
	hash.PrepareBatchTables()
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := s.blockDiff(r, 1000)
		c0 := cpuTime()
		b.StartTimer()
		res, err := committer.Commit(d)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		for _, tn := range res.Nodes {
			nodes += tn.Nodes.Len()
		}
		if err := s.state.Apply(res); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/commit")
	b.ReportMetric(float64(nodes)/float64(b.N), "nodes/commit")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/commit")
}

// BenchmarkGet reads random existing storage keys through freshly opened
// storage tries over the in-memory node store.
func BenchmarkGet(b *testing.B) {
	s := loadBenchState(b)
	r := rand.New(rand.NewPCG(3, 4))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := r.IntN(len(s.addrs))
		t, err := trie.New(s.state.TrieNodes(TrieID{Kind: StorageTrie, Address: s.addrs[c]}), hash.Pedersen)
		if err != nil {
			b.Fatal(err)
		}
		v, err := t.Get(s.keys[c][r.IntN(len(s.keys[c]))])
		if err != nil || v.IsZero() {
			b.Fatalf("Get: %s, %v", v, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}
