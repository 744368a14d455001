package duckdb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

func TestRetention(t *testing.T) {
	opts := testOptions()
	opts.DefaultRetention = 48 * time.Hour
	opts.Retention = map[string]time.Duration{"Second": time.Hour}
	s := openTables(t, t.TempDir(), opts, allTypes, second)

	now := time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)
	at := func(ago time.Duration, ids ...int64) {
		var sec, all [][]any
		for _, id := range ids {
			sec = append(sec, []any{id, "x"})
			all = append(all, []any{"x", 1, id, 1.0, nil, nil, nil, nil, nil, nil})
		}
		mustAppend(t, s, store.Batch{IngestionTime: now.Add(-ago), Tables: []store.TableRows{
			{Table: "Second", Rows: sec}, {Table: "AllTypes", Rows: all}}})
	}
	at(72*time.Hour, 1, 2)
	at(30*time.Hour, 3)
	at(90*time.Minute, 4)
	at(30*time.Minute, 5)
	at(-time.Hour, 6) // from the future (clock skew): kept

	deleted, err := s.EnforceRetention(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"Second": 4, "AllTypes": 2}, deleted); diff != "" {
		t.Errorf("deleted (-want +got):\n%s", diff)
	}
	ids := func(table, col string) []int64 {
		var out []int64
		for _, r := range mustQuery(t, s, "SELECT "+col+" FROM "+table+" ORDER BY 1").Rows {
			out = append(out, r[0].(int64))
		}
		return out
	}
	if diff := cmp.Diff([]int64{5, 6}, ids("Second", "Id")); diff != "" {
		t.Errorf("Second kept (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{3, 4, 5, 6}, ids("AllTypes", "L")); diff != "" {
		t.Errorf("AllTypes kept (-want +got):\n%s", diff)
	}
	// Idempotent at the same instant.
	deleted, err = s.EnforceRetention(context.Background(), now)
	if err != nil || len(deleted) != 0 {
		t.Errorf("second pass deleted %v, %v", deleted, err)
	}
	// A cancelled pass deletes nothing and says why.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.EnforceRetention(ctx, now.Add(1000*time.Hour)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled retention: %v", err)
	}
	if n := count(t, s, "Second", ""); n != 2 {
		t.Errorf("cancelled retention left %d rows, want 2", n)
	}
}

// TestRetentionReusesSpace appends, expires everything, and appends the
// same amount again: the checkpoint after the delete must let the second
// round reuse the freed blocks instead of doubling the file.
func TestRetentionReusesSpace(t *testing.T) {
	tb, _ := schema.Lookup("DeviceProcessEvents")
	s := openTables(t, t.TempDir(), testOptions(), tb)
	rows := make([][]any, 15_000)
	for i := range rows {
		rows[i] = sampleRow(tb, int64(i))
	}
	fill := func(ingest time.Time) {
		mustAppend(t, s, store.Batch{IngestionTime: ingest, Tables: []store.TableRows{{Table: tb.Name, Rows: rows}}})
		if _, err := s.wconn.ExecContext(context.Background(), "CHECKPOINT"); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	fill(now.Add(-60 * 24 * time.Hour))
	st1, _ := s.Stats(context.Background())
	if _, err := s.EnforceRetention(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	fill(now)
	st2, _ := s.Stats(context.Background())
	t.Logf("disk after first fill %d, after expiry and refill %d", st1.DiskBytes, st2.DiskBytes)
	if st2.Rows[tb.Name] != int64(len(rows)) {
		t.Errorf("%d rows after refill", st2.Rows[tb.Name])
	}
	if st2.DiskBytes > st1.DiskBytes*3/2 {
		t.Errorf("disk grew from %d to %d bytes: freed space was not reused", st1.DiskBytes, st2.DiskBytes)
	}
}

// TestRetentionLoop lets the background loop expire rows and waits for
// it by polling the row count, not by sleeping a guessed time.
func TestRetentionLoop(t *testing.T) {
	errs := make(chan error, 10)
	opts := store.Options{
		RetentionInterval: 5 * time.Millisecond,
		DefaultRetention:  time.Hour,
		OnError:           func(err error) { errs <- err },
	}
	s := openTables(t, t.TempDir(), opts, second)
	mustAppend(t, s, store.Batch{IngestionTime: time.Now().Add(-2 * time.Hour),
		Tables: []store.TableRows{{Table: "Second", Rows: [][]any{{1, "old"}}}}})
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: [][]any{{2, "new"}}}}})
	deadline := time.Now().Add(20 * time.Second)
	for count(t, s, "Second", "") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the background loop did not expire the old row")
		}
		select {
		case err := <-errs:
			t.Fatalf("OnError: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		t.Errorf("OnError: %v", err)
	default:
	}
}
