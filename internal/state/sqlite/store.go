// Package sqlite is the embedded state store: state.Store on one SQLite
// file, through the pure-Go driver modernc.org/sqlite.
//
// Several processes may open the same file at once (the server, and
// `vigil token create` run beside it). That works because:
//   - the database is in WAL mode, so readers never block the writer and
//     the writer never blocks readers;
//   - every write transaction starts with BEGIN IMMEDIATE, so it takes the
//     write lock up front and waits for it under busy_timeout, instead of
//     failing with SQLITE_BUSY when a read turns into a write;
//   - within one process all writes go through a single connection, so they
//     queue in database/sql rather than spin on SQLite's busy handler, and
//     only other processes ever contend for the lock.
//
// synchronous=FULL: each commit is fsynced to the WAL before it returns.
// NORMAL would be safe against a process crash but could lose the last
// commits on power loss, and what this store holds is exactly what must not
// silently vanish: an audit record, a token already shown to its owner, a
// revocation. Writes are rare (logins, token and user changes, a token's
// last use at most once a minute), so the fsync costs nothing noticeable.
// The one exception is incident correlation's own batches, which the
// server re-derives from the event store if they are lost
// (incident_sync.go); checkpoints run on a background connection
// (checkpoint.go).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/vigilsec/vigil/internal/state"

	_ "modernc.org/sqlite" // registers driver "sqlite"
)

var _ state.Store = (*Store)(nil)

// busyTimeout bounds how long a statement waits for another process's lock
// before failing with state.ErrLocked.
const busyTimeout = 5 * time.Second

// readers is the size of the read pool; reads are short point lookups.
const readers = 4

// Store is a state.Store on one SQLite file.
type Store struct {
	path string
	w    *sql.DB // exactly one connection; all writes
	r    *sql.DB // query_only connections; all reads
	now  func() time.Time
	ckpt *checkpointer // copies the WAL into the database off the commit path
	// memos: what incident rows hold, to write only what changed
	// (incident_memo.go).
	memos rowMemos
	// spans: the incident_alert_spans rows known to cover buckets, to
	// write one only when an alert falls outside (incident_spans.go).
	spans spans
}

// Open opens (creating if needed) the state store at path and brings its
// schema up to date. A file that is not a SQLite database, or is one that
// Vigil did not create, is state.ErrCorrupt; a database migrated by a newer
// Vigil is state.ErrTooNew. Both are wrapped with the path.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty state store path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := checkHeader(abs); err != nil {
		return nil, err
	}
	if err := createPrivate(abs); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	s := &Store{path: abs, w: w, r: r, now: time.Now}
	if err := s.init(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	if s.ckpt, err = startCheckpointer(abs); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	return s, nil
}

// dsn builds the driver's connection string. The path goes in a file: URI
// so that no character in it ('?', '#', '%') can be read as a parameter.
func dsn(path string, writer bool) string {
	q := url.Values{}
	// busy_timeout first: the driver runs it before the other pragmas,
	// which may themselves need a lock.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	if writer {
		// 8 KiB pages in a new file (a file's page size is fixed once it
		// is in WAL mode): a correlation batch changes rows and index
		// leaves of the recent incidents all over their tables, and
		// twice as many fit in a page, so a batch writes about a quarter
		// fewer pages (1,060 against 1,390 per 500 alerts at 300,000),
		// each a pair of system calls to the WAL and more to copy it
		// back. A store made with 4 KiB pages keeps them.
		q.Add("_pragma", "page_size(8192)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(FULL)")
		// 64 MiB of page cache (the default is 2 MiB): incident
		// correlation writes into tables of millions of rows.
		q.Add("_pragma", "cache_size(-65536)")
		// Checkpoint every 20,000 WAL pages (160 MiB of 8 KiB pages;
		// the default is 1,000): a fallback, as the background
		// checkpointer (checkpoint.go) makes the WAL start over past
		// 6,000, which it reaches a few commits late at most.
		q.Add("_pragma", "wal_autocheckpoint(20000)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	if u.Path != "" && u.Path[0] != '/' { // Windows: file:///C:/...
		u.Path = "/" + u.Path
	}
	return u.String()
}

// init switches the file to WAL and migrates it. A database Vigil did not
// create is refused before anything is changed in it.
func (s *Store) init(ctx context.Context) error {
	if _, err := s.owned(ctx, s.w); err != nil {
		return err
	}
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return s.wrapOpenErr(err)
	}
	if mode != "wal" {
		return fmt.Errorf("sqlite: %s: journal_mode is %q, want wal", s.path, mode)
	}
	return s.migrate(ctx)
}

// wrapOpenErr names the file in an error met while opening it.
func (s *Store) wrapOpenErr(err error) error {
	if err == nil {
		return nil
	}
	err = mapErr(err)
	if errors.Is(err, state.ErrCorrupt) || errors.Is(err, state.ErrTooNew) {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	return fmt.Errorf("sqlite: open %s: %w", s.path, err)
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes the store. The last connection to close checkpoints the WAL.
func (s *Store) Close() error {
	var err error
	if s.ckpt != nil {
		err = s.ckpt.close()
	}
	return errors.Join(err, s.r.Close(), s.w.Close())
}
