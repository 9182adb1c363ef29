package depgraph

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
)

// fmtDuration spells a duration with three significant digits.
func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.3gs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3gms", float64(d)/float64(time.Millisecond))
	case d >= time.Microsecond:
		return fmt.Sprintf("%.3gus", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%dns", int64(d))
}

// kept reports whether an execution event is the transaction's final one.
func (g *Graph) kept(e *blockstm.Event) bool {
	return e.OK && int(e.Inc) == g.Incarnations[e.Tx]-1
}

// Timeline draws what each worker did over time (needs a trace): one lane
// per worker, each column a slice of the block's wall time showing what
// filled most of it:
//
//	#  an execution that was kept      x  an execution that was discarded
//	v  a validation                    .  a wait for an estimate
//	   (blank: idle or scheduling)
//
// and under each lane a ! where that worker aborted a transaction; then the
// aborts, in order.
func Timeline(w io.Writer, g *Graph, o Options, width int) error {
	st := o.Styles
	if g.Trace == nil {
		return fmt.Errorf("no trace: the block was run without tracing")
	}
	width = max(width, 10)
	var end time.Duration
	for _, e := range g.Trace {
		end = max(end, e.End)
	}
	slice := max((end+time.Duration(width)-1)/time.Duration(width), 1)
	const kinds = 4 // '#', 'x', 'v', '.'
	symbols := [kinds]byte{'#', 'x', 'v', '.'}
	fill := make([][][kinds]time.Duration, g.Workers)
	marks := make([][]byte, g.Workers)
	for i := range fill {
		fill[i] = make([][kinds]time.Duration, width)
		marks[i] = []byte(strings.Repeat(" ", width))
	}
	paint := func(worker int, from, to time.Duration, k int) {
		for col := int(from / slice); col < width && time.Duration(col)*slice < to; col++ {
			a, z := max(from, time.Duration(col)*slice), min(to, time.Duration(col+1)*slice)
			fill[worker][col][k] += z - a
		}
	}
	var aborts []blockstm.Event
	for i := range g.Trace {
		e := &g.Trace[i]
		if e.Worker >= len(fill) {
			continue
		}
		switch e.Kind {
		case blockstm.EventExecute:
			if g.kept(e) {
				paint(e.Worker, e.Start, e.End, 0)
			} else {
				paint(e.Worker, e.Start, e.End, 1)
			}
		case blockstm.EventValidate:
			paint(e.Worker, e.Start, e.End, 2)
		case blockstm.EventWait:
			paint(e.Worker, e.Start, e.End, 3)
		case blockstm.EventAbort:
			marks[e.Worker][min(int(e.Start/slice), width-1)] = '!'
			aborts = append(aborts, *e)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", st.Title.Render(fmt.Sprintf("Timeline: %d workers (%s), %s, one column = %s", g.Workers, g.Scheduler, fmtDuration(end), fmtDuration(slice))))
	fmt.Fprintf(&b, "%s\n", st.Muted.Render("# kept execution  x discarded execution  v validation  . wait  ! abort"))
	for i := range fill {
		lane := make([]byte, width)
		for col, f := range fill[i] {
			lane[col] = ' '
			var most time.Duration
			for k, d := range f {
				if d > most && d >= slice/8 { // an eighth of the column at least
					most, lane[col] = d, symbols[k]
				}
			}
		}
		fmt.Fprintf(&b, "w%-3d|%s|\n", i, string(lane))
		if strings.TrimSpace(string(marks[i])) != "" {
			fmt.Fprintf(&b, "    |%s|\n", st.Warn.Render(string(marks[i])))
		}
	}
	if len(aborts) > 0 {
		fmt.Fprintf(&b, "\n%s\n", st.Header.Render(fmt.Sprintf("Aborts (%d)", len(aborts))))
		for i, e := range aborts {
			if i == 50 {
				fmt.Fprintf(&b, "%s\n", st.Muted.Render(fmt.Sprintf("… %d more", len(aborts)-i)))
				break
			}
			fmt.Fprintf(&b, "%9s  tx %d (incarnation %d): %s\n", fmtDuration(e.Start), e.Tx, e.Inc, abortCause(&e, &o))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// source spells where a read came from.
func source(tx, inc int32) string {
	if tx < 0 {
		return "the genesis state"
	}
	return fmt.Sprintf("tx %d (incarnation %d)", tx, inc)
}

// abortCause explains one abort event.
func abortCause(e *blockstm.Event, o *Options) string {
	k := o.key(e.Key)
	if e.ByInc < 0 {
		return fmt.Sprintf("it had read %s from %s, which tx %d was re-executing (an estimate)", k, source(e.From, e.FromInc), e.By)
	}
	if e.By == e.From {
		return fmt.Sprintf("it had read %s from %s; incarnation %d of tx %d wrote it differently", k, source(e.From, e.FromInc), e.ByInc, e.By)
	}
	return fmt.Sprintf("it had read %s from %s; %s wrote it in between", k, source(e.From, e.FromInc), source(e.By, e.ByInc))
}
