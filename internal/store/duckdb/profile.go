package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strconv"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/store"
)

// Every connection profiles its queries, keeping DuckDB's profiler to the
// two metrics the hunting runs report and CPU budget read. Switching it on
// once per connection, rather than around each query, costs a profiled
// query nothing but reading the metrics afterwards; every query, profiled
// or not, pays the same small timing cost.
var profileSetup = []string{
	"PRAGMA enable_profiling='no_output'",
	`SET custom_profiling_settings='{"CPU_TIME":"true","CUMULATIVE_ROWS_SCANNED":"true"}'`,
}

// initConn prepares each new connection of the pool.
func initConn(execer driver.ExecerContext) error {
	for _, q := range profileSetup {
		if _, err := execer.ExecContext(context.Background(), q, nil); err != nil {
			return err
		}
	}
	return nil
}

// readProfile returns what the connection's last query cost, or nil when
// DuckDB has no profile for it.
func readProfile(conn *sql.Conn) *store.QueryStats {
	info, err := duckdb.GetProfilingInfo(conn)
	if err != nil {
		return nil
	}
	st := &store.QueryStats{}
	if v, err := strconv.ParseFloat(info.Metrics["CUMULATIVE_ROWS_SCANNED"], 64); err == nil {
		st.RowsScanned = int64(v)
	}
	if v, err := strconv.ParseFloat(info.Metrics["CPU_TIME"], 64); err == nil {
		st.CPU = time.Duration(v * float64(time.Second))
	}
	return st
}
