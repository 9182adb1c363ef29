package execution

import (
	"errors"
	"fmt"
	"sync"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

// State is the contract state a call reads and writes: storage cells,
// nonces and the class hash of each contract, as state.Keys. The Block-STM
// engine's View satisfies it.
type State interface {
	Read(state.Key) (felt.Felt, error)
	Write(state.Key, felt.Felt) error
}

// Classes finds declared classes by class hash. Get returns
// ErrUndeclared (wrapped) for a class that is not declared.
type Classes interface {
	Get(classHash felt.Felt) (*contract.Class, error)
}

// ErrUndeclared is returned by Classes for an unknown class hash.
var ErrUndeclared = errors.New("class is not declared")

// ClassMap is an in-memory Classes, safe for concurrent readers once
// built.
type ClassMap struct {
	mu sync.RWMutex
	m  map[felt.Felt]*contract.Class
}

// NewClassMap returns an empty class map.
func NewClassMap() *ClassMap { return &ClassMap{m: map[felt.Felt]*contract.Class{}} }

// Declare adds a class under its class hash.
func (c *ClassMap) Declare(cl *contract.Class) {
	c.mu.Lock()
	c.m[cl.Hash] = cl
	c.mu.Unlock()
}

// Get returns the class with this hash.
func (c *ClassMap) Get(h felt.Felt) (*contract.Class, error) {
	c.mu.RLock()
	cl, ok := c.m[h]
	c.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUndeclared, h)
	}
	return cl, nil
}

// MemState is an in-memory State.
type MemState struct{ m map[state.Key]felt.Felt }

// NewMemState returns an empty state.
func NewMemState() *MemState { return &MemState{m: map[state.Key]felt.Felt{}} }

// Read returns the value of k (zero when never written).
func (s *MemState) Read(k state.Key) (felt.Felt, error) { return s.m[k], nil }

// Write sets k.
func (s *MemState) Write(k state.Key, v felt.Felt) error {
	s.m[k] = v
	return nil
}

// Diff returns every cell written, sorted by key.
func (s *MemState) Diff() state.Diff {
	d := make(state.Diff, 0, len(s.m))
	for k, v := range s.m {
		d = append(d, state.KV{Key: k, Value: v})
	}
	d.Sort()
	return d
}

// Overlay is a write buffer over a State: reads see its own writes first,
// Commit writes them through in first-write order, and dropping it
// discards them. Each call runs on one; a transaction's state diff is its
// top overlay.
type Overlay struct {
	parent State
	writes map[state.Key]felt.Felt
	order  []state.Key
}

// NewOverlay returns an empty write buffer over parent.
func NewOverlay(parent State) *Overlay {
	return &Overlay{parent: parent, writes: map[state.Key]felt.Felt{}}
}

// Read returns the buffered value of k or the parent's.
func (o *Overlay) Read(k state.Key) (felt.Felt, error) {
	if v, ok := o.writes[k]; ok {
		return v, nil
	}
	return o.parent.Read(k)
}

// Write buffers a write.
func (o *Overlay) Write(k state.Key, v felt.Felt) error {
	if _, ok := o.writes[k]; !ok {
		o.order = append(o.order, k)
	}
	o.writes[k] = v
	return nil
}

// Writes returns the buffered writes in first-write order.
func (o *Overlay) Writes() []state.KV {
	out := make([]state.KV, len(o.order))
	for i, k := range o.order {
		out[i] = state.KV{Key: k, Value: o.writes[k]}
	}
	return out
}

// Commit writes the buffered writes to the parent in first-write order.
func (o *Overlay) Commit() error {
	for _, k := range o.order {
		if err := o.parent.Write(k, o.writes[k]); err != nil {
			return err
		}
	}
	return nil
}
