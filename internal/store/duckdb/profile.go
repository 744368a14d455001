package duckdb

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/store"
)

// profileSettings keeps DuckDB's profiler to the two metrics the runs
// report and the CPU budget read, so profiling costs little.
const profileSettings = `SET custom_profiling_settings='{"CPU_TIME":"true","CUMULATIVE_ROWS_SCANNED":"true"}'`

// startProfile turns DuckDB's profiler on for the connection's next
// query; the returned stop reads the metrics and turns it off again, so
// the pooled connection goes back as it came.
func startProfile(ctx context.Context, conn *sql.Conn) (stop func() *store.QueryStats) {
	if _, err := conn.ExecContext(ctx, "PRAGMA enable_profiling='no_output'"); err != nil {
		return func() *store.QueryStats { return nil }
	}
	if _, err := conn.ExecContext(ctx, profileSettings); err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA disable_profiling")
		return func() *store.QueryStats { return nil }
	}
	return func() *store.QueryStats {
		info, err := duckdb.GetProfilingInfo(conn)
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA disable_profiling")
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
}
