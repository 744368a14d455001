package sqlgen

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

func init() {
	registerOp("make-series", func(g *gen, o ast.Operator, in *rel) *rel {
		return g.makeSeries(o.(*ast.MakeSeriesOp), in)
	})
}

// datetimeOrigin is 0001-01-01 in microseconds since the Unix epoch:
// bin() of a datetime counts its bins from there.
const datetimeOrigin = "CAST(-62135596800000000 AS BIGINT)"

// axisNum turns an axis value into a number: microseconds for datetime
// and timespan, a double otherwise.
func axisNum(sql string, t schema.Type) string {
	switch t {
	case schema.DateTime:
		return "epoch_us(" + sql + ")"
	case schema.TimeSpan:
		return toUS(sql)
	}
	return "CAST(" + sql + " AS DOUBLE)"
}

// axisValue turns a number made by axisNum back into the axis type.
func axisValue(num string, t schema.Type) string {
	switch t {
	case schema.DateTime:
		return "make_timestamp(CAST(" + num + " AS BIGINT))"
	case schema.TimeSpan:
		return "to_microseconds(CAST(" + num + " AS BIGINT))"
	case schema.Int, schema.Long, schema.Real, schema.Decimal:
		return "CAST(" + num + " AS " + sqlType(t) + ")"
	}
	return num
}

// kustoJSON converts a typed value to dynamic as Kusto writes it inside
// arrays: datetimes with seven fractional digits.
func kustoJSON(sql string, t schema.Type) string {
	if t == schema.DateTime {
		return "to_json(CASE WHEN " + sql + " IS NULL THEN NULL ELSE strftime(" + sql + ", '%Y-%m-%dT%H:%M:%S.%f') || '0Z' END)"
	}
	return toJSON(sql, t)
}

// makeSeries compiles make-series. The rows are binned along the axis
// and aggregated per group and bin; each group then becomes one row
// whose series are arrays over all the bins, absent bins holding the
// default value.
func (g *gen) makeSeries(x *ast.MakeSeriesOp, in *rel) *rel {
	cols := g.tableCols(x)
	nBy, nAgg := len(x.ByExprs), 0
	for _, a := range x.Aggs {
		if a != nil {
			nAgg++
		}
	}
	if len(cols) != nBy+nAgg+1 {
		g.failf(x.Pos(), "internal error: make-series has %d columns for %d keys and %d series", len(cols), nBy, nAgg)
	}
	axisT := g.typeOf(x.OnExpr)
	switch axisT {
	case schema.DateTime, schema.TimeSpan, schema.Int, schema.Long, schema.Real, schema.Decimal:
	default:
		g.failf(x.OnExpr.Pos(), "make-series: the axis must be a datetime, a timespan or a number, not %s", axisT)
	}
	// The step: microseconds for datetime and timespan axes.
	var stepE, fromE, toE ast.Expr
	inRange := false
	switch {
	case len(x.RangeArgs) > 0:
		if len(x.RangeArgs) != 3 {
			g.failf(x.Pos(), "make-series: range() expects start, stop and step")
		}
		fromE, toE, stepE, inRange = x.RangeArgs[0], x.RangeArgs[1], x.RangeArgs[2], true
	default:
		fromE, toE, stepE = x.FromExpr, x.ToExpr, x.StepExpr
	}
	if stepE == nil {
		g.failf(x.Pos(), "make-series needs a step")
	}
	var step string
	if axisT == schema.DateTime || axisT == schema.TimeSpan {
		step = toUS(g.coerce(g.expr(stepE, nil), g.typeOf(stepE), schema.TimeSpan))
	} else {
		step = "CAST(" + g.expr(stepE, nil) + " AS DOUBLE)"
	}
	bound := func(e ast.Expr) string {
		return axisNum(g.coerce(g.expr(e, nil), g.typeOf(e), axisT), axisT)
	}
	origin := "0"
	if axisT == schema.DateTime {
		origin = datetimeOrigin
	}
	binOf := func(v string) string { // bin(v, step) on the number line
		return "(floor((" + v + " - " + origin + ") / " + step + ") * " + step + " + " + origin + ")"
	}

	// Step 1: the input with the axis as a number and each row's bounds
	// (per group when from or to is missing).
	keys := make([]string, nBy)
	for i, e := range x.ByExprs {
		keys[i] = g.expr(valueOf(e), in)
	}
	partition := ""
	if nBy > 0 {
		partition = "PARTITION BY " + strings.Join(keys, ", ")
	}
	axis := axisNum(g.expr(x.OnExpr, in), axisT)
	var lo, hi string
	switch {
	case inRange:
		// range(start, stop, step): bins of bin(), stop included.
		lo = binOf(bound(fromE))
		hi = binOf(bound(toE)) + " + " + step
	default:
		if fromE != nil {
			lo = bound(fromE)
		} else {
			lo = "min(" + binOf(axis) + ") OVER (" + partition + ")"
		}
		if toE != nil {
			hi = bound(toE)
		} else {
			hi = "max(" + binOf(axis) + ") OVER (" + partition + ") + " + step
		}
	}
	body := "SELECT " + selectCols(in.cols) + carry(in) + ", " + axis + " AS \"__x\", " + lo + " AS \"__lo\", " + hi + " AS \"__hi\" FROM " + in.name
	a := &rel{name: g.cte("make-series", x.Pos(), body, in.cols), cols: in.cols, hidden: append(append([]string(nil), in.hidden...), "__x", "__lo", "__hi")}

	// Step 2: the aggregates per group and bin.
	ctx := &aggCtx{in: a}
	var sel, group []string
	for i := range x.ByExprs {
		sel = append(sel, g.expr(valueOf(x.ByExprs[i]), a)+fmt.Sprintf(" AS \"__k%d\"", i))
		group = append(group, fmt.Sprint(i+1))
	}
	sel = append(sel, `"__lo"`, `"__hi"`, `CAST(floor(("__x" - "__lo") / `+step+`) AS BIGINT) AS "__bin"`)
	for i := 0; i < 3; i++ {
		group = append(group, fmt.Sprint(nBy+i+1))
	}
	type series struct {
		outer string
		typ   schema.Type
		def   string
	}
	var ss []series
	for _, ag := range x.Aggs {
		if ag == nil {
			continue
		}
		v := valueOf(ag.X)
		saved := g.agg
		g.agg = ctx
		s := g.expr(v, a)
		g.agg = saved
		t := g.typeOf(v)
		def := "CAST(NULL AS JSON)"
		switch {
		case ag.DefaultValue != nil:
			def = kustoJSON(g.expr(ag.DefaultValue, nil), g.typeOf(ag.DefaultValue))
		case t == schema.Int || t == schema.Long || t == schema.Real || t == schema.Decimal:
			def = "CAST('0' AS JSON)"
		}
		ss = append(ss, series{outer: s, typ: t, def: def})
	}
	inner := append(sel, ctx.inner...)
	body = "SELECT " + strings.Join(inner, ", ") + " FROM " + a.name +
		` WHERE "__x" >= "__lo" AND "__x" < "__hi" GROUP BY ` + strings.Join(group, ", ")
	grouped := g.cte("make-series", x.Pos(), body, nil)
	var vsel []string
	for i := 0; i < nBy; i++ {
		vsel = append(vsel, fmt.Sprintf("\"__k%d\"", i))
	}
	vsel = append(vsel, `"__lo"`, `"__hi"`, `"__bin"`)
	for i, s := range ss {
		vsel = append(vsel, kustoJSON(s.outer, s.typ)+fmt.Sprintf(" AS \"__v%d\"", i))
	}
	values := g.cte("make-series", x.Pos(), "SELECT "+strings.Join(vsel, ", ")+" FROM "+grouped, nil)

	// Step 3: the groups, each with its bins. A group whose rows all
	// fall outside the range still gets a row of defaults.
	var gsel []string
	for i := range x.ByExprs {
		gsel = append(gsel, g.expr(valueOf(x.ByExprs[i]), a)+fmt.Sprintf(" AS \"__k%d\"", i))
	}
	gsel = append(gsel, `"__lo"`, `"__hi"`)
	groups := "SELECT DISTINCT " + strings.Join(gsel, ", ") + " FROM " + a.name
	if optionWord(x.Options, "kind") == "nonempty" {
		if fromE == nil || toE == nil {
			g.failf(x.Pos(), "make-series kind=nonempty needs from and to")
		}
		empty := make([]string, 0, nBy+2)
		for i := 0; i < nBy; i++ {
			empty = append(empty, g.typedParam(nil, cols[i].Type)+fmt.Sprintf(" AS \"__k%d\"", i))
		}
		empty = append(empty, lo+` AS "__lo"`, hi+` AS "__hi"`)
		groups = "(" + groups + ") UNION ALL (SELECT " + strings.Join(empty, ", ") + " WHERE NOT EXISTS (SELECT 1 FROM " + a.name + "))"
	}
	bins := g.cte("make-series", x.Pos(), "SELECT *, unnest(range(greatest(CAST(ceil((\"__hi\" - \"__lo\") / "+step+") AS BIGINT), 0))) AS \"__i\" FROM ("+groups+")", nil)

	// Step 4: one row per group.
	var out, on, by []string
	for i := 0; i < nBy; i++ {
		k := fmt.Sprintf("\"__k%d\"", i)
		on = append(on, "b."+k+" IS NOT DISTINCT FROM v."+k)
		by = append(by, "b."+k)
		out = append(out, finalCast("b."+k+" AS "+quote(cols[i].Name), cols[i]))
	}
	on = append(on, `b."__lo" = v."__lo"`, `b."__hi" = v."__hi"`, `b."__i" = v."__bin"`)
	by = append(by, `b."__lo"`, `b."__hi"`)
	for i, s := range ss {
		v := fmt.Sprintf("v.\"__v%d\"", i)
		el := "CASE WHEN v.\"__bin\" IS NULL THEN " + s.def + " ELSE " + v + " END"
		out = append(out, "CAST(coalesce(to_json(list("+el+` ORDER BY b."__i")), '[]') AS JSON) AS `+quote(cols[nBy+i].Name))
	}
	axisEl := kustoJSON(axisValue(`b."__lo" + b."__i" * `+step, axisT), axisT)
	out = append(out, "CAST(coalesce(to_json(list("+axisEl+` ORDER BY b."__i")), '[]') AS JSON) AS `+quote(cols[len(cols)-1].Name))
	body = "SELECT " + strings.Join(out, ", ") + " FROM " + bins + " b LEFT JOIN " + values + " v ON " + strings.Join(on, " AND ") +
		" GROUP BY " + strings.Join(by, ", ")
	return g.step("make-series", x.Pos(), body, cols)
}
