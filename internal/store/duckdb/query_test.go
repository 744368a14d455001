package duckdb

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

func TestQueryTypes(t *testing.T) {
	s := openTables(t, t.TempDir(), testOptions(), second)
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	f := func(expr string, wantType schema.Type, want any) {
		t.Helper()
		res, err := s.Query(context.Background(), store.Query{SQL: "SELECT " + expr + " AS v"})
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			return
		}
		if got := res.Columns[0]; got.Name != "v" || got.Type != wantType {
			t.Errorf("%s: column %+v, want v %s", expr, got, wantType)
		}
		if diff := cmp.Diff(want, res.Rows[0][0]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", expr, diff)
		}
	}
	f("'x'", schema.String, "x")
	f("'b'::ENUM('a','b')", schema.String, "b")
	f("42", schema.Int, int32(42))
	f("42::TINYINT", schema.Int, int32(42))
	f("42::SMALLINT", schema.Int, int32(42))
	f("42::USMALLINT", schema.Int, int32(42))
	f("42::UINTEGER", schema.Long, int64(42))
	f("42::BIGINT", schema.Long, int64(42))
	f("42::UBIGINT", schema.Long, int64(42))
	f("(SELECT sum(x) FROM (VALUES (9223372036854775807::BIGINT), (-1::BIGINT)) t(x))", schema.Long, int64(9223372036854775806))
	f("INTERVAL 106751 DAY", schema.TimeSpan, 106751*24*time.Hour)
	f("-INTERVAL 3 DAY + INTERVAL 1 SECOND", schema.TimeSpan, -3*24*time.Hour+time.Second)
	f("42::HUGEINT", schema.Long, int64(42))
	f("0.5::FLOAT", schema.Real, 0.5)
	f("0.25::DOUBLE", schema.Real, 0.25)
	f("1.50::DECIMAL(10,2)", schema.Decimal, "1.5")
	f("-3::DECIMAL(38,18)", schema.Decimal, "-3")
	f("true", schema.Bool, true)
	f("TIMESTAMP '2024-01-02 03:04:05.123456'", schema.DateTime, time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC))
	f("TIMESTAMP_NS '2024-01-02 03:04:05.123456789'", schema.DateTime, time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC))
	f("DATE '2024-01-02'", schema.DateTime, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC))
	f("INTERVAL 90 MINUTE", schema.TimeSpan, 90*time.Minute)
	f("INTERVAL 1 MONTH + INTERVAL 1 DAY", schema.TimeSpan, 31*24*time.Hour)
	f("TIMESTAMP '2024-01-02' - TIMESTAMP '2024-01-01 12:00'", schema.TimeSpan, 12*time.Hour)
	f("TIME '01:02:03.5'", schema.TimeSpan, time.Hour+2*time.Minute+3500*time.Millisecond)
	f("'0F8FAD5B-D9CB-469F-A165-70867728950E'::UUID", schema.GUID, "0f8fad5b-d9cb-469f-a165-70867728950e")
	f(`'{"b": 12345678901234567890, "a": 1}'::JSON`, schema.Dynamic, raw(`{"b": 12345678901234567890, "a": 1}`))
	f("[1, 2, 3]", schema.Dynamic, raw(`[1,2,3]`))
	f("[1, 2]::INTEGER[2]", schema.Dynamic, raw(`[1,2]`))
	f("{'k': 'v', 'n': [1]}", schema.Dynamic, raw(`{"k":"v","n":[1]}`))
	f("MAP {'a': 1}", schema.Dynamic, raw(`{"a":1}`))
	f("'ab'::BLOB", schema.String, "YWI=")
	f("NULL::VARCHAR", schema.String, nil)
	f("NULL::JSON", schema.Dynamic, nil)

	// Out of range for long is an error naming the column, not a wrong value.
	_, err := s.Query(context.Background(), store.Query{SQL: "SELECT 18446744073709551615::UBIGINT AS big"})
	if err == nil || !strings.Contains(err.Error(), "big") {
		t.Errorf("UBIGINT overflow: %v", err)
	}
}

func TestQueryShapes(t *testing.T) {
	s := openTables(t, t.TempDir(), testOptions(), second)
	f := func(q store.Query, wantCols []store.ResultColumn, wantRows [][]any) {
		t.Helper()
		res, err := s.Query(context.Background(), q)
		if err != nil {
			t.Errorf("%s: %v", q.SQL, err)
			return
		}
		if diff := cmp.Diff(wantCols, res.Columns); diff != "" {
			t.Errorf("%s columns (-want +got):\n%s", q.SQL, diff)
		}
		if diff := cmp.Diff(wantRows, res.Rows); diff != "" {
			t.Errorf("%s rows (-want +got):\n%s", q.SQL, diff)
		}
	}
	col := func(name string, typ schema.Type) store.ResultColumn {
		return store.ResultColumn{Name: name, Type: typ}
	}
	f(store.Query{SQL: "SELECT 1 AS a, 'x' AS a;"}, []store.ResultColumn{col("a", schema.Int), col("a", schema.String)}, [][]any{{int32(1), "x"}})
	// Names the capping SELECT * would take for renamed duplicates.
	f(store.Query{SQL: "SELECT 1 AS a_1, 2 AS a"}, []store.ResultColumn{col("a_1", schema.Int), col("a", schema.Int)}, [][]any{{int32(1), int32(2)}})
	f(store.Query{SQL: "SELECT 1 AS x_2, 2 AS _"}, []store.ResultColumn{col("x_2", schema.Int), col("_", schema.Int)}, [][]any{{int32(1), int32(2)}})
	// JSON and nested results take the general path, which renders them.
	f(store.Query{SQL: "SELECT [1, 2] AS l, '{\"k\": 1}'::JSON AS j, 3 AS n"}, []store.ResultColumn{col("l", schema.Dynamic), col("j", schema.Dynamic), col("n", schema.Int)},
		[][]any{{json.RawMessage(`[1,2]`), json.RawMessage(`{"k": 1}`), int32(3)}})
	f(store.Query{SQL: "SELECT 1 AS \"we\"\"ird\" -- trailing comment"}, []store.ResultColumn{col(`we"ird`, schema.Int)}, [][]any{{int32(1)}})
	f(store.Query{SQL: "WITH t AS (SELECT 2 AS n) SELECT n FROM t"}, []store.ResultColumn{col("n", schema.Int)}, [][]any{{int32(2)}})
	f(store.Query{SQL: "SELECT * FROM Second"}, []store.ResultColumn{col("Id", schema.Long), col("Name", schema.String), col(schema.IngestionTimeColumn, schema.DateTime)}, [][]any{})
	f(store.Query{SQL: "SELECT range AS r FROM range(3) WHERE range >= ? AND ? = 'yes'", Args: []any{int64(1), "yes"}},
		[]store.ResultColumn{col("r", schema.Long)}, [][]any{{int64(1)}, {int64(2)}})
	f(store.Query{SQL: "SELECT TIMESTAMP '2024-01-01' + ? AS t", Args: []any{90 * time.Minute}},
		[]store.ResultColumn{col("t", schema.DateTime)}, [][]any{{time.Date(2024, 1, 1, 1, 30, 0, 0, time.UTC)}})
	f(store.Query{SQL: "SELECT ?::TIMESTAMP < TIMESTAMP '2030-01-01' AS b", Args: []any{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}},
		[]store.ResultColumn{col("b", schema.Bool)}, [][]any{{true}})
	// A parameter whose type only binding decides: the wrapper is skipped
	// and the types come from the result.
	f(store.Query{SQL: "SELECT ? AS x", Args: []any{"hi"}}, []store.ResultColumn{col("x", schema.String)}, [][]any{{"hi"}})
	// User text is a value, never SQL.
	f(store.Query{SQL: "SELECT count(*) AS n FROM Second WHERE Name = ?", Args: []any{"x' OR 1=1 --"}},
		[]store.ResultColumn{col("n", schema.Long)}, [][]any{{int64(0)}})
}

func TestQueryMaxRows(t *testing.T) {
	s := openTables(t, t.TempDir(), testOptions(), second)
	f := func(sql string, maxRows, wantRows int, wantTruncated bool) {
		t.Helper()
		res, err := s.Query(context.Background(), store.Query{SQL: sql, MaxRows: maxRows})
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if len(res.Rows) != wantRows || res.Truncated != wantTruncated {
			t.Errorf("%s max %d: %d rows truncated=%v, want %d %v", sql, maxRows, len(res.Rows), res.Truncated, wantRows, wantTruncated)
		}
	}
	f("SELECT * FROM range(10)", 3, 3, true)
	f("SELECT * FROM range(10)", 10, 10, false)
	f("SELECT * FROM range(10)", 11, 10, false)
	f("SELECT * FROM range(10)", 0, 10, false)
	f("SELECT * FROM range(200000)", 0, store.DefaultMaxRows, true)
	f("SELECT * FROM range(10) LIMIT 2", 5, 2, false)
	// The unwrapped path (a parameter of unknown type) caps too.
	res, err := s.Query(context.Background(), store.Query{SQL: "SELECT ? AS x FROM range(10)", Args: []any{"a"}, MaxRows: 4})
	if err != nil || len(res.Rows) != 4 || !res.Truncated {
		t.Errorf("unwrapped cap: %v, %v", res, err)
	}

	// The cap keeps the query's order.
	res = mustQuery(t, s, "SELECT range AS r FROM range(500000) ORDER BY range DESC")
	if len(res.Rows) != store.DefaultMaxRows || !res.Truncated {
		t.Fatalf("%d rows, truncated=%v", len(res.Rows), res.Truncated)
	}
	for i, row := range res.Rows {
		if want := int64(499999 - i); row[0] != want {
			t.Fatalf("row %d = %v, want %d", i, row[0], want)
		}
	}
}

func TestQueryCancel(t *testing.T) {
	s := openTables(t, t.TempDir(), testOptions(), second)
	long := store.Query{SQL: "SELECT count(*) FROM range(1000000000) a, range(1000000000) b WHERE a.range + b.range = -1"}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := s.Query(ctx, long); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, store.ErrCanceled) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("deadline: %v, want ErrCanceled wrapping DeadlineExceeded", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("query ignored its deadline")
	}

	ctx, cancel = context.WithCancel(context.Background())
	go func() { _, err := s.Query(ctx, long); done <- err }()
	// Whether the cancel lands before or during execution, the answer is
	// the same; the timer only makes "during" likely.
	time.AfterFunc(200*time.Millisecond, cancel)
	select {
	case err := <-done:
		if !errors.Is(err, store.ErrCanceled) || !errors.Is(err, context.Canceled) {
			t.Errorf("cancel: %v, want ErrCanceled wrapping Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("query ignored cancellation")
	}
	// The pool still works.
	mustQuery(t, s, "SELECT 1")
}

func TestQueryRejects(t *testing.T) {
	s := openTables(t, t.TempDir(), testOptions(), second)
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: [][]any{{1, "a"}}}}})
	f := func(sql, wantErr string) {
		t.Helper()
		_, err := s.Query(context.Background(), store.Query{SQL: sql})
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: %v, want error containing %q", sql, err, wantErr)
		}
		if errors.Is(err, store.ErrCanceled) {
			t.Errorf("%s: a plain failure reported as cancelled: %v", sql, err)
		}
	}
	// Tables are views over base tables and segments (segments.go): a
	// write to one fails to bind before the statement type is looked at.
	f("DELETE FROM Second", "base table")
	f("DELETE FROM main.Second", "only SELECT")
	f("DROP TABLE Second", "only SELECT")
	f("INSERT INTO Second VALUES (1, 'a', now())", "not an table")
	f("INSERT INTO main.Second VALUES (1, 'a', now())", "only SELECT")
	f("SELECT 1; SELECT 2", "")
	f("SELEC 1", "syntax")
	f("SELECT * FROM NoSuchTable", "NoSuchTable")
	f("SELECT * FROM read_csv('/etc/passwd')", "")
	f("SELECT * FROM query('DELETE FROM Second')", "SELECT")
	if n := count(t, s, "Second", ""); n != 1 {
		t.Errorf("Second has %d rows after rejected statements", n)
	}
}
