package block

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/depgraph"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/txn"
)

// maxListed bounds the rejected and reverted transactions the text
// summary lists.
const maxListed = 10

// runStarknet executes a file of Starknet transactions on the devnet's
// next block, checks parallel against sequential execution and commits
// the block.
func runStarknet(f *cmdutil.Factory, o *RunOptions, opt blockstm.Options, name string, data []byte) error {
	ctx := o.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	b, err := loadStarknet(ctx, f, name, data, o.DB, false)
	if err != nil {
		return err
	}
	defer b.sess.Close()
	if err := b.run(opt, o.Sequential, true); err != nil {
		return err
	}
	if d := b.mismatch(); d != "" {
		return mismatch(f, errors.New(d))
	}
	res := b.result()
	s := runSummary{File: o.File, Txs: len(b.txs), KeysWritten: len(res.Diff), SequentialS: b.seqWall.Seconds()}
	var g *depgraph.Graph
	var hot []depgraph.KeyCount
	names := b.names(ctx)
	if o.Sequential {
		s.Scheduler = "sequential"
		s.TPS = tps(s.Txs, s.SequentialS)
		s.Executions = b.seq.Metrics.Executions
		g = depgraph.FromResult(b.seq.Engine, nil)
	} else {
		m := b.par.Metrics
		equal := true
		s.Workers, s.Scheduler, s.Equal = m.Workers, m.Scheduler, &equal
		s.ParallelS = m.Wall.Seconds()
		s.Speedup = round2(s.SequentialS / s.ParallelS)
		s.TPS = tps(s.Txs, s.ParallelS)
		s.Executions, s.Validations, s.Aborts, s.EarlyAborts, s.Waits = m.Executions, m.Validations, m.Aborts, m.EarlyAborts, m.Waits
		s.ExecuteS, s.ValidateS, s.WaitS, s.IdleS = m.ExecTime.Seconds(), m.ValidateTime.Seconds(), m.WaitTime.Seconds(), m.IdleTime.Seconds()
		g = depgraph.FromResult(b.par.Engine, nil)
		hot = depgraph.HotKeys(b.par.Engine.Trace)
		if len(hot) > 5 {
			hot = hot[:5]
		}
		for _, h := range hot {
			s.HotKeys = append(s.HotKeys, hotKeyJS{Key: names.KeyName(h.Key), Aborts: h.Aborts, Waits: h.Waits})
		}
	}
	accepted := 0
	for i, rc := range res.Receipts {
		switch {
		case rc == nil:
			s.Rejected = append(s.Rejected, rejection(i, b, res.Errors[i]))
		case rc.Status == txn.Reverted:
			s.Reverted++
			s.Reverts = append(s.Reverts, rejectedJS{Tx: i, Hash: rc.Hash.String(), Message: rc.RevertError})
		default:
			accepted++
		}
	}
	s.Accepted = &accepted
	split := b.split
	s.TimeSplit = &split
	var blk committed
	if accepted+s.Reverted > 0 {
		if blk, err = b.commit(ctx); err != nil {
			return err
		}
		s.Block = &blk
	}
	st := f.IO.Styles()
	extra := func(w *strings.Builder) {
		fmt.Fprintf(w, "  receipts     %d accepted, %d reverted, %d rejected (left out of the block)\n", accepted, s.Reverted, len(s.Rejected))
		for i, r := range s.Rejected {
			if i == maxListed {
				fmt.Fprintf(w, "    … %d more rejected\n", len(s.Rejected)-maxListed)
				break
			}
			fmt.Fprintf(w, "    %s %s\n", st.Bad.Render(fmt.Sprintf("tx %d rejected:", r.Tx)), oneLine(r.Code+": "+r.Message))
		}
		for i, r := range s.Reverts {
			if i == maxListed {
				fmt.Fprintf(w, "    … %d more reverted\n", len(s.Reverts)-maxListed)
				break
			}
			fmt.Fprintf(w, "    %s %s\n", st.Warn.Render(fmt.Sprintf("tx %d reverted:", r.Tx)), oneLine(r.Message))
		}
		if accepted+s.Reverted > 0 {
			fmt.Fprintf(w, "  per tx       %s\n", split)
		}
		if s.Block == nil {
			fmt.Fprintf(w, "  committed    nothing: every transaction was rejected\n")
		} else {
			fmt.Fprintf(w, "  committed    block %d (%s), state root %s\n", blk.Number, plural(blk.Txs, "transaction"), blk.StateRoot)
		}
	}
	return writeRunSummary(f, o, &s, g, hot, names.KeyName, extra)
}

// rejection describes a rejected transaction: Starknet's code and
// message.
func rejection(i int, b *snBlock, err error) rejectedJS {
	r := rejectedJS{Tx: i, Message: err.Error()}
	if h, herr := b.txs[i].Hash(b.batch.Config.ChainID); herr == nil && !b.txs[i].Impersonated {
		r.Hash = h.String()
	}
	var ee *execution.Error
	if errors.As(err, &ee) {
		r.Code, r.Message = ee.Code, ee.Message
	}
	return r
}

// oneLine keeps a message's Cairo error messages (with_attr), outermost
// first, or its first line.
func oneLine(msg string) string {
	var attrs []string
	for _, line := range strings.Split(msg, "\n") {
		if m, ok := strings.CutPrefix(line, "Error message: "); ok {
			attrs = append(attrs, m)
		}
	}
	first, _, _ := strings.Cut(msg, "\n")
	if len(attrs) == 0 {
		return first
	}
	for i, j := 0, len(attrs)-1; i < j; i, j = i+1, j-1 {
		attrs[i], attrs[j] = attrs[j], attrs[i]
	}
	return strings.Join(attrs, ": ")
}
