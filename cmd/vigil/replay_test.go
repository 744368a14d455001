package main

import (
	"context"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// An import replays the built-in rules over its own time range, once.
func TestReplayRules(t *testing.T) {
	st, err := duckdb.Open(t.TempDir(), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tab, _ := schema.Lookup("DeviceProcessEvents")
	row := make([]any, len(tab.Columns))
	ts := time.Date(2020, 10, 18, 7, 49, 0, 0, time.UTC)
	for i, c := range tab.Columns {
		switch c.Name {
		case "Timestamp":
			row[i] = ts
		case "ReportId":
			row[i] = int64(7)
		case "DeviceId":
			row[i] = "d1"
		case "DeviceName":
			row[i] = "ws5"
		case "FileName":
			row[i] = "vssadmin.exe"
		case "ProcessCommandLine":
			row[i] = "vssadmin.exe Delete Shadows /All /Quiet"
		}
	}
	ctx := context.Background()
	for round, want := range []int{1, 0} {
		start := time.Now().UTC().Truncate(time.Microsecond)
		if err := st.Append(ctx, store.Batch{Tables: []store.TableRows{{Table: "DeviceProcessEvents", Rows: [][]any{row}}}}); err != nil {
			t.Fatal(err)
		}
		got, err := replayRules(ctx, st, map[string]int64{"DeviceProcessEvents": 1}, start, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got["shadow-copy-deletion"] != want {
			t.Errorf("import %d: alerts %v, want %d from shadow-copy-deletion", round+1, got, want)
		}
	}
}
