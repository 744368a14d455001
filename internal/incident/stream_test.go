package incident

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/state/sqlite"
)

// failingStreams is a state store whose streamed changes fail at their
// end after the given number of successes: their alert rows were already
// handed to the store, and none may stay.
type failingStreams struct {
	*sqlite.Store
	mu      sync.Mutex
	ok      int // streamed changes still to succeed
	streams int
}

var errInjected = errors.New("injected store failure")

func (f *failingStreams) BeginIncidentChange(ctx context.Context, rederivable bool) state.IncidentChangeWriter {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.streams++
	w := f.Store.BeginIncidentChange(ctx, rederivable)
	if f.ok > 0 {
		f.ok--
		return w
	}
	return failAtEnd{w}
}

type failAtEnd struct{ state.IncidentChangeWriter }

func (w failAtEnd) Commit(*state.IncidentChange, []state.Audit) error {
	w.Abort()
	return errInjected
}

// A streamed batch that fails at its commit leaves the store and the
// engine as before it: none of its alerts is placed, the engine's memory
// is reloaded from the store, and the same alerts ingested again end as
// an engine loaded from the store after the first batch places them.
func TestIngestStreamFailure(t *testing.T) {
	ctx := context.Background()
	alerts := randomAlerts(rand.New(rand.NewPCG(3, 9)), 600)
	first, second := alerts[:300], alerts[300:]
	st := &failingStreams{Store: openStore(t), ok: 1}
	e := newEngine(t, st, func(s *Settings) { s.MaxEntities = 12 })
	var events []IncidentEvent
	e.OnChange = func(ev IncidentEvent) { events = append(events, ev) }
	ingest(t, e, first...)
	if st.streams != 1 {
		t.Fatalf("%d streamed changes, want 1 (batches over %d alerts stream)", st.streams, streamChunk)
	}
	nEvents := len(events)
	before, err := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1000, IncludeRedirected: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Ingest(ctx, second); !errors.Is(err, errInjected) {
		t.Fatalf("ingest with a failing store: %v, want the store's error", err)
	}
	if len(events) != nEvents {
		t.Fatalf("a failed batch notified %d changes", len(events)-nEvents)
	}
	if m := placement(t, st, second); len(m) != 0 {
		t.Fatalf("%d alerts of the failed batch stored", len(m))
	}
	after, _ := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1000, IncludeRedirected: true})
	if before.Total != after.Total {
		t.Fatalf("%d incidents after the failed batch, %d before", after.Total, before.Total)
	}
	for i := range before.Items {
		if before.Items[i].Version != after.Items[i].Version {
			t.Fatalf("incident %d changed by the failed batch", before.Items[i].ID)
		}
	}
	// The engine forgot the failed batch: the store now takes it, and the
	// result is what an engine started after the first batch makes of it.
	st.ok = 1
	ingest(t, e, second...)
	ref := openStore(t)
	e2 := newEngine(t, ref, func(s *Settings) { s.MaxEntities = 12 })
	ingest(t, e2, first...)
	e2 = newEngine(t, ref, func(s *Settings) { s.MaxEntities = 12 })
	ingest(t, e2, second...)
	got, want := placement(t, st, alerts), placement(t, ref, alerts)
	if len(got) != len(alerts) {
		t.Fatalf("%d of %d alerts placed", len(got), len(alerts))
	}
	for _, a := range alerts {
		if got[a.ID] != want[a.ID] {
			t.Fatalf("%s in incident %d, an engine that never failed puts it in %d", a.ID, got[a.ID], want[a.ID])
		}
	}
}

// Ingest (streamed batches), Flush and analysts' updates from several
// goroutines at once: every alert ends in exactly one incident that
// counts it. Run with -race.
func TestIngestFlushConcurrently(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	e := newEngine(t, st, func(s *Settings) { s.FlushAfter = time.Millisecond })
	var mu sync.Mutex
	var events int
	e.OnChange = func(IncidentEvent) { mu.Lock(); events++; mu.Unlock() }
	alerts := randomAlerts(rand.New(rand.NewPCG(5, 5)), 1200)
	ids := make([]string, len(alerts))
	for i := range alerts {
		ids[i] = alerts[i].ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			part := alerts[w*400 : (w+1)*400]
			for len(part) > 0 {
				n := min(len(part), 130)
				if err := e.Ingest(ctx, part[:n]); err != nil {
					errs <- err
					return
				}
				part = part[n:]
			}
		}()
	}
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		owner := "alice"
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := e.Flush(ctx); err != nil {
				errs <- err
				return
			}
			if i%5 == 0 {
				// An analyst's change to the first incident; a version
				// conflict with correlation is not an error here.
				if _, err := e.Update(ctx, 1, -1, Patch{Assignee: &owner}, state.Audit{Actor: "user:alice", Remote: "test"}); err != nil &&
					!errors.Is(err, state.ErrNotFound) && !errors.Is(err, state.ErrConflict) {
					errs <- err
					return
				}
			}
			time.Sleep(time.Millisecond)
		}
	}()
	go func() {
		// Stop the flusher once the ingesters are done.
		for {
			time.Sleep(5 * time.Millisecond)
			// Not placement: t.Fatal belongs to the test's goroutine.
			if m, err := st.IncidentOfAlerts(ctx, ids); err == nil && len(m) == len(alerts) {
				close(stop)
				return
			}
			select {
			case err := <-errs:
				errs <- err
				close(stop)
				return
			default:
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	eachAlertOnce(t, "concurrent ingest", st, alerts, placement(t, st, alerts))
	mu.Lock()
	defer mu.Unlock()
	if events == 0 {
		t.Fatal("no change events")
	}
}

// A batch of known alerts big enough to stream begins a store change
// before it knows there is nothing to place: the change is dropped,
// nothing is written or audited, and the writer is free for the next.
func TestIngestReplayDropsItsStream(t *testing.T) {
	ctx := context.Background()
	alerts := randomAlerts(rand.New(rand.NewPCG(5, 11)), 2*streamChunk)
	st := &failingStreams{Store: openStore(t), ok: 100}
	e := newEngine(t, st, nil)
	ingest(t, e, alerts...)
	before, _ := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1000, IncludeRedirected: true})
	audits, _ := st.ListAudit(ctx, state.AuditFilter{Action: "incident.", Limit: 1000})
	ingest(t, e, alerts...)
	if st.streams != 2 {
		t.Fatalf("%d streamed changes, want 2 (the replay's dropped)", st.streams)
	}
	after, _ := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1000, IncludeRedirected: true})
	again, _ := st.ListAudit(ctx, state.AuditFilter{Action: "incident.", Limit: 1000})
	if after.Total != before.Total || len(again) != len(audits) {
		t.Fatalf("replay: %d incidents (was %d), %d audit entries (was %d)", after.Total, before.Total, len(again), len(audits))
	}
	for i := range before.Items {
		if before.Items[i].Version != after.Items[i].Version {
			t.Fatalf("replay changed incident %d", before.Items[i].ID)
		}
	}
	// The writer was released: an analyst's change commits at once.
	owner := "alice"
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for _, in := range after.Items {
		if in.RedirectTo == 0 {
			if _, err := e.Update(wctx, in.ID, -1, Patch{Assignee: &owner}, state.Audit{Actor: "user:alice"}); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("no open incident to update")
}
