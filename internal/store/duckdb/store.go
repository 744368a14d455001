// Package duckdb is the embedded event store: one DuckDB file,
// DIR/events.duckdb, with one table per hunting-schema table. It is the
// only package that imports the DuckDB driver; everything else sees
// store.Store. docs/STORE.md describes the type mapping, durability,
// retention and migrations.
//
// Concurrency: queries run in parallel on a connection pool; writes
// (Append, retention, Close) are serialized by Store.mu on one dedicated
// connection, because DuckDB has a single writer anyway and a dedicated
// connection keeps a batch's transaction and appenders together.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// FileName is the database file inside the store directory; DuckDB keeps
// its write-ahead log next to it (FileName + ".wal").
const FileName = "events.duckdb"

// dsnOptions harden the database for a server: nothing is downloaded at
// run time. DuckDB checkpoints by itself only past walHardLimit, a safety
// net: the store's checkpointer (checkpoint.go) does it first, off the
// write path. File access is closed in open (lockDown), once the segments
// directory is allowed.
const dsnOptions = "?autoinstall_known_extensions=false&autoload_known_extensions=false" +
	"&wal_autocheckpoint=" + walHardLimit

// Store is the DuckDB event store.
type Store struct {
	path    string
	opts    store.Options
	db      *sql.DB
	layouts map[string]*layout
	names   []string // table names, sorted

	mu    sync.Mutex // serializes writers; guards wconn
	wconn *sql.Conn

	// Background work until Close.
	retention, checkpointer, compactor *loop

	closeOnce sync.Once
	closeErr  error
	release   func()

	segs     *segmentSet
	encoders encoderCache
	// viewsReady: the hunt schema's views exist, so new query connections
	// read tables through them (the writer connection, created first,
	// keeps reading and writing the base tables).
	viewsReady atomic.Bool

	// afterTable, when set (tests only), runs after each table of a batch
	// is appended and before COMMIT; an error aborts the batch.
	afterTable func(table string) error
}

var _ store.Store = (*Store)(nil)

// Open opens the event store in dir, creating dir and the database as
// needed and migrating its tables to the current schema. A store held by
// another process yields an error wrapping store.ErrLocked; an unreadable
// file one wrapping store.ErrCorrupt.
func Open(dir string, opts store.Options) (*Store, error) {
	return open(dir, opts, schema.Tables())
}

// open is Open with the table list as a parameter, so tests can migrate
// between table lists.
func open(dir string, opts store.Options, tables []*schema.Table) (_ *Store, err error) {
	if err := checkTables(tables); err != nil {
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("duckdb: create store directory: %w", err)
	}
	abs, err := filepath.Abs(filepath.Join(dir, FileName))
	if err != nil {
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	if strings.ContainsAny(abs, "?#") {
		// The driver reads options after '?' in its DSN.
		return nil, fmt.Errorf("duckdb: store path %q must not contain '?' or '#'", abs)
	}
	release, err := claimPath(abs)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			release()
		}
	}()

	s := &Store{path: abs, opts: opts, release: release}
	connector, err := duckdb.NewConnector(abs+dsnOptions, func(e driver.ExecerContext) error {
		if err := initConn(e); err != nil {
			return err
		}
		if s.viewsReady.Load() {
			_, err := e.ExecContext(context.Background(), "SET search_path = '"+viewSchema+",main'", nil)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, openError(abs, err)
	}
	db := sql.OpenDB(connector)
	s.db = db
	defer func() {
		if err != nil {
			if s.wconn != nil {
				s.wconn.Close()
			}
			db.Close()
		}
	}()

	ctx := context.Background()
	if s.wconn, err = db.Conn(ctx); err != nil {
		return nil, openError(abs, err)
	}
	if err = lockDown(ctx, s.wconn, filepath.Join(filepath.Dir(abs), segmentsDir)); err != nil {
		return nil, err
	}
	if err = registerGeoUDFs(ctx, s.wconn); err != nil {
		return nil, err
	}
	if err = registerTextUDFs(ctx, s.wconn); err != nil {
		return nil, err
	}
	if s.layouts, err = migrate(ctx, s.wconn, abs, tables); err != nil {
		if !errors.Is(err, store.ErrCorrupt) && containsAny(err.Error(), corruptText) {
			err = fmt.Errorf("%w: %s: %v", store.ErrCorrupt, abs, err)
		}
		return nil, err
	}
	for name := range s.layouts {
		s.names = append(s.names, name)
	}
	sort.Strings(s.names)
	if err = s.openSegments(ctx); err != nil {
		return nil, err
	}
	s.viewsReady.Store(true)
	s.startRetention()
	s.startCompactor()
	s.startCheckpointer(abs + ".wal")
	return s, nil
}

// Dialect implements store.Store.
func (s *Store) Dialect() string { return "duckdb" }

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Stats implements store.Store: exact row counts per schema table and the
// bytes of the database file, its write-ahead log and the segments.
func (s *Store) Stats(ctx context.Context) (store.Stats, error) {
	var q strings.Builder
	for i, name := range s.names {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&q, "SELECT %d, count(*) FROM %s", i, quoteIdent(name))
	}
	st := store.Stats{Rows: make(map[string]int64, len(s.names))}
	if err := s.syncViews(ctx); err != nil {
		return st, queryError(ctx, "stats", err)
	}
	rows, err := s.db.QueryContext(ctx, q.String())
	if err != nil {
		return st, queryError(ctx, "stats", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var n int64
		if err := rows.Scan(&i, &n); err != nil {
			return st, fmt.Errorf("duckdb: stats: %w", err)
		}
		st.Rows[s.names[i]] = n
	}
	if err := rows.Err(); err != nil {
		return st, queryError(ctx, "stats", err)
	}
	for _, p := range []string{s.path, s.path + ".wal"} {
		if fi, err := os.Stat(p); err == nil {
			st.DiskBytes += fi.Size()
		}
	}
	s.mu.Lock()
	for _, segs := range s.segs.byTable {
		for _, g := range segs {
			st.DiskBytes += g.bytes
		}
	}
	s.mu.Unlock()
	return st, nil
}

// Close implements store.Store: it stops the retention loop, checkpoints
// (so the next Open replays no log) and closes the database.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.retention.stop()
		s.compactor.stop()
		s.checkpointer.stop()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.removeRetired(time.Time{})
		_, errCP := s.wconn.ExecContext(context.Background(), "CHECKPOINT")
		errConn := s.wconn.Close()
		s.wconn = nil
		errDB := s.db.Close()
		s.release()
		if err := errors.Join(errCP, errConn, errDB); err != nil {
			s.closeErr = fmt.Errorf("duckdb: close: %w", err)
		}
	})
	return s.closeErr
}
