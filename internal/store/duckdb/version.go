package duckdb

import (
	"database/sql"
	"strings"
	"sync"
)

var (
	versionOnce sync.Once
	versionText string
)

// Version returns the linked DuckDB library's version, e.g. "v1.4.1".
func Version() string {
	versionOnce.Do(func() {
		versionText = "unknown"
		db, err := sql.Open("duckdb", "")
		if err != nil {
			return
		}
		defer db.Close()
		var v string
		if err := db.QueryRow("SELECT version()").Scan(&v); err == nil {
			versionText = strings.TrimSpace(v)
		}
	})
	return versionText
}
