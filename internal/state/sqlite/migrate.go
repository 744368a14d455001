package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/state/migrations"
)

// migration is one embedded NNNN_name.sql file.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads dir of fsys; versions must run 1..n without gaps,
// so that a database's version says exactly which files it has applied.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies the embedded migrations the database lacks, each in its
// own transaction. The version is read inside that transaction (BEGIN
// IMMEDIATE holds the write lock), so two processes opening a new file at
// once apply each migration exactly once.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(migrations.SQLite, "sqlite")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	for {
		done, err := s.migrateNext(ctx, ms)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// migrateNext applies the first missing migration, or reports done.
func (s *Store) migrateNext(ctx context.Context, ms []migration) (done bool, err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, s.wrapOpenErr(err)
	}
	defer tx.Rollback() // no-op after Commit
	if err := s.ensureMigrationsTable(ctx, tx); err != nil {
		return false, err
	}
	var v int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return false, s.wrapOpenErr(err)
	}
	if v > len(ms) {
		return false, fmt.Errorf("%s: %w (schema version %d, this binary knows up to %d)", s.path, state.ErrTooNew, v, len(ms))
	}
	if v == len(ms) {
		return true, s.wrapOpenErr(tx.Commit())
	}
	m := ms[v]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("sqlite: %s: migration %s: %w", s.path, m.name, mapErr(err))
	}
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
		m.version, s.now().UnixMicro()); err != nil {
		return false, fmt.Errorf("sqlite: %s: migration %s: %w", s.path, m.name, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("sqlite: %s: migration %s: %w", s.path, m.name, mapErr(err))
	}
	return false, nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// owned reports whether schema_migrations exists. A database that has
// tables but not this one was not made by Vigil: state.ErrCorrupt.
func (s *Store) owned(ctx context.Context, q querier) (bool, error) {
	var ours, all int
	err := q.QueryRowContext(ctx, `SELECT
		COUNT(CASE WHEN name = 'schema_migrations' THEN 1 END), COUNT(*)
		FROM sqlite_master WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\'`).Scan(&ours, &all)
	if err != nil {
		return false, s.wrapOpenErr(err)
	}
	if ours == 0 && all > 0 {
		return false, fmt.Errorf("%s: %w (a SQLite database without schema_migrations)", s.path, state.ErrCorrupt)
	}
	return ours == 1, nil
}

// ensureMigrationsTable creates schema_migrations in a new database.
func (s *Store) ensureMigrationsTable(ctx context.Context, tx *sql.Tx) error {
	ok, err := s.owned(ctx, tx)
	if err != nil || ok {
		return err
	}
	_, err = tx.ExecContext(ctx, `CREATE TABLE schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`)
	return s.wrapOpenErr(err)
}

// SchemaVersion is the highest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, mapErr(err)
}
