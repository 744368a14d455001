package sqlgen

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// More plugins of evaluate: ipv4_lookup, ipv6_lookup,
// sliding_window_counts, rolling_percentile, rows_near and
// dcount_intersect.

// evaluateMore compiles the plugins of this file; ok is false for others.
func (g *gen) evaluateMore(name string, x *ast.EvaluateOp, in *rel) (*rel, bool) {
	switch name {
	case "ipv4_lookup", "ipv6_lookup":
		return g.ipLookup(name == "ipv6_lookup", x, in), true
	case "geo_polygon_lookup", "geo_line_lookup":
		return g.geoLookup(name, x, in), true
	case "sliding_window_counts":
		return g.slidingWindowCounts(x, in), true
	case "rolling_percentile":
		return g.rollingPercentile(x, in), true
	case "rows_near":
		return g.rowsNear(x, in), true
	case "dcount_intersect":
		return g.dcountIntersect(x, in), true
	}
	return nil, false
}

// pluginArgs splits a plugin's arguments into positional and named ones.
func pluginArgs(x *ast.EvaluateOp) (pos []ast.Expr, named map[string]ast.Expr) {
	named = map[string]ast.Expr{}
	for _, a := range x.Plugin.Args {
		if ne, ok := a.(*ast.NamedExpr); ok && len(ne.Names) == 1 {
			named[ne.Names[0].Name] = ne.X
			continue
		}
		pos = append(pos, a)
	}
	return pos, named
}

// constBool reads a bool literal argument.
func (g *gen) constBool(e ast.Expr) bool {
	if id, ok := e.(*ast.Ident); ok {
		switch id.Name {
		case "true":
			return true
		case "false":
			return false
		}
	}
	if l, ok := e.(*ast.BasicLit); ok {
		switch strings.ToLower(l.Value) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	g.failf(e.Pos(), "expected true or false")
	return false
}

// constInt reads an integer constant argument.
func (g *gen) constInt(e ast.Expr) int64 {
	n, ok := g.paramInt(g.expr(valueOf(e), nil))
	if !ok {
		g.failf(e.Pos(), "expected an integer constant")
	}
	return n
}

// ipLookup compiles evaluate ipv4_lookup(T, source, range [, keys...]
// [, return_unmatched=bool]): the input's rows joined with the rows of T
// whose range (a network in CIDR form) holds the source address.
func (g *gen) ipLookup(v6 bool, x *ast.EvaluateOp, in *rel) *rel {
	args, named := pluginArgs(x)
	if len(args) < 3 {
		g.failf(x.Pos(), "ip lookup needs a lookup table, a source address and a range column")
	}
	unmatched := false
	for k, v := range named {
		if k != "return_unmatched" {
			g.failf(v.Pos(), "unknown argument %s", k)
		}
		unmatched = g.constBool(v)
	}
	right := g.tabular(args[0])
	src := arg{sql: g.expr(valueOf(args[1]), in), typ: g.typeOf(valueOf(args[1]))}
	rng := arg{sql: g.expr(valueOf(args[2]), right), typ: g.typeOf(valueOf(args[2]))}
	keys := map[string]bool{}
	var conds []string
	for _, k := range args[3:] {
		if isBoolLit(k) {
			unmatched = g.constBool(k)
			continue
		}
		id, ok := valueOf(k).(*ast.Ident)
		if !ok || in.find(id.Name) < 0 || right.find(id.Name) < 0 {
			g.failf(k.Pos(), "an extra key of an ip lookup must be a column of both tables")
		}
		keys[id.Name] = true
		conds = append(conds, "l."+quote(id.Name)+" = r."+quote(id.Name))
	}
	var lsel, rsel string
	if v6 {
		lsel = ipv6Of(g.asString(src)) + " AS \"__ipk\""
		rsel = ipv6Of(g.asString(rng)) + " AS \"__rk\""
		conds = append(conds, "l.\"__ipk\" IS NOT NULL AND r.\"__rk\" IS NOT NULL AND "+ipv6Cmp("l.\"__ipk\"", "r.\"__rk\"", "r.\"__rk\".p")+" = 0")
	} else {
		lsel = "(" + g.ipv4Arg(src) + ").ip AS \"__ipk\""
		rk := ipv4Of(g.asString(rng))
		lo := bind(rk, func(r string) string { return mask4(r+".ip", r+".p") })
		hi := bind(rk, func(r string) string {
			return mask4(r+".ip", r+".p") + " + (CAST(1 AS BIGINT) << (32 - " + r + ".p)) - 1"
		})
		rsel = lo + " AS \"__lo\", " + hi + " AS \"__hi\""
		conds = append(conds, "l.\"__ipk\" BETWEEN r.\"__lo\" AND r.\"__hi\"")
	}
	l := g.cte("ip-lookup", x.Pos(), "SELECT "+selectCols(in.cols)+", "+lsel+" FROM "+in.name, in.cols)
	r := g.cte("ip-lookup", x.Pos(), "SELECT "+selectCols(right.cols)+", "+rsel+" FROM "+right.name, right.cols)
	cols := g.tableCols(x)
	var rest []check.Column
	for _, c := range right.cols {
		if !keys[c.Name] {
			rest = append(rest, c)
		}
	}
	if len(cols) != len(in.cols)+len(rest) {
		g.failf(x.Pos(), "ip lookup: unexpected output columns")
	}
	var sel []string
	for i, c := range cols {
		src := ""
		if i < len(in.cols) {
			src = "l." + quote(in.cols[i].Name)
		} else {
			src = "r." + quote(rest[i-len(in.cols)].Name)
		}
		sel = append(sel, src+" AS "+quote(c.Name))
	}
	join := " JOIN "
	if unmatched {
		join = " LEFT JOIN "
	}
	body := "SELECT " + strings.Join(sel, ", ") + " FROM " + l + " AS l" + join + r + " AS r ON " + strings.Join(conds, " AND ")
	return g.step("ip-lookup", x.Pos(), body, cols)
}

// axisBin floors an axis value (datetime or number) to a multiple of
// step (a timespan or a number).
func (g *gen) axisBin(v string, t schema.Type, step arg) string {
	switch t {
	case schema.DateTime:
		if step.typ != schema.TimeSpan {
			g.failf(step.e.Pos(), "the step of a datetime axis must be a timespan")
		}
		us := toUS(step.sql)
		return "make_timestamp(CAST(floor(CAST(epoch_us(" + v + ") AS DOUBLE) / " + us + ") AS BIGINT) * " + us + ")"
	default:
		if !isNumeric(t) || !isNumeric(step.typ) {
			g.failf(step.e.Pos(), "the axis must be a datetime or a number")
		}
		return "(floor(CAST(" + v + " AS DOUBLE) / CAST(" + step.sql + " AS DOUBLE)) * CAST(" + step.sql + " AS DOUBLE))"
	}
}

// axisSpan is n steps as a value to add to an axis value.
func axisSpan(t schema.Type, step arg, n string) string {
	if t == schema.DateTime {
		return "to_microseconds(" + toUS(step.sql) + " * (" + n + "))"
	}
	return "CAST(" + step.sql + " AS DOUBLE) * (" + n + ")"
}

func (g *gen) exprArg(e ast.Expr, r *rel) arg {
	v := valueOf(e)
	return arg{sql: g.expr(v, r), typ: g.typeOf(v), e: e}
}

// slidingWindowCounts compiles evaluate sliding_window_counts(id, time,
// start, end, lookback, bin): for each bin from start to end, the count
// and distinct count of ids over the bins of the last lookback.
func (g *gen) slidingWindowCounts(x *ast.EvaluateOp, in *rel) *rel {
	args, named := pluginArgs(x)
	if len(named) > 0 || len(args) != 6 {
		g.failf(x.Pos(), "sliding_window_counts takes id, time, start, end, lookback and bin (dimensions are not supported)")
	}
	id := g.exprArg(args[0], in)
	ts := g.exprArg(args[1], in)
	start, end := g.exprArg(args[2], nil), g.exprArg(args[3], nil)
	look, bin := g.exprArg(args[4], nil), g.exprArg(args[5], nil)
	if ts.typ != schema.DateTime || look.typ != schema.TimeSpan || bin.typ != schema.TimeSpan {
		g.failf(x.Pos(), "sliding_window_counts needs a datetime column and timespan lookback and bin")
	}
	startB := g.axisBin(g.coerce(start.sql, start.typ, schema.DateTime), schema.DateTime, bin)
	endB := g.axisBin(g.coerce(end.sql, end.typ, schema.DateTime), schema.DateTime, bin)
	data := g.cte("sliding-window", x.Pos(), "SELECT "+g.axisBin(ts.sql, schema.DateTime, bin)+" AS \"__b\", "+id.sql+" AS \"__id\" FROM "+in.name, nil)
	bins := g.cte("sliding-window", x.Pos(), "SELECT unnest(generate_series("+startB+", "+endB+", "+bin.sql+")) AS \"__b\"", nil)
	cols := g.tableCols(x)
	if len(cols) != 3 {
		g.failf(x.Pos(), "sliding_window_counts: unexpected output columns")
	}
	body := "SELECT b.\"__b\" AS " + quote(cols[0].Name) + ", CAST(count(d.\"__b\") AS BIGINT) AS " + quote(cols[1].Name) +
		", CAST(count(DISTINCT d.\"__id\") AS BIGINT) AS " + quote(cols[2].Name) +
		" FROM " + bins + " AS b LEFT JOIN " + data + " AS d ON d.\"__b\" <= b.\"__b\" AND d.\"__b\" > b.\"__b\" - " + look.sql +
		" AND d.\"__b\" BETWEEN " + startB + " AND " + endB + " GROUP BY b.\"__b\""
	return g.step("sliding-window", x.Pos(), body, cols)
}

// rollingPercentile compiles evaluate rolling_percentile(value, p, axis,
// step, window [, dims...]): per bin of the axis (and dimensions), the
// nearest-rank percentile p of the values of the last window bins.
func (g *gen) rollingPercentile(x *ast.EvaluateOp, in *rel) *rel {
	args, named := pluginArgs(x)
	if len(named) > 0 || len(args) < 5 {
		g.failf(x.Pos(), "rolling_percentile takes value, percentile, axis, step, window and dimensions")
	}
	val := g.exprArg(args[0], in)
	if !isNumeric(val.typ) {
		g.failf(args[0].Pos(), "rolling_percentile of a %s value is not supported", val.typ)
	}
	p := g.exprArg(args[1], nil)
	axis := g.exprArg(args[2], in)
	step := g.exprArg(args[3], nil)
	window := g.constInt(args[4])
	if window < 1 {
		g.failf(args[4].Pos(), "the window must be at least 1")
	}
	cols := g.tableCols(x)
	dims := args[5:]
	if len(cols) != len(dims)+2 {
		g.failf(x.Pos(), "rolling_percentile: unexpected output columns")
	}
	sel := []string{g.axisBin(axis.sql, axis.typ, step) + " AS \"__b\"", val.sql + " AS \"__v\""}
	var on, keys, out []string
	out = append(out, "k.\"__b\" AS "+quote(cols[0].Name))
	for i, d := range dims {
		n := fmt.Sprintf("\"__d%d\"", i)
		sel = append(sel, g.expr(valueOf(d), in)+" AS "+n)
		on = append(on, "d."+n+" IS NOT DISTINCT FROM k."+n)
		keys = append(keys, "k."+n)
		out = append(out, "k."+n+" AS "+quote(cols[1+i].Name))
	}
	data := g.cte("rolling-percentile", x.Pos(), "SELECT "+strings.Join(sel, ", ")+" FROM "+in.name, nil)
	kcols := append([]string{"\"__b\""}, strings.Split(strings.ReplaceAll(strings.Join(keys, ","), "k.", ""), ",")...)
	if len(keys) == 0 {
		kcols = kcols[:1]
	}
	ks := g.cte("rolling-percentile", x.Pos(), "SELECT DISTINCT "+strings.Join(kcols, ", ")+" FROM "+data, nil)
	on = append(on, "d.\"__b\" <= k.\"__b\"", "d.\"__b\" > k.\"__b\" - "+axisSpan(axis.typ, step, fmt.Sprint(window)))
	list := "list(struct_pack(v := d.\"__v\", w := CAST(1 AS DOUBLE)) ORDER BY d.\"__v\") FILTER (WHERE d.\"__v\" IS NOT NULL)"
	tot := "CAST(count(d.\"__v\") AS DOUBLE)"
	pct := weightedPick(list, tot, "CAST("+p.sql+" AS DOUBLE)")
	out = append(out, "CAST("+pct+" AS "+sqlType(cols[len(cols)-1].Type)+") AS "+quote(cols[len(cols)-1].Name))
	group := append([]string{"k.\"__b\""}, keys...)
	body := "SELECT " + strings.Join(out, ", ") + " FROM " + ks + " AS k JOIN " + data + " AS d ON " + strings.Join(on, " AND ") + " GROUP BY " + strings.Join(group, ", ")
	return g.step("rolling-percentile", x.Pos(), body, cols)
}

// rowsNear compiles evaluate rows_near(condition, before [, after]): the
// rows of a sorted input that are at most before rows before, or after
// rows after, a row where the condition holds.
func (g *gen) rowsNear(x *ast.EvaluateOp, in *rel) *rel {
	args, named := pluginArgs(x)
	if len(named) > 0 || len(args) < 2 || len(args) > 3 {
		g.failf(x.Pos(), "rows_near takes a condition, rows before and rows after (no id column)")
	}
	if len(in.order) == 0 {
		g.failf(x.Pos(), "rows_near needs sorted input: sort or serialize before it")
	}
	cond := g.exprArg(args[0], in)
	before := g.constInt(args[1])
	after := before
	if len(args) == 3 {
		after = g.constInt(args[2])
	}
	if before < 0 || after < 0 {
		g.failf(x.Pos(), "rows_near: the row counts must not be negative")
	}
	// A row is kept when a match is within after rows before it or
	// before rows after it.
	w := fmt.Sprintf("bool_or(coalesce(%s, false)) OVER (ORDER BY %s ROWS BETWEEN %d PRECEDING AND %d FOLLOWING)", cond.sql, orderSQL(in.order), after, before)
	body := "SELECT " + selectCols(in.cols) + " FROM " + in.name + " QUALIFY " + w
	return &rel{name: g.cte("rows-near", x.Pos(), body, in.cols), cols: in.cols, order: in.order}
}

// dcountIntersect compiles evaluate dcount_intersect(hll1, hll2, ...):
// s0 is the distinct count of the first sketch, s1 that of the
// intersection of the first two, and so on.
func (g *gen) dcountIntersect(x *ast.EvaluateOp, in *rel) *rel {
	args, named := pluginArgs(x)
	if len(named) > 0 || len(args) < 2 || len(args) > 16 {
		g.failf(x.Pos(), "dcount_intersect takes 2 to 16 hll sketches")
	}
	cols := g.tableCols(x)
	if len(cols) != len(in.cols)+len(args) {
		g.failf(x.Pos(), "dcount_intersect: unexpected output columns")
	}
	sel := []string{}
	for i := range in.cols {
		sel = append(sel, quote(in.cols[i].Name)+" AS "+quote(cols[i].Name))
	}
	set := ""
	for i, a := range args {
		l := "coalesce(" + hllList(g.expr(valueOf(a), in)) + ", [])"
		if i == 0 {
			set = "list_distinct(" + l + ")"
		} else {
			set = "list_intersect(" + set + ", " + l + ")"
		}
		sel = append(sel, "CAST(len("+set+") AS BIGINT) AS "+quote(cols[len(in.cols)+i].Name))
	}
	return g.step("dcount-intersect", x.Pos(), "SELECT "+strings.Join(sel, ", ")+" FROM "+in.name, cols)
}

func isBoolLit(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "true" || x.Name == "false"
	case *ast.BasicLit:
		v := strings.ToLower(x.Value)
		return v == "true" || v == "false"
	}
	return false
}

// patternRef returns the pattern a reference p(args).path names.
func (g *gen) patternRef(x *ast.SelectorExpr) (*binding, *ast.CallExpr) {
	call, ok := x.X.(*ast.CallExpr)
	if !ok || x.Sel == nil {
		return nil, nil
	}
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		return nil, nil
	}
	if b := g.sc.lookup(id.Name); b != nil && b.pattern != nil && b.pattern.Name != nil {
		return b, call
	}
	return nil, nil
}

// patternTable compiles p(args).path of a declared pattern: the body of
// the mapping the arguments and path select. ok is false when x is not
// such a reference.
func (g *gen) patternTable(x *ast.SelectorExpr) (*rel, bool) {
	b, call := g.patternRef(x)
	if b == nil {
		return nil, false
	}
	m, err := check.MatchPattern(b.pattern, call.Args, x.Sel)
	if err != nil {
		g.failf(x.Pos(), "%v", err)
	}
	v := g.callUser(&binding{fn: &ast.FuncLit{Body: m.Body}, fnSc: b.fnSc}, b.pattern.Name.Name, nil, nil, x)
	if v.rel == nil {
		g.failf(x.Pos(), "pattern '%s' does not return a table here", b.pattern.Name.Name)
	}
	return v.rel, true
}

// uniqueJoin is how a join kind=innerunique was built: its left input
// and a function that joins another left input the same way.
type uniqueJoin struct {
	in      *rel
	rebuild func(left *rel) *rel
}

// pushToUniqueLeft: Kusto applies a filter that follows an innerunique
// join and reads only left columns to the left side before it keeps one
// row per key (the documentation's join-innerunique example). When pred
// is such a filter, the join is rebuilt over the filtered left input;
// the where then runs over it as usual.
func (g *gen) pushToUniqueLeft(in *rel, pred ast.Expr) *rel {
	u := in.unique
	if u == nil {
		return in
	}
	ok := true
	ast.Inspect(pred, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Ident:
			// Only columns of the left input, which keep their names.
			if g.sc.lookup(x.Name) != nil || u.in.find(x.Name) < 0 || in.find(x.Name) < 0 || in.cols[in.find(x.Name)].Type != u.in.cols[u.in.find(x.Name)].Type {
				ok = false
			}
		case *ast.CallExpr:
			// Function names are not columns; their arguments are.
			for _, a := range x.Args {
				ast.Inspect(a, func(m ast.Node) bool {
					if id, isID := m.(*ast.Ident); isID && (g.sc.lookup(id.Name) != nil || u.in.find(id.Name) < 0) {
						ok = false
					}
					return ok
				})
			}
			if id, isID := x.Fun.(*ast.Ident); !isID || aggFuncs[id.Name] != nil || scalarFuncs[id.Name] == nil {
				ok = false
			}
			return false
		case *ast.SelectorExpr, *ast.IndexExpr:
		}
		return ok
	})
	if !ok {
		return in
	}
	left := g.windowed(u.in, pred)
	if left != u.in {
		return in
	}
	body := "SELECT " + selectCols(u.in.cols) + carry(u.in) + " FROM " + u.in.name + " WHERE " + g.predicate(pred, u.in)
	filtered := keep(g.cte("where", pred.Pos(), body, u.in.cols), u.in.cols, u.in)
	return u.rebuild(filtered)
}
