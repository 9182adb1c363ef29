package depgraph

import (
	"fmt"
	"io"
	"strings"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
)

// Explain writes why transaction tx ran more than once or waited: for each
// incarnation, its executions, waits and the abort that ended it (which
// key, written by which transaction, read at which incarnation); then what
// its final execution read and wrote, and the dependencies both ways.
func Explain(w io.Writer, g *Graph, tx int, o Options) error {
	if tx < 0 || tx >= g.N {
		return fmt.Errorf("no transaction %d: the block has %d (0 to %d)", tx, g.N, g.N-1)
	}
	st := o.Styles
	var b strings.Builder
	runs := g.Incarnations[tx]
	waits := 0
	for _, e := range g.Trace {
		if int(e.Tx) == tx && e.Kind == blockstm.EventWait {
			waits++
		}
	}
	summary := fmt.Sprintf("tx %d ran %s", tx, times(runs))
	if waits > 0 {
		summary += fmt.Sprintf(" and waited %s", times(waits))
	}
	fmt.Fprintf(&b, "%s\n", st.Title.Render(summary+"."))
	if g.Errs[tx] != nil {
		fmt.Fprintf(&b, "%s\n", st.Bad.Render("It was reverted: "+g.Errs[tx].Error()))
	}
	if runs == 1 && waits == 0 {
		b.WriteString("It ran once: nothing it read changed after it read it.\n")
	}
	if g.Trace != nil && (runs > 1 || waits > 0) {
		for inc := int32(0); inc < int32(runs); inc++ {
			fmt.Fprintf(&b, "%s\n", st.Header.Render(fmt.Sprintf("incarnation %d", inc)))
			for i := range g.Trace {
				e := &g.Trace[i]
				if int(e.Tx) != tx || e.Inc != inc {
					continue
				}
				switch e.Kind {
				case blockstm.EventExecute:
					what := "executed"
					switch {
					case !e.OK:
						what = "stopped early at a state access"
					case !g.kept(e):
						what = "executed (result discarded)"
					}
					fmt.Fprintf(&b, "  %s %s–%s on worker %d\n", what, fmtDuration(e.Start), fmtDuration(e.End), e.Worker)
				case blockstm.EventWait:
					fmt.Fprintf(&b, "  waited %s on worker %d for tx %d: its write to %s was an estimate (it was being re-executed)\n",
						fmtDuration(e.End-e.Start), e.Worker, e.By, o.key(e.Key))
				case blockstm.EventAbort:
					fmt.Fprintf(&b, "  %s\n", st.Warn.Render("aborted: "+abortCause(e, &o)))
				case blockstm.EventValidate:
					if !e.OK {
						fmt.Fprintf(&b, "  validation failed on worker %d\n", e.Worker)
					}
				}
			}
		}
	} else if runs > 1 {
		b.WriteString("Run with tracing to see why (kairo block explain traces).\n")
	}
	fmt.Fprintf(&b, "%s\n", st.Header.Render("final execution"))
	if len(g.Reads[tx]) == 0 {
		b.WriteString("  reads nothing\n")
	}
	for _, r := range g.Reads[tx] {
		from := source(r.Source, r.SourceInc)
		if r.Deltas {
			from += " plus later deltas"
		}
		fmt.Fprintf(&b, "  reads  %s = %s from %s\n", o.key(r.Key), r.Value.Decimal(), from)
	}
	for _, wr := range g.Writes[tx] {
		op := "="
		if wr.Delta {
			op = "+="
		}
		fmt.Fprintf(&b, "  writes %s %s %s\n", o.key(wr.Key), op, wr.Value.Decimal())
	}
	if deps := g.Deps[tx]; len(deps) > 0 {
		fmt.Fprintf(&b, "  depends on %s\n", depString(deps, &o))
	}
	if users := g.Users[tx]; len(users) > 0 {
		s := make([]string, len(users))
		for i, u := range users {
			s[i] = fmt.Sprint(u)
		}
		fmt.Fprintf(&b, "  needed by tx %s\n", strings.Join(s, ", "))
	}
	if g.OnPath[tx] {
		fmt.Fprintf(&b, "  %s\n", st.Highlight.Render("on the critical path"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}
