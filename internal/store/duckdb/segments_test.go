package duckdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// segmented makes every batch of the test go to segments.
func segmented(t *testing.T) {
	old := segmentMinRows
	segmentMinRows = 1
	t.Cleanup(func() { segmentMinRows = old })
}

func secondRows(from, n int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{int64(from + i), "r"}
	}
	return rows
}

func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, segmentsDir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// oldEventsSegment writes one row named name into an Events table of two
// columns (Timestamp, Name) as a segment, closes the store and returns the
// row's Timestamp: a file from before later columns were added.
func oldEventsSegment(t *testing.T, dir, name string) time.Time {
	t.Helper()
	v1 := &schema.Table{Name: "Events", Columns: []schema.Column{
		{Name: "Timestamp", Type: schema.DateTime},
		{Name: "Name", Type: schema.String},
	}}
	ts := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	s := openTables(t, dir, testOptions(), v1)
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Events", Rows: [][]any{{ts, name}}}}})
	s.Close()
	return ts
}

// A segment written before a column was added reads the column's default
// through the view; base rows and segment rows read alike.
func TestSegmentsAcrossSchemaChange(t *testing.T) {
	segmented(t)
	dir := t.TempDir()
	ts := oldEventsSegment(t, dir, "old-segment")

	v2 := &schema.Table{Name: "Events", Columns: []schema.Column{
		{Name: "Timestamp", Type: schema.DateTime},
		{Name: "Port", Type: schema.Int},
		{Name: "Name", Type: schema.String},
		{Name: "Host", Type: schema.String},
	}}
	s := openTables(t, dir, testOptions(), v2)
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Events", Rows: [][]any{{ts, 443, "new-segment", "h"}}}}})
	segmentMinRows = 1 << 30
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Events", Rows: [][]any{{ts, 80, "base", nil}}}}})
	res := mustQuery(t, s, `SELECT * EXCLUDE (__IngestionTime) FROM Events ORDER BY Name`)
	want := [][]any{
		{ts, int32(80), "base", ""},
		{ts, int32(443), "new-segment", "h"},
		{ts, nil, "old-segment", ""},
	}
	if diff := cmp.Diff(want, res.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	var names []string
	for _, c := range res.Columns {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "Timestamp,Port,Name,Host" {
		t.Errorf("columns %s, want the schema's order", got)
	}
}

// A crash between writing a batch's files and committing them leaves
// files no view names: the next open removes them, and the rows stay
// invisible.
func TestSegmentOrphansRemoved(t *testing.T) {
	segmented(t)
	dir := t.TempDir()
	s := openTables(t, dir, testOptions(), second)
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: secondRows(0, 10)}}})
	kept := segmentFiles(t, dir)
	if len(kept) != 1 {
		t.Fatalf("segment files %v, want one", kept)
	}
	s.Close()
	// What a crash leaves: a complete but uncommitted file, and a partial one.
	orphan := filepath.Join(dir, segmentsDir, "Second", "0000000000000099.parquet")
	if err := os.WriteFile(orphan, []byte("PAR1 complete but never committed"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(orphan+".tmp", []byte("PAR1 half"), 0o640); err != nil {
		t.Fatal(err)
	}
	s = openTables(t, dir, testOptions(), second)
	if got := segmentFiles(t, dir); !cmp.Equal(got, kept) {
		t.Errorf("after reopen files are %v, want %v", got, kept)
	}
	if n := count(t, s, "Second", ""); n != 10 {
		t.Errorf("%d rows, want 10", n)
	}
	// New ids do not reuse the orphan's.
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: secondRows(10, 5)}}})
	if n := count(t, s, "Second", ""); n != 15 {
		t.Errorf("%d rows, want 15", n)
	}
	s.Close()

	// A committed file that disappeared is reported, not ignored.
	if err := os.Remove(kept[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := open(dir, testOptions(), []*schema.Table{second}); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("open with a missing segment: %v, want ErrCorrupt", err)
	}
}

// Compaction merges small segments into one file per tier without
// changing what queries return, and the replaced files go once their
// grace is over.
func TestSegmentCompaction(t *testing.T) {
	segmented(t)
	oldGrace := retireGrace
	retireGrace = 0
	t.Cleanup(func() { retireGrace = oldGrace })
	dir := t.TempDir()
	s := openTables(t, dir, store.Options{RetentionInterval: -1}, second)
	s.compactor.stop() // compaction runs when the test says
	for i := range 20 {
		mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: secondRows(i*10, 10)}}})
	}
	before := mustQuery(t, s, `SELECT * EXCLUDE (__IngestionTime) FROM Second ORDER BY 1`)
	merges, err := s.Compact(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if merges == 0 {
		t.Fatal("20 small segments were not merged")
	}
	after := mustQuery(t, s, `SELECT * EXCLUDE (__IngestionTime) FROM Second ORDER BY 1`)
	if diff := cmp.Diff(before.Rows, after.Rows); diff != "" {
		t.Errorf("rows changed by compaction (-before +after):\n%s", diff)
	}
	s.mu.Lock()
	n := len(s.segs.byTable["Second"])
	s.mu.Unlock()
	if n >= compactFanIn {
		t.Errorf("%d segments after compaction, want fewer than %d", n, compactFanIn)
	}
	time.Sleep(time.Millisecond)
	if _, err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if files := segmentFiles(t, dir); len(files) != n {
		t.Errorf("%d files on disk for %d segments: %v", len(files), n, files)
	}
	s.Close()
	s = openTables(t, dir, testOptions(), second)
	if got := count(t, s, "Second", ""); got != 200 {
		t.Errorf("after reopen %d rows, want 200", got)
	}
}

func TestCompactionPlanTiers(t *testing.T) {
	seg := func(id, rows int64) segment {
		return segment{id: id, table: "T", columns: "a:long", rows: rows}
	}
	var segs []segment
	for i := range int64(7) {
		segs = append(segs, seg(i, 1000))
	}
	if p := compactionPlan(map[string][]segment{"T": segs}); len(p) != 0 {
		t.Errorf("7 segments of a tier merged: %v", p)
	}
	segs = append(segs, seg(7, 1500), seg(8, 100_000), seg(9, compactTargetRows))
	p := compactionPlan(map[string][]segment{"T": segs})
	if len(p) != 1 || len(p[0]) != 8 {
		t.Fatalf("plan %v, want the eight segments of one tier", p)
	}
	for _, g := range p[0] {
		if g.rows > 1500 {
			t.Errorf("segment of %d rows merged with the small tier", g.rows)
		}
	}

	// A bulk import's segments under compactTierRows merge too, a file of
	// at most compactTargetRows at a time...
	var bulk []segment
	for i := range int64(30) {
		bulk = append(bulk, seg(100+i, 50_000))
	}
	p = compactionPlan(map[string][]segment{"T": bulk})
	if len(p) != 1 || len(p[0]) != int(compactTargetRows/50_000) {
		t.Errorf("bulk plan: %d groups, first of %d", len(p), len(p[0]))
	}
	// ...larger ones are not rewritten...
	var large []segment
	for i := range int64(20) {
		large = append(large, seg(100+i, compactTierRows))
	}
	large = append(large, seg(200, compactTargetRows))
	if p := compactionPlan(map[string][]segment{"T": large}); len(p) != 0 {
		t.Errorf("large segments merged: %d groups", len(p))
	}
	// ...unless there are too many of them.
	var many []segment
	for i := range int64(compactMaxSegments + 10) {
		many = append(many, seg(i, compactTierRows))
	}
	p = compactionPlan(map[string][]segment{"T": many})
	merged := 0
	for _, g := range p {
		merged += len(g) - 1
	}
	if left := len(many) - merged; left > compactMaxSegments/2+10 || len(p) == 0 {
		t.Errorf("%d segments left after the forced plan", left)
	}
}

// Once ingest pauses, segments settle into the base tables: the same rows
// (defaults included for a segment older than a column), no files left.
func TestSegmentSettle(t *testing.T) {
	segmented(t)
	oldIdle, oldRows, oldGrace := compactIdle, settleRows, retireGrace
	compactIdle, settleRows, retireGrace = time.Hour, 25, 0
	t.Cleanup(func() { compactIdle, settleRows, retireGrace = oldIdle, oldRows, oldGrace })
	dir := t.TempDir()
	ts := oldEventsSegment(t, dir, "v1")
	v2 := &schema.Table{Name: "Events", Columns: []schema.Column{
		{Name: "Timestamp", Type: schema.DateTime},
		{Name: "Name", Type: schema.String},
		{Name: "Span", Type: schema.TimeSpan},
	}}
	s := openTables(t, dir, testOptions(), v2, second)
	s.compactor.stop()
	for i := range 4 {
		mustAppend(t, s, store.Batch{Tables: []store.TableRows{
			{Table: "Second", Rows: secondRows(i*20, 20)},
			{Table: "Events", Rows: [][]any{{ts, fmt.Sprintf("v2-%d", i), 1500 * time.Millisecond}}},
		}})
	}
	query := func() *store.Result {
		return mustQuery(t, s, `SELECT e.*, (SELECT count(*) FROM Second) AS n FROM Events e ORDER BY Name`)
	}
	before := query()
	if n, _ := s.Compact(context.Background()); n != 0 {
		t.Fatalf("%d merges or settles while ingest runs", n)
	}
	compactIdle = 0
	if _, err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := query()
	if diff := cmp.Diff(before.Rows, after.Rows); diff != "" {
		t.Errorf("rows changed by settling (-before +after):\n%s", diff)
	}
	s.mu.Lock()
	left := len(s.segs.byTable["Events"]) + len(s.segs.byTable["Second"])
	s.mu.Unlock()
	if left != 0 {
		t.Errorf("%d segments left after settling", left)
	}
	if files := segmentFiles(t, dir); len(files) != 0 {
		t.Errorf("files left after settling: %v", files)
	}
	if n := mustQuery(t, s, "SELECT count(*) FROM main.Second").Rows[0][0]; n != int64(80) {
		t.Errorf("base table holds %v rows, want 80", n)
	}
}

// Retention drops whole expired segments and rewrites a segment that
// straddles the cutoff.
func TestSegmentRetention(t *testing.T) {
	segmented(t)
	dir := t.TempDir()
	opts := store.Options{RetentionInterval: -1, DefaultRetention: 24 * time.Hour}
	s := openTables(t, dir, opts, second)
	s.compactor.stop()
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	old := store.Batch{IngestionTime: now.Add(-48 * time.Hour), Tables: []store.TableRows{{Table: "Second", Rows: secondRows(0, 10)}}}
	mid := store.Batch{IngestionTime: now.Add(-30 * time.Hour), Tables: []store.TableRows{{Table: "Second", Rows: secondRows(10, 5)}}}
	fresh := store.Batch{IngestionTime: now.Add(-time.Hour), Tables: []store.TableRows{{Table: "Second", Rows: secondRows(20, 3)}}}
	for _, b := range []store.Batch{old, mid, fresh} {
		mustAppend(t, s, b)
	}
	// Merge mid and fresh into one straddling segment.
	s.mu.Lock()
	group := s.segs.byTable["Second"][1:]
	s.mu.Unlock()
	if _, _, err := s.merge(context.Background(), group, time.Time{}); err != nil {
		t.Fatal(err)
	}
	deleted, err := s.EnforceRetention(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	if deleted["Second"] != 15 {
		t.Errorf("deleted %v, want 15 rows of Second", deleted)
	}
	if n := count(t, s, "Second", ""); n != 3 {
		t.Errorf("%d rows left, want 3", n)
	}
	// Nothing more to do the second time.
	if deleted, err := s.EnforceRetention(context.Background(), now); err != nil || len(deleted) != 0 {
		t.Errorf("second run: %v, %v", deleted, err)
	}
}

// Queries cannot reach files outside the segments directory, nor write
// into it.
func TestSegmentsLockedDown(t *testing.T) {
	segmented(t)
	dir := t.TempDir()
	s := openTables(t, dir, testOptions(), second)
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: secondRows(0, 3)}}})
	outside := filepath.Join(dir, "secret.csv")
	if err := os.WriteFile(outside, []byte("a\n1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT * FROM read_csv(" + sqlString(outside) + ")",
		"SELECT * FROM read_text(" + sqlString(filepath.Join(dir, FileName)) + ")",
		"SET enable_external_access = true",
		"COPY (SELECT 1) TO " + sqlString(filepath.Join(dir, segmentsDir, "x.csv")),
	} {
		if _, err := s.Query(context.Background(), store.Query{SQL: q}); err == nil {
			t.Errorf("%s: no error", q)
		}
	}
}

// Every column type reads back the same after DuckDB rewrote the files
// (compaction) and after the rows settled into the base table.
func TestSegmentTypesSurviveRewrites(t *testing.T) {
	segmented(t)
	oldIdle, oldGrace := compactIdle, retireGrace
	compactIdle, retireGrace = time.Hour, 0
	t.Cleanup(func() { compactIdle, retireGrace = oldIdle, oldGrace })
	s := openTables(t, t.TempDir(), testOptions(), allTypes)
	s.compactor.stop()
	ts := time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC)
	for i := range compactFanIn {
		row := []any{fmt.Sprintf("s%d", i), int32(i), int64(i), 1.5, "-12.125", i%2 == 0, ts, time.Duration(i) * time.Minute,
			"0f8fad5b-d9cb-469f-a165-70867728950e", json.RawMessage(`{"a":[1,"x"],"n":12345678901234567890}`)}
		if i == 3 {
			row = []any{"null", nil, int64(i), nil, nil, nil, nil, nil, nil, nil}
		}
		mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "AllTypes", Rows: [][]any{row}}}})
	}
	q := `SELECT * EXCLUDE (__IngestionTime) FROM AllTypes ORDER BY L`
	before := mustQuery(t, s, q)
	if n, err := s.Compact(context.Background()); err != nil || n == 0 {
		t.Fatalf("compact: %d merges, %v", n, err)
	}
	if diff := cmp.Diff(before, mustQuery(t, s, q)); diff != "" {
		t.Errorf("after compaction (-before +after):\n%s", diff)
	}
	compactIdle = 0
	if _, err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, mustQuery(t, s, q)); diff != "" {
		t.Errorf("after settling (-before +after):\n%s", diff)
	}
}

// Appends leave the views stale and a query brings them up to date, all
// of a batch's tables at once; a merge updates them with its own swap.
func TestSegmentViewsSyncBeforeQuery(t *testing.T) {
	segmented(t)
	third := &schema.Table{Name: "Third", Columns: []schema.Column{
		{Name: "Timestamp", Type: schema.DateTime},
		{Name: "Name", Type: schema.String},
		{Name: "N", Type: schema.Long},
	}}
	s := openTables(t, t.TempDir(), store.Options{RetentionInterval: -1}, second, third)
	s.compactor.stop()
	ctx := context.Background()
	// viewRows counts a view's rows without the sync a query does.
	viewRows := func(table string) int64 {
		t.Helper()
		var n int64
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+viewSchema+"."+quoteIdent(table)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ts := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		mustAppend(t, s, store.Batch{Tables: []store.TableRows{
			{Table: "Second", Rows: secondRows(i*10, 10)},
			{Table: "Third", Rows: [][]any{{ts, "e", int64(i)}}},
		}})
	}
	if n := viewRows("Second"); n != 0 {
		t.Errorf("Second's view has %d rows before any query, want 0 (appends do not rebind views)", n)
	}
	if got := count(t, s, "Second", ""); got != 30 {
		t.Errorf("query sees %d rows of Second, want 30", got)
	}
	if n := viewRows("Third"); n != 3 {
		t.Errorf("Third's view has %d rows after the query's sync, want 3 (every stale table)", n)
	}
	for i := range compactFanIn {
		mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: secondRows(30+i*10, 10)}}})
	}
	want := int64(30 + 10*compactFanIn)
	if merges, err := s.Compact(ctx); err != nil || merges == 0 {
		t.Fatalf("Compact = %d merges, %v; want a merge", merges, err)
	}
	if n := viewRows("Second"); n != want {
		t.Errorf("Second's view has %d rows after a merge, want %d", n, want)
	}
	if s.segs.viewsStale.Load() {
		t.Error("views still marked stale after a merge updated them")
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows["Second"] != want || st.Rows["Third"] != 3 {
		t.Errorf("Stats rows = %v, want Second %d and Third 3", st.Rows, want)
	}
}
