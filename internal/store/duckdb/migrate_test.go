package duckdb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	v1 := &schema.Table{Name: "Events", Columns: []schema.Column{
		{Name: "Timestamp", Type: schema.DateTime},
		{Name: "Name", Type: schema.String},
		{Name: "Old", Type: schema.Long},
	}}
	ts := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	s := openTables(t, dir, testOptions(), v1)
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Events", Rows: [][]any{{ts, "before", int64(7)}}}}})
	s.Close()

	// v2 inserts a column in the middle, drops Old and adds a table.
	v2 := &schema.Table{Name: "Events", Columns: []schema.Column{
		{Name: "Timestamp", Type: schema.DateTime},
		{Name: "Port", Type: schema.Int},
		{Name: "Name", Type: schema.String},
	}}
	s = openTables(t, dir, testOptions(), v2, second)
	want := []physColumn{{"Timestamp", "TIMESTAMP"}, {"Name", "VARCHAR"}, {"Old", "BIGINT"},
		{schema.IngestionTimeColumn, "TIMESTAMP"}, {"Port", "INTEGER"}}
	phys, err := readPhysical(context.Background(), s.wconn)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, phys["events"], cmp.AllowUnexported(physColumn{})); diff != "" {
		t.Errorf("physical columns (-want +got):\n%s", diff)
	}
	if _, ok := phys["second"]; !ok {
		t.Error("table Second was not created")
	}

	// Append maps schema order to physical order; Old gets NULL. Old is
	// kept in the base table but no longer in the view queries read.
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Events", Rows: [][]any{{ts, 443, "after"}}}}})
	res := mustQuery(t, s, `SELECT Name, Port, Old FROM main.Events ORDER BY Name DESC`)
	wantRows := [][]any{{"before", nil, int64(7)}, {"after", int32(443), nil}}
	if diff := cmp.Diff(wantRows, res.Rows); diff != "" {
		t.Errorf("rows after migration (-want +got):\n%s", diff)
	}
	s.Close()

	// Reopening with the same schema changes nothing.
	s = openTables(t, dir, testOptions(), v2, second)
	phys2, err := readPhysical(context.Background(), s.wconn)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(phys, phys2, cmp.AllowUnexported(physColumn{})); diff != "" {
		t.Errorf("a no-op reopen changed the layout (-before +after):\n%s", diff)
	}
	res = mustQuery(t, s, `SELECT value FROM `+metaTable+` WHERE key = 'schema_fingerprint'`)
	if got := res.Rows[0][0]; got != fingerprint([]*schema.Table{v2, second}) {
		t.Errorf("stored fingerprint %v", got)
	}
	s.Close()

	// A column whose type changed is refused, naming table and column.
	v3 := &schema.Table{Name: "Events", Columns: []schema.Column{
		{Name: "Timestamp", Type: schema.DateTime},
		{Name: "Port", Type: schema.Long},
	}}
	_, err = open(dir, testOptions(), []*schema.Table{v3})
	if err == nil || !strings.Contains(err.Error(), "Events column Port") || !strings.Contains(err.Error(), "INTEGER") {
		t.Errorf("type change: %v, want an error naming Events column Port", err)
	}
	// The refused migration left the data alone.
	s = openTables(t, dir, testOptions(), v2)
	if n := count(t, s, "Events", ""); n != 2 {
		t.Errorf("Events has %d rows after the refused migration", n)
	}
}

func TestMigrateRealSchemaFromEmpty(t *testing.T) {
	// The first Open creates everything in one transaction; the next finds
	// nothing to do.
	dir := t.TempDir()
	s := openTables(t, dir, testOptions(), schema.Tables()...)
	s.Close()
	s = openTables(t, dir, testOptions(), schema.Tables()...)
	phys, err := readPhysical(context.Background(), s.wconn)
	if err != nil {
		t.Fatal(err)
	}
	ddl, err := plan(schema.Tables(), phys)
	if err != nil || len(ddl) != 0 {
		t.Errorf("plan after migration: %v, %v", ddl, err)
	}
}

// A format-1 store kept nulls in string columns; opening it rewrites them
// as ” and records format 2.
func TestUpgradeFormat1(t *testing.T) {
	dir := t.TempDir()
	s := openTables(t, dir, testOptions(), second)
	mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: [][]any{{int64(1), "x"}, {int64(2), "y"}}}}})
	ctx := context.Background()
	for _, stmt := range []string{
		`UPDATE "Second" SET "Name" = NULL WHERE "Id" = 2`,
		`UPDATE ` + metaTable + ` SET value = '1' WHERE key = 'format'`,
	} {
		if _, err := s.wconn.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = openTables(t, dir, testOptions(), second)
	res := mustQuery(t, s, `SELECT "Name" FROM "Second" ORDER BY "Id"`)
	if diff := cmp.Diff([][]any{{"x"}, {""}}, res.Rows); diff != "" {
		t.Errorf("strings after the upgrade (-want +got):\n%s", diff)
	}
	res = mustQuery(t, s, `SELECT value FROM `+metaTable+` WHERE key = 'format'`)
	if res.Rows[0][0] != "3" {
		t.Errorf("format = %v, want 3", res.Rows[0][0])
	}
}
