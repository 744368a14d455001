package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Segments. DuckDB's appender costs about 50 µs a row in this process
// (a cgo call per value, then copying, committing and later
// recompressing every row), so bulk batches do not go through it: Append
// writes each table's rows of a large batch as one Parquet file (a
// segment, DIR/segments/TABLE/ID.parquet) from Go, then commits the
// segments' manifest rows in one DuckDB transaction. Queries read tables
// through views in the hunt schema (the query connections' search path)
// that union the base table with its segments; a query first brings the
// views up to date with every committed batch (syncViews), so a batch
// becomes visible to every table at once, and only once committed. Small batches (alerts, a sensor's few events)
// still go to the base tables. A background compactor merges small
// segments (segment_compact.go); retention drops or rewrites them.

const (
	segmentsTable = "__vigil_segments"
	viewSchema    = "hunt"
	segmentsDir   = "segments"
)

// segmentMinRows: a batch with at least this many rows is written as
// segments. Below it the appender is cheaper than a file per table.
var segmentMinRows = 1000

const createSegmentsSQL = `CREATE TABLE ` + segmentsTable + ` (
	id BIGINT NOT NULL,
	table_name VARCHAR NOT NULL,
	file VARCHAR NOT NULL,
	columns VARCHAR NOT NULL,
	rows BIGINT NOT NULL,
	bytes BIGINT NOT NULL,
	min_ingest TIMESTAMP NOT NULL,
	max_ingest TIMESTAMP NOT NULL,
	min_time TIMESTAMP,
	max_time TIMESTAMP
)`

// segment is one committed segment file.
type segment struct {
	id                   int64
	table                string
	file                 string // relative to the segments directory
	columns              string // the file's columns: columnList of its schema
	rows                 int64
	bytes                int64
	minIngest, maxIngest time.Time
	minTime, maxTime     time.Time // the rows' Timestamp range, zero if none
}

// columnList names a table's columns and types as its segments store
// them, so a view knows which columns an older file lacks.
func columnList(t *schema.Table) string {
	var b strings.Builder
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.Name)
		b.WriteByte(':')
		b.WriteString(c.Type.String())
	}
	return b.String()
}

// segmentSet is the store's segments, per table, guarded by Store.mu.
type segmentSet struct {
	dir     string // absolute segments directory
	next    atomic.Int64
	byTable map[string][]segment
	// lastAppend is when the last segment batch was committed: merges of
	// larger segments wait for a pause in ingest (segment_compact.go).
	lastAppend time.Time
	// retired are files no view names any more, removed once queries that
	// might still read them are over.
	retired []retiredFile
	// stale are the tables whose views do not yet name their newest
	// segments (see swapSegments); viewsStale says there are some, for
	// queries to check without the lock.
	stale      map[string]bool
	viewsStale atomic.Bool
}

type retiredFile struct {
	path  string
	after time.Time
}

// retireGrace is how long a replaced segment file stays on disk: longer
// than a query runs (hunting's limit is minutes).
var retireGrace = 10 * time.Minute

// sqlString quotes a string literal. Only paths the store builds reach it.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// openSegments loads the manifest, checks every file is there, removes
// files no committed segment names (a crash between writing and
// committing), and creates every table's view.
func (s *Store) openSegments(ctx context.Context) error {
	set := &segmentSet{
		dir:     filepath.Join(filepath.Dir(s.path), segmentsDir),
		byTable: map[string][]segment{},
		stale:   map[string]bool{},
	}
	if err := os.MkdirAll(set.dir, 0o750); err != nil {
		return fmt.Errorf("duckdb: segments: %w", err)
	}
	rows, err := s.wconn.QueryContext(ctx, `SELECT id, table_name, file, columns, rows, bytes,
		min_ingest, max_ingest, min_time, max_time FROM `+segmentsTable+` ORDER BY id`)
	if err != nil {
		return fmt.Errorf("duckdb: segments: %w", err)
	}
	known := map[string]bool{}
	var maxID int64
	for rows.Next() {
		var g segment
		var minT, maxT sql.NullTime
		if err := rows.Scan(&g.id, &g.table, &g.file, &g.columns, &g.rows, &g.bytes,
			&g.minIngest, &g.maxIngest, &minT, &maxT); err != nil {
			rows.Close()
			return fmt.Errorf("duckdb: segments: %w", err)
		}
		g.minTime, g.maxTime = minT.Time, maxT.Time
		set.byTable[g.table] = append(set.byTable[g.table], g)
		known[g.file] = true
		maxID = max(maxID, g.id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("duckdb: segments: %w", err)
	}
	for file := range known {
		if _, err := os.Stat(filepath.Join(set.dir, file)); err != nil {
			return fmt.Errorf("%w: segment %s listed in %s: %v", store.ErrCorrupt, file, s.path, err)
		}
	}
	// Files of uncommitted batches, compactions or deletions.
	entries, _ := filepath.Glob(filepath.Join(set.dir, "*", "*"))
	for _, p := range entries {
		rel, _ := filepath.Rel(set.dir, p)
		if !known[rel] {
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("duckdb: segments: remove orphan: %w", err)
			}
		}
		if id, ok := segmentID(p); ok {
			maxID = max(maxID, id)
		}
	}
	set.next.Store(maxID + 1)
	// Segments left by the last run settle once this one has been idle.
	set.lastAppend = time.Now()
	s.segs = set
	if _, err := s.wconn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+viewSchema); err != nil {
		return fmt.Errorf("duckdb: segments: %w", err)
	}
	views := make([]string, 0, len(s.names))
	for _, name := range s.names {
		v, err := s.viewSQL(name, set.byTable[name])
		if err != nil {
			return err
		}
		views = append(views, v)
	}
	return s.inTx(ctx, views, nil)
}

// segmentID reads the id in a segment file's name.
func segmentID(path string) (int64, bool) {
	base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".tmp"), ".parquet")
	id, err := strconv.ParseInt(base, 10, 64)
	return id, err == nil
}

// segmentPath is where segment id of table lives, relative to the
// segments directory.
func segmentPath(table string, id int64) string {
	return filepath.Join(table, fmt.Sprintf("%016d.parquet", id))
}

// viewSQL is the view that presents table name: its base table, then its
// segments grouped by the columns they hold (segmentSelect).
func (s *Store) viewSQL(name string, segs []segment) (string, error) {
	t := s.layouts[name].table
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE OR REPLACE VIEW %s.%s AS SELECT ", viewSchema, quoteIdent(name))
	for _, c := range t.Columns {
		b.WriteString(quoteIdent(c.Name))
		b.WriteString(", ")
	}
	fmt.Fprintf(&b, "%s FROM main.%s", quoteIdent(schema.IngestionTimeColumn), quoteIdent(name))
	sel, err := s.segmentSelect(t, segs)
	if err != nil {
		return "", err
	}
	for _, q := range sel {
		b.WriteString(" UNION ALL ")
		b.WriteString(q)
	}
	return b.String(), nil
}

// segmentSelect reads segs, one SELECT per distinct column list, each
// giving the schema's columns in order with their types, then the
// ingestion time: a column a file lacks reads as the column's default,
// timespans are converted back from microseconds.
func (s *Store) segmentSelect(t *schema.Table, segs []segment) ([]string, error) {
	groups := map[string][]string{}
	var order []string
	for _, g := range segs {
		if _, ok := groups[g.columns]; !ok {
			order = append(order, g.columns)
		}
		groups[g.columns] = append(groups[g.columns], sqlString(filepath.Join(s.segs.dir, g.file)))
	}
	sort.Strings(order)
	var out []string
	for _, cols := range order {
		have := map[string]string{}
		for _, nc := range strings.Split(cols, ",") {
			n, typ, _ := strings.Cut(nc, ":")
			have[n] = typ
		}
		var b strings.Builder
		b.WriteString("SELECT ")
		for _, c := range t.Columns {
			typ, ok := have[c.Name]
			switch {
			case !ok:
				sqlT, _ := sqlType(c.Type)
				def := "NULL"
				if c.Type == schema.String {
					def = "''"
				}
				fmt.Fprintf(&b, "CAST(%s AS %s) AS %s, ", def, sqlT, quoteIdent(c.Name))
			case typ != c.Type.String():
				return nil, fmt.Errorf("duckdb: table %s column %s is stored in segments as %s but the schema says %s; "+
					"the store cannot convert it in place", t.Name, c.Name, typ, c.Type)
			case c.Type == schema.TimeSpan:
				fmt.Fprintf(&b, "to_microseconds(%s) AS %s, ", quoteIdent(c.Name), quoteIdent(c.Name))
			default:
				b.WriteString(quoteIdent(c.Name))
				b.WriteString(", ")
			}
		}
		fmt.Fprintf(&b, "%s FROM read_parquet([%s])", quoteIdent(schema.IngestionTimeColumn), strings.Join(groups[cols], ", "))
		out = append(out, b.String())
	}
	return out, nil
}

// inTx runs stmts (with args per statement, may be nil) in one
// transaction on the writer connection. The caller holds s.mu or is open.
func (s *Store) inTx(ctx context.Context, stmts []string, args [][]any) (err error) {
	if _, err := s.wconn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("duckdb: segments: %w", err)
	}
	defer func() {
		if err != nil {
			_, _ = s.wconn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	for i, q := range stmts {
		var a []any
		if args != nil {
			a = args[i]
		}
		if _, err := s.wconn.ExecContext(ctx, q, a...); err != nil {
			return fmt.Errorf("duckdb: segments: %s: %w", firstLine(q[:min(len(q), 120)]), err)
		}
	}
	// COMMIT ignores ctx: once started it must finish.
	if _, err := s.wconn.ExecContext(context.Background(), "COMMIT"); err != nil {
		return fmt.Errorf("duckdb: segments: commit: %w", err)
	}
	return nil
}

// swapSegments commits added segments and removes dropped ones (by id) in
// one transaction with the views of every table they touch, after the
// statements pre (settling's INSERT), then updates the in-memory set. The
// caller holds s.mu. Dropped files are retired, not removed: a query may
// still be reading them.
//
// A swap that only adds (an append) leaves the views as they are and
// marks their tables stale: rebinding a view that names every file costs
// DuckDB milliseconds a table, at every batch, and most batches are never
// queried before the next. Queries bring the views up to date first
// (syncViews), all stale tables in one transaction, so a batch still
// becomes visible to every table at once. Any other swap updates the
// stale views with its own, so that a view never names a file that is
// gone or rows that settled into the base table.
func (s *Store) swapSegments(ctx context.Context, add []segment, drop map[int64]bool, pre ...string) error {
	touched := map[string]bool{}
	next := map[string][]segment{}
	for _, g := range add {
		touched[g.table] = true
	}
	lazy := len(add) > 0 && len(drop) == 0 && len(pre) == 0
	if !lazy {
		for t := range s.segs.stale {
			touched[t] = true
		}
	}
	for table, segs := range s.segs.byTable {
		for _, g := range segs {
			if drop[g.id] {
				touched[table] = true
			}
		}
	}
	for table := range touched {
		var keep []segment
		for _, g := range s.segs.byTable[table] {
			if !drop[g.id] {
				keep = append(keep, g)
			}
		}
		for _, g := range add {
			if g.table == table {
				keep = append(keep, g)
			}
		}
		next[table] = keep
	}

	stmts := append([]string(nil), pre...)
	args := make([][]any, len(pre))
	if len(drop) > 0 {
		ids := make([]string, 0, len(drop))
		for id := range drop {
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		stmts = append(stmts, "DELETE FROM "+segmentsTable+" WHERE id IN ("+strings.Join(ids, ",")+")")
		args = append(args, nil)
	}
	if len(add) > 0 {
		// One statement for the lot: each statement costs DuckDB a parse,
		// a bind and a plan, more than the rows themselves.
		var b strings.Builder
		b.WriteString("INSERT INTO " + segmentsTable + " VALUES ")
		vals := make([]any, 0, 10*len(add))
		for i, g := range add {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			vals = append(vals, g.id, g.table, g.file, g.columns, g.rows, g.bytes,
				g.minIngest, g.maxIngest, nullTime(g.minTime), nullTime(g.maxTime))
		}
		stmts = append(stmts, b.String())
		args = append(args, vals)
	}
	tables := make([]string, 0, len(touched))
	for t := range touched {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		if lazy {
			break
		}
		v, err := s.viewSQL(t, next[t])
		if err != nil {
			return err
		}
		stmts = append(stmts, v)
		args = append(args, nil)
	}
	if len(stmts) > 0 {
		if err := s.inTx(ctx, stmts, args); err != nil {
			return err
		}
	}
	if lazy {
		for _, t := range tables {
			s.segs.stale[t] = true
		}
		s.segs.viewsStale.Store(true)
	} else {
		clear(s.segs.stale)
		s.segs.viewsStale.Store(false)
	}
	after := time.Now().Add(retireGrace)
	for _, segs := range s.segs.byTable {
		for _, g := range segs {
			if drop[g.id] {
				s.segs.retired = append(s.segs.retired, retiredFile{path: filepath.Join(s.segs.dir, g.file), after: after})
			}
		}
	}
	for t, segs := range next {
		s.segs.byTable[t] = segs
	}
	return nil
}

// syncViews brings stale views up to date (see swapSegments): a query
// calls it first, so that it sees every batch appended before it began.
func (s *Store) syncViews(ctx context.Context) error {
	if !s.segs.viewsStale.Load() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wconn == nil {
		return errClosed
	}
	if len(s.segs.stale) == 0 {
		return nil
	}
	return s.swapSegments(ctx, nil, nil)
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// removeRetired deletes retired files whose grace has passed (all of them
// when now is zero: at Close, nothing reads them any more).
func (s *Store) removeRetired(now time.Time) {
	kept := s.segs.retired[:0]
	for _, r := range s.segs.retired {
		if now.IsZero() || now.After(r.after) {
			if err := os.Remove(r.path); err != nil && !os.IsNotExist(err) && s.opts.OnError != nil {
				s.opts.OnError(fmt.Errorf("duckdb: remove retired segment: %w", err))
			}
			continue
		}
		kept = append(kept, r)
	}
	s.segs.retired = kept
}

// appendSegments writes a batch as one segment per table and commits them
// together: the batch is atomic and, on return, durable (files synced
// before the commit, which syncs DuckDB's log). Tables are converted and
// written in parallel, largest first.
func (s *Store) appendSegments(ctx context.Context, batch store.Batch, ingest time.Time) error {
	type job struct {
		tr  store.TableRows
		l   *layout
		seg segment
		abs string
		err error
	}
	var jobs []*job
	for _, tr := range batch.Tables {
		if len(tr.Rows) == 0 {
			continue
		}
		l, known := s.layouts[tr.Table]
		if !known {
			return fmt.Errorf("duckdb: append: %w %q", store.ErrUnknownTable, tr.Table)
		}
		jobs = append(jobs, &job{tr: tr, l: l})
	}
	if len(jobs) == 0 {
		return nil
	}
	order := append([]*job(nil), jobs...)
	sort.SliceStable(order, func(i, j int) bool { return len(order[i].tr.Rows) > len(order[j].tr.Rows) })
	queue := make(chan *job, len(order))
	for _, j := range order {
		queue <- j
	}
	close(queue)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				if err := ctx.Err(); err != nil {
					j.err = fmt.Errorf("duckdb: append: %w", err)
					continue
				}
				j.seg, j.abs, j.err = s.writeTableSegment(j.tr, j.l, ingest, !batch.Canonical)
			}
		}()
	}
	wg.Wait()

	ok := false
	defer func() {
		if !ok {
			for _, j := range jobs {
				if j.abs != "" {
					os.Remove(j.abs)
				}
			}
		}
	}()
	add := make([]segment, 0, len(jobs))
	dirs := map[string]bool{}
	for _, j := range jobs { // the batch's order: its first error is reported
		if j.err != nil {
			return j.err
		}
		add = append(add, j.seg)
		dirs[filepath.Dir(j.abs)] = true
	}
	for dir := range dirs {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wconn == nil {
		return errClosed
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("duckdb: append: %w", err)
	}
	if err := s.swapSegments(ctx, add, nil); err != nil {
		return err
	}
	s.segs.lastAppend = time.Now()
	ok = true
	return nil
}

// writeTableSegment converts one table's rows and writes them as a new
// segment file, not yet committed. It returns the file's path when it
// wrote one, also with an error (so the caller removes it).
func (s *Store) writeTableSegment(tr store.TableRows, l *layout, ingest time.Time, validate bool) (segment, string, error) {
	enc := s.encoders.get(l.table)
	defer s.encoders.put(enc)
	id := s.segs.next.Add(1) - 1
	rel := segmentPath(tr.Table, id)
	abs := filepath.Join(s.segs.dir, rel)
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return segment{}, "", fmt.Errorf("duckdb: segment: %w", err)
	}
	var st segmentStats
	n, err := writeSegment(abs, func(w io.Writer) error {
		var err error
		st, err = enc.encode(w, tr.Rows, ingest, validate)
		return err
	})
	if err != nil {
		return segment{}, "", err
	}
	if s.afterTable != nil {
		if err := s.afterTable(tr.Table); err != nil {
			return segment{}, abs, err
		}
	}
	return segment{id: id, table: tr.Table, file: rel, columns: columnList(l.table),
		rows: st.rows, bytes: n, minIngest: ingest, maxIngest: ingest, minTime: st.minTime, maxTime: st.maxTime}, abs, nil
}
