package duckdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/store"
)

// errRewrite says a query cannot take the prepared path: it does not
// parse as a capped SELECT (it is not a SELECT, or it is wrong, and the
// general path reports why against the text as given), or a result
// column needs rewriting in SQL (JSON, nested values) or is typed only
// once parameters are bound.
var errRewrite = errors.New("duckdb: query needs the general path")

// queryPrepared plans "SELECT * FROM (<sql>) LIMIT max+1" once and, when
// every result column converts as it is, runs that very statement.
func queryPrepared(ctx context.Context, dc any, q store.Query, maxRows int) (*store.Result, error) {
	capped := fmt.Sprintf("SELECT * FROM (\n%s\n) AS __vigil_q LIMIT %d", trimStatement(q.SQL), maxRows+1)
	st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, capped)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, errRewrite
	}
	defer st.Close()
	ds, ok := st.(*duckdb.Stmt)
	if !ok {
		return nil, fmt.Errorf("unexpected statement type %T", st)
	}
	n, err := ds.ColumnCount()
	if err != nil {
		return nil, err
	}
	res := &store.Result{Columns: make([]store.ResultColumn, n), Rows: [][]any{}}
	kinds := make([]resultKind, n)
	for i := range n {
		name, err := ds.ColumnName(i)
		if err != nil {
			return nil, err
		}
		info, err := ds.ColumnTypeInfo(i)
		k, ok := kindOfType(info)
		if err != nil || !ok || k.wrap != "" {
			return nil, errRewrite
		}
		kinds[i] = k
		res.Columns[i] = store.ResultColumn{Name: name, Type: k.kql}
	}
	if renamed(res.Columns) {
		return nil, errRewrite
	}
	args, err := namedArgs(dc, q.Args)
	if err != nil {
		return nil, err
	}
	rows, err := ds.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	dest := make([]driver.Value, n)
	for {
		if err := rows.Next(dest); err != nil {
			if err == io.EOF {
				return res, nil
			}
			return nil, err
		}
		if len(res.Rows) == maxRows {
			res.Truncated = true
			return res, nil
		}
		row := make([]any, n)
		for i, v := range dest {
			if v == nil {
				continue
			}
			c, err := kinds[i].conv(v)
			if err != nil {
				return nil, fmt.Errorf("row %d column %s: %w", len(res.Rows), res.Columns[i].Name, err)
			}
			row[i] = c
		}
		res.Rows = append(res.Rows, row)
	}
}

// namedArgs converts arguments as database/sql would for the driver:
// the driver's own checker first, then the default conversions.
func namedArgs(dc any, args []any) ([]driver.NamedValue, error) {
	checker, _ := dc.(driver.NamedValueChecker)
	out := make([]driver.NamedValue, len(args))
	for i, a := range bindArgs(args) {
		nv := driver.NamedValue{Ordinal: i + 1, Value: a}
		err := driver.ErrSkip
		if checker != nil {
			err = checker.CheckNamedValue(&nv)
		}
		if err == driver.ErrSkip {
			nv.Value, err = driver.DefaultParameterConverter.ConvertValue(a)
		}
		if err != nil {
			return nil, fmt.Errorf("argument $%d: %w", i+1, err)
		}
		out[i] = nv
	}
	return out, nil
}

// renamed reports whether the capping SELECT * may have renamed a column:
// DuckDB names a repeated column "a_1", "a_2", ... where the query itself
// said "a" twice. Then the general path, which names each column as the
// query does, runs instead.
func renamed(cols []store.ResultColumn) bool {
	seen := make(map[string]bool, len(cols))
	for _, c := range cols {
		seen[c.Name] = true
	}
	for _, c := range cols {
		i := strings.LastIndexByte(c.Name, '_')
		if i < 0 || i == len(c.Name)-1 || !seen[c.Name[:i]] {
			continue
		}
		if strings.Trim(c.Name[i+1:], "0123456789") == "" {
			return true
		}
	}
	return false
}
