package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
)

// lockDown closes DuckDB's file and network access for every connection,
// except to the segments directory, which the store's own views read and
// its compactor writes. Queries then cannot read or write other files or
// URLs (externaldata is fetched by Vigil, not by SQL), and the setting
// cannot be turned back on. Run once, on the first connection, before any
// query.
func lockDown(ctx context.Context, conn *sql.Conn, segDir string) error {
	if err := os.MkdirAll(segDir, 0o750); err != nil {
		return fmt.Errorf("duckdb: segments: %w", err)
	}
	for _, q := range []string{
		"SET allowed_directories = [" + sqlString(segDir+string(os.PathSeparator)) + "]",
		"SET enable_external_access = false",
		// Parquet footers are read once, not by every query.
		"SET parquet_metadata_cache = true",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("duckdb: configure: %w", err)
		}
	}
	return nil
}
