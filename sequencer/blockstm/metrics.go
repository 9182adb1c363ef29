package blockstm

import (
	"time"

	"github.com/kairo-dev/kairo/sequencer/state"
)

// Metrics describes one block's execution.
type Metrics struct {
	Scheduler string
	Workers   int
	Txs       int

	Executions  int // executions started, first ones included
	EarlyAborts int // executions stopped at a state access (dependents)
	Validations int // validation tasks run (classic)
	Aborts      int // incarnations aborted: failed validations, or reads changed under them
	Waits       int // reads that met an estimate and waited for its writer

	Wall     time.Duration // from start to the last commit
	Finalize time.Duration // building the state diff after the last commit
	// Summed over workers.
	ExecTime     time.Duration
	ValidateTime time.Duration
	WaitTime     time.Duration // inside ExecTime
	IdleTime     time.Duration
}

// EventKind is the kind of a trace event.
type EventKind uint8

// The trace events.
const (
	EventExecute  EventKind = iota // one execution; OK false when stopped early
	EventValidate                  // one validation; OK false when it failed
	EventWait                      // a read met an estimate of By and waited
	EventAbort                     // incarnation Inc of Tx aborted: By changed Key, which it had read from From
)

func (k EventKind) String() string {
	return [...]string{"execute", "validate", "wait", "abort"}[k]
}

// Event is one entry of a block's trace (Options.Trace). Times are from the
// start of the block.
type Event struct {
	Kind       EventKind
	Worker     int
	Tx, Inc    int32
	Start, End time.Duration
	OK         bool
	// Cause, for waits, aborts and failed validations: the key, the
	// transaction that wrote it (By, incarnation ByInc, -1 when unknown) and
	// the version the victim had read (From, FromInc; From -1 is the base
	// state).
	Key           state.Key
	By, ByInc     int32
	From, FromInc int32
}

// workerStats is what one worker counts; summed at the end.
type workerStats struct {
	id          int
	trace       bool
	start       time.Time
	executions  int
	earlyAborts int
	validations int
	aborts      int
	waits       int
	execTime    time.Duration
	valTime     time.Duration
	waitTime    time.Duration
	idleTime    time.Duration
	events      []Event
}

func (m *Metrics) add(w *workerStats) {
	m.Executions += w.executions
	m.EarlyAborts += w.earlyAborts
	m.Validations += w.validations
	m.Aborts += w.aborts
	m.Waits += w.waits
	m.ExecTime += w.execTime
	m.ValidateTime += w.valTime
	m.WaitTime += w.waitTime
	m.IdleTime += w.idleTime
}
