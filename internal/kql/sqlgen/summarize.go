package sqlgen

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// aggCtx collects the aggregates of one summarize: each aggregate call
// becomes an aliased column of the grouping step, and the expressions
// around them (count() * 2, sum(x) / count()) a second step over it.
type aggCtx struct {
	in    *rel
	inner []string
	n     int
	// filter, when set, restricts every aggregate to the rows where it
	// holds (evaluate pivot: one set of aggregates per pivot value).
	filter string
}

func (a *aggCtx) alias() string {
	a.n++
	return fmt.Sprintf("__a%d", a.n)
}

// add registers an aggregate and returns the name it will have.
func (a *aggCtx) add(sql string) string {
	if a.filter != "" {
		if strings.Contains(sql, " FILTER (WHERE ") {
			sql = strings.Replace(sql, " FILTER (WHERE ", " FILTER (WHERE "+a.filter+" AND ", 1)
		} else {
			sql += " FILTER (WHERE " + a.filter + ")"
		}
	}
	name := a.alias()
	a.inner = append(a.inner, sql+" AS "+quote(name))
	return quote(name)
}

// aggFunc compiles an aggregate call; it adds what it needs to ctx and
// returns an expression over the grouping step's columns.
type aggFunc func(g *gen, ctx *aggCtx, x *ast.CallExpr) string

var aggFuncs = map[string]aggFunc{}

func registerAgg(f aggFunc, names ...string) {
	for _, n := range names {
		if _, dup := aggFuncs[n]; dup {
			panic("sqlgen: aggregate registered twice: " + n)
		}
		aggFuncs[n] = f
	}
}

// aggArg compiles an aggregate's i-th argument over the input rows.
func (g *gen) aggArg(ctx *aggCtx, x *ast.CallExpr, i int) string {
	if i >= len(x.Args) {
		g.failf(x.Pos(), "missing argument %d", i+1)
	}
	saved := g.agg
	g.agg = nil
	defer func() { g.agg = saved }()
	return g.expr(valueOf(x.Args[i]), ctx.in)
}

func (g *gen) argType(x *ast.CallExpr, i int) schema.Type {
	if i >= len(x.Args) {
		return schema.Invalid
	}
	return g.typeOf(valueOf(x.Args[i]))
}

func (g *gen) summarize(x *ast.SummarizeOp, in *rel, need colSet) *rel {
	cols := g.tableCols(x)
	colByName := make(map[string]check.Column, len(cols))
	for _, c := range cols {
		colByName[c.Name] = c
	}
	ctx := &aggCtx{in: in}
	var keys, keyNames []string
	for _, e := range x.ByExprs {
		names := g.res.Names[e]
		if len(names) != 1 {
			g.failf(e.Pos(), "summarize by with %d names is not supported", len(names))
		}
		v := valueOf(e)
		s := g.expr(v, in)
		keys = append(keys, s+" AS "+quote(names[0]))
		keyNames = append(keyNames, names[0])
	}
	if x.Bin != nil {
		g.failf(x.Bin.Pos(), "summarize bin= is not supported yet")
	}
	var outer []string
	var outCols []check.Column
	for _, k := range keyNames {
		outer = append(outer, quote(k)+" AS "+quote(k))
		outCols = append(outCols, colByName[k])
	}
	byNames := map[string]bool{}
	for _, k := range keyNames {
		byNames[k] = true
	}
	for i, e := range x.Aggs {
		names := g.res.Names[e]
		// An aggregate no later operator reads is not computed (groups do
		// not depend on it), unless it is all the step would have.
		if need != nil && !anyNeeded(names, need) && (len(keyNames) > 0 || i < len(x.Aggs)-1 || len(outer) > 0) {
			continue
		}
		for _, n := range names {
			outCols = append(outCols, colByName[n])
		}
		v := valueOf(e)
		if call, ok := v.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok {
				switch id.Name {
				case "arg_max", "arg_min", "argmax", "argmin":
					outer = append(outer, g.argMinMax(ctx, call, id.Name, names, byNames)...)
					continue
				case "take_any", "any":
					if len(names) > 1 || len(call.Args) == 1 && isStar(call.Args[0]) {
						outer = append(outer, g.takeAnyMany(ctx, call, names)...)
						continue
					}
				case "percentiles", "percentilesw":
					outer = append(outer, g.percentilesMany(ctx, call, id.Name, names)...)
					continue
				}
			}
		}
		if len(names) != 1 {
			g.failf(e.Pos(), "aggregate with %d names is not supported", len(names))
		}
		saved := g.agg
		g.agg = ctx
		s := g.expr(v, in)
		g.agg = saved
		outer = append(outer, s+" AS "+quote(names[0]))
	}
	inner := append(append([]string(nil), keys...), ctx.inner...)
	if len(inner) == 0 {
		inner = []string{"count(*) AS \"__n\""}
	}
	body := "SELECT " + strings.Join(inner, ", ") + " FROM " + in.name
	if len(keys) > 0 {
		var pos []string
		for i := range keys {
			pos = append(pos, fmt.Sprint(i+1))
		}
		body += " GROUP BY " + strings.Join(pos, ", ")
	}
	grouped := g.cte("summarize", x.Pos(), body, nil)
	// The second step computes the outputs and gives them KQL's types.
	for i := range outer {
		if i < len(outCols) {
			outer[i] = finalCast(outer[i], outCols[i])
		}
	}
	body = "SELECT " + strings.Join(outer, ", ") + " FROM " + grouped
	return g.step("summarize", x.Pos(), body, outCols)
}

// finalCast gives an output column its KQL type: aggregates of DuckDB
// widen (sum of BIGINT is HUGEINT) and strings are never null.
func finalCast(item string, c check.Column) string {
	expr := item
	if i := strings.LastIndex(item, " AS "); i >= 0 && strings.HasSuffix(item, " AS "+quote(c.Name)) {
		expr = item[:i]
	}
	if c.Type == schema.String {
		expr = "coalesce(CAST(" + expr + " AS VARCHAR), '')"
	} else if c.Type != schema.Invalid {
		expr = "CAST(" + expr + " AS " + sqlType(c.Type) + ")"
	}
	return expr + " AS " + quote(c.Name)
}

func isStar(e ast.Expr) bool {
	_, ok := e.(*ast.Star)
	return ok
}

// argMinMax compiles arg_max(x, a, b...) and arg_max(x, *): the row with
// the largest x, read as one struct so that its columns come from the
// same row.
func (g *gen) argMinMax(ctx *aggCtx, call *ast.CallExpr, fname string, names []string, byNames map[string]bool) []string {
	if len(call.Args) == 0 || len(names) == 0 {
		g.failf(call.Pos(), "%s needs an argument", fname)
	}
	by := g.aggArg(ctx, call, 0)
	var fields []string
	fields = append(fields, "\"__f0\" := "+by)
	col0 := ""
	if id, ok := valueOf(call.Args[0]).(*ast.Ident); ok {
		col0 = id.Name
	}
	for _, a := range call.Args[1:] {
		if isStar(a) {
			for _, c := range ctx.in.cols {
				if c.Name == col0 || byNames[c.Name] {
					continue
				}
				fields = append(fields, fmt.Sprintf("\"__f%d\" := %s", len(fields), quote(c.Name)))
			}
			continue
		}
		saved := g.agg
		g.agg = nil
		s := g.expr(valueOf(a), ctx.in)
		g.agg = saved
		fields = append(fields, fmt.Sprintf("\"__f%d\" := %s", len(fields), s))
	}
	// One arg_max_null per column: each picks the row with the largest
	// value, and all of them resolve ties alike (the first row seen wins,
	// and the aggregates of a group see its rows in the same order), so
	// the columns come from one row without packing a struct, which
	// DuckDB aggregates several times slower.
	fn, extreme := "arg_max_null", "max"
	if strings.Contains(fname, "min") {
		fn, extreme = "arg_min_null", "min"
	}
	var out []string
	counted := ""
	for i, n := range names {
		if i >= len(fields) {
			break
		}
		expr := fields[i][strings.Index(fields[i], " := ")+4:]
		var s string
		if i == 0 {
			s = ctx.add(extreme + "(" + by + ")")
		} else {
			// When x is null in every row, Kusto still returns one of
			// the rows: the first, read alike for every column.
			if counted == "" {
				counted = ctx.add("count(" + by + ")")
			}
			s = "(CASE WHEN " + counted + " = 0 THEN " + ctx.add("first("+expr+")") + " ELSE " + ctx.add(fn+"("+expr+", "+by+")") + " END)"
		}
		out = append(out, s+" AS "+quote(n))
	}
	return out
}

func (g *gen) takeAnyMany(ctx *aggCtx, call *ast.CallExpr, names []string) []string {
	var fields []string
	for _, a := range call.Args {
		if isStar(a) {
			for _, c := range ctx.in.cols {
				fields = append(fields, fmt.Sprintf("\"__f%d\" := %s", len(fields), quote(c.Name)))
			}
			continue
		}
		saved := g.agg
		g.agg = nil
		s := g.expr(valueOf(a), ctx.in)
		g.agg = saved
		fields = append(fields, fmt.Sprintf("\"__f%d\" := %s", len(fields), s))
	}
	s := ctx.add("first(struct_pack(" + strings.Join(fields, ", ") + "))")
	var out []string
	for i, n := range names {
		out = append(out, fmt.Sprintf("%s.\"__f%d\" AS %s", s, i, quote(n)))
	}
	return out
}

func (g *gen) percentilesMany(ctx *aggCtx, call *ast.CallExpr, fname string, names []string) []string {
	if len(call.Args) < 2 {
		g.failf(call.Pos(), "%s needs a value and percentiles", fname)
	}
	x := g.aggArg(ctx, call, 0)
	ps := call.Args[1:]
	if fname == "percentilesw" {
		w := g.aggArg(ctx, call, 1)
		var out []string
		for i, p := range g.weightedPercentiles(ctx, call, w, ps[1:]) {
			if i < len(names) {
				out = append(out, p+" AS "+quote(names[i]))
			}
		}
		return out
	}
	var out []string
	for i, p := range ps {
		if i >= len(names) {
			break
		}
		ps := g.expr(p, nil)
		out = append(out, ctx.add("quantile_disc("+x+", CAST("+ps+" AS DOUBLE) / 100)")+" AS "+quote(names[i]))
	}
	return out
}

func anyNeeded(names []string, need colSet) bool {
	for _, n := range names {
		if need[n] {
			return true
		}
	}
	return false
}
