package blockstm

import (
	"fmt"
	"reflect"
	"time"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// seqState is the state of a sequential execution: every key touched so
// far, with its current value and who wrote it last. The keys of the
// KeySet have their cells in pre, by id; the others in cells.
type seqState struct {
	base  state.Reader
	ks    *KeySet
	pre   []seqCell
	cells map[uint64]*seqCell // by key hash; collisions chain through next
	slab  []seqCell
}

type seqCell struct {
	key     state.Key
	next    *seqCell
	val     felt.Felt
	src     int32 // last full writer, -1 for the base value
	deltas  bool  // deltas were added since src
	written bool
	loaded  bool // val holds at least the base value (pre cells)
}

// cellValid returns the cell of k, whose id in the KeySet is id, -1 when
// k is not in the set (view.validID).
func (s *seqState) cellValid(id int32, k *state.Key) (*seqCell, error) {
	if id < 0 {
		return s.cell(*k)
	}
	c := &s.pre[id]
	if !c.loaded {
		b, err := s.base.Get(*k)
		if err != nil {
			return nil, err
		}
		*c = seqCell{key: *k, val: b, src: -1, loaded: true}
	}
	return c, nil
}

func (s *seqState) cell(k state.Key) (*seqCell, error) {
	h := k.Hash()
	first := s.cells[h]
	for c := first; c != nil; c = c.next {
		if c.key.Equal(k) {
			return c, nil
		}
	}
	b, err := s.base.Get(k)
	if err != nil {
		return nil, err
	}
	if len(s.slab) == 0 {
		s.slab = make([]seqCell, 64)
	}
	c := &s.slab[0]
	s.slab = s.slab[1:]
	*c = seqCell{key: k, next: first, val: b, src: -1}
	s.cells[h] = c
	return c, nil
}

// Sequential executes txs one by one in block order over base: the
// reference result that Run must reproduce. It uses the same View rules.
func Sequential[O any](txs []Tx[O], base state.Reader) (*Result[O], error) {
	return SequentialKeys(txs, base, nil)
}

// SequentialKeys is Sequential with the block's keys interned (see
// Options.Keys); keys may be nil.
func SequentialKeys[O any](txs []Tx[O], base state.Reader, keys *KeySet) (*Result[O], error) {
	start := time.Now()
	s := &seqState{base: base, ks: keys}
	if keys != nil {
		s.pre = make([]seqCell, len(keys.keys))
		s.cells = make(map[uint64]*seqCell)
	} else {
		s.cells = make(map[uint64]*seqCell, 2*len(txs))
	}
	v := &view{seq: s, keys: keys}
	res := &Result[O]{Txs: make([]TxResult[O], len(txs))}
	for j, tx := range txs {
		v.reset(int32(j), 0)
		out, err := call(tx, v)
		if v.fatal != nil {
			return nil, fmt.Errorf("blockstm: reading the base state: %w", v.fatal)
		}
		if err != nil {
			v.writes = v.writes[:0]
		}
		for i := range v.writes {
			w := &v.writes[i]
			c, cerr := s.cellValid(w.id, &w.Key)
			if cerr != nil {
				return nil, fmt.Errorf("blockstm: reading the base state: %w", cerr)
			}
			if w.Delta {
				c.val = c.val.Add(w.Value)
				c.deltas = true
			} else {
				c.val, c.src, c.deltas = w.Value, int32(j), false
			}
			c.written = true
		}
		res.Txs[j] = TxResult[O]{Output: out, Err: err, Incarnations: 1, Reads: v.keepReads(), Writes: v.keepWrites()}
	}
	for _, c := range s.cells {
		for ; c != nil; c = c.next {
			if c.written {
				res.Diff = append(res.Diff, state.KV{Key: c.key, Value: c.val})
			}
		}
	}
	sortDiff(res.Diff)
	if s.pre != nil {
		// The KeySet's cells are in key order already.
		var pre state.Diff
		for i := range s.pre {
			if c := &s.pre[i]; c.written {
				if pre == nil {
					pre = make(state.Diff, 0, len(s.pre)-i)
				}
				pre = append(pre, state.KV{Key: c.key, Value: c.val})
			}
		}
		if len(pre) > 0 {
			res.Diff = mergeDiff(pre, res.Diff)
		}
	}
	n := len(txs)
	res.Metrics = Metrics{Scheduler: "sequential", Workers: 1, Txs: n, Executions: n, Wall: time.Since(start)}
	return res, nil
}

// Compare returns nil when two results of the same block agree: the same
// state diff and, for every transaction, the same error, output (compared
// with eq, reflect.DeepEqual when nil), reads (key, value, source) and
// writes. Otherwise it describes the first difference.
func Compare[O any](a, b *Result[O], eq func(x, y O) bool) error {
	if eq == nil {
		eq = func(x, y O) bool { return reflect.DeepEqual(x, y) }
	}
	if len(a.Txs) != len(b.Txs) {
		return fmt.Errorf("%d transactions != %d", len(a.Txs), len(b.Txs))
	}
	for j := range a.Txs {
		x, y := &a.Txs[j], &b.Txs[j]
		if errString(x.Err) != errString(y.Err) {
			return fmt.Errorf("tx %d: error %q != %q", j, errString(x.Err), errString(y.Err))
		}
		if !eq(x.Output, y.Output) {
			return fmt.Errorf("tx %d: output %+v != %+v", j, x.Output, y.Output)
		}
		if len(x.Reads) != len(y.Reads) {
			return fmt.Errorf("tx %d: %d reads != %d", j, len(x.Reads), len(y.Reads))
		}
		for i := range x.Reads {
			p, q := &x.Reads[i], &y.Reads[i]
			if p.Key != q.Key || p.Value != q.Value || p.Source != q.Source || p.Deltas != q.Deltas {
				return fmt.Errorf("tx %d: read %d: %s = %s from tx %d != %s = %s from tx %d",
					j, i, p.Key, p.Value, p.Source, q.Key, q.Value, q.Source)
			}
		}
		if len(x.Writes) != len(y.Writes) {
			return fmt.Errorf("tx %d: %d writes != %d", j, len(x.Writes), len(y.Writes))
		}
		for i := range x.Writes {
			p, q := &x.Writes[i], &y.Writes[i]
			if p.Key != q.Key || p.Value != q.Value || p.Delta != q.Delta {
				return fmt.Errorf("tx %d: write %d: %s = %s != %s = %s", j, i, p.Key, p.Value, q.Key, q.Value)
			}
		}
	}
	if m := a.Diff.Mismatch(b.Diff); m != "" {
		return fmt.Errorf("state diff: %s", m)
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
