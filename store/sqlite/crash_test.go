package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/storetest"
	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
)

// The crash test re-executes the test binary as a child that commits
// blocks in a loop; the parent kills it with SIGKILL at random moments and
// checks every time that the database reopens consistent.
const (
	crashChildEnv = "KAIRO_STORE_CRASH_CHILD" // the database path, in the child
	crashKillsEnv = "KAIRO_CRASH_KILLS"       // number of kills (default 25, 5 with -short)
)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		if err := crashChild(path); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild commits blocks until killed. It first builds the hash tables
// (a fixed cost of the first commit of a process, long under the race
// detector) and writes one byte to stdout when it starts opening the
// store, so that the parent's random delay counts from there.
func crashChild(path string) error {
	ctx := context.Background()
	warm := make([]felt.Felt, 64) // a batch this large builds the batch tables (smaller ones are hashed singly)
	hash.PedersenBatch(warm, warm, warm)
	if _, err := os.Stdout.Write([]byte{'\n'}); err != nil {
		return err
	}
	s, err := Open(ctx, path, Options{Create: true})
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))
	for {
		d := storetest.RandomDiff(r, 40, 300, 50+r.IntN(400))
		if _, err := s.CommitBlock(ctx, &store.Block{Diff: d, Header: store.Header{Timestamp: uint64(time.Now().Unix())}}); err != nil {
			return err
		}
	}
}

func TestCrashSafety(t *testing.T) {
	kills := 25
	if testing.Short() {
		kills = 5
	}
	if v := os.Getenv(crashKillsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", crashKillsEnv, v)
		}
		kills = n
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crash.db")
	r := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	var lastCount uint64
	grew := 0
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		cmd.Stderr = os.Stderr
		ready, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if _, err := ready.Read(make([]byte, 1)); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("kill %d: child did not start: %v", i, err)
		}
		time.Sleep(time.Duration(50+r.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("kill %d: child ended with %v before being killed", i, err)
		}

		// Create: a child killed while creating the file leaves an empty
		// database, which is still a valid starting point.
		s, err := Open(ctx, path, Options{Create: true})
		if err != nil {
			t.Fatalf("kill %d: reopen: %v", i, err)
		}
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		count := uint64(0)
		if h, err := s.Head(ctx); err == nil {
			count = h.Number + 1
		} else if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("kill %d: head: %v", i, err)
		}
		if count < lastCount {
			t.Fatalf("kill %d: %d blocks after reopening, %d before: committed blocks were lost", i, count, lastCount)
		}
		if count > lastCount {
			grew++
		}
		lastCount = count
		var diffs uint64
		if err := s.db.QueryRow("SELECT count(*) FROM state_diffs").Scan(&diffs); err != nil || diffs != count {
			t.Fatalf("kill %d: %d state diffs for %d blocks (%v)", i, diffs, count, err)
		}
		if err := s.VerifyState(ctx); err != nil {
			t.Fatalf("kill %d at block count %d: %v", i, count, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d kills, %d blocks, the chain grew between %d of them", kills, lastCount, grew)
	if grew == 0 {
		t.Fatalf("no block was ever committed between kills: the test exercised nothing")
	}
}
