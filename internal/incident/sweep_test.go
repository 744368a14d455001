package incident

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// The index sweep, spread over the alerts, drops the keys of entities
// not seen for twice the longest window and keeps the others.
func TestIndexSweepDropsExpiredKeys(t *testing.T) {
	e := newEngine(t, &memStore{placed: map[string]int64{}}, nil)
	ctx := context.Background()
	dev := func(id, host string, at time.Time) Alert {
		return Alert{ID: id, Title: "t", Severity: "Low", Time: at, Evidence: []Evidence{{EntityType: "Machine",
			Fields: map[string]any{"DeviceName": host}}}}
	}
	if err := e.Ingest(ctx, []Alert{dev("old", "old-dev", t0)}); err != nil {
		t.Fatal(err)
	}
	if len(e.index["dev:old-dev"]) != 1 {
		t.Fatalf("old-dev not indexed: %v", e.index["dev:old-dev"])
	}
	// Past twice the longest window, enough alerts for a sweep to start
	// and finish (a few hundred keys, one visited per alert).
	later := t0.Add(2*e.set.maxWindow() + time.Hour)
	n := gcEvery + 5000
	for i := 0; i < n; i += 500 {
		batch := make([]Alert, 0, 500)
		for j := i; j < min(i+500, n); j++ {
			batch = append(batch, dev("n"+strconv.Itoa(j), "d"+strconv.Itoa(j%300), later.Add(time.Duration(j)*time.Millisecond)))
		}
		if err := e.Ingest(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.sweep) != 0 {
		t.Fatalf("sweep not finished: %d keys left", len(e.sweep))
	}
	if rs, ok := e.index["dev:old-dev"]; ok {
		t.Fatalf("expired key still indexed: %v", rs)
	}
	if len(e.index["dev:d7"]) == 0 {
		t.Fatal("a live key was dropped")
	}
	// The sweep drops index entries only; incidents stay open.
	if e.open[1] == nil {
		t.Fatal("incident 1 closed by the sweep")
	}
}
