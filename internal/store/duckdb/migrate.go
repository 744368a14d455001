package duckdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// The meta table marks a file as a Vigil event store and records which
// schema its tables were last migrated to.
const (
	metaTable = "__vigil_meta"
	// formatVersion 2: string columns hold '' instead of null. 3: tables
	// are read through views that add their Parquet segments
	// (segments.go); an older Vigil would not see those rows.
	formatVersion = 3
)

// layout is where a schema table's values go in its physical table. After
// migrations the physical order is the creation order plus added columns
// at the end, so it can differ from the schema's order, and columns the
// schema dropped stay (never drop data) and get NULL.
type layout struct {
	table     *schema.Table
	width     int   // physical column count
	phys      []int // schema column i -> physical position
	ingestion int   // physical position of schema.IngestionTimeColumn
}

type physColumn struct {
	name, typ string
}

// fingerprint identifies a table list: names, column names and types in
// order.
func fingerprint(tables []*schema.Table) string {
	h := sha256.New()
	for _, t := range tables {
		fmt.Fprintf(h, "%s\n", t.Name)
		for _, c := range t.Columns {
			fmt.Fprintf(h, "\t%s\t%s\n", c.Name, c.Type)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readPhysical returns the tables of the main schema with their columns in
// physical order, keyed by lower-case name (DuckDB names are
// case-insensitive).
func readPhysical(ctx context.Context, conn *sql.Conn) (map[string][]physColumn, error) {
	rows, err := conn.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main'
		ORDER BY table_name, column_index`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: read table layout: %w", err)
	}
	defer rows.Close()
	out := map[string][]physColumn{}
	for rows.Next() {
		var table string
		var c physColumn
		if err := rows.Scan(&table, &c.name, &c.typ); err != nil {
			return nil, fmt.Errorf("duckdb: read table layout: %w", err)
		}
		key := strings.ToLower(table)
		out[key] = append(out[key], c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: read table layout: %w", err)
	}
	return out, nil
}

// migrate brings the database to the table list: it creates missing
// tables and adds missing columns in one transaction, refuses a column
// whose stored type differs from the schema's, and returns each table's
// layout.
func migrate(ctx context.Context, conn *sql.Conn, path string, tables []*schema.Table) (map[string]*layout, error) {
	phys, err := readPhysical(ctx, conn)
	if err != nil {
		return nil, err
	}
	if _, ok := phys[metaTable]; !ok && len(phys) > 0 {
		return nil, fmt.Errorf("%w: %s holds tables but no %s table", store.ErrCorrupt, path, metaTable)
	}
	meta, err := readMeta(ctx, conn, phys)
	if err != nil {
		return nil, err
	}
	if v, _ := strconv.Atoi(meta["format"]); v > formatVersion {
		return nil, fmt.Errorf("%w: %s has store format %d; this vigil reads format %d (upgrade vigil)",
			store.ErrCorrupt, path, v, formatVersion)
	}

	ddl, err := plan(tables, phys)
	if err != nil {
		return nil, err
	}
	if _, ok := phys[segmentsTable]; !ok {
		ddl = append(ddl, createSegmentsSQL)
	}
	if meta["format"] == "1" {
		// One statement per column, each its own transaction: a large
		// store's rewrite then needs little memory, and an interrupted
		// upgrade simply resumes (the format stays 1 until all are done).
		for _, stmt := range upgradeFormat1(tables, phys) {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return nil, fmt.Errorf("duckdb: upgrade to format 2: %s: %w", firstLine(stmt), err)
			}
		}
	}
	fp := fingerprint(tables)
	if len(ddl) > 0 || meta["schema_fingerprint"] != fp || meta["format"] != strconv.Itoa(formatVersion) {
		if _, ok := phys[metaTable]; !ok {
			ddl = append([]string{"CREATE TABLE " + metaTable + " (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"}, ddl...)
		}
		if err := applyDDL(ctx, conn, ddl, fp); err != nil {
			return nil, err
		}
		if phys, err = readPhysical(ctx, conn); err != nil {
			return nil, err
		}
	}
	return layouts(tables, phys)
}

// upgradeFormat1 turns the null strings of a format-1 store into ”.
func upgradeFormat1(tables []*schema.Table, phys map[string][]physColumn) []string {
	var out []string
	for _, t := range tables {
		cols, ok := phys[strings.ToLower(t.Name)]
		if !ok {
			continue
		}
		present := map[string]physColumn{}
		for _, c := range cols {
			present[strings.ToLower(c.name)] = c
		}
		out = append(out, emptyStringsSQL(t, present)...)
	}
	return out
}

func readMeta(ctx context.Context, conn *sql.Conn, phys map[string][]physColumn) (map[string]string, error) {
	meta := map[string]string{}
	if _, ok := phys[metaTable]; !ok {
		return meta, nil
	}
	rows, err := conn.QueryContext(ctx, "SELECT key, value FROM "+metaTable)
	if err != nil {
		return nil, fmt.Errorf("duckdb: read %s: %w", metaTable, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("duckdb: read %s: %w", metaTable, err)
		}
		meta[k] = v
	}
	return meta, rows.Err()
}

// plan lists the DDL that brings phys to tables, or the first conflict.
func plan(tables []*schema.Table, phys map[string][]physColumn) ([]string, error) {
	var ddl []string
	for _, t := range tables {
		cols, ok := phys[strings.ToLower(t.Name)]
		if !ok {
			stmt, err := createTableSQL(t)
			if err != nil {
				return nil, err
			}
			ddl = append(ddl, stmt)
			continue
		}
		byName := map[string]physColumn{}
		for _, c := range cols {
			byName[strings.ToLower(c.name)] = c
		}
		ing, ok := byName[strings.ToLower(schema.IngestionTimeColumn)]
		if !ok || !strings.EqualFold(ing.typ, "TIMESTAMP") {
			return nil, fmt.Errorf("duckdb: table %s: column %s is missing or not a TIMESTAMP; not a Vigil table",
				t.Name, schema.IngestionTimeColumn)
		}
		for _, c := range t.Columns {
			want, err := sqlType(c.Type)
			if err != nil {
				return nil, err
			}
			pc, ok := byName[strings.ToLower(c.Name)]
			if !ok {
				stmt, err := addColumnSQL(t.Name, c)
				if err != nil {
					return nil, err
				}
				ddl = append(ddl, stmt)
				continue
			}
			if !strings.EqualFold(pc.typ, want) {
				return nil, fmt.Errorf("duckdb: table %s column %s is stored as %s but the schema says %s (%s); "+
					"the store cannot convert it in place", t.Name, c.Name, pc.typ, c.Type, want)
			}
		}
	}
	return ddl, nil
}

func applyDDL(ctx context.Context, conn *sql.Conn, ddl []string, fp string) (err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("duckdb: migrate: %w", err)
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	for _, stmt := range ddl {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("duckdb: migrate: %s: %w", firstLine(stmt), err)
		}
	}
	upsert := "INSERT OR REPLACE INTO " + metaTable + " VALUES (?, ?)"
	for _, kv := range [][2]string{{"format", strconv.Itoa(formatVersion)}, {"schema_fingerprint", fp}} {
		if _, err := conn.ExecContext(ctx, upsert, kv[0], kv[1]); err != nil {
			return fmt.Errorf("duckdb: migrate: write %s: %w", metaTable, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("duckdb: migrate: commit: %w", err)
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func layouts(tables []*schema.Table, phys map[string][]physColumn) (map[string]*layout, error) {
	out := make(map[string]*layout, len(tables))
	for _, t := range tables {
		cols := phys[strings.ToLower(t.Name)]
		pos := make(map[string]int, len(cols))
		for i, c := range cols {
			pos[strings.ToLower(c.name)] = i
		}
		l := &layout{table: t, width: len(cols), phys: make([]int, len(t.Columns))}
		for i, c := range t.Columns {
			p, ok := pos[strings.ToLower(c.Name)]
			if !ok {
				return nil, fmt.Errorf("duckdb: table %s column %s missing after migration", t.Name, c.Name)
			}
			l.phys[i] = p
		}
		l.ingestion = pos[strings.ToLower(schema.IngestionTimeColumn)]
		out[t.Name] = l
	}
	return out, nil
}
