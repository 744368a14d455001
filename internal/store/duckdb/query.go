package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/store"
)

// description is what preparing a query tells before running it.
type description struct {
	stmtType duckdb.StmtType
	names    []string
	kinds    []resultKind // nil when a column type is unresolved
}

// Query implements store.Store. Only SELECT (and EXPLAIN) statements run.
// A SELECT is wrapped as
//
//	SELECT #1 AS "a", CAST(#2 AS VARCHAR) AS "b", ... FROM (<sql>) LIMIT max+1
//
// so DuckDB stops at the row cap (the driver materializes results) and
// renders JSON and nested values as JSON text.
func (s *Store) Query(ctx context.Context, q store.Query) (*store.Result, error) {
	maxRows := q.MaxRows
	if maxRows <= 0 {
		maxRows = store.DefaultMaxRows
	}
	if err := s.syncViews(ctx); err != nil {
		return nil, queryError(ctx, "query", err)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, queryError(ctx, "query", err)
	}
	defer conn.Close()

	// Most results need no rewrite of their columns: then the statement is
	// planned once, wrapped in the row cap, and run as prepared. Planning
	// a long generated query costs milliseconds, as much as running it on
	// a small table.
	var res *store.Result
	err = conn.Raw(func(dc any) error {
		res, err = queryPrepared(ctx, dc, q, maxRows)
		return err
	})
	switch {
	case err == nil:
		if q.Profile {
			res.Stats = readProfile(conn)
		}
		return res, nil
	case !errors.Is(err, errRewrite):
		return nil, queryError(ctx, "query", err)
	}

	desc, err := describe(ctx, conn, q.SQL)
	if err != nil {
		return nil, queryError(ctx, "query", err)
	}
	text := q.SQL
	switch desc.stmtType {
	case duckdb.STATEMENT_TYPE_SELECT:
		if desc.kinds != nil {
			text = wrapSelect(q.SQL, desc, maxRows+1)
		}
	case duckdb.STATEMENT_TYPE_EXPLAIN:
	default:
		return nil, fmt.Errorf("duckdb: query: only SELECT statements may run here")
	}

	rows, err := conn.QueryContext(ctx, text, bindArgs(q.Args)...)
	if err != nil {
		return nil, queryError(ctx, "query", err)
	}
	res, err = readResult(rows, desc, maxRows)
	rows.Close()
	if err != nil {
		return nil, queryError(ctx, "query", err)
	}
	if q.Profile {
		res.Stats = readProfile(conn)
	}
	return res, nil
}

func describe(ctx context.Context, conn *sql.Conn, text string) (description, error) {
	var d description
	err := conn.Raw(func(dc any) error {
		st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, text)
		if err != nil {
			return err
		}
		defer st.Close()
		ds, ok := st.(*duckdb.Stmt)
		if !ok {
			return fmt.Errorf("unexpected statement type %T", st)
		}
		if d.stmtType, err = ds.StatementType(); err != nil {
			return err
		}
		n, err := ds.ColumnCount()
		if err != nil {
			return err
		}
		d.kinds = make([]resultKind, n)
		for i := range n {
			name, err := ds.ColumnName(i)
			if err != nil {
				return err
			}
			d.names = append(d.names, name)
			info, err := ds.ColumnTypeInfo(i)
			k, ok := kindOfType(info)
			if err != nil || !ok {
				// Decided only once parameters are bound; read the
				// types from the result instead.
				d.kinds = nil
				continue
			}
			if d.kinds != nil {
				d.kinds[i] = k
			}
		}
		return nil
	})
	return d, err
}

// wrapSelect builds the wrapping SELECT. The newline before the closing
// parenthesis keeps a trailing line comment in text from swallowing it.
func wrapSelect(text string, d description, limit int) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, k := range d.kinds {
		if i > 0 {
			b.WriteString(", ")
		}
		ref := fmt.Sprintf("#%d", i+1)
		if k.wrap != "" {
			ref = fmt.Sprintf(k.wrap, ref)
		}
		b.WriteString(ref + " AS " + quoteIdent(d.names[i]))
	}
	fmt.Fprintf(&b, " FROM (\n%s\n) AS __vigil_q LIMIT %d", trimStatement(text), limit)
	return b.String()
}

// trimStatement drops trailing semicolons, which cannot sit in a subquery.
func trimStatement(text string) string {
	for {
		t := strings.TrimRight(text, " \t\r\n")
		t = strings.TrimSuffix(t, ";")
		if t == text {
			return t
		}
		text = t
	}
}

// bindArgs converts arguments the driver does not bind itself: a
// time.Duration becomes an INTERVAL.
func bindArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if d, ok := a.(time.Duration); ok {
			a = duckdb.Interval{Micros: d.Microseconds()}
		}
		out[i] = a
	}
	return out
}

func readResult(rows *sql.Rows, d description, maxRows int) (*store.Result, error) {
	kinds, names := d.kinds, d.names
	if kinds == nil {
		cts, err := rows.ColumnTypes()
		if err != nil {
			return nil, err
		}
		names = names[:0]
		for _, ct := range cts {
			names = append(names, ct.Name())
			kinds = append(kinds, kindOfName(ct.DatabaseTypeName()))
		}
	}
	res := &store.Result{Columns: make([]store.ResultColumn, len(kinds)), Rows: [][]any{}}
	for i, k := range kinds {
		res.Columns[i] = store.ResultColumn{Name: names[i], Type: k.kql}
	}
	ptrs := make([]any, len(kinds))
	for rows.Next() {
		if len(res.Rows) == maxRows {
			res.Truncated = true
			break
		}
		row := make([]any, len(kinds))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range row {
			if v == nil {
				continue
			}
			c, err := kinds[i].conv(v)
			if err != nil {
				return nil, fmt.Errorf("row %d column %s: %w", len(res.Rows), names[i], err)
			}
			row[i] = c
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// queryError wraps a failed read; when ctx ended, it wraps
// store.ErrCanceled too, whatever DuckDB said about the interruption.
func queryError(ctx context.Context, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if ctxErr == nil {
			ctxErr = err
		}
		return fmt.Errorf("duckdb: %s: %w (%w)", what, store.ErrCanceled, ctxErr)
	}
	return fmt.Errorf("duckdb: %s: %w", what, err)
}
