package duckdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// childEnv makes the test binary act as a helper process: tests that need
// a second process (locking, crash durability) re-execute themselves.
const (
	childEnv    = "VIGIL_DUCKDB_TEST_CHILD"
	childDirEnv = "VIGIL_DUCKDB_TEST_DIR"
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "lock":
		os.Exit(lockChild(os.Getenv(childDirEnv)))
	case "durability":
		os.Exit(durabilityChild(os.Getenv(childDirEnv)))
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", childEnv, os.Getenv(childEnv))
		os.Exit(2)
	}
}

// childCommand runs this test binary as a helper in mode.
func childCommand(t *testing.T, mode, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	return cmd
}

func lockChild(dir string) int {
	s, err := Open(dir, store.Options{RetentionInterval: -1})
	switch {
	case err == nil:
		s.Close()
		fmt.Println("opened")
	case errors.Is(err, store.ErrLocked):
		fmt.Println("locked:", err)
	default:
		fmt.Println("error:", err)
	}
	return 0
}

// allTypes has one column of every KQL type.
var allTypes = &schema.Table{Name: "AllTypes", Columns: []schema.Column{
	{Name: "S", Type: schema.String},
	{Name: "I", Type: schema.Int},
	{Name: "L", Type: schema.Long},
	{Name: "R", Type: schema.Real},
	{Name: "D", Type: schema.Decimal},
	{Name: "B", Type: schema.Bool},
	{Name: "T", Type: schema.DateTime},
	{Name: "TS", Type: schema.TimeSpan},
	{Name: "G", Type: schema.GUID},
	{Name: "J", Type: schema.Dynamic},
}}

// second is a small table for multi-table batches.
var second = &schema.Table{Name: "Second", Columns: []schema.Column{
	{Name: "Id", Type: schema.Long},
	{Name: "Name", Type: schema.String},
}}

func testOptions() store.Options { return store.Options{RetentionInterval: -1} }

// openTables opens a store in dir over the given tables and closes it at
// the end of the test.
func openTables(t *testing.T, dir string, opts store.Options, tables ...*schema.Table) *Store {
	t.Helper()
	s, err := open(dir, opts, tables)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustAppend(t *testing.T, s *Store, b store.Batch) {
	t.Helper()
	if err := s.Append(context.Background(), b); err != nil {
		t.Fatalf("Append: %v", err)
	}
}

func mustQuery(t *testing.T, s *Store, sql string, args ...any) *store.Result {
	t.Helper()
	res, err := s.Query(context.Background(), store.Query{SQL: sql, Args: args})
	if err != nil {
		t.Fatalf("Query(%s): %v", sql, err)
	}
	return res
}

// count returns count(*) of a table, optionally filtered.
func count(t *testing.T, s *Store, table, where string, args ...any) int64 {
	t.Helper()
	q := "SELECT count(*) FROM " + quoteIdent(table)
	if where != "" {
		q += " WHERE " + where
	}
	res := mustQuery(t, s, q, args...)
	return res.Rows[0][0].(int64)
}

func TestDDL(t *testing.T) {
	got, err := createTableSQL(second)
	if err != nil {
		t.Fatal(err)
	}
	want := "CREATE TABLE \"Second\" (\n\t\"Id\" BIGINT,\n\t\"Name\" VARCHAR DEFAULT '',\n\t\"__IngestionTime\" TIMESTAMP NOT NULL\n)"
	if got != want {
		t.Errorf("createTableSQL:\n%s\nwant:\n%s", got, want)
	}
	for typ := schema.Bool; typ <= schema.Dynamic; typ++ {
		if _, err := sqlType(typ); err != nil {
			t.Errorf("sqlType(%s): %v", typ, err)
		}
	}
	if _, err := sqlType(schema.Invalid); err == nil {
		t.Error("sqlType(invalid) succeeded")
	}
	if q := quoteIdent(`a"b`); q != `"a""b"` {
		t.Errorf("quoteIdent = %s", q)
	}
	// Every generated schema table has DDL.
	for _, tb := range schema.Tables() {
		if _, err := createTableSQL(tb); err != nil {
			t.Errorf("%s: %v", tb.Name, err)
		}
	}
	if err := checkTables(schema.Tables()); err != nil {
		t.Errorf("checkTables(schema): %v", err)
	}

	bad := func(name string, tables ...*schema.Table) {
		t.Helper()
		if err := checkTables(tables); err == nil {
			t.Errorf("checkTables(%s) succeeded", name)
		}
	}
	bad("case clash", second, &schema.Table{Name: "SECOND"})
	bad("column clash", &schema.Table{Name: "X", Columns: []schema.Column{{Name: "a", Type: schema.Long}, {Name: "A", Type: schema.Long}}})
	bad("hidden column", &schema.Table{Name: "X", Columns: []schema.Column{{Name: schema.IngestionTimeColumn, Type: schema.DateTime}}})
	bad("invalid type", &schema.Table{Name: "X", Columns: []schema.Column{{Name: "a"}}})
	bad("reserved", &schema.Table{Name: "__vigil_meta"})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir() + "/new/nested"
	s, err := Open(dir, testOptions())
	if err != nil {
		t.Fatalf("Open of a missing directory: %v", err)
	}
	if !strings.HasSuffix(s.Path(), "/new/nested/"+FileName) {
		t.Errorf("Path() = %s", s.Path())
	}
	// A second store on the same files in this process would share them
	// unsafely.
	if _, err := Open(dir, testOptions()); !errors.Is(err, store.ErrLocked) {
		t.Errorf("second Open in process: %v, want ErrLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "DeviceEvents", Rows: [][]any{make([]any, 0)}}}}); err == nil {
		t.Error("Append after Close succeeded")
	}
	if _, err := s.EnforceRetention(context.Background(), time.Now()); !errors.Is(err, errClosed) {
		t.Errorf("EnforceRetention after Close: %v", err)
	}
	// Reopening after Close works and keeps the tables.
	s2, err := Open(dir, testOptions())
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	st, err := s2.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rows) != len(schema.Tables()) || st.DiskBytes == 0 {
		t.Errorf("Stats after reopen: %d tables, %d bytes", len(st.Rows), st.DiskBytes)
	}
	s2.Close()

	if _, err := Open(t.TempDir()+"/a?b", testOptions()); err == nil {
		t.Error("Open of a path with '?' succeeded")
	}
}

func TestLockedByAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	s := openTables(t, dir, testOptions(), second)
	_ = s
	out, err := childCommand(t, "lock", dir).Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	got := strings.TrimSpace(string(out))
	if !strings.HasPrefix(got, "locked:") {
		t.Fatalf("child Open while the store is open: %q, want locked", got)
	}
	for _, want := range []string{FileName, "another vigil process"} {
		if !strings.Contains(got, want) {
			t.Errorf("lock error %q does not mention %q", got, want)
		}
	}
	s.Close()
	out, err = childCommand(t, "lock", dir).Output()
	if err != nil || strings.TrimSpace(string(out)) != "opened" {
		t.Errorf("child Open after Close: %q, %v", out, err)
	}
}

func TestCorrupt(t *testing.T) {
	f := func(name string, content []byte) {
		t.Helper()
		dir := t.TempDir()
		if err := os.WriteFile(dir+"/"+FileName, content, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir, testOptions())
		if err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", name)
			return
		}
		if !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("%s: Open error %v, want ErrCorrupt", name, err)
		}
		if !strings.Contains(err.Error(), FileName) {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
	f("text", []byte("this is not a database\n"))
	f("empty", nil)
	noise := make([]byte, 1<<16)
	for i := range noise {
		noise[i] = byte(i*7 + i/13)
	}
	f("noise", noise)

	// A real DuckDB file that is not a Vigil store.
	dir := t.TempDir()
	s := openTables(t, dir, testOptions(), second)
	if _, err := s.wconn.ExecContext(context.Background(), "DROP TABLE "+metaTable); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := open(dir, testOptions(), []*schema.Table{second}); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Open of a foreign DuckDB file: %v, want ErrCorrupt", err)
	}
}
