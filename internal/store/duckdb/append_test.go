package duckdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// bothPaths runs f with batches going to the base tables (the appender)
// and, again, to Parquet segments.
func bothPaths(t *testing.T, f func(t *testing.T)) {
	for _, c := range []struct {
		name    string
		minRows int
	}{{"base", math.MaxInt}, {"segments", 1}} {
		t.Run(c.name, func(t *testing.T) {
			old := segmentMinRows
			segmentMinRows = c.minRows
			t.Cleanup(func() { segmentMinRows = old })
			f(t)
		})
	}
}

func TestRoundTrip(t *testing.T) { bothPaths(t, testRoundTrip) }

func testRoundTrip(t *testing.T) {
	s := openTables(t, t.TempDir(), testOptions(), allTypes)
	ts := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.FixedZone("CET", 3600))
	const g = "0f8fad5b-d9cb-469f-a165-70867728950e"
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	type tc struct {
		in, want []any
	}
	cases := []tc{
		{ // the ordinary
			in:   []any{"héllo", int32(7), int64(1), 1.5, "12.50", true, ts, 90 * time.Minute, g, raw(`{"a": [1, "x"]}`)},
			want: []any{"héllo", int32(7), int64(1), 1.5, "12.5", true, ts.UTC().Truncate(time.Microsecond), 90 * time.Minute, g, raw(`{"a":[1,"x"]}`)},
		},
		{ // all null: a string is stored as '', never null
			in:   []any{nil, nil, int64(2), nil, nil, nil, nil, nil, nil, nil},
			want: []any{"", nil, int64(2), nil, nil, nil, nil, nil, nil, nil},
		},
		{ // extremes
			in: []any{"a\x00b\xff", int32(math.MinInt32), int64(3), math.Inf(-1), "-99999999999999999999.999999999999999999", false,
				time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), -1500 * time.Nanosecond, strings.ToUpper(g), raw(`12345678901234567890`)},
			want: []any{"a\x00b\uFFFD", int32(math.MinInt32), int64(3), math.Inf(-1), "-99999999999999999999.999999999999999999", false,
				time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), -1 * time.Microsecond, g, raw(`12345678901234567890`)},
		},
		{
			in: []any{"", int32(math.MaxInt32), int64(math.MaxInt64), math.SmallestNonzeroFloat64, "0.1234567890123456789", true,
				time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), 10000 * 24 * time.Hour, [16]byte{15: 0xff}, `[{"k": null}, 1e400]`},
			want: []any{"", int32(math.MaxInt32), int64(math.MaxInt64), math.SmallestNonzeroFloat64, "0.123456789012345679", true,
				time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), 10000 * 24 * time.Hour, "00000000-0000-0000-0000-0000000000ff", raw(`[{"k":null},1e400]`)},
		},
		{ // accepted non-canonical Go types
			in:   []any{"x", 5, 4, float32(0.5), 2.25, true, ts, time.Duration(0), g, map[string]any{"n": 1}},
			want: []any{"x", int32(5), int64(4), 0.5, "2.25", true, ts.UTC().Truncate(time.Microsecond), time.Duration(0), g, raw(`{"n":1}`)},
		},
	}
	var rows [][]any
	for _, c := range cases {
		rows = append(rows, c.in)
	}
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "AllTypes", Rows: rows}}})

	// L orders the cases 0, 1, 2, 4, 3.
	cases[3], cases[4] = cases[4], cases[3]
	res := mustQuery(t, s, `SELECT * EXCLUDE (__IngestionTime) FROM AllTypes ORDER BY L`)
	var wantCols []store.ResultColumn
	for _, c := range allTypes.Columns {
		wantCols = append(wantCols, store.ResultColumn{Name: c.Name, Type: c.Type})
	}
	if diff := cmp.Diff(wantCols, res.Columns); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if len(res.Rows) != len(cases) {
		t.Fatalf("got %d rows, want %d", len(res.Rows), len(cases))
	}
	for i, c := range cases {
		if diff := cmp.Diff(c.want, res.Rows[i]); diff != "" {
			t.Errorf("row %d (-want +got):\n%s", i, diff)
		}
	}
}

func TestIngestionTime(t *testing.T) {
	s := openTables(t, t.TempDir(), testOptions(), second)
	before := time.Now().UTC().Truncate(time.Microsecond)
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: [][]any{{1, "a"}, {2, "b"}}}}})
	after := time.Now().UTC()
	replay := time.Date(2023, 1, 2, 3, 4, 5, 6789, time.UTC)
	mustAppend(t, s, store.Batch{IngestionTime: replay, Tables: []store.TableRows{{Table: "Second", Rows: [][]any{{3, "c"}}}}})

	res := mustQuery(t, s, `SELECT min(__IngestionTime), max(__IngestionTime) FROM Second WHERE Id < 3`)
	lo, hi := res.Rows[0][0].(time.Time), res.Rows[0][1].(time.Time)
	if !lo.Equal(hi) || lo.Before(before) || lo.After(after) {
		t.Errorf("live batch ingestion times %v..%v, want one time in %v..%v", lo, hi, before, after)
	}
	res = mustQuery(t, s, `SELECT __IngestionTime FROM Second WHERE Id = 3`)
	if got := res.Rows[0][0].(time.Time); !got.Equal(replay.Truncate(time.Microsecond)) {
		t.Errorf("replayed ingestion time %v, want %v", got, replay)
	}
}

func TestValueErrors(t *testing.T) {
	s := openTables(t, t.TempDir(), testOptions(), allTypes, second)
	good := func() []any {
		return []any{"s", int32(1), int64(1), 1.0, "1", true, time.Now(), time.Second, nil, nil}
	}
	f := func(table string, rows [][]any, wantRow int, wantCol, wantReason string) {
		t.Helper()
		err := s.Append(context.Background(), store.Batch{Tables: []store.TableRows{
			{Table: "Second", Rows: [][]any{{1, "ok"}}},
			{Table: table, Rows: rows},
		}})
		var ve *store.ValueError
		if !errors.As(err, &ve) {
			t.Errorf("Append: %v, want *ValueError", err)
			return
		}
		if ve.Table != table || ve.Row != wantRow || ve.Column != wantCol || !strings.Contains(ve.Reason, wantReason) {
			t.Errorf("ValueError %+v, want table %s row %d column %s reason ~%q", ve, table, wantRow, wantCol, wantReason)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("row %d", wantRow)) {
			t.Errorf("message %q lacks the row", err)
		}
	}
	with := func(i int, v any) []any { r := good(); r[i] = v; return r }
	f("AllTypes", [][]any{good(), good(), with(1, int64(1)<<40)}, 2, "I", "out of range")
	f("AllTypes", [][]any{with(0, 5)}, 0, "S", "unsupported")
	f("AllTypes", [][]any{good(), with(4, "1e30")}, 1, "D", "does not fit DECIMAL(38,18)")
	f("AllTypes", [][]any{with(4, "abc")}, 0, "D", "not a decimal")
	f("AllTypes", [][]any{with(6, "yesterday")}, 0, "T", "unsupported")
	f("AllTypes", [][]any{with(8, "nope")}, 0, "G", "not a GUID")
	f("AllTypes", [][]any{with(9, json.RawMessage("{"))}, 0, "J", "invalid JSON")
	f("AllTypes", [][]any{good(), good()[:3]}, 1, "R", "row has 3 values")
	f("Second", [][]any{{1, "a", "extra"}}, 0, "#2 (beyond the last column)", "row has 3 values")

	if n := count(t, s, "Second", ""); n != 0 {
		t.Errorf("failed batches left %d rows", n)
	}

	err := s.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "NoSuchTable", Rows: [][]any{{1}}}}})
	if !errors.Is(err, store.ErrUnknownTable) || !strings.Contains(err.Error(), "NoSuchTable") {
		t.Errorf("unknown table: %v", err)
	}
	err = s.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "NoSuchTable"}}})
	if !errors.Is(err, store.ErrUnknownTable) {
		t.Errorf("unknown table without rows: %v", err)
	}
	// Tables are case-sensitive, as in KQL.
	err = s.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "second", Rows: [][]any{{1, "x"}}}}})
	if !errors.Is(err, store.ErrUnknownTable) {
		t.Errorf("wrong-case table: %v", err)
	}
	// Empty batches and tables are no-ops.
	mustAppend(t, s, store.Batch{})
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second"}}})
}

// TestAtomic fails a batch after its first table is fully appended —
// more rows than DuckDB flushes on its own — and expects no row of it to
// survive, in this process or after reopening.
func TestAtomic(t *testing.T) { bothPaths(t, testAtomic) }

func testAtomic(t *testing.T) {
	dir := t.TempDir()
	s := openTables(t, dir, testOptions(), second, allTypes)
	const big = 300_000
	rows := make([][]any, big)
	for i := range rows {
		rows[i] = []any{int64(i), "row"}
	}
	boom := errors.New("injected failure")
	s.afterTable = func(table string) error {
		if table == "Second" {
			return boom
		}
		return nil
	}
	batch := store.Batch{Tables: []store.TableRows{
		{Table: "Second", Rows: rows},
		{Table: "AllTypes", Rows: [][]any{{"x", 1, 1, 1.0, "1", true, time.Now(), time.Second, nil, nil}}},
	}}
	if err := s.Append(context.Background(), batch); !errors.Is(err, boom) {
		t.Fatalf("Append: %v, want the injected failure", err)
	}
	if n := count(t, s, "Second", ""); n != 0 {
		t.Errorf("after a failed batch Second has %d rows", n)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, segmentsDir, "*", "*")); len(files) != 0 {
		t.Errorf("a failed batch left segment files: %v", files)
	}

	// The writer connection is usable again, and the same batch goes in
	// whole.
	s.afterTable = nil
	mustAppend(t, s, batch)
	if n, m := count(t, s, "Second", ""), count(t, s, "AllTypes", ""); n != big || m != 1 {
		t.Errorf("after a good batch: %d and %d rows", n, m)
	}

	// A cancelled context aborts before anything is written.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Append(ctx, batch); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with a cancelled context: %v", err)
	}
	s.Close()
	s = openTables(t, dir, testOptions(), second, allTypes)
	if n := count(t, s, "Second", ""); n != big {
		t.Errorf("after reopen Second has %d rows, want %d", n, big)
	}
}

// Queries running beside appends see whole batches, on either write path
// (segments: views brought up to date by the query, merges meanwhile).
func TestConcurrentAppendQuery(t *testing.T) {
	t.Run("appender", func(t *testing.T) { concurrentAppendQuery(t) })
	t.Run("segments", func(t *testing.T) {
		segmented(t)
		concurrentAppendQuery(t)
	})
}

func concurrentAppendQuery(t *testing.T) {
	s := openTables(t, t.TempDir(), testOptions(), second)
	const writers, batches, per = 4, 10, 100
	errs := make(chan error, writers*2)
	for w := range writers {
		go func() {
			for b := range batches {
				rows := make([][]any, per)
				for i := range rows {
					rows[i] = []any{int64(w*1_000_000 + b*1000 + i), "c"}
				}
				if err := s.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: rows}}}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
		go func() {
			for range batches {
				res, err := s.Query(context.Background(), store.Query{SQL: "SELECT count(*) FROM Second"})
				if err != nil {
					errs <- err
					return
				}
				if n := res.Rows[0][0].(int64); n%per != 0 {
					errs <- fmt.Errorf("saw %d rows, not a whole number of batches", n)
					return
				}
			}
			errs <- nil
		}()
	}
	for range writers * 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := count(t, s, "Second", ""); n != writers*batches*per {
		t.Errorf("%d rows, want %d", n, writers*batches*per)
	}
}

func TestSchemaTables(t *testing.T) {
	// The real schema: every table exists, and a DeviceProcessEvents row
	// built from its columns goes in and comes back.
	s := openTables(t, t.TempDir(), testOptions(), schema.Tables()...)
	tb, _ := schema.Lookup("DeviceProcessEvents")
	row := sampleRow(tb, 42)
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: tb.Name, Rows: [][]any{row}}}})
	res := mustQuery(t, s, `SELECT * EXCLUDE (__IngestionTime) FROM DeviceProcessEvents`)
	want := make([]any, len(row))
	for i, c := range tb.Columns {
		want[i], _ = store.Normalize(c, row[i])
		if c.Type == schema.DateTime {
			want[i] = want[i].(time.Time).Truncate(time.Microsecond)
		}
	}
	if diff := cmp.Diff(want, res.Rows[0]); diff != "" {
		t.Errorf("DeviceProcessEvents row (-want +got):\n%s", diff)
	}
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rows) != len(schema.Tables()) || st.Rows[tb.Name] != 1 || st.Rows["DeviceNetworkEvents"] != 0 {
		t.Errorf("Stats.Rows = %v", st.Rows)
	}
}

// sampleRow fills every column of t with a plausible value: short
// repeated strings (device, user and file names from small pools), hashes,
// a unique command line, and id in every long column so rows can be told
// apart. Defender rows average about a kilobyte; these do too.
func sampleRow(t *schema.Table, id int64) []any {
	row := make([]any, len(t.Columns))
	ts := time.Date(2025, 3, 4, 5, 6, 7, 891234000, time.UTC).Add(time.Duration(id) * time.Millisecond)
	device, user, file := id%97, id%31, id%211
	for i, c := range t.Columns {
		name := c.Name
		switch c.Type {
		case schema.String:
			switch {
			case strings.HasSuffix(name, "CommandLine"):
				row[i] = fmt.Sprintf(`"C:\\Program Files\\App%d\\tool%d.exe" --run %d --config "C:\\ProgramData\\App\\cfg-%d.json"`, file, file, id, id%1000)
			case strings.HasSuffix(name, "SHA1"):
				row[i] = fmt.Sprintf("%040x", file*7919)
			case strings.HasSuffix(name, "SHA256"):
				row[i] = fmt.Sprintf("%064x", file*104729)
			case strings.HasSuffix(name, "MD5"):
				row[i] = fmt.Sprintf("%032x", file*31)
			case name == "DeviceId":
				row[i] = fmt.Sprintf("%040x", device*15485863)
			case name == "DeviceName":
				row[i] = fmt.Sprintf("ws-%03d.corp.example.com", device)
			case strings.HasSuffix(name, "FileName"):
				row[i] = fmt.Sprintf("tool%d.exe", file)
			case strings.HasSuffix(name, "FolderPath"):
				row[i] = fmt.Sprintf(`C:\Program Files\App%d\tool%d.exe`, file, file)
			case strings.HasSuffix(name, "Sid"):
				row[i] = fmt.Sprintf("S-1-5-21-1004336348-1177238915-682003330-%d", 1000+user)
			case strings.HasSuffix(name, "AccountName"):
				row[i] = fmt.Sprintf("user%02d", user)
			case strings.HasSuffix(name, "Upn"):
				row[i] = fmt.Sprintf("user%02d@corp.example.com", user)
			case strings.HasSuffix(name, "Domain"):
				row[i] = "CORP"
			case strings.HasSuffix(name, "ObjectId"):
				row[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", user, user)
			case strings.Contains(name, "VersionInfo"):
				row[i] = "Microsoft Corporation"
			case strings.HasSuffix(name, "IntegrityLevel"):
				row[i] = "Medium"
			case strings.HasSuffix(name, "TokenElevation"):
				row[i] = "TokenElevationTypeDefault"
			case name == "ActionType":
				row[i] = "ProcessCreated"
			case name == "AdditionalFields":
				row[i] = fmt.Sprintf(`{"ProcessPosixProcessGroupId":%d}`, id%5000)
			default:
				row[i] = "" // AppGuardContainerId and friends are mostly empty
			}
		case schema.Int:
			row[i] = int32(id % 65536)
		case schema.Long:
			row[i] = id
		case schema.Real:
			row[i] = float64(id) / 3
		case schema.Decimal:
			row[i] = "1.25"
		case schema.Bool:
			row[i] = id%2 == 0
		case schema.DateTime:
			row[i] = ts
		case schema.TimeSpan:
			row[i] = time.Duration(id) * time.Millisecond
		case schema.GUID:
			row[i] = "0f8fad5b-d9cb-469f-a165-70867728950e"
		case schema.Dynamic:
			row[i] = json.RawMessage(fmt.Sprintf(`{"id":%d,"tags":["a","b"]}`, id))
		}
	}
	return row
}

func TestSampleRowSize(t *testing.T) {
	tb, _ := schema.Lookup("DeviceProcessEvents")
	n := 0
	for _, v := range sampleRow(tb, 123456) {
		if s, ok := v.(string); ok {
			n += len(s)
		} else {
			n += 8
		}
	}
	t.Logf("DeviceProcessEvents sample row: %d bytes of values", n)
}

// A batch marked canonical skips normalization and stores the same rows.
func TestAppendCanonical(t *testing.T) {
	tb, _ := schema.Lookup("DeviceProcessEvents")
	s := openTables(t, t.TempDir(), testOptions(), tb)
	row := sampleRow(tb, 7)
	for i, v := range row {
		n, err := store.Normalize(tb.Columns[i], v)
		if err != nil {
			t.Fatal(err)
		}
		row[i] = n
	}
	if err := s.Append(context.Background(), store.Batch{Canonical: true, Tables: []store.TableRows{{Table: tb.Name, Rows: [][]any{row}}}}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(context.Background(), store.Query{SQL: `SELECT count(*) FROM "DeviceProcessEvents"`})
	if err != nil || res.Rows[0][0] != int64(1) {
		t.Fatalf("%v %v", res, err)
	}
}
