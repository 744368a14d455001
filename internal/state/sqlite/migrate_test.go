package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/state/migrations"
)

func knownVersion(t *testing.T) int {
	t.Helper()
	ms, err := loadMigrations(migrations.SQLite, "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	want := knownVersion(t)
	for i := range 3 {
		s, err := Open(path)
		if err != nil {
			t.Fatalf("open #%d: %v", i, err)
		}
		ctx := ctxT(t)
		if v, err := s.SchemaVersion(ctx); err != nil || v != want {
			t.Errorf("open #%d: SchemaVersion = %d, %v; want %d", i, v, err, want)
		}
		var rows int
		if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&rows); err != nil || rows != want {
			t.Errorf("open #%d: %d schema_migrations rows, %v; want %d", i, rows, err, want)
		}
		if i == 0 {
			if err := s.CreateUser(ctx, &state.User{Username: "alice"}, aud("user.create", "")); err != nil {
				t.Fatal(err)
			}
		}
		if n, _ := s.CountUsers(ctx); n != 1 {
			t.Errorf("open #%d: %d users, want 1", i, n)
		}
		var mode string
		s.r.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		if mode != "wal" {
			t.Errorf("journal_mode = %q, want wal", mode)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// Pragmas that are per connection must hold on every writer connection.
func TestWriterPragmas(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	for _, c := range []struct {
		pragma string
		want   int
	}{{"foreign_keys", 1}, {"synchronous", 2}, {"busy_timeout", 5000}} {
		var got int
		if err := s.w.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil || got != c.want {
			t.Errorf("PRAGMA %s = %d, %v; want %d", c.pragma, got, err, c.want)
		}
	}
	if _, err := s.r.ExecContext(ctx, "INSERT INTO schema_migrations VALUES (100, 0)"); err == nil {
		t.Errorf("reader connection accepted a write")
	}
}

// A new store has 8 KiB pages; one made with 4 KiB pages (before they
// were chosen) opens, keeps them, and takes writes.
func TestPageSize(t *testing.T) {
	ctx := ctxT(t)
	pageSize := func(s *Store) int {
		t.Helper()
		var n int
		if err := s.w.QueryRowContext(ctx, "PRAGMA page_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := pageSize(s); got != 8192 {
		t.Errorf("new store page_size = %d, want 8192", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	for _, q := range []string{"PRAGMA journal_mode=DELETE", "PRAGMA page_size=4096", "VACUUM", "PRAGMA journal_mode=WAL"} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := pageSize(s); got != 4096 {
		t.Errorf("reopened 4 KiB store page_size = %d, want 4096", got)
	}
	if err := s.SaveIncidents(ctx, &state.IncidentChange{Incidents: []*state.Incident{{ID: 1, Name: "x", Severity: "Low", Status: "New"}}},
		[]state.Audit{aud("incident.create", "incidents")}); err != nil {
		t.Fatal(err)
	}
}

func TestTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)", knownVersion(t)+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(path)
	if !errors.Is(err, state.ErrTooNew) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open = %v, want ErrTooNew naming %s", err, path)
	}
}

func TestCorrupt(t *testing.T) {
	dir := t.TempDir()
	garbage := []byte(strings.Repeat("this is not a database\n", 300))
	foreign := filepath.Join(dir, "foreign.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE notes (x TEXT)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for name, content := range map[string][]byte{
		"garbage": garbage,
		"short":   []byte("SQLi"),
		// Right magic, nonsense after it: SQLite itself must refuse it.
		"badheader": append([]byte("SQLite format 3\x00"), garbage...),
		"foreign":   nil,
	} {
		t.Run(name, func(t *testing.T) {
			path := foreign
			if content != nil {
				path = filepath.Join(dir, name+".db")
				if err := os.WriteFile(path, content, 0o600); err != nil {
					t.Fatal(err)
				}
			} else if content, err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, state.ErrCorrupt) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Open = %v, want ErrCorrupt naming %s", err, path)
			}
			if got, _ := os.ReadFile(path); string(got) != string(content) {
				t.Errorf("Open modified the file")
			}
		})
	}
}

func TestEmptyFileIsNewStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(context.Background()); err != nil || v != knownVersion(t) {
		t.Errorf("SchemaVersion = %d, %v", v, err)
	}
}

func TestPathWithURIMetacharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a?b#c%20d&e", "state.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %s: %v", path, err)
	}
}

func TestLoadMigrations(t *testing.T) {
	f := func(files map[string]string, wantErr string) {
		t.Helper()
		fsys := fstest.MapFS{}
		for name, body := range files {
			fsys["d/"+name] = &fstest.MapFile{Data: []byte(body)}
		}
		ms, err := loadMigrations(fsys, "d")
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%v: %v", files, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%v: err = %v, want %q", files, err, wantErr)
		case err == nil:
			for i, m := range ms {
				if m.version != i+1 {
					t.Errorf("%v: order %v", files, ms)
				}
			}
		}
	}
	f(map[string]string{"0001_a.sql": "x", "0002_b.sql": "y", "README": "z"}, "")
	f(map[string]string{"0002_b.sql": "y", "0001_a.sql": "x"}, "")
	f(map[string]string{"0001_a.sql": "x", "0003_c.sql": "y"}, "want version 2")
	f(map[string]string{"0002_b.sql": "y"}, "want version 1")
	f(map[string]string{"init.sql": "x"}, "NNNN_name.sql")
	f(map[string]string{"0000_zero.sql": "x"}, "NNNN_name.sql")
	f(map[string]string{"x1_a.sql": "x"}, "NNNN_name.sql")
}

// The store holds credential hashes: its files are private.
func TestFileModes(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Record(context.Background(), state.Audit{Actor: "system", Action: "x"}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "state.db*"))
	if len(files) < 2 {
		t.Fatalf("files: %v", files)
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(f), fi.Mode().Perm())
		}
	}
}
