package depgraph

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/internal/golden"

	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/kvtx"
)

const smallBlock = `{
  "kairo_block": 1,
  "genesis": {"q": "4"},
  "txs": [
    {"type": "op", "reads": [], "writes": ["x"]},
    {"type": "op", "reads": ["x"], "writes": ["y"]},
    {"type": "op", "reads": [], "writes": ["z"], "adds": {"x": "5"}},
    {"type": "op", "reads": ["x", "y"], "writes": ["w"]},
    {"type": "op", "reads": ["q"], "writes": []}
  ]
}`

func smallGraph(t *testing.T, workers int) *Graph {
	t.Helper()
	b, err := kvtx.ParseBlock([]byte(smallBlock))
	if err != nil {
		t.Fatal(err)
	}
	var r *blockstm.Result[kvtx.Output]
	if workers == 0 {
		r, err = blockstm.Sequential(b.Transactions(), b.Genesis)
	} else {
		r, err = blockstm.Run(b.Transactions(), b.Genesis, blockstm.Options{Workers: workers, Trace: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	return FromResult(r, nil)
}

func TestBuild(t *testing.T) {
	for _, workers := range []int{0, 1, 4} {
		g := smallGraph(t, workers)
		deps := func(j int) []int {
			var out []int
			for _, d := range g.Deps[j] {
				out = append(out, d.Tx)
			}
			return out
		}
		if !slices.Equal(deps(1), []int{0}) || !slices.Equal(deps(3), []int{0, 1, 2}) || deps(4) != nil || deps(2) != nil {
			t.Fatalf("deps %v %v %v %v", deps(1), deps(2), deps(3), deps(4))
		}
		if g.Deps[3][2].Keys[0] != kvtx.NameKey("x") { // the delta of tx 2
			t.Fatalf("tx 3's dependency on tx 2 is over %v", g.Deps[3][2].Keys)
		}
		if !slices.Equal(g.Critical, []int{0, 1, 3}) || g.Span != 3 || g.Total != 5 {
			t.Fatalf("critical path %v, span %d, total %d", g.Critical, g.Span, g.Total)
		}
		if len(g.Steps) != 3 || !slices.Equal(g.Steps[0], []int{0, 2, 4}) || !slices.Equal(g.Users[0], []int{1, 3}) {
			t.Fatalf("steps %v, users of 0 %v", g.Steps, g.Users[0])
		}
		if g.Edges() != 4 || g.Parallelism() != 5.0/3 {
			t.Fatalf("edges %d, parallelism %f", g.Edges(), g.Parallelism())
		}
	}
}

func TestRenderers(t *testing.T) {
	g := smallGraph(t, 0)
	o := Options{KeyName: kvtx.KeyName}
	for name, render := range map[string]func(*bytes.Buffer) error{
		"text":    func(b *bytes.Buffer) error { return Text(b, g, o) },
		"dot":     func(b *bytes.Buffer) error { return Dot(b, g, o) },
		"mermaid": func(b *bytes.Buffer) error { return Mermaid(b, g, o) },
		"json":    func(b *bytes.Buffer) error { return JSON(b, g, o) },
		"explain": func(b *bytes.Buffer) error { return Explain(b, g, 3, o) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, name, b.String())
	}
	if err := Explain(&bytes.Buffer{}, g, 5, o); err == nil {
		t.Fatal("explain of a transaction beyond the block")
	}
	if err := Timeline(&bytes.Buffer{}, g, o, 80); err == nil {
		t.Fatal("timeline without a trace")
	}
}

func TestTimeline(t *testing.T) {
	g := smallGraph(t, 2)
	var b bytes.Buffer
	if err := Timeline(&b, g, Options{KeyName: kvtx.KeyName}, 40); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if !strings.HasPrefix(lines[0], "Timeline: 2 workers (classic)") || !strings.HasPrefix(lines[2], "w0  |") || len(lines[2]) != len("w0  |")+40+1 {
		t.Fatalf("timeline:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "#") {
		t.Fatalf("no execution drawn:\n%s", b.String())
	}
}

func TestLimitAndLongSchedules(t *testing.T) {
	b, err := kvtx.Generate(kvtx.GenConfig{Workload: "chain", Txs: 40})
	if err != nil {
		t.Fatal(err)
	}
	r, err := blockstm.Sequential(b.Transactions(), b.Genesis)
	if err != nil {
		t.Fatal(err)
	}
	g := FromResult(r, nil)
	var out bytes.Buffer
	Text(&out, g, Options{KeyName: kvtx.KeyName, Limit: 5})
	s := out.String()
	if !strings.Contains(s, "… 35 more transactions") || !strings.Contains(s, "critical path: 40 of 40 transactions") || !strings.Contains(s, "… 8 more steps") {
		t.Fatalf("chain view:\n%s", s)
	}
}
