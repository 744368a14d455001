package duckdb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Each durability batch writes batchRows(id) rows to DeviceProcessEvents
// and half as many to DeviceNetworkEvents, all with ReportId = id. Every
// third batch is large enough to be written as segments, so kills also
// land between a segment's file and its commit, and in compactions.
func batchRows(id int64) int {
	n := 50 + int(id*37%400)
	if id%3 == 0 {
		n += segmentMinRows
	}
	return n
}

func durabilityBatch(id int64) store.Batch {
	proc, _ := schema.Lookup("DeviceProcessEvents")
	netw, _ := schema.Lookup("DeviceNetworkEvents")
	n := batchRows(id)
	b := store.Batch{Tables: []store.TableRows{{Table: proc.Name}, {Table: netw.Name}}}
	for i := range n {
		b.Tables[0].Rows = append(b.Tables[0].Rows, sampleRow(proc, id))
		if i%2 == 0 {
			b.Tables[1].Rows = append(b.Tables[1].Rows, sampleRow(netw, id))
		}
	}
	return b
}

// durabilityChild appends batches with increasing ids, continuing after
// the highest id in the store, and prints "ack <id>" after each Append
// returns, until it is killed. Every fourth batch is followed by a
// checkpoint.
func durabilityChild(dir string) int {
	s, err := Open(dir, store.Options{RetentionInterval: -1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return 1
	}
	fmt.Println("open")
	res, err := s.Query(context.Background(), store.Query{SQL: "SELECT coalesce(max(ReportId), 0) FROM DeviceProcessEvents"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child query:", err)
		return 1
	}
	for id := res.Rows[0][0].(int64) + 1; ; id++ {
		if err := s.Append(context.Background(), durabilityBatch(id)); err != nil {
			fmt.Fprintln(os.Stderr, "child append:", err)
			return 1
		}
		fmt.Println("ack", id)
		// Checkpoint now and then so that some kills land in one.
		// DuckDB refuses a checkpoint while another write transaction (the
		// background compactor's) is open, as the store's own checkpointer
		// expects; that is not a failure.
		if id%4 == 0 {
			s.mu.Lock()
			_, err := s.wconn.ExecContext(context.Background(), "CHECKPOINT")
			s.mu.Unlock()
			if err != nil && !strings.Contains(err.Error(), "other write transactions") {
				fmt.Fprintln(os.Stderr, "child checkpoint:", err)
				return 1
			}
		}
	}
}

// TestDurability kills a writing process with SIGKILL at random points,
// several times over the same store, then checks that every acknowledged
// batch is complete, that no batch is partial, and that the store opens
// cleanly.
func TestDurability(t *testing.T) {
	rounds := 8
	if testing.Short() {
		rounds = 3
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	dir := t.TempDir()
	acked := map[int64]bool{}
	for round := range rounds {
		// Every third round dies at a random time, possibly while opening
		// or replaying the log; the others after a random number of acks
		// plus a random delay, mostly in the middle of an Append.
		early := round%3 == 2
		acks := 1 + rng.IntN(12)
		delay := time.Duration(rng.IntN(20_000)) * time.Microsecond
		if early {
			delay = time.Duration(rng.IntN(600)) * time.Millisecond
		}
		got := killRound(t, dir, early, acks, delay)
		for _, id := range got {
			acked[id] = true
		}
		t.Logf("round %d: early=%v acks=%d delay=%v: %d acked", round, early, acks, delay, len(got))
	}
	if len(acked) == 0 {
		t.Fatal("no batch was ever acknowledged")
	}

	s, err := Open(dir, store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatalf("reopen after the crashes: %v", err)
	}
	defer s.Close()
	perID := func(table string) map[int64]int64 {
		res := mustQuery(t, s, "SELECT ReportId, count(*) FROM "+table+" GROUP BY ReportId")
		out := map[int64]int64{}
		for _, r := range res.Rows {
			out[r[0].(int64)] = r[1].(int64)
		}
		return out
	}
	proc, netw := perID("DeviceProcessEvents"), perID("DeviceNetworkEvents")
	for id := range acked {
		if proc[id] == 0 {
			t.Errorf("acknowledged batch %d is missing", id)
		}
	}
	for id, n := range proc {
		if want := int64(batchRows(id)); n != want {
			t.Errorf("batch %d has %d DeviceProcessEvents rows, want %d", id, n, want)
		}
		if want := int64((batchRows(id) + 1) / 2); netw[id] != want {
			t.Errorf("batch %d has %d DeviceNetworkEvents rows, want %d", id, netw[id], want)
		}
	}
	for id := range netw {
		if proc[id] == 0 {
			t.Errorf("batch %d is in DeviceNetworkEvents only", id)
		}
	}
	t.Logf("%d batches stored, %d acknowledged", len(proc), len(acked))
}

// killRound runs one child over dir and SIGKILLs it after acks
// acknowledgements (or, when early, after delay from the start). It
// returns the ids the child acknowledged.
func killRound(t *testing.T, dir string, early bool, acks int, delay time.Duration) []int64 {
	t.Helper()
	cmd := childCommand(t, "durability", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() { once.Do(func() { _ = cmd.Process.Signal(syscall.SIGKILL) }) }
	// Whatever happens, the child does not outlive the test.
	watchdog := time.AfterFunc(60*time.Second, kill)
	defer watchdog.Stop()
	if early {
		time.AfterFunc(delay, kill)
	}

	var ids []int64
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if line == "open" {
			continue
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(line, "ack "), 10, 64)
		if err != nil {
			t.Fatalf("child said %q", line)
		}
		// Printed after Append returned: acknowledged, even if the kill
		// is already on its way.
		ids = append(ids, id)
		if len(ids) == acks && !early {
			time.AfterFunc(delay, kill)
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want death by SIGKILL", err)
	}
	return ids
}
