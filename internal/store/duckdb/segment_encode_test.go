package duckdb

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/schema"
)

var encoded = &schema.Table{Name: "Encoded", Columns: []schema.Column{
	{Name: "Timestamp", Type: schema.DateTime},
	{Name: "S", Type: schema.String},
	{Name: "Long", Type: schema.String},
	{Name: "I", Type: schema.Int},
	{Name: "B", Type: schema.Bool},
	{Name: "D", Type: schema.Decimal},
	{Name: "G", Type: schema.GUID},
	{Name: "TS", Type: schema.TimeSpan},
	{Name: "R", Type: schema.Real},
	{Name: "J", Type: schema.Dynamic},
}}

// TestSegmentEncoder writes a file of several row groups and pages, with
// nulls scattered through every nullable column, and reads it back with a
// plain DuckDB: the types DuckDB infers, every value, and the statistics
// it prunes row groups by.
func TestSegmentEncoder(t *testing.T) {
	oldPage, oldGroup := pageTarget, segmentRowGroup
	pageTarget, segmentRowGroup = 512, 1000
	t.Cleanup(func() { pageTarget, segmentRowGroup = oldPage, oldGroup })

	t0 := time.Date(2024, 2, 29, 23, 0, 0, 123456000, time.UTC)
	const n = 2500
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{t0.Add(time.Duration(i) * time.Second), fmt.Sprintf("s%05d", i), strings.Repeat("x", statMax+i%3),
			int32(i - 1000), i%3 == 0, fmt.Sprintf("-%d.5", i), fmt.Sprintf("0f8fad5b-d9cb-469f-a165-%012x", i),
			time.Duration(i) * time.Millisecond, float64(i) / 4, json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))}
		if i%7 == 3 { // every nullable column null; the strings ''
			rows[i] = []any{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil}
		}
	}
	path := filepath.Join(t.TempDir(), "seg.parquet")
	enc := newSegmentEncoder(encoded)
	ingest := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var st segmentStats
	if _, err := writeSegment(path, func(w io.Writer) error {
		var err error
		st, err = enc.encode(w, rows, ingest, false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if st.rows != n || !st.minTime.Equal(t0) || !st.maxTime.Equal(t0.Add((n-1)*time.Second)) {
		t.Errorf("stats %+v", st)
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	types := map[string]string{}
	trows, err := db.Query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))`, path)
	if err != nil {
		t.Fatal(err)
	}
	for trows.Next() {
		var c, ty string
		if err := trows.Scan(&c, &ty); err != nil {
			t.Fatal(err)
		}
		types[c] = ty
	}
	wantTypes := map[string]string{"Timestamp": "TIMESTAMP", "S": "VARCHAR", "Long": "VARCHAR", "I": "INTEGER", "B": "BOOLEAN",
		"D": "DECIMAL(38,18)", "G": "UUID", "TS": "BIGINT", "R": "DOUBLE", "J": "JSON", schema.IngestionTimeColumn: "TIMESTAMP"}
	if diff := cmp.Diff(wantTypes, types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}

	got, err := db.Query(`SELECT strftime(Timestamp, '%Y-%m-%dT%H:%M:%S.%f'), S, length(Long), I, B, D::VARCHAR, G::VARCHAR, TS, R, J::VARCHAR,
		__IngestionTime = ?::TIMESTAMP FROM read_parquet(?)`, ingest.Format("2006-01-02 15:04:05"), path)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for ; got.Next(); i++ {
		var ts, s, d, g, j sql.NullString
		var long int
		var in sql.NullInt32
		var b, ingOK sql.NullBool
		var span sql.NullInt64
		var r sql.NullFloat64
		if err := got.Scan(&ts, &s, &long, &in, &b, &d, &g, &span, &r, &j, &ingOK); err != nil {
			t.Fatal(err)
		}
		var want []any
		if i%7 == 3 {
			want = []any{"<nil>", "", 0, "<nil>", "<nil>", "<nil>", "<nil>", "<nil>", "<nil>", "<nil>", true}
		} else {
			want = []any{t0.Add(time.Duration(i) * time.Second).Format("2006-01-02T15:04:05.000000"), fmt.Sprintf("s%05d", i), statMax + i%3,
				fmt.Sprint(i - 1000), fmt.Sprint(i%3 == 0), fmt.Sprintf("-%d.500000000000000000", i), fmt.Sprintf("0f8fad5b-d9cb-469f-a165-%012x", i),
				fmt.Sprint(int64(time.Duration(i) * time.Millisecond / time.Microsecond)), fmt.Sprint(float64(i) / 4), fmt.Sprintf(`{"i":%d}`, i), true}
		}
		// Every sql.Null* is a driver.Valuer: nil when null.
		show := func(v driver.Valuer) any {
			x, _ := v.Value()
			if x == nil {
				return "<nil>"
			}
			if ok, isBool := x.(bool); isBool {
				return ok
			}
			return fmt.Sprint(x)
		}
		gotRow := []any{show(ts), show(s), long, show(in), show(b), show(d), show(g), show(span), show(r), show(j), show(ingOK)}
		if i%7 != 3 {
			gotRow[4] = fmt.Sprint(gotRow[4])
		}
		if diff := cmp.Diff(want, gotRow); diff != "" {
			t.Fatalf("row %d (-want +got):\n%s", i, diff)
		}
	}
	if err := got.Err(); err != nil {
		t.Fatal(err)
	}
	if i != n {
		t.Fatalf("read %d rows, want %d", i, n)
	}

	// Per row group: Timestamp and short strings carry min and max, long
	// strings none; null counts are exact.
	meta, err := db.Query(`SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count, num_values
		FROM parquet_metadata(?) WHERE path_in_schema IN ('Timestamp', 'S', 'Long', 'I') ORDER BY row_group_id, path_in_schema`, path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for meta.Next() {
		var g int
		var col string
		var lo, hi sql.NullString
		var nulls, vals int64
		if err := meta.Scan(&g, &col, &lo, &hi, &nulls, &vals); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%d %s %s..%s nulls=%d values=%d", g, col, lo.String, hi.String, nulls, vals))
	}
	want := []string{
		"0 I -1000..-1 nulls=143 values=1000",
		"0 Long .. nulls=0 values=1000",
		"0 S ..s00999 nulls=0 values=1000",
		"0 Timestamp 2024-02-29 23:00:00.123456..2024-02-29 23:16:39.123456 nulls=143 values=1000",
		"1 I 0..999 nulls=143 values=1000",
		"1 Long .. nulls=0 values=1000",
		"1 S ..s01999 nulls=0 values=1000",
		"1 Timestamp 2024-02-29 23:16:40.123456..2024-02-29 23:33:19.123456 nulls=143 values=1000",
		"2 I 1000..1499 nulls=71 values=500",
		"2 Long .. nulls=0 values=500",
		"2 S ..s02499 nulls=0 values=500",
		"2 Timestamp 2024-02-29 23:33:20.123456..2024-02-29 23:41:39.123456 nulls=71 values=500",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("statistics (-want +got):\n%s", diff)
	}
}

// TestConcatSegments merges encoder files by copying their row groups,
// twice over (a merged file is merged again), and reads the result with a
// plain DuckDB: every row in order, every row group with its statistics.
// A file DuckDB wrote is not taken for one of ours.
func TestConcatSegments(t *testing.T) {
	oldPage, oldGroup := pageTarget, segmentRowGroup
	pageTarget, segmentRowGroup = 256, 300
	t.Cleanup(func() { pageTarget, segmentRowGroup = oldPage, oldGroup })
	dir := t.TempDir()
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var all [][]any
	write := func(name string, n int) string {
		rows := make([][]any, n)
		for i := range rows {
			k := len(all)
			rows[i] = []any{t0.Add(time.Duration(k) * time.Second), fmt.Sprintf("r%04d", k), "", int32(k), k%2 == 0, nil, nil,
				time.Duration(k), float64(k), json.RawMessage(fmt.Sprintf(`[%d]`, k))}
			all = append(all, rows[i])
		}
		path := filepath.Join(dir, name)
		enc := newSegmentEncoder(encoded)
		if _, err := writeSegment(path, func(w io.Writer) error { _, err := enc.encode(w, rows, t0, false); return err }); err != nil {
			t.Fatal(err)
		}
		return path
	}
	concat := func(name string, files ...string) string {
		var footers [][]rowGroupMeta
		for _, f := range files {
			ft, ok, err := readSegmentFooter(f, len(encoded.Columns)+1)
			if err != nil || !ok {
				t.Fatalf("footer of %s: ours %v, %v", f, ok, err)
			}
			footers = append(footers, ft)
		}
		path := filepath.Join(dir, name)
		enc := newSegmentEncoder(encoded)
		if _, err := writeSegment(path, func(w io.Writer) error { return enc.concatSegments(w, files, footers) }); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a, b, c := write("a", 700), write("b", 1), write("c", 299)
	ab := concat("ab", a, b)
	abc := concat("abc", ab, c)

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT S, I, J::VARCHAR FROM read_parquet(?)`, abc)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for ; rows.Next(); i++ {
		var s, j string
		var in int32
		if err := rows.Scan(&s, &in, &j); err != nil {
			t.Fatal(err)
		}
		if want := all[i]; s != want[1] || in != want[3] || j != string(want[9].(json.RawMessage)) {
			t.Fatalf("row %d: %s %d %s, want %v", i, s, in, j, want)
		}
	}
	if i != len(all) {
		t.Fatalf("read %d rows, want %d", i, len(all))
	}
	var groups, lo, hi int64
	if err := db.QueryRow(`SELECT count(*), min(stats_min_value::BIGINT), max(stats_max_value::BIGINT) FROM parquet_metadata(?) WHERE path_in_schema = 'I'`, abc).Scan(&groups, &lo, &hi); err != nil {
		t.Fatal(err)
	}
	if groups != 5 || lo != 0 || hi != int64(len(all)-1) { // 300+300+100, 1, 299
		t.Errorf("row groups %d, I from %d to %d", groups, lo, hi)
	}

	duck := filepath.Join(dir, "duck.parquet")
	if _, err := db.Exec(`COPY (SELECT * FROM read_parquet(?)) TO '`+duck+`' (FORMAT parquet)`, abc); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := readSegmentFooter(duck, len(encoded.Columns)+1); ok || err != nil {
		t.Errorf("DuckDB's file taken for ours: %v, %v", ok, err)
	}
}

// FuzzParseFileMeta: any footer bytes give row groups or an error, never a
// panic or a hang.
func FuzzParseFileMeta(f *testing.F) {
	enc := newSegmentEncoder(encoded)
	enc.groups = []rowGroupMeta{{rows: 3, chunks: make([]chunkMeta, len(enc.cols))}}
	enc.groups[0].chunks[1].min, enc.groups[0].chunks[1].max = []byte("a"), []byte("b")
	enc.footer(3)
	f.Add(enc.foot.b)
	f.Add([]byte{0x19, 0xfc})
	f.Fuzz(func(t *testing.T, b []byte) {
		parseFileMeta(b)
	})
}
