package duckdb

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// decimalType is DuckDB's widest fixed-point type: 38 digits, 18 of them
// after the point. Kusto's decimal has 34 significant digits with a
// floating point, so very large or very precise values do not fit; see
// docs/STORE.md.
const decimalType = "DECIMAL(38,18)"

const (
	decimalScale     = 18
	decimalIntDigits = 38 - decimalScale
)

// sqlTypes maps each KQL type to the DuckDB column type that stores it.
var sqlTypes = map[schema.Type]string{
	schema.String:   "VARCHAR",
	schema.Int:      "INTEGER",
	schema.Long:     "BIGINT",
	schema.Real:     "DOUBLE",
	schema.Decimal:  decimalType,
	schema.Bool:     "BOOLEAN",
	schema.DateTime: "TIMESTAMP",
	schema.TimeSpan: "INTERVAL",
	schema.GUID:     "UUID",
	schema.Dynamic:  "JSON",
}

func sqlType(t schema.Type) (string, error) {
	if s, ok := sqlTypes[t]; ok {
		return s, nil
	}
	return "", fmt.Errorf("no DuckDB type for KQL type %s", t)
}

// quoteIdent quotes a table or column name. Schema names are plain
// identifiers, but quoting keeps reserved words (e.g. "Timestamp") and any
// future odd name safe.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// ingestionDDL is the hidden column every table carries.
var ingestionDDL = quoteIdent(schema.IngestionTimeColumn) + " TIMESTAMP NOT NULL"

func createTableSQL(t *schema.Table) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (\n", quoteIdent(t.Name))
	for _, c := range t.Columns {
		typ, err := sqlType(c.Type)
		if err != nil {
			return "", fmt.Errorf("table %s column %s: %w", t.Name, c.Name, err)
		}
		fmt.Fprintf(&b, "\t%s %s%s,\n", quoteIdent(c.Name), typ, defaultOf(c))
	}
	fmt.Fprintf(&b, "\t%s\n)", ingestionDDL)
	return b.String(), nil
}

func addColumnSQL(table string, c schema.Column) (string, error) {
	typ, err := sqlType(c.Type)
	if err != nil {
		return "", fmt.Errorf("table %s column %s: %w", table, c.Name, err)
	}
	return fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s%s", quoteIdent(table), quoteIdent(c.Name), typ, defaultOf(c)), nil
}

// defaultOf is a column's DEFAULT clause: KQL strings are never null, so
// a string column holds ” where a value is missing (an added column's
// old rows too).
func defaultOf(c schema.Column) string {
	if c.Type == schema.String {
		return " DEFAULT ''"
	}
	return ""
}

// emptyStringsSQL rewrites a format-1 table's null strings as ” (format
// 2 stores none), one statement per column.
func emptyStringsSQL(t *schema.Table, present map[string]physColumn) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Type != schema.String {
			continue
		}
		if _, ok := present[strings.ToLower(c.Name)]; !ok {
			continue
		}
		q := quoteIdent(c.Name)
		out = append(out, "UPDATE "+quoteIdent(t.Name)+" SET "+q+" = '' WHERE "+q+" IS NULL")
	}
	return out
}

// checkTables rejects table lists DuckDB cannot hold as given: identifiers
// are case-insensitive there even when quoted, and the hidden column's
// name is reserved.
func checkTables(tables []*schema.Table) error {
	seen := map[string]string{}
	for _, t := range tables {
		key := strings.ToLower(t.Name)
		if prev, ok := seen[key]; ok {
			return fmt.Errorf("tables %s and %s differ only in case", prev, t.Name)
		}
		seen[key] = t.Name
		if strings.HasPrefix(key, "__vigil") {
			return fmt.Errorf("table name %s is reserved", t.Name)
		}
		cols := map[string]string{strings.ToLower(schema.IngestionTimeColumn): schema.IngestionTimeColumn}
		for _, c := range t.Columns {
			k := strings.ToLower(c.Name)
			if prev, ok := cols[k]; ok {
				return fmt.Errorf("table %s: columns %s and %s clash (names are case-insensitive in DuckDB)", t.Name, prev, c.Name)
			}
			cols[k] = c.Name
			if _, err := sqlType(c.Type); err != nil {
				return fmt.Errorf("table %s column %s: %w", t.Name, c.Name, err)
			}
		}
	}
	return nil
}
