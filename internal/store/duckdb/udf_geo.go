package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/geo"
)

// geoUDF adapts a geo.Func to duckdb's scalar UDF interface.
type geoUDF struct {
	fn  geo.Func
	cfg duckdb.ScalarFuncConfig
}

func (u *geoUDF) Config() duckdb.ScalarFuncConfig { return u.cfg }

func (u *geoUDF) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: u.run}
}

// run calls the Go function with NULL-free arguments (DuckDB's default
// NULL handling gives NULL for any NULL input) and turns an invalid input
// or a panic into NULL.
func (u *geoUDF) run(values []driver.Value) (out any, err error) {
	defer func() {
		if recover() != nil {
			out, err = nil, nil
		}
	}()
	args := make([]any, len(values))
	for i, v := range values {
		switch u.fn.Args[i] {
		case geo.Double:
			x, ok := v.(float64)
			if !ok {
				return nil, nil
			}
			args[i] = x
		default:
			x, ok := v.(string)
			if !ok {
				return nil, nil
			}
			args[i] = x
		}
	}
	r, ok := u.fn.Call(args)
	if !ok {
		return nil, nil
	}
	switch v := r.(type) {
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil
		}
	case string:
		// JSON has no NaN or infinity: such a result would not parse.
		if u.fn.Result == geo.JSON && (strings.Contains(v, "NaN") || strings.Contains(v, "Inf")) {
			return nil, nil
		}
	}
	return r, nil
}

func geoTypeInfo(k geo.Kind) (duckdb.TypeInfo, error) {
	switch k {
	case geo.Double:
		return duckdb.NewTypeInfo(duckdb.TYPE_DOUBLE)
	case geo.Bool:
		return duckdb.NewTypeInfo(duckdb.TYPE_BOOLEAN)
	case geo.Long:
		return duckdb.NewTypeInfo(duckdb.TYPE_BIGINT)
	default:
		return duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	}
}

// registerGeoUDFs registers the vigil_geo_* scalar functions (package geo)
// on conn. DuckDB keeps scalar functions registered through the C API in
// the database's system catalog, so one registration serves every
// connection of the pool.
func registerGeoUDFs(ctx context.Context, conn *sql.Conn) error {
	for _, fn := range geo.Funcs {
		u := &geoUDF{fn: fn}
		for _, k := range fn.Args {
			ti, err := geoTypeInfo(k)
			if err != nil {
				return fmt.Errorf("duckdb: geo udf %s: %w", fn.Name, err)
			}
			u.cfg.InputTypeInfos = append(u.cfg.InputTypeInfos, ti)
		}
		ti, err := geoTypeInfo(fn.Result)
		if err != nil {
			return fmt.Errorf("duckdb: geo udf %s: %w", fn.Name, err)
		}
		u.cfg.ResultTypeInfo = ti
		if err := duckdb.RegisterScalarUDF(conn, fn.Name, u); err != nil {
			return fmt.Errorf("duckdb: register %s: %w", fn.Name, err)
		}
	}
	return nil
}
