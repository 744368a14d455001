package hunt

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCPUBudget(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	b := NewCPUBudget(10*time.Second, time.Minute)
	b.now = func() time.Time { return now }
	step := func(d time.Duration) { now = now.Add(d) }

	if err := b.Check("alice"); err != nil {
		t.Fatal(err)
	}
	b.Charge("alice", 4*time.Second) // 12:00:00
	step(20 * time.Second)
	b.Charge("alice", 7*time.Second) // 12:00:20, 11 s used
	b.Charge("bob", time.Second)
	err := b.Check("alice")
	if !errors.Is(err, ErrCPUBudget) || !strings.Contains(err.Error(), "11s") {
		t.Fatalf("over budget: %v", err)
	}
	// The first charge ages out at 12:01:00, freeing enough.
	if got := b.RetryAfter("alice"); got != 40*time.Second {
		t.Errorf("retry after %v, want 40s", got)
	}
	if !strings.Contains(err.Error(), "12:01:00Z") {
		t.Errorf("message lacks the time it frees up: %v", err)
	}
	if err := b.Check("bob"); err != nil {
		t.Errorf("bob is within budget: %v", err)
	}
	step(40 * time.Second) // 12:01:00: the 4 s charge leaves the window
	if err := b.Check("alice"); err != nil {
		t.Errorf("after the window slid: %v", err)
	}
	if got := b.Used("alice"); got != 7*time.Second {
		t.Errorf("used %v", got)
	}
	step(time.Minute)
	if got := b.Used("alice"); got != 0 || len(b.users) != 1 { // only bob's entry... pruned lazily
		t.Logf("users %v", b.users)
	}
	if got := b.Used("bob"); got != 0 || len(b.users) != 0 {
		t.Errorf("expired charges kept: %v %v", got, b.users)
	}
}

// TestEngineChargesBudget: queries are charged what the store measured,
// the runs report shows rows scanned, and a user over budget is refused
// before the query runs.
func TestEngineChargesBudget(t *testing.T) {
	st := openTestStore(t)
	b := NewCPUBudget(time.Nanosecond, time.Hour)
	eng := &Engine{Store: st, Runs: NewRunLog(10), Budget: b}
	req := Request{Query: "range x from 1 to 5000 step 1 | where x % 2 == 0 | count", User: "user:alice", Timespan: -1}
	res, err := eng.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsScanned <= 0 || res.CPU <= 0 {
		t.Errorf("stats: scanned %d, cpu %v", res.RowsScanned, res.CPU)
	}
	runs := eng.Runs.Runs()
	if len(runs) != 1 || runs[0].RowsScanned != res.RowsScanned || runs[0].CPUSeconds <= 0 {
		t.Errorf("runs %+v", runs)
	}
	if _, err := eng.Run(context.Background(), req); !errors.Is(err, ErrCPUBudget) {
		t.Errorf("second query: %v", err)
	}
	if _, err := eng.Run(context.Background(), Request{Query: req.Query, User: "user:bob", Timespan: -1}); err != nil {
		t.Errorf("another user: %v", err)
	}
}
