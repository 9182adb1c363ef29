package depgraph

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/state"
)

// Styles are the styles of the terminal views (the CLI passes its own;
// the zero value renders plain text).
type Styles struct {
	Title, Header, Muted, Highlight, Bad, Warn, Key lipgloss.Style
}

// Options configure the renderers.
type Options struct {
	KeyName func(state.Key) string // how to spell keys; Key.String when nil
	Limit   int                    // text: at most this many rows (0: all)
	Styles  Styles
}

func (o *Options) key(k state.Key) string {
	if o.KeyName != nil {
		return o.KeyName(k)
	}
	return k.String()
}

// keys spells a list of keys, a Uint256's two cells (NAME.low, NAME.high
// next to each other) as NAME once.
func (o *Options) keys(ks []state.Key) string {
	s := make([]string, 0, len(ks))
	for i := 0; i < len(ks); i++ {
		name := o.key(ks[i])
		if i+1 < len(ks) {
			if base, ok := strings.CutSuffix(name, ".low"); ok && o.key(ks[i+1]) == base+".high" {
				s = append(s, base)
				i++
				continue
			}
		}
		s = append(s, name)
	}
	return strings.Join(s, ",")
}

// Text writes the terminal view: a summary, one row per transaction with
// its dependencies, runs and the keys it fought over (critical path marked
// with * and highlighted), and the ideal parallel schedule as columns.
func Text(w io.Writer, g *Graph, o Options) error {
	st := o.Styles
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", st.Title.Render(fmt.Sprintf("Dependency graph: %d transactions, %d dependencies", g.N, g.Edges())))
	fmt.Fprintf(&b, "critical path: %d of %d transactions, %s; parallelism %.2f\n", len(g.Critical), g.N, weight(g, g.Span), g.Parallelism())
	if len(g.Critical) > 0 {
		fmt.Fprintf(&b, "  %s\n", st.Highlight.Render(pathString(g.Critical, 24)))
	}
	b.WriteString("\n")
	rows := [][]string{{"", "tx", "depends on", "runs", "fought over"}}
	limit := g.N
	if o.Limit > 0 && o.Limit < limit {
		limit = o.Limit
	}
	for j := range limit {
		mark := " "
		if g.OnPath[j] {
			mark = "*"
		}
		runs := strconv.Itoa(g.Incarnations[j])
		if g.Errs[j] != nil {
			runs += " (reverted)"
		}
		rows = append(rows, []string{mark, strconv.Itoa(j), depString(g.Deps[j], &o), runs, foughtString(g, j, &o)})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for c, cell := range r {
			widths[c] = max(widths[c], len(cell))
		}
	}
	for i, r := range rows {
		var line strings.Builder
		for c, cell := range r {
			if c == len(r)-1 {
				line.WriteString(cell)
				break
			}
			line.WriteString(cell + strings.Repeat(" ", widths[c]-len(cell)+2))
		}
		text := strings.TrimRight(line.String(), " ")
		switch {
		case i == 0:
			text = st.Header.Render(text)
		case g.OnPath[i-1]:
			text = st.Highlight.Render(text)
		case g.Incarnations[i-1] > 1:
			text = st.Warn.Render(text)
		}
		b.WriteString(text + "\n")
	}
	if limit < g.N {
		fmt.Fprintf(&b, "%s\n", st.Muted.Render(fmt.Sprintf("… %d more transactions (--limit)", g.N-limit)))
	}
	b.WriteString("\n")
	b.WriteString(scheduleString(g, &o))
	_, err := io.WriteString(w, b.String())
	return err
}

// weight spells a duration of work, or a count when transactions weigh one
// unit each.
func weight(g *Graph, d time.Duration) string {
	unit := true
	for _, w := range g.Weights {
		unit = unit && w == 1
	}
	if unit {
		return fmt.Sprintf("%d steps", int64(d))
	}
	return fmtDuration(d)
}

func pathString(p []int, max int) string {
	s := make([]string, 0, len(p))
	for i, t := range p {
		if len(p) > max && i == max/2 {
			s = append(s, fmt.Sprintf("… %d more …", len(p)-max))
		}
		if len(p) > max && i >= max/2 && i < len(p)-max/2 {
			continue
		}
		s = append(s, strconv.Itoa(t))
	}
	return strings.Join(s, " → ")
}

func depString(deps []Dep, o *Options) string {
	if len(deps) == 0 {
		return "-"
	}
	s := make([]string, 0, len(deps))
	for i, d := range deps {
		if i == 4 && len(deps) > 5 {
			s = append(s, fmt.Sprintf("+%d more", len(deps)-4))
			break
		}
		s = append(s, fmt.Sprintf("%d (%s)", d.Tx, o.keys(d.Keys)))
	}
	return strings.Join(s, ", ")
}

// foughtString lists the keys behind tx's aborts and waits.
func foughtString(g *Graph, tx int, o *Options) string {
	type count struct{ aborts, waits int }
	var order []state.Key
	m := map[state.Key]*count{}
	for _, e := range g.Conflicts(tx) {
		c := m[e.Key]
		if c == nil {
			c = &count{}
			m[e.Key] = c
			order = append(order, e.Key)
		}
		if e.Kind == blockstm.EventAbort {
			c.aborts++
		} else {
			c.waits++
		}
	}
	s := make([]string, 0, len(order))
	for _, k := range order {
		c := m[k]
		var parts []string
		if c.aborts > 0 {
			parts = append(parts, plural(c.aborts, "abort"))
		}
		if c.waits > 0 {
			parts = append(parts, plural(c.waits, "wait"))
		}
		s = append(s, fmt.Sprintf("%s (%s)", o.key(k), strings.Join(parts, ", ")))
	}
	return strings.Join(s, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// scheduleString draws the ideal schedule: columns of transactions that can
// run side by side when few enough, else one line per step.
func scheduleString(g *Graph, o *Options) string {
	st := o.Styles
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", st.Title.Render(fmt.Sprintf("Ideal schedule: %s with unlimited workers (widest: %s)", plural(len(g.Steps), "step"), plural(widest(g), "transaction"))))
	const maxCols, maxRows = 12, 16
	if len(g.Steps) <= maxCols {
		cols := make([]string, len(g.Steps))
		for s, txs := range g.Steps {
			lines := []string{st.Header.Render(fmt.Sprintf("step %d", s+1))}
			for i, t := range txs {
				if i == maxRows-1 && len(txs) > maxRows {
					lines = append(lines, st.Muted.Render(fmt.Sprintf("+%d", len(txs)-i)))
					break
				}
				cell := strconv.Itoa(t)
				if g.OnPath[t] {
					cell = st.Highlight.Render("*" + cell)
				}
				lines = append(lines, cell)
			}
			cols[s] = lipgloss.NewStyle().PaddingRight(3).Render(strings.Join(lines, "\n"))
		}
		b.WriteString(trimLines(lipgloss.JoinHorizontal(lipgloss.Top, cols...)))
		b.WriteString("\n")
		return b.String()
	}
	for s, txs := range g.Steps {
		if s == 2*maxRows && len(g.Steps) > 2*maxRows+1 {
			fmt.Fprintf(&b, "%s\n", st.Muted.Render(fmt.Sprintf("… %d more steps", len(g.Steps)-s)))
			break
		}
		fmt.Fprintf(&b, "step %-4d %s\n", s+1, rangesString(txs, g.OnPath, st))
	}
	return b.String()
}

func widest(g *Graph) int {
	w := 0
	for _, s := range g.Steps {
		w = max(w, len(s))
	}
	return w
}

func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}

// rangesString spells a sorted tx list compactly: "0-3 7 9-12".
func rangesString(txs []int, onPath []bool, st Styles) string {
	var parts []string
	for i := 0; i < len(txs); {
		j := i
		for j+1 < len(txs) && txs[j+1] == txs[j]+1 && !onPath[txs[j+1]] && !onPath[txs[i]] {
			j++
		}
		switch {
		case onPath[txs[i]]:
			parts = append(parts, st.Highlight.Render("*"+strconv.Itoa(txs[i])))
		case j > i:
			parts = append(parts, fmt.Sprintf("%d-%d", txs[i], txs[j]))
		default:
			parts = append(parts, strconv.Itoa(txs[i]))
		}
		i = j + 1
		if len(parts) == 40 && i < len(txs) {
			parts = append(parts, fmt.Sprintf("… (%d transactions)", len(txs)))
			break
		}
	}
	return strings.Join(parts, " ")
}

// Dot writes the graph in Graphviz dot: re-executed transactions filled,
// the critical path in red.
func Dot(w io.Writer, g *Graph, o Options) error {
	var b strings.Builder
	b.WriteString("digraph block {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n  edge [fontname=\"monospace\", fontsize=10];\n")
	for j := range g.N {
		attrs := []string{fmt.Sprintf("label=%q", nodeLabel(g, j))}
		if g.Incarnations[j] > 1 {
			attrs = append(attrs, `style=filled`, `fillcolor="#ffe4c4"`)
		}
		if g.OnPath[j] {
			attrs = append(attrs, `color="#d62728"`, `penwidth=2`)
		}
		fmt.Fprintf(&b, "  t%d [%s];\n", j, strings.Join(attrs, ", "))
	}
	for j, deps := range g.Deps {
		for _, d := range deps {
			attrs := []string{fmt.Sprintf("label=%q", o.keys(d.Keys))}
			if g.OnPath[j] && g.OnPath[d.Tx] && onCriticalEdge(g, d.Tx, j) {
				attrs = append(attrs, `color="#d62728"`, `penwidth=2`)
			}
			fmt.Fprintf(&b, "  t%d -> t%d [%s];\n", d.Tx, j, strings.Join(attrs, ", "))
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func nodeLabel(g *Graph, j int) string {
	l := fmt.Sprintf("tx %d", j)
	if g.Incarnations[j] > 1 {
		l += fmt.Sprintf("\n%d runs", g.Incarnations[j])
	}
	if g.Errs[j] != nil {
		l += "\nreverted"
	}
	return l
}

// onCriticalEdge reports whether i → j are consecutive on the critical path.
func onCriticalEdge(g *Graph, i, j int) bool {
	for p := 0; p+1 < len(g.Critical); p++ {
		if g.Critical[p] == i && g.Critical[p+1] == j {
			return true
		}
	}
	return false
}

// Mermaid writes the graph as a Mermaid flowchart.
func Mermaid(w io.Writer, g *Graph, o Options) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for j := range g.N {
		fmt.Fprintf(&b, "  t%d[\"%s\"]\n", j, strings.ReplaceAll(nodeLabel(g, j), "\n", "<br/>"))
	}
	link := 0
	var critical []string
	for j, deps := range g.Deps {
		for _, d := range deps {
			fmt.Fprintf(&b, "  t%d -->|\"%s\"| t%d\n", d.Tx, o.keys(d.Keys), j)
			if onCriticalEdge(g, d.Tx, j) {
				critical = append(critical, strconv.Itoa(link))
			}
			link++
		}
	}
	b.WriteString("  classDef critical stroke:#d62728,stroke-width:3px\n  classDef rerun fill:#ffe4c4\n")
	var crit, rerun []string
	for j := range g.N {
		if g.OnPath[j] {
			crit = append(crit, fmt.Sprintf("t%d", j))
		}
		if g.Incarnations[j] > 1 {
			rerun = append(rerun, fmt.Sprintf("t%d", j))
		}
	}
	if len(rerun) > 0 {
		fmt.Fprintf(&b, "  class %s rerun\n", strings.Join(rerun, ","))
	}
	if len(crit) > 0 {
		fmt.Fprintf(&b, "  class %s critical\n", strings.Join(crit, ","))
	}
	if len(critical) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s stroke:#d62728,stroke-width:3px\n", strings.Join(critical, ","))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type jsonDep struct {
	Tx   int      `json:"tx"`
	Keys []string `json:"keys"`
}

type jsonTx struct {
	Tx           int       `json:"tx"`
	Deps         []jsonDep `json:"deps"`
	Incarnations int       `json:"incarnations"`
	Step         int       `json:"step"`
	Critical     bool      `json:"critical"`
	Error        string    `json:"error,omitempty"`
}

type jsonGraph struct {
	Txs          int      `json:"txs"`
	Edges        int      `json:"edges"`
	CriticalPath []int    `json:"critical_path"`
	Span         int64    `json:"span"`
	Total        int64    `json:"total"`
	Parallelism  float64  `json:"parallelism"`
	Steps        [][]int  `json:"steps"`
	Transactions []jsonTx `json:"transactions"`
}

// JSON writes the graph as one JSON object; span and total are in the
// weights' unit (nanoseconds of declared work, or steps).
func JSON(w io.Writer, g *Graph, o Options) error {
	out := jsonGraph{Txs: g.N, Edges: g.Edges(), CriticalPath: g.Critical, Span: int64(g.Span), Total: int64(g.Total),
		Parallelism: round2(g.Parallelism()), Steps: g.Steps, Transactions: make([]jsonTx, g.N)}
	if out.CriticalPath == nil {
		out.CriticalPath = []int{}
	}
	if out.Steps == nil {
		out.Steps = [][]int{}
	}
	for j := range g.N {
		t := jsonTx{Tx: j, Deps: []jsonDep{}, Incarnations: g.Incarnations[j], Step: g.Step[j] + 1, Critical: g.OnPath[j]}
		for _, d := range g.Deps[j] {
			ks := make([]string, len(d.Keys))
			for i, k := range d.Keys {
				ks[i] = o.key(k)
			}
			t.Deps = append(t.Deps, jsonDep{Tx: d.Tx, Keys: ks})
		}
		if g.Errs[j] != nil {
			t.Error = g.Errs[j].Error()
		}
		out.Transactions[j] = t
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
