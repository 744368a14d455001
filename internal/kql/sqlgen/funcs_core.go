package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// Conversions, conditionals, emptiness and the time basics.
func init() {
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		switch a[0].e.(type) {
		case *ast.SelectorExpr, *ast.IndexExpr:
			if t := a[0].typ; t == schema.Dynamic || t == schema.Invalid {
				// tostring(d.path) is the path's text, read in one step.
				return "coalesce(" + g.pathWith(a[0].e, g.curRow, "json_extract_string") + ", '')"
			}
		}
		return g.asString(a[0])
	}, "tostring")
	conv := func(t schema.Type) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 1, 1)
			return g.convert(a[0], t)
		}
	}
	register(conv(schema.Int), "toint")
	register(conv(schema.Long), "tolong", "toint64")
	register(conv(schema.Real), "toreal", "todouble")
	register(conv(schema.Decimal), "todecimal")
	register(conv(schema.Bool), "tobool", "toboolean")
	register(conv(schema.DateTime), "todatetime")
	register(conv(schema.TimeSpan), "totimespan", "time")
	register(conv(schema.GUID), "toguid")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return g.toDynamic(a[0])
	}, "todynamic", "parse_json", "parsejson", "toobject")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "(NOT " + g.truth(a[0]) + ")"
	}, "not")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		t := g.typeOf(x)
		return "(CASE WHEN " + g.truth(a[0]) + " THEN " + g.asType(a[1], t) + " ELSE " + g.asType(a[2], t) + " END)"
	}, "iff", "iif")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		if len(a) < 3 || len(a)%2 == 0 {
			g.failf(x.Pos(), "case expects predicate, value pairs and an else value")
		}
		t := g.typeOf(x)
		var b strings.Builder
		b.WriteString("(CASE")
		for i := 0; i+1 < len(a); i += 2 {
			b.WriteString(" WHEN " + g.truth(a[i]) + " THEN " + g.asType(a[i+1], t))
		}
		b.WriteString(" ELSE " + g.asType(a[len(a)-1], t) + " END)")
		return b.String()
	}, "case")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		t := g.typeOf(x)
		parts := make([]string, len(a))
		for i, v := range a {
			s := g.asType(v, t)
			if t == schema.String {
				s = "NULLIF(" + s + ", '')"
			}
			parts[i] = s
		}
		if t == schema.String {
			return "coalesce(" + strings.Join(parts, ", ") + ", '')"
		}
		return "coalesce(" + strings.Join(parts, ", ") + ")"
	}, "coalesce")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "(" + g.emptySQL(a[0]) + ")"
	}, "isempty")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "(NOT " + g.emptySQL(a[0]) + ")"
	}, "isnotempty", "notempty")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "(" + g.nullSQL(a[0]) + ")"
	}, "isnull")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "(NOT " + g.nullSQL(a[0]) + ")"
	}, "isnotnull", "notnull")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 0, 1)
		if len(a) == 1 {
			return "(" + g.nowSQL() + " + " + g.asType(a[0], schema.TimeSpan) + ")"
		}
		return g.nowSQL()
	}, "now")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "(" + g.nowSQL() + " - " + g.asType(a[0], schema.TimeSpan) + ")"
	}, "ago")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 0, 0)
		if g.curRow == nil || !hasHidden(g.curRow, schema.IngestionTimeColumn) {
			return "CAST(NULL AS TIMESTAMP)"
		}
		return quote(schema.IngestionTimeColumn)
	}, "ingestion_time")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		return g.bin(a[0], a[1], "")
	}, "bin", "floor")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		return g.bin(a[0], a[1], a[2].sql)
	}, "bin_at")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "CAST(length(" + g.asString(a[0]) + ") AS BIGINT)"
	}, "strlen")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "lower(" + g.asString(a[0]) + ")"
	}, "tolower")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "upper(" + g.asString(a[0]) + ")"
	}, "toupper")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		if len(a) == 0 {
			g.failf(x.Pos(), "strcat needs arguments")
		}
		parts := make([]string, len(a))
		for i, v := range a {
			parts[i] = g.asString(v)
		}
		return "(" + strings.Join(parts, " || ") + ")"
	}, "strcat")
}

func hasHidden(r *rel, name string) bool {
	for _, h := range r.hidden {
		if h == name {
			return true
		}
	}
	return false
}

// truth is a predicate argument: dynamic true counts, anything else not.
func (g *gen) truth(a arg) string {
	if a.typ == schema.Dynamic || a.typ == schema.Invalid {
		return "coalesce(TRY_CAST(" + dynToString(a.sql) + " AS BOOLEAN), false)"
	}
	return a.sql
}

// emptySQL: a string is empty when ”; other values when null.
func (g *gen) emptySQL(a arg) string {
	switch a.typ {
	case schema.String:
		return "coalesce(" + a.sql + ", '') = ''"
	case schema.Dynamic, schema.Invalid:
		return "coalesce(" + dynToString(a.sql) + ", '') = ''"
	}
	return a.sql + " IS NULL"
}

// nullSQL: strings are never null; dynamic null is JSON null too.
func (g *gen) nullSQL(a arg) string {
	switch a.typ {
	case schema.String:
		return "false"
	case schema.Dynamic, schema.Invalid:
		return "coalesce(json_type(" + a.sql + ") = 'NULL', true)"
	}
	return a.sql + " IS NULL"
}

// toDynamic parses a string as JSON (invalid JSON becomes the string
// itself) and keeps other values as they are.
func (g *gen) toDynamic(a arg) string {
	switch a.typ {
	case schema.Dynamic, schema.Invalid:
		return a.sql
	case schema.String:
		return "(CASE WHEN " + a.sql + " = '' THEN CAST(NULL AS JSON) WHEN json_valid(" + a.sql + ") THEN json(" + a.sql + ") ELSE to_json(" + a.sql + ") END)"
	}
	return toJSON(a.sql, a.typ)
}

// convert is to<type>(): values that do not convert give null.
func (g *gen) convert(a arg, t schema.Type) string {
	if a.typ == t {
		return a.sql
	}
	s := a.sql
	switch {
	case a.typ == schema.Dynamic || a.typ == schema.Invalid:
		s = dynToString(s)
	case t == schema.String:
		return g.toStringSQL(s, a.typ)
	}
	switch t {
	case schema.Dynamic:
		return g.toDynamic(a)
	case schema.Int, schema.Long:
		if a.typ == schema.Real || a.typ == schema.Decimal {
			return "TRY_CAST(trunc(" + s + ") AS " + sqlType(t) + ")"
		}
		if a.typ == schema.String || a.typ == schema.Dynamic || a.typ == schema.Invalid {
			// Integral text converts exactly; other numbers truncate
			// toward zero (DuckDB's cast of '2.5' would round).
			return "(CASE WHEN regexp_matches(" + s + ", '^\\s*[-+]?[0-9]+\\s*$') THEN TRY_CAST(" + s + " AS " + sqlType(t) + ") ELSE TRY_CAST(trunc(TRY_CAST(" + s + " AS DOUBLE)) AS " + sqlType(t) + ") END)"
		}
		if a.typ == schema.DateTime {
			return "CAST(epoch_us(" + s + ") * 10 + 621355968000000000 AS " + sqlType(t) + ")"
		}
		if a.typ == schema.TimeSpan {
			return "CAST(" + toUS(s) + " * 10 AS " + sqlType(t) + ")"
		}
	case schema.Bool:
		if a.typ == schema.String || a.typ == schema.Dynamic || a.typ == schema.Invalid {
			return "(CASE lower(" + s + ") WHEN 'true' THEN true WHEN 'false' THEN false ELSE TRY_CAST(TRY_CAST(" + s + " AS BIGINT) <> 0 AS BOOLEAN) END)"
		}
		return "(" + s + " <> 0)"
	case schema.DateTime:
		if isNumber(a.typ) {
			return "make_timestamp(CAST((" + s + " - 621355968000000000) // 10 AS BIGINT))"
		}
		if a.typ == schema.String {
			if lit, ok := litString(a); ok {
				// A constant: parsed here as datetime() literals are.
				v, err := check.TypedValue(schema.DateTime, lit)
				if err != nil || v == nil {
					return "CAST(NULL AS TIMESTAMP)"
				}
				return g.typedParam(v, schema.DateTime)
			}
		}
		return datetimeFromText(s)
	case schema.TimeSpan:
		if isNumber(a.typ) {
			return "to_microseconds(CAST(" + s + " // 10 AS BIGINT))"
		}
		if a.typ == schema.String {
			if lit, ok := litString(a); ok {
				d, err := check.ParseTimespan(lit)
				if err != nil {
					return "CAST(NULL AS INTERVAL)"
				}
				return g.interval(d.Microseconds())
			}
		}
		return timespanFromText(s)
	}
	return "TRY_CAST(" + s + " AS " + sqlType(t) + ")"
}

// bin rounds down to a multiple of size: numbers, timespans, and
// datetimes (counted from 0001-01-01, as Kusto does), optionally from an
// anchor (bin_at).
func (g *gen) bin(v, size arg, at string) string {
	switch v.typ {
	case schema.DateTime:
		// Integer arithmetic: microseconds since year 1 exceed a
		// double's exact range, and a floor in doubles moves values a
		// few microseconds before a boundary into the next bin.
		sz := toUS(g.asType(size, schema.TimeSpan))
		origin := "CAST(-62135596800000000 AS BIGINT)"
		if at != "" {
			origin = "epoch_us(" + at + ")"
		}
		us := "epoch_us(" + v.sql + ")"
		return "make_timestamp(" + us + " - " + posMod("("+us+" - "+origin+")", sz) + ")"
	case schema.TimeSpan:
		sz := toUS(g.asType(size, schema.TimeSpan))
		origin := "0"
		if at != "" {
			origin = toUS(at)
		}
		us := toUS(v.sql)
		return "to_microseconds(" + us + " - " + posMod("("+us+" - "+origin+")", sz) + ")"
	case schema.Int, schema.Long:
		origin := "0"
		if at != "" {
			origin = at
		}
		if isInteger(size.typ) {
			// Exact for any long; a size of zero gives null.
			return "CAST(" + v.sql + " - " + posMod("("+v.sql+" - "+origin+")", size.sql) + " AS BIGINT)"
		}
		return "(floor((" + v.sql + " - " + origin + ") / " + size.sql + ") * " + size.sql + " + " + origin + ")"
	}
	origin := "0"
	if at != "" {
		origin = at
	}
	s := g.asType(v, schema.Real)
	return "(floor((" + s + " - " + origin + ") / " + size.sql + ") * " + size.sql + " + " + origin + ")"
}

// posMod is n modulo a positive m, in [0, m); a zero m gives null.
func posMod(n, m string) string {
	return "(((" + n + " % " + m + ") + " + m + ") % " + m + ")"
}
