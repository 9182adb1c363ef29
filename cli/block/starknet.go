package block

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	clidevnet "github.com/kairo-dev/kairo/cli/devnet"
	"github.com/kairo-dev/kairo/sequencer/blockstm"
	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/depgraph"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/sequencer/txn"
	"github.com/kairo-dev/kairo/store/sqlite"
	"github.com/kairo-dev/kairo/vm/felt"
)

// readInput reads a block file ("-" for standard input) and the name to
// report it by.
func readInput(f *cmdutil.Factory, path string) ([]byte, string, error) {
	if path == "-" {
		data, err := io.ReadAll(f.IO.In)
		if err != nil {
			return nil, "<stdin>", fmt.Errorf("read <stdin>: %w", err)
		}
		return data, "<stdin>", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, path, fmt.Errorf("read %s: %w", path, err)
	}
	return data, path, nil
}

// parseTxsFile parses a transactions file; a malformed one is reported
// as FILE:LINE:COL: message with exit status 1.
func parseTxsFile(f *cmdutil.Factory, name string, data []byte) (*txn.File, error) {
	tf, err := txn.ParseFile(data)
	if err != nil {
		var fe *txn.FileError
		if errors.As(err, &fe) {
			fmt.Fprintf(f.IO.ErrOut, "%s:%s\n", name, fe.Error())
			return nil, &cmdutil.ExitError{Code: 1}
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return tf, nil
}

// dbFlag is the --db flag of the commands that take a devnet.
func addDBFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "db", "", "devnet database (kairo devnet init) that Starknet transactions run on; default: the devnet.db setting")
}

// dbPath is --db, else the devnet.db setting; it is required for a file
// of Starknet transactions.
func dbPath(f *cmdutil.Factory, flag, file string) (string, error) {
	p := flag
	if p == "" && f.Config != nil {
		p = f.Config.GetString("devnet.db")
	}
	if p == "" {
		return "", fmt.Errorf("%s holds Starknet transactions, which run on a devnet: pass --db FILE (created by kairo devnet init)", file)
	}
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%s does not exist: create it with kairo devnet init --db %s", p, p)
	}
	return p, nil
}

// chainSession is an opened devnet.
type chainSession struct {
	path  string
	store *sqlite.Store
	net   *devnet.Devnet
}

func (s *chainSession) Close() error { return s.store.Close() }

func openChain(ctx context.Context, f *cmdutil.Factory, path string, readOnly bool) (*chainSession, error) {
	opts, err := clidevnet.Options(f)
	if err != nil {
		return nil, err
	}
	s, err := sqlite.Open(ctx, path, sqlite.Options{ReadOnly: readOnly})
	if err != nil {
		return nil, err
	}
	net, err := devnet.Open(ctx, s, opts)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &chainSession{path: path, store: s, net: net}, nil
}

// cachedBase reads the head state once per key: Block-STM's workers and
// the repeated runs of one block read the same cells many times, and the
// store's reads are the slow part of a miss.
type cachedBase struct {
	r state.Reader
	m sync.Map // state.Key → felt.Felt
}

func (c *cachedBase) Get(k state.Key) (felt.Felt, error) {
	if v, ok := c.m.Load(k); ok {
		return v.(felt.Felt), nil
	}
	v, err := c.r.Get(k)
	if err != nil {
		return felt.Zero, err
	}
	c.m.Store(k, v)
	return v, nil
}

// snBlock is a block of Starknet transactions executed on a devnet's
// next block: sequentially (the reference), in parallel, and checked.
type snBlock struct {
	name  string
	file  *txn.File
	txs   []*txn.Tx
	sess  *chainSession
	batch *devnet.Batch
	exec  *txn.Executor
	base  *cachedBase
	seq   *txn.BlockResult // the reference
	par   *txn.BlockResult // nil with --sequential
	// seqWall is the sequential execution's time with the state cache
	// warm, as the parallel one runs; split its time split per
	// transaction.
	seqWall time.Duration
	split   timeSplit
}

// loadStarknet opens the devnet and prepares its next block for the file.
func loadStarknet(ctx context.Context, f *cmdutil.Factory, name string, data []byte, db string, readOnly bool) (*snBlock, error) {
	tf, err := parseTxsFile(f, name, data)
	if err != nil {
		return nil, err
	}
	path, err := dbPath(f, db, name)
	if err != nil {
		return nil, err
	}
	sess, err := openChain(ctx, f, path, readOnly)
	if err != nil {
		return nil, err
	}
	batch, err := sess.net.NewBatch(ctx)
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b := &snBlock{name: name, file: tf, sess: sess, batch: batch, base: &cachedBase{r: batch.Base},
		exec: &txn.Executor{Config: batch.Config, Classes: batch.Classes}}
	for _, ft := range tf.Txs {
		b.txs = append(b.txs, ft.Tx)
	}
	return b, nil
}

// run executes the block sequentially (the reference, which also reads
// the state the block needs into the cache), then (unless sequentialOnly)
// in parallel, then sequentially again: both timed runs find the cache
// warm. The time split is the second sequential run's. Without timed,
// the second sequential run is left out.
func (b *snBlock) run(opt blockstm.Options, sequentialOnly, timed bool) error {
	var err error
	if b.seq, err = b.exec.RunBlock(b.txs, b.base, opt, true); err != nil {
		return fmt.Errorf("execute %s sequentially: %w", b.name, err)
	}
	if !sequentialOnly {
		if b.par, err = b.exec.RunBlock(b.txs, b.base, opt, false); err != nil {
			return fmt.Errorf("execute %s in parallel: %w", b.name, err)
		}
	}
	if !timed {
		b.seqWall, b.split = b.seq.Metrics.Wall, splitOf(b.seq.Receipts)
		return nil
	}
	again, err := b.exec.RunBlock(b.txs, b.base, opt, true)
	if err != nil {
		return fmt.Errorf("execute %s sequentially: %w", b.name, err)
	}
	b.seqWall, b.split = again.Metrics.Wall, splitOf(again.Receipts)
	return nil
}

// mismatch is the first difference between the parallel and the
// sequential results ("" when equal).
func (b *snBlock) mismatch() string {
	if b.par == nil {
		return ""
	}
	return txn.SameResults(b.seq, b.par)
}

// result is the parallel result, or the sequential one with --sequential.
func (b *snBlock) result() *txn.BlockResult {
	if b.par != nil {
		return b.par
	}
	return b.seq
}

// commit commits the accepted and reverted transactions as one block.
func (b *snBlock) commit(ctx context.Context) (committed, error) {
	r := b.result()
	var txs []devnet.BatchTx
	for i, rc := range r.Receipts {
		if rc == nil {
			continue
		}
		ft := b.file.Txs[i]
		txs = append(txs, devnet.BatchTx{Tx: ft.Tx, Receipt: rc, ClassJSON: ft.ClassJSON, EntryPoint: ft.EntryPoint})
	}
	h, err := b.batch.Commit(ctx, txs, r.Diff)
	if err != nil {
		return committed{}, fmt.Errorf("commit block %d to %s: %w", b.batch.Number(), b.sess.path, err)
	}
	return committed{Number: h.Number, Hash: h.Hash.String(), StateRoot: h.StateRoot.String(), Txs: len(txs)}, nil
}

// committed is the block a run committed.
type committed struct {
	Number    uint64 `json:"number"`
	Hash      string `json:"hash"`
	StateRoot string `json:"state_root"`
	Txs       int    `json:"transactions"`
}

// names spells the block's keys by storage variable, with the block's
// addresses and calldata as candidate arguments.
func (b *snBlock) names(ctx context.Context) *depgraph.StorageNames {
	var cands []felt.Felt
	cands = append(cands, b.batch.Config.Block.SequencerAddress)
	for _, a := range b.sess.net.Genesis().Accounts {
		if v, err := devnet.ParseFelt("account", a.Address); err == nil {
			cands = append(cands, v)
		}
	}
	for _, tx := range b.txs {
		cands = append(cands, tx.Address(), tx.Contract)
		cands = append(cands, tx.Calldata...)
	}
	r := b.result()
	deployed := map[felt.Felt]felt.Felt{}
	for _, kv := range r.Diff {
		if kv.Key.Kind == state.ClassHash {
			deployed[kv.Key.Contract] = kv.Value
		}
	}
	for _, rc := range r.Receipts {
		if rc == nil {
			continue
		}
		for _, c := range rc.Calls() {
			walkCalls(c, func(ci *execution.CallInfo) { cands = append(cands, ci.Contract, ci.Caller) })
		}
	}
	declared := map[felt.Felt]*contract.Class{}
	for _, c := range r.Declared {
		declared[c.Hash] = c
	}
	classOf := func(addr felt.Felt) *contract.Class {
		h, ok := deployed[addr]
		if !ok {
			v, err := b.base.Get(state.ClassHashKey(addr))
			if err != nil || v.IsZero() {
				return nil
			}
			h = v
		}
		if c, ok := declared[h]; ok {
			return c
		}
		c, err := b.batch.Classes.Get(h)
		if err != nil {
			return nil
		}
		return c
	}
	return depgraph.NewStorageNames(classOf, cands)
}

func walkCalls(c *execution.CallInfo, f func(*execution.CallInfo)) {
	f(c)
	for _, in := range c.Inner {
		walkCalls(in, f)
	}
}

// timeSplit is the average time per transaction of each phase, in
// microseconds.
type timeSplit struct {
	Validation float64 `json:"validation"`
	Execution  float64 `json:"execution"`
	Fee        float64 `json:"fee"`
	Commit     float64 `json:"commit"`
}

// splitOf averages the receipts' timings.
func splitOf(receipts []*txn.Receipt) timeSplit {
	var sum txn.Timing
	n := 0
	for _, rc := range receipts {
		if rc != nil {
			sum.Add(rc.Timing)
			n++
		}
	}
	if n == 0 {
		return timeSplit{}
	}
	us := func(d time.Duration) float64 { return round2(float64(d.Nanoseconds()) / 1e3 / float64(n)) }
	return timeSplit{Validation: us(sum.Validation), Execution: us(sum.Execution), Fee: us(sum.Fee), Commit: us(sum.Commit)}
}

func (s timeSplit) String() string {
	total := s.Validation + s.Execution + s.Fee + s.Commit
	pct := func(x float64) float64 {
		if total == 0 {
			return 0
		}
		return 100 * x / total
	}
	return fmt.Sprintf("validation %.1fus (%.0f%%), execution %.1fus (%.0f%%), fee %.1fus (%.0f%%), commit %.1fus (%.0f%%)",
		s.Validation, pct(s.Validation), s.Execution, pct(s.Execution), s.Fee, pct(s.Fee), s.Commit, pct(s.Commit))
}
