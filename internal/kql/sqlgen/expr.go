package sqlgen

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// expr compiles a scalar expression evaluated on the rows of row (nil
// outside a table).
func (g *gen) expr(e ast.Expr, row *rel) string {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return "(" + g.expr(x.X, row) + ")"
	case *ast.Ident:
		return g.ident(x, row)
	case *ast.BasicLit:
		return g.basicLit(x)
	case *ast.StringLit:
		return g.typedParam(x.Value, schema.String)
	case *ast.TypedLit:
		return g.typedLit(x)
	case *ast.DynamicLit:
		v, err := jsonValue(x.Value)
		if err != nil {
			g.failf(x.Pos(), "%v", err)
		}
		if v == nil {
			return "CAST(NULL AS JSON)"
		}
		b, _ := json.Marshal(v)
		return g.typedParam(string(b), schema.Dynamic)
	case *ast.UnaryExpr:
		if x.Op.String() == "-" {
			return "(-" + g.expr(x.X, row) + ")"
		}
		return g.expr(x.X, row)
	case *ast.BinaryExpr:
		return g.binary(x, row)
	case *ast.InExpr:
		return g.in(x, row)
	case *ast.BetweenExpr:
		return g.between(x, row)
	case *ast.SelectorExpr, *ast.IndexExpr:
		return g.path(e, row)
	case *ast.CallExpr:
		return g.call(x, row)
	case *ast.NamedExpr:
		return g.expr(x.X, row)
	case *ast.PipeExpr, *ast.DataTableExpr:
		// A table used as a scalar: its first column's first value.
		r := g.tabular(e)
		if len(r.cols) == 0 {
			g.failf(e.Pos(), "a table with no columns is not a scalar")
		}
		return "(SELECT " + quote(r.cols[0].Name) + " FROM " + r.name + " LIMIT 1)"
	}
	g.failf(e.Pos(), "expression not supported: %T", e)
	return ""
}

func (g *gen) ident(x *ast.Ident, row *rel) string {
	if row != nil && row.find(x.Name) >= 0 {
		return quote(x.Name)
	}
	if b := g.sc.lookup(x.Name); b != nil {
		switch {
		case b.fn != nil:
			return g.callUser(b, x.Name, nil, row, x).sql
		case b.rel != nil:
			if len(b.rel.cols) == 0 {
				g.failf(x.Pos(), "table '%s' has no columns", x.Name)
			}
			return "(SELECT " + quote(b.rel.cols[0].Name) + " FROM " + b.rel.name + " LIMIT 1)"
		}
		return b.sql
	}
	if row != nil {
		// A column of an open table (after bag_unpack...) that this
		// step does not have: null, as in Kusto.
		if t, ok := g.res.Tables[x]; ok && t != nil {
			_ = t
		}
	}
	g.failf(x.Pos(), "unknown name '%s'", x.Name)
	return ""
}

func (g *gen) basicLit(x *ast.BasicLit) string {
	switch x.Kind {
	case ast.LitBool:
		if strings.EqualFold(x.Value, "true") {
			return "true"
		}
		return "false"
	case ast.LitLong:
		n, err := strconv.ParseInt(x.Value, 0, 64)
		if err != nil {
			u, uerr := strconv.ParseUint(x.Value, 0, 64)
			if uerr != nil {
				g.failf(x.Pos(), "bad long literal %q", x.Value)
			}
			n = int64(u)
		}
		return g.typedParam(n, schema.Long)
	case ast.LitReal:
		f, err := strconv.ParseFloat(x.Value, 64)
		if err != nil {
			g.failf(x.Pos(), "bad real literal %q", x.Value)
		}
		return g.typedParam(f, schema.Real)
	case ast.LitTimespan:
		d, err := check.ParseTimespan(x.Value)
		if err != nil {
			g.failf(x.Pos(), "bad timespan literal %q: %v", x.Value, err)
		}
		return g.interval(d.Microseconds())
	case ast.LitNull:
		return "NULL"
	case ast.LitGUID:
		return g.typedParam(strings.ToLower(x.Value), schema.GUID)
	}
	g.failf(x.Pos(), "literal not supported")
	return ""
}

// interval binds a timespan given in microseconds.
func (g *gen) interval(micros int64) string {
	return "to_microseconds(" + g.param(micros) + "::BIGINT)"
}

func (g *gen) typedLit(x *ast.TypedLit) string {
	t, ok := schema.ParseType(x.Type)
	if !ok {
		g.failf(x.Pos(), "unknown type %s", x.Type)
	}
	v, err := check.TypedValue(t, x.Body)
	if err != nil {
		g.failf(x.Pos(), "%s(%s): %v", x.Type, x.Body, err)
	}
	if v == nil {
		return "CAST(NULL AS " + sqlType(t) + ")"
	}
	return g.bindValue(v, t)
}

// bindValue binds a Go value of a KQL type, as check.TypedValue returns.
func (g *gen) bindValue(v any, t schema.Type) string {
	switch t {
	case schema.TimeSpan:
		switch d := v.(type) {
		case interface{ Microseconds() int64 }:
			return g.interval(d.Microseconds())
		}
	case schema.Decimal:
		return "CAST(" + g.param(fmt.Sprint(v)) + " AS DECIMAL(38,18))"
	case schema.Dynamic:
		b, _ := json.Marshal(v)
		return g.typedParam(string(b), schema.Dynamic)
	}
	return g.typedParam(v, t)
}

// jsonValue turns a dynamic literal's tree into a Go value.
func jsonValue(e ast.Expr) (any, error) {
	switch x := e.(type) {
	case nil:
		return nil, nil
	case *ast.JSONArray:
		out := make([]any, 0, len(x.Elems))
		for _, el := range x.Elems {
			v, err := jsonValue(el)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *ast.JSONObject:
		out := map[string]any{}
		for _, p := range x.Pairs {
			v, err := jsonValue(p.Value)
			if err != nil {
				return nil, err
			}
			out[p.Key.Value] = v
		}
		return out, nil
	case *ast.StringLit:
		return x.Value, nil
	case *ast.BasicLit:
		switch x.Kind {
		case ast.LitBool:
			return strings.EqualFold(x.Value, "true"), nil
		case ast.LitLong:
			if n, err := strconv.ParseInt(x.Value, 0, 64); err == nil {
				return n, nil
			}
			return json.Number(x.Value), nil
		case ast.LitReal:
			f, err := strconv.ParseFloat(x.Value, 64)
			return f, err
		case ast.LitNull:
			return nil, nil
		case ast.LitTimespan:
			d, err := check.ParseTimespan(x.Value)
			if err != nil {
				return nil, err
			}
			return formatTimespan(d.Nanoseconds() / 100), nil
		}
	case *ast.UnaryExpr:
		v, err := jsonValue(x.X)
		if err != nil {
			return nil, err
		}
		if x.Op.String() == "-" {
			switch n := v.(type) {
			case int64:
				return -n, nil
			case float64:
				return -n, nil
			}
		}
		return v, nil
	case *ast.DynamicLit:
		return jsonValue(x.Value)
	case *ast.TypedLit:
		t, ok := schema.ParseType(x.Type)
		if !ok {
			return nil, fmt.Errorf("unknown type %s", x.Type)
		}
		v, err := check.TypedValue(t, x.Body)
		if err != nil {
			return nil, err
		}
		switch t {
		case schema.DateTime:
			if tm, ok := v.(interface{ UTC() any }); ok {
				return tm, nil
			}
			return formatJSONValue(v), nil
		case schema.TimeSpan:
			if d, ok := v.(interface{ Nanoseconds() int64 }); ok {
				return formatTimespan(d.Nanoseconds() / 100), nil
			}
		}
		return formatJSONValue(v), nil
	}
	return nil, fmt.Errorf("value not allowed in a dynamic literal")
}

// formatTimespan renders ticks (100 ns) as Kusto prints a timespan:
// [-][d.]hh:mm:ss[.fffffff].
func formatTimespan(ticks int64) string {
	neg := ticks < 0
	if neg {
		ticks = -ticks
	}
	days := ticks / (864e9)
	rem := ticks % 864e9
	h := rem / 36e9
	rem %= 36e9
	m := rem / 6e8
	rem %= 6e8
	s := rem / 1e7
	frac := rem % 1e7
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if days > 0 {
		fmt.Fprintf(&b, "%d.", days)
	}
	fmt.Fprintf(&b, "%02d:%02d:%02d", h, m, s)
	if frac > 0 {
		fmt.Fprintf(&b, ".%07d", frac)
	}
	return b.String()
}

// formatJSONValue renders typed values inside dynamic as Kusto does.
func formatJSONValue(v any) any {
	switch x := v.(type) {
	case interface{ Format(string) string }:
		return x.Format("2006-01-02T15:04:05.0000000Z")
	}
	return v
}

// coerce converts a compiled value of type from to type to, where KQL
// converts implicitly (a dynamic compared with a string, an int with a
// long...).
func (g *gen) coerce(sql string, from, to schema.Type) string {
	if from == to || to == schema.Invalid {
		return sql
	}
	if from == schema.Dynamic || from == schema.Invalid {
		switch to {
		case schema.String:
			return dynToString(sql)
		case schema.Dynamic:
			return sql
		default:
			return "TRY_CAST(" + dynToString(sql) + " AS " + sqlType(to) + ")"
		}
	}
	if to == schema.Dynamic {
		return toJSON(sql, from)
	}
	return "CAST(" + sql + " AS " + sqlType(to) + ")"
}

// dynToString is tostring() of a dynamic: a JSON string unquoted, other
// values as JSON text, null as ”.
func dynToString(sql string) string {
	return "coalesce(CASE WHEN json_type(" + sql + ") = 'VARCHAR' THEN json_extract_string(" + sql + ", '$') WHEN json_type(" + sql + ") = 'NULL' THEN NULL ELSE CAST(" + sql + " AS VARCHAR) END, '')"
}

// toJSON converts a typed value to dynamic.
func toJSON(sql string, from schema.Type) string {
	switch from {
	case schema.Dynamic, schema.Invalid:
		return sql
	case schema.DateTime:
		return "to_json(" + datetimeText(sql) + ")"
	case schema.TimeSpan:
		return "to_json(" + timespanText(sql) + ")"
	case schema.GUID:
		return "to_json(CAST(" + sql + " AS VARCHAR))"
	case schema.Decimal:
		return "to_json(CAST(" + sql + " AS DOUBLE))"
	}
	return "to_json(" + sql + ")"
}

// datetimeText formats a TIMESTAMP as Kusto's tostring does:
// 2021-01-01T01:29:00Z, with the fraction when there is one.
func datetimeText(sql string) string {
	return "CASE WHEN " + sql + " IS NULL THEN NULL WHEN microsecond(" + sql + ") % 1000000 = 0 THEN strftime(" + sql + ", '%Y-%m-%dT%H:%M:%SZ') ELSE strftime(" + sql + ", '%Y-%m-%dT%H:%M:%S.%f') || '0Z' END"
}

// timespanText formats an INTERVAL as Kusto does: [-][d.]hh:mm:ss[.fffffff].
func timespanText(sql string) string {
	us := toUS(sql)
	a := "abs(" + us + ")"
	return "CASE WHEN " + sql + " IS NULL THEN NULL ELSE " +
		"(CASE WHEN " + us + " < 0 THEN '-' ELSE '' END) || " +
		"(CASE WHEN " + a + " >= 86400000000 THEN CAST(" + a + " // 86400000000 AS VARCHAR) || '.' ELSE '' END) || " +
		"lpad(CAST((" + a + " // 3600000000) % 24 AS VARCHAR), 2, '0') || ':' || " +
		"lpad(CAST((" + a + " // 60000000) % 60 AS VARCHAR), 2, '0') || ':' || " +
		"lpad(CAST((" + a + " // 1000000) % 60 AS VARCHAR), 2, '0') || " +
		"(CASE WHEN " + a + " % 1000000 <> 0 THEN '.' || lpad(CAST(" + a + " % 1000000 AS VARCHAR), 6, '0') || '0' ELSE '' END) END"
}

// toUS is the length of an INTERVAL in microseconds. A timespan literal
// (see interval) already is a bound count of microseconds: it is used as
// it is, which is exact and spares DuckDB three conversions per row.
func toUS(sql string) string {
	if p, ok := strings.CutPrefix(sql, "to_microseconds("); ok {
		if n, ok := strings.CutSuffix(p, "::BIGINT)"); ok && isParamRef(n) {
			return n + "::BIGINT"
		}
	}
	return "CAST(round(epoch(" + sql + ") * 1000000) AS BIGINT)"
}

// isParamRef reports whether s is a parameter reference, $1, $2, ...
func isParamRef(s string) bool {
	if len(s) < 2 || s[0] != '$' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// toStringSQL is tostring() for a value of type t.
func (g *gen) toStringSQL(sql string, t schema.Type) string {
	switch t {
	case schema.String:
		return sql
	case schema.Dynamic, schema.Invalid:
		return dynToString(sql)
	case schema.Real:
		return "coalesce(" + realText(sql) + ", '')"
	case schema.DateTime:
		return "coalesce(" + datetimeText(sql) + ", '')"
	case schema.TimeSpan:
		return "coalesce(" + timespanText(sql) + ", '')"
	case schema.Decimal:
		return "coalesce(CAST(CAST(" + sql + " AS DOUBLE) AS VARCHAR), '')"
	}
	return "coalesce(CAST(" + sql + " AS VARCHAR), '')"
}

// realText formats a double as Kusto does: integral values without ".0".
func realText(sql string) string {
	return "CASE WHEN isinf(" + sql + ") AND " + sql + " > 0 THEN 'Infinity' WHEN isinf(" + sql + ") THEN '-Infinity' WHEN isnan(" + sql + ") THEN 'NaN' " +
		"WHEN " + sql + " = trunc(" + sql + ") AND abs(" + sql + ") < 1e15 THEN CAST(CAST(" + sql + " AS BIGINT) AS VARCHAR) ELSE CAST(" + sql + " AS VARCHAR) END"
}
