package simulate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"
)

// TestShardsStayAbreast checks the merge's promise: wherever the output is
// cut, every shard has been generated to within a chunk's span of the
// others in simulated time, so the organisation's devices cover the same
// hours (no shard runs days ahead because it makes rows faster).
func TestShardsStayAbreast(t *testing.T) {
	for _, n := range []int64{7_777, 60_000, 250_000} {
		var buf bytes.Buffer
		if err := newGen(t, Config{Seed: 9}).WriteNDJSON(context.Background(), n, &buf); err != nil {
			t.Fatal(err)
		}
		last := make([]time.Time, nShards)
		sc := bufio.NewScanner(&buf)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var row struct {
				Timestamp time.Time
				ReportId  json.Number
			}
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				t.Fatal(err)
			}
			id, err := row.ReportId.Int64()
			if err != nil {
				t.Fatal(err)
			}
			if k := (id - 1) % nShards; row.Timestamp.After(last[k]) {
				last[k] = row.Timestamp
			}
		}
		lo, hi := last[0], last[0]
		for _, ts := range last {
			if ts.Before(lo) {
				lo = ts
			}
			if ts.After(hi) {
				hi = ts
			}
		}
		t.Logf("%d rows: spread %v", n, hi.Sub(lo))
		// Each shard's last row is within a chunk's span (at most
		// maxChunkSpan) of the time the merge had reached; a few minutes
		// more allow for a shard whose devices were quiet just before.
		if spread := hi.Sub(lo); spread > time.Duration(maxChunkSpan+15*usMinute)*time.Microsecond {
			t.Errorf("%d rows: the shards' last rows span %v (%v to %v)", n, spread, lo, hi)
		}
	}
}

// TestRunAfterGenerate: a run cut at a row count leaves some shards
// behind the clock; a Run from the clock on must still keep every row
// inside its range.
func TestRunAfterGenerate(t *testing.T) {
	g := newGen(t, smallOrg(6))
	ctx := context.Background()
	if err := g.Generate(ctx, 12_345, &memSink{t: t}); err != nil {
		t.Fatal(err)
	}
	from := g.Now()
	to := from.Add(time.Hour)
	sink := &memSink{t: t}
	if err := g.Run(ctx, from, to, sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.rows) == 0 {
		t.Fatal("no rows in the hour after Generate")
	}
	for _, r := range sink.rows {
		if ts := r.time(); ts.Before(from) || !ts.Before(to) {
			t.Fatalf("%s row at %v outside [%v, %v)", r.table, ts, from, to)
		}
	}
}
