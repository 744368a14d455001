package duckdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

var errClosed = errors.New("duckdb: event store is closed")

// prepared is one TableRows converted to driver values in physical column
// order, ready for the appender.
type prepared struct {
	table string
	width int
	vals  []driver.Value // len(rows) * width
}

// Append implements store.Store. Every value is checked before anything
// is written; then all tables of the batch go through DuckDB appenders in
// one transaction on the writer connection, so the batch is atomic however
// large it is, and Append returns only after COMMIT, which DuckDB makes
// durable by syncing its write-ahead log.
func (s *Store) Append(ctx context.Context, batch store.Batch) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("duckdb: append: %w", err)
	}
	ingest := batch.IngestionTime
	if ingest.IsZero() {
		ingest = time.Now()
	}
	// Stored with microsecond precision, like every TIMESTAMP.
	ingest = ingest.UTC().Truncate(time.Microsecond)
	if s.bulkPath(batch.Len()) {
		return s.appendSegments(ctx, batch, ingest)
	}

	work := make([]prepared, 0, len(batch.Tables))
	for _, tr := range batch.Tables {
		p, err := s.prepare(tr, ingest, batch.Canonical)
		if err != nil {
			return err
		}
		if len(p.vals) > 0 {
			work = append(work, p)
		}
	}
	if len(work) == 0 {
		return nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wconn == nil {
		return errClosed
	}
	return s.wconn.Raw(func(dc any) error {
		return s.appendTx(ctx, dc.(driver.Conn), work)
	})
}

// bulkPath says whether a batch of n rows is written as segments.
func (s *Store) bulkPath(n int) bool {
	switch m := s.opts.BulkMinRows; {
	case m < 0:
		return false
	case m > 0:
		return n >= m
	}
	return n >= segmentMinRows
}

// prepare validates and converts a table's rows; canonical rows skip the
// validation (see store.Batch.Canonical).
func (s *Store) prepare(tr store.TableRows, ingest time.Time, canonical bool) (prepared, error) {
	l, ok := s.layouts[tr.Table]
	if !ok {
		return prepared{}, fmt.Errorf("duckdb: append: %w %q", store.ErrUnknownTable, tr.Table)
	}
	cols := l.table.Columns
	p := prepared{table: tr.Table, width: l.width, vals: make([]driver.Value, len(tr.Rows)*l.width)}
	for r, row := range tr.Rows {
		if len(row) != len(cols) {
			return prepared{}, widthError(tr.Table, r, row, l)
		}
		out := p.vals[r*l.width : (r+1)*l.width]
		for i, v := range row {
			n, err := v, error(nil)
			if !canonical {
				n, err = store.Normalize(cols[i], v)
			}
			if err == nil && n != nil {
				n, err = toDriver(cols[i], n)
			} else if err == nil && cols[i].Type == schema.String {
				// KQL strings are never null: a missing one is stored as ''.
				n = ""
			}
			if err != nil {
				var ve *store.ValueError
				if errors.As(err, &ve) {
					ve.Table, ve.Row = tr.Table, r
					return prepared{}, ve
				}
				return prepared{}, err
			}
			out[l.phys[i]] = n
		}
		out[l.ingestion] = ingest
	}
	return p, nil
}

// appendTx writes the prepared tables in one transaction on dc.
func (s *Store) appendTx(ctx context.Context, dc driver.Conn, work []prepared) (err error) {
	exec := dc.(driver.ExecerContext)
	// COMMIT and ROLLBACK ignore ctx: once started they must finish, or the
	// caller could not tell whether the batch is in.
	run := func(stmt string) error {
		_, err := exec.ExecContext(context.Background(), stmt, nil)
		return err
	}
	if err := run("BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("duckdb: append: begin: %w", err)
	}
	defer func() {
		if err != nil {
			if rbErr := run("ROLLBACK"); rbErr != nil {
				err = errors.Join(err, fmt.Errorf("duckdb: append: rollback: %w", rbErr))
			}
		}
	}()
	for _, p := range work {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("duckdb: append: %w", err)
		}
		if err := appendTable(dc, p); err != nil {
			return err
		}
		if s.afterTable != nil {
			if err := s.afterTable(p.table); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("duckdb: append: %w", err)
	}
	if err := run("COMMIT"); err != nil {
		return fmt.Errorf("duckdb: append: commit: %w", err)
	}
	return nil
}

func appendTable(dc driver.Conn, p prepared) error {
	app, err := duckdb.NewAppenderFromConn(dc, "", p.table)
	if err != nil {
		return fmt.Errorf("duckdb: append to %s: %w", p.table, err)
	}
	rows := len(p.vals) / p.width
	for r := 0; r < rows; r++ {
		if err := app.AppendRow(p.vals[r*p.width : (r+1)*p.width]...); err != nil {
			_ = app.Close()
			return fmt.Errorf("duckdb: append to %s row %d: %w", p.table, r, err)
		}
	}
	if err := app.Close(); err != nil {
		return fmt.Errorf("duckdb: append to %s: %w", p.table, err)
	}
	return nil
}

// widthError names the first column a short row lacks, or the first value
// a long row has too many.
func widthError(table string, r int, row []any, l *layout) error {
	ve := &store.ValueError{Table: table, Row: r,
		Reason: fmt.Sprintf("row has %d values, table has %d columns", len(row), len(l.table.Columns))}
	if len(row) < len(l.table.Columns) {
		c := l.table.Columns[len(row)]
		ve.Column, ve.Want, ve.Got = c.Name, c.Type, "no value"
	} else {
		ve.Column, ve.Got = fmt.Sprintf("#%d (beyond the last column)", len(l.table.Columns)), fmt.Sprintf("%T", row[len(l.table.Columns)])
	}
	return ve
}
