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
	Finalize time.Duration // building the results and the state diff after the last commit
	// Summed over workers. One clock reading per task: a phase runs from
	// the start of its task to the start of the next phase, so the
	// scheduling and committing after a task count in its phase.
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
	waitTime    time.Duration
	phases      [numPhases]time.Duration
	phase       phase     // the phase since mark
	mark        time.Time // when it began
	events      []Event
}

// phase is what a worker is doing, for the time per phase.
type phase uint8

const (
	phaseExec phase = iota
	phaseValidate
	phaseIdle
	numPhases
)

// enter starts phase p at now and returns now: the time since the last
// mark goes to the phase that ran until now. Staying in the same phase
// needs no clock reading unless tracing (the zero time is returned).
func (w *workerStats) enter(p phase) time.Time {
	if p == w.phase && !w.trace {
		return time.Time{}
	}
	now := time.Now()
	w.phases[w.phase] += now.Sub(w.mark)
	w.phase, w.mark = p, now
	return now
}

func (m *Metrics) add(w *workerStats) {
	m.Executions += w.executions
	m.EarlyAborts += w.earlyAborts
	m.Validations += w.validations
	m.Aborts += w.aborts
	m.Waits += w.waits
	w.enter(phaseIdle) // close the last phase
	m.ExecTime += w.phases[phaseExec]
	m.ValidateTime += w.phases[phaseValidate]
	m.WaitTime += w.waitTime
	m.IdleTime += w.phases[phaseIdle]
}
