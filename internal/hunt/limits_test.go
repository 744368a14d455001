package hunt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

func TestLimiter(t *testing.T) {
	l := NewLimiter(2, 50*time.Millisecond)
	ctx := context.Background()
	r1, err := l.Acquire(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := l.Acquire(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	// Another user is not affected by alice's queries.
	rb, err := l.Acquire(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Active(); got["alice"] != 2 || got["bob"] != 1 {
		t.Errorf("Active = %v", got)
	}
	if _, err := l.Acquire(ctx, "alice"); !errors.Is(err, ErrTooManyQueries) || !strings.Contains(err.Error(), "alice") {
		t.Fatalf("third query: %v", err)
	}
	// A waiting query gets the slot a finishing one frees.
	done := make(chan error, 1)
	go func() {
		r, err := l.Acquire(ctx, "alice")
		if err == nil {
			r()
		}
		done <- err
	}()
	r1()
	r1() // a second release is harmless
	if err := <-done; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	r2()
	rb()
	if len(l.Active()) != 0 || len(l.users) != 0 {
		t.Errorf("state left behind: %v %v", l.Active(), l.users)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	l1 := NewLimiter(1, time.Hour)
	r, _ := l1.Acquire(ctx, "x")
	defer r()
	if _, err := l1.Acquire(cctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
}

func TestRunLog(t *testing.T) {
	l := NewRunLog(3)
	if len(l.Runs()) != 0 {
		t.Fatal("new log not empty")
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		l.Add(Run{User: fmt.Sprint("u", i%2), Start: base.Add(time.Duration(i) * time.Minute), Duration: time.Second, Rows: i})
	}
	runs := l.Runs()
	if len(runs) != 3 || runs[0].Rows != 4 || runs[2].Rows != 2 || runs[0].Seconds != 1 {
		t.Fatalf("runs = %+v", runs)
	}
	usage := Usage(runs, map[string]int{"u9": 1})
	if len(usage) != 3 || usage[0].User != "u0" || usage[0].Runs != 2 || usage[0].Rows != 6 ||
		!usage[0].LastSeen.Equal(base.Add(4*time.Minute)) || usage[2].User != "u9" || usage[2].Running != 1 {
		t.Errorf("usage = %+v", usage)
	}
}

func TestQueryPrefix(t *testing.T) {
	q := strings.Repeat("a", QueryPrefixLen-1) + "é" + "tail"
	p := QueryPrefix(q)
	if p != strings.Repeat("a", QueryPrefixLen-1) {
		t.Errorf("prefix cut inside a character: %q", p[len(p)-3:])
	}
	if QueryPrefix("short") != "short" || len(QueryHash("x")) != 64 {
		t.Error("short query or hash")
	}
}

// TestEngineRecordsRuns runs queries through an engine with a limiter
// and a run log: successes and failures are both recorded.
func TestEngineRecordsRuns(t *testing.T) {
	eng := &Engine{Store: openTestStore(t), Limiter: NewLimiter(1, time.Second), Runs: NewRunLog(10)}
	if _, err := eng.Run(context.Background(), Request{Query: "range x from 1 to 3 step 1", User: "alice", MaxRows: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(context.Background(), Request{Query: "print (", User: "alice"}); err == nil {
		t.Fatal("syntax error not reported")
	}
	runs := eng.Runs.Runs()
	if len(runs) != 2 || runs[1].Rows != 2 || !runs[1].Truncated || runs[1].User != "alice" || runs[0].Error == "" {
		t.Errorf("runs = %+v", runs)
	}
	if len(eng.Limiter.Active()) != 0 {
		t.Errorf("slots not released: %v", eng.Limiter.Active())
	}
}

// panicStore fails every query with a panic, as a compiler or driver bug
// would.
type panicStore struct{ store.Store }

func (panicStore) Query(context.Context, store.Query) (*store.Result, error) { panic("boom") }

func TestEngineRecoversPanics(t *testing.T) {
	eng := &Engine{Store: panicStore{}, Limiter: NewLimiter(1, time.Millisecond), Runs: NewRunLog(10)}
	_, err := eng.Run(context.Background(), Request{Query: "print 1", User: "u"})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v", err)
	}
	if runs := eng.Runs.Runs(); len(runs) != 1 || !strings.Contains(runs[0].Error, "boom") {
		t.Errorf("runs = %+v", runs)
	}
	if len(eng.Limiter.Active()) != 0 {
		t.Error("slot not released after a panic")
	}
}
