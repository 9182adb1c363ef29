package blockstm

import (
	"errors"
	"fmt"
	"time"

	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// View is a transaction's window on the state while it executes.
//
// Read returns the value of a key as of the transaction's place in the
// block, including its own earlier writes. Write buffers a write. AddDelta
// adds to a key without reading it: deltas of different transactions
// commute, so they do not make those transactions conflict (the way the fee
// paid to the sequencer is handled); a transaction that reads a key it has
// added to sees its own addition.
//
// Every method may return ErrAborted: the engine has stopped this execution
// (a value it read has changed, or the block was halted). The transaction
// must return promptly, propagating the error; the engine discards the
// execution whatever the transaction returns.
type View interface {
	Read(state.Key) (felt.Felt, error)
	Write(state.Key, felt.Felt) error
	AddDelta(state.Key, felt.Felt) error
}

// Tx is a transaction. Execute must be deterministic: a function of the
// values it reads. A returned error, or a panic, is the transaction's result
// (it is reverted: none of its writes take effect); it is not an engine
// failure. O is the transaction's output (a receipt).
type Tx[O any] interface {
	Execute(View) (O, error)
}

// ErrAborted is returned by a View when the engine stops the execution.
var ErrAborted = errors.New("blockstm: execution aborted by the engine")

// PanicError is the error of a transaction whose Execute panicked.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Read is one read of a transaction's final execution.
type Read struct {
	Key   state.Key
	Value felt.Felt // the value read, lower deltas folded in (not the tx's own)
	// Source is the transaction whose full write was read, -1 for the base
	// state; SourceInc its incarnation (0 in sequential execution).
	Source    int32
	SourceInc int32
	Deltas    bool  // deltas of transactions between Source and the reader were added
	ref       int32 // the multi-version entry (entry.ref)
}

// Write is one write of a transaction's final execution.
type Write struct {
	Key   state.Key
	Value felt.Felt
	Delta bool  // Value is added to the key rather than stored
	id    int32 // the key's id in the KeySet, as the transaction gave it (-1: none)
	ref   int32 // the multi-version entry (entry.ref)
}

// call runs tx, turning a panic into the transaction's error.
func call[O any](tx Tx[O], v View) (out O, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p}
		}
	}()
	return tx.Execute(v)
}

const indexAbove = 16 // read/write sets larger than this get a map index

// view is the View of one execution. A worker owns one and resets it for
// each execution, so its buffers are reused. The same type serves sequential
// execution (seq != nil), so both share the read-your-own-writes rules.
type view struct {
	tx, inc int32
	reads   []Read
	writes  []Write
	ridx    map[state.Key]int32
	widx    map[state.Key]int32

	// parallel
	s     *scheduler
	st    *txStatus
	w     *workerStats
	slabs *slabs
	// sequential
	seq *seqState

	keys *KeySet // the block's, or nil

	final   bool  // every lower transaction had committed when this execution started
	stopped bool  // the engine stopped this execution
	fatal   error // the base state failed

	// The unused tails of the chunks the read and write sets are built in
	// (length 0): a finished execution keeps its sets where they were
	// built, with no copy, and the next one starts after them.
	rfree []Read
	wfree []Write
	sets  []readSet // preallocated read-set headers
}

// Arena chunk sizes: a set that outgrows what is left of its chunk moves
// to its own array (append), and the next execution starts a new chunk
// when fewer than minFree places are left.
const (
	readChunk  = 1024
	writeChunk = 1024
	setChunk   = 256
	minFree    = 16
)

// keepReads returns the read set just built, which now belongs to the
// caller; the next execution builds its set after it.
func (v *view) keepReads() []Read {
	n := len(v.reads)
	rs := v.reads[:n:n]
	if cap(v.reads) == cap(v.rfree) { // built in the chunk (it did not grow)
		v.rfree = v.rfree[n:n]
	}
	v.reads = nil
	return rs
}

// keepWrites is keepReads for the write set.
func (v *view) keepWrites() []Write {
	n := len(v.writes)
	ws := v.writes[:n:n]
	if cap(v.writes) == cap(v.wfree) {
		v.wfree = v.wfree[n:n]
	}
	v.writes = nil
	return ws
}

// newReadSet returns an immutable read set of incarnation inc holding
// reads (kept by keepReads).
func (v *view) newReadSet(inc int32, reads []Read) *readSet {
	if len(v.sets) == 0 {
		v.sets = make([]readSet, setChunk)
	}
	rs := &v.sets[0]
	v.sets = v.sets[1:]
	rs.inc, rs.reads = inc, reads
	return rs
}

func (v *view) reset(tx, inc int32) {
	v.tx, v.inc = tx, inc
	if cap(v.rfree) < minFree {
		v.rfree = make([]Read, 0, readChunk)
	}
	if cap(v.wfree) < minFree {
		v.wfree = make([]Write, 0, writeChunk)
	}
	v.reads = v.rfree[:0]
	v.writes = v.wfree[:0]
	if v.ridx != nil {
		clear(v.ridx)
	}
	if v.widx != nil {
		clear(v.widx)
	}
	v.stopped, v.fatal = false, nil
	if v.s != nil {
		v.st = &v.s.st[tx]
	}
}

// check reports whether the execution must stop.
func (v *view) check() error {
	if v.stopped {
		return ErrAborted
	}
	if v.s != nil && (v.st.abortRequested(v.inc) || v.s.halted.Load()) {
		v.stopped = true
		return ErrAborted
	}
	return nil
}

func readKey(r *Read) state.Key   { return r.Key }
func writeKey(w *Write) state.Key { return w.Key }

// findRead returns the index of k in the read set, -1 when absent. With
// k's KeySet id (validID; -1: none) a small set is searched by entry ref,
// which is the id for the keys of the set (negative for the others):
// same id, same key.
func (v *view) findRead(id int32, k *state.Key) int {
	if id >= 0 && len(v.reads) <= indexAbove {
		for i := range v.reads {
			if v.reads[i].ref == id {
				return i
			}
		}
		return -1
	}
	return find(v.reads, &v.ridx, *k, readKey)
}

// findWrite is findRead for the write set.
func (v *view) findWrite(id int32, k *state.Key) int {
	if id >= 0 && len(v.writes) <= indexAbove {
		for i := range v.writes {
			if v.writes[i].ref == id {
				return i
			}
		}
		return -1
	}
	return find(v.writes, &v.widx, *k, writeKey)
}

// find returns the index of k in a read or write set (whose keys are
// distinct), -1 when absent: a linear scan for small sets, else a map
// index kept up to date lazily.
func find[T any](list []T, index *map[state.Key]int32, k state.Key, key func(*T) state.Key) int {
	if len(list) <= indexAbove {
		for i := range list {
			if key(&list[i]).Equal(k) {
				return i
			}
		}
		return -1
	}
	if *index == nil {
		*index = make(map[state.Key]int32, 2*len(list))
	}
	for i := len(*index); i < len(list); i++ {
		(*index)[key(&list[i])] = int32(i)
	}
	if i, ok := (*index)[k]; ok {
		return int(i)
	}
	return -1
}

// Read implements View.
func (v *view) Read(k state.Key) (felt.Felt, error) { return v.read(-1, &k) }

// ReadID implements KeyedView.
func (v *view) ReadID(id int32, k state.Key) (felt.Felt, error) { return v.read(id, &k) }

func (v *view) read(id int32, k *state.Key) (felt.Felt, error) {
	if err := v.check(); err != nil {
		return felt.Zero, err
	}
	id = v.validID(id, k)
	var own felt.Felt
	if i := v.findWrite(id, k); i >= 0 {
		w := &v.writes[i]
		if !w.Delta {
			return w.Value, nil
		}
		own = w.Value
	}
	if i := v.findRead(id, k); i >= 0 {
		return v.reads[i].Value.Add(own), nil
	}
	var err error
	if v.seq != nil {
		var c *seqCell
		if c, err = v.seq.cellValid(id, k); err != nil {
			v.fatal, v.stopped = err, true
			return felt.Zero, ErrAborted
		}
		v.reads = append(v.reads, Read{Key: *k, Value: c.val, Source: c.src, Deltas: c.deltas, ref: id})
	} else {
		if err = v.readMV(id, k); err != nil {
			return felt.Zero, err
		}
	}
	return v.reads[len(v.reads)-1].Value.Add(own), nil
}

// validID returns the id of k in the block's KeySet, -1 when k is not in
// it: id itself when it names k, else a lookup. Every access to a key of
// the set thus carries its id, and the sets below are searched by it.
func (v *view) validID(id int32, k *state.Key) int32 {
	if v.keys == nil {
		return -1
	}
	return v.keys.lookup(id, k)
}

// readMV reads k, whose KeySet id is id when not -1 (validID), from the
// multi-version memory into the read set, waiting for the writer of an
// estimate until it has executed again.
func (v *view) readMV(id int32, k *state.Key) error {
	e := v.s.mv.entryValid(id, k)
	ref := id
	if id < 0 {
		ref = e.ref // set at creation
	}
	for {
		r, err := v.s.mv.read(e, ref, v.tx, v.inc, v.final, v.slabs)
		if err != nil {
			v.fatal, v.stopped = err, true
			return ErrAborted
		}
		if r.blocker < 0 {
			v.reads = append(v.reads, Read{Key: *k, Value: r.val, Source: r.src, SourceInc: r.srcInc, Deltas: r.deltas, ref: ref})
			return nil
		}
		v.w.waitFor(v, r.blocker, e)
		if err := v.check(); err != nil {
			return err
		}
	}
}

// refFor returns the ref of the multi-version entry of k (KeySet id id,
// or -1), from the read set when k was read; in sequential execution, id.
func (v *view) refFor(id int32, k *state.Key) int32 {
	if v.seq != nil || id >= 0 {
		return id // the KeySet's entries' refs are their ids
	}
	if i := v.findRead(id, k); i >= 0 {
		return v.reads[i].ref
	}
	return v.s.mv.idx.get(*k).ref
}

// Write implements View.
func (v *view) Write(k state.Key, val felt.Felt) error { return v.write(-1, &k, val, false) }

// WriteID implements KeyedView.
func (v *view) WriteID(id int32, k state.Key, val felt.Felt) error {
	return v.write(id, &k, val, false)
}

// AddDelta implements View.
func (v *view) AddDelta(k state.Key, d felt.Felt) error { return v.write(-1, &k, d, true) }

// AddDeltaID implements KeyedView.
func (v *view) AddDeltaID(id int32, k state.Key, d felt.Felt) error { return v.write(id, &k, d, true) }

func (v *view) write(id int32, k *state.Key, val felt.Felt, delta bool) error {
	if err := v.check(); err != nil {
		return err
	}
	id = v.validID(id, k)
	if i := v.findWrite(id, k); i >= 0 {
		w := &v.writes[i]
		if delta {
			w.Value = w.Value.Add(val)
		} else {
			w.Value, w.Delta = val, false
		}
		return nil
	}
	v.writes = append(v.writes, Write{Key: *k, Value: val, Delta: delta, id: id, ref: v.refFor(id, k)})
	return nil
}

// waitFor blocks the execution in v until tx blocker, whose estimate it met
// at e, has executed again.
func (w *workerStats) waitFor(v *view, blocker int32, e *entry) {
	t0 := time.Now()
	v.s.st[blocker].waitExecuted(v.s.room, &v.s.halted)
	d := time.Since(t0)
	w.waits++
	w.waitTime += d
	if w.trace {
		start := t0.Sub(w.start)
		w.events = append(w.events, Event{Kind: EventWait, Worker: w.id, Tx: v.tx, Inc: v.inc,
			Start: start, End: start + d, Key: *e.key, By: blocker, ByInc: -1, From: -1})
	}
}
