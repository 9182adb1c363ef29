// Package depgraph builds the dependency graph a block's execution actually
// observed (an edge i → j when transaction j read a key whose value tx i
// wrote last before j, deltas included), its critical path and the ideal
// parallel schedule, and renders them: a terminal view, Graphviz dot,
// Mermaid, JSON, a worker timeline, and the explanation of one
// transaction's re-executions and waits.
package depgraph

import (
	"slices"
	"time"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/state"
)

// Dep is one dependency of a transaction: the keys it read from tx.
type Dep struct {
	Tx   int
	Keys []state.Key
}

// Graph is a block's observed dependency graph and what follows from it.
type Graph struct {
	N       int
	Deps    [][]Dep // Deps[j], by tx
	Users   [][]int // Users[i]: the transactions that depend on i
	Weights []time.Duration
	// Finish[j] is j's earliest finish with unlimited workers: its weight
	// plus the latest Finish of its dependencies.
	Finish []time.Duration
	// Step[j] is j's column in the ideal schedule: 1 + the highest Step of
	// its dependencies (0 without any).
	Step     []int
	Steps    [][]int // transactions by step
	Critical []int   // the critical path, in order
	OnPath   []bool
	Span     time.Duration // Finish of the critical path's last tx
	Total    time.Duration // sum of weights

	// From the execution.
	Incarnations []int
	Errs         []error
	Reads        [][]blockstm.Read
	Writes       [][]blockstm.Write
	Trace        []blockstm.Event // nil when not traced
	Wall         time.Duration
	Workers      int
	Scheduler    string
}

// FromResult builds the graph of an executed block. weights are the
// transactions' declared costs (nil: every transaction weighs one unit).
func FromResult[O any](r *blockstm.Result[O], weights []time.Duration) *Graph {
	n := len(r.Txs)
	g := &Graph{N: n, Weights: weights, Incarnations: make([]int, n), Errs: make([]error, n),
		Reads: make([][]blockstm.Read, n), Writes: make([][]blockstm.Write, n), Trace: r.Trace,
		Wall: r.Metrics.Wall, Workers: r.Metrics.Workers, Scheduler: r.Metrics.Scheduler}
	for j := range r.Txs {
		t := &r.Txs[j]
		g.Incarnations[j], g.Errs[j], g.Reads[j], g.Writes[j] = t.Incarnations, t.Err, t.Reads, t.Writes
	}
	if g.Weights == nil {
		g.Weights = make([]time.Duration, n)
		for i := range g.Weights {
			g.Weights[i] = 1
		}
	}
	g.build()
	return g
}

type keyWriter struct {
	tx    int
	delta bool
}

func (g *Graph) build() {
	n := g.N
	// Writers of each key, in tx order, to find the deltas a read summed.
	writers := map[state.Key][]keyWriter{}
	for i := range n {
		for _, w := range g.Writes[i] {
			writers[w.Key] = append(writers[w.Key], keyWriter{i, w.Delta})
		}
	}
	g.Deps = make([][]Dep, n)
	g.Users = make([][]int, n)
	for j := range n {
		var deps []Dep
		add := func(i int, k state.Key) {
			for d := range deps {
				if deps[d].Tx == i {
					if !slices.Contains(deps[d].Keys, k) {
						deps[d].Keys = append(deps[d].Keys, k)
					}
					return
				}
			}
			deps = append(deps, Dep{Tx: i, Keys: []state.Key{k}})
		}
		for _, r := range g.Reads[j] {
			if r.Source >= 0 {
				add(int(r.Source), r.Key)
			}
			if r.Deltas {
				ws := writers[r.Key]
				lo, _ := slices.BinarySearchFunc(ws, int(r.Source)+1, func(w keyWriter, t int) int { return w.tx - t })
				for _, w := range ws[lo:] {
					if w.tx >= j {
						break
					}
					if w.delta {
						add(w.tx, r.Key)
					}
				}
			}
		}
		slices.SortFunc(deps, func(a, b Dep) int { return a.Tx - b.Tx })
		g.Deps[j] = deps
		for _, d := range deps {
			g.Users[d.Tx] = append(g.Users[d.Tx], j)
		}
	}
	// Longest paths: transactions only depend on lower ones.
	g.Finish = make([]time.Duration, n)
	g.Step = make([]int, n)
	prev := make([]int, n)
	last := -1
	for j := range n {
		prev[j] = -1
		var start time.Duration
		for _, d := range g.Deps[j] {
			if g.Finish[d.Tx] > start || prev[j] < 0 && g.Finish[d.Tx] == start {
				start, prev[j] = g.Finish[d.Tx], d.Tx
			}
			g.Step[j] = max(g.Step[j], g.Step[d.Tx]+1)
		}
		g.Finish[j] = start + g.Weights[j]
		g.Total += g.Weights[j]
		if last < 0 || g.Finish[j] > g.Finish[last] {
			last = j
		}
	}
	g.OnPath = make([]bool, n)
	if last >= 0 {
		g.Span = g.Finish[last]
		for j := last; j >= 0; j = prev[j] {
			g.Critical = append(g.Critical, j)
			g.OnPath[j] = true
		}
		slices.Reverse(g.Critical)
	}
	for j := range n {
		for len(g.Steps) <= g.Step[j] {
			g.Steps = append(g.Steps, nil)
		}
		g.Steps[g.Step[j]] = append(g.Steps[g.Step[j]], j)
	}
}

// Edges is the number of dependency edges.
func (g *Graph) Edges() int {
	e := 0
	for _, d := range g.Deps {
		e += len(d)
	}
	return e
}

// Parallelism is the speedup an unlimited number of workers could reach:
// total work over the critical path.
func (g *Graph) Parallelism() float64 {
	if g.Span == 0 {
		return 1
	}
	return float64(g.Total) / float64(g.Span)
}

// Conflicts returns the trace's aborts and waits of tx, in time order.
func (g *Graph) Conflicts(tx int) []blockstm.Event {
	var out []blockstm.Event
	for _, e := range g.Trace {
		if int(e.Tx) == tx && (e.Kind == blockstm.EventAbort || e.Kind == blockstm.EventWait) {
			out = append(out, e)
		}
	}
	return out
}

// KeyCount is a key and how many aborts and waits it caused.
type KeyCount struct {
	Key    state.Key
	Aborts int
	Waits  int
}

// HotKeys returns the keys that caused aborts or waits, most first.
func HotKeys(trace []blockstm.Event) []KeyCount {
	m := map[state.Key]*KeyCount{}
	for _, e := range trace {
		if e.Kind != blockstm.EventAbort && e.Kind != blockstm.EventWait {
			continue
		}
		c := m[e.Key]
		if c == nil {
			c = &KeyCount{Key: e.Key}
			m[e.Key] = c
		}
		if e.Kind == blockstm.EventAbort {
			c.Aborts++
		} else {
			c.Waits++
		}
	}
	out := make([]KeyCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b KeyCount) int {
		if d := (b.Aborts + b.Waits) - (a.Aborts + a.Waits); d != 0 {
			return d
		}
		return a.Key.Compare(b.Key)
	})
	return out
}
