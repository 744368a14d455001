package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// The series functions work on dynamic arrays of numbers. A series is
// read as a DOUBLE[] whose non-numeric elements are null (seriesNums);
// results are written back as JSON arrays. Functions that keep the
// values' kind (abs, add of two integer series...) write integers when
// every input element is one.
//
// Lambda parameters are named __s<letter> so that they cannot hide a
// column of the row.

// jsonIsNum is the test that a JSON element is a number.
func jsonIsNum(e string) string {
	return "coalesce(json_type(" + e + ") IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT'), false)"
}

// jsonIsInt is the test that a JSON element is an integer or null.
func jsonIsInt(e string) string {
	return "coalesce(json_type(" + e + ") IN ('BIGINT', 'UBIGINT', 'HUGEINT', 'NULL'), true)"
}

// seriesNums is a dynamic array as DOUBLE[]: non-numbers become null.
func seriesNums(sql string) string {
	return "list_transform(" + jsonList(sql) + ", __sa -> CASE WHEN " + jsonIsNum("__sa") + " THEN CAST(__sa AS DOUBLE) END)"
}

// seriesAllInts is true when every element of a dynamic array is an
// integer (or null).
func seriesAllInts(sql string) string {
	return "coalesce(list_bool_and(list_transform(" + jsonList(sql) + ", __sb -> " + jsonIsInt("__sb") + ")), true)"
}

// finiteJSON renders a double as JSON, with null for NaN and infinities
// (JSON has no such numbers).
func finiteJSON(v string) string {
	return "CASE WHEN isfinite(" + v + ") THEN to_json(" + v + ") ELSE CAST('null' AS JSON) END"
}

// seriesArg is one operand of an element-wise function: a series, or a
// number applied to every element.
type seriesArg struct {
	list   string // DOUBLE[] when a series
	scalar string // DOUBLE when a number
	ints   string // SQL bool: every value is an integer
}

func (g *gen) seriesOperand(a arg) seriesArg {
	switch a.typ {
	case schema.Dynamic, schema.Invalid:
		return seriesArg{list: seriesNums(a.sql), ints: seriesAllInts(a.sql)}
	case schema.Int, schema.Long:
		return seriesArg{scalar: "CAST(" + a.sql + " AS DOUBLE)", ints: "true"}
	case schema.Real, schema.Decimal:
		return seriesArg{scalar: "CAST(" + a.sql + " AS DOUBLE)", ints: "false"}
	case schema.Bool:
		return seriesArg{scalar: "CAST(CAST(" + a.sql + " AS INTEGER) AS DOUBLE)", ints: "true"}
	}
	return seriesArg{scalar: "CAST(NULL AS DOUBLE)", ints: "false"}
}

func (s seriesArg) at(i string) string {
	if s.list != "" {
		return s.list + "[" + i + "]"
	}
	return s.scalar
}

// seriesBinary applies op element by element. The result is as long as
// the longer series; a missing element is null. kind is "num" (integers
// stay integers when both sides are), "real" or "bool".
func (g *gen) seriesBinary(x *ast.CallExpr, a []arg, kind string, op func(l, r string) string) string {
	g.need(x, a, 2, 2)
	l, r := g.seriesOperand(a[0]), g.seriesOperand(a[1])
	if l.list == "" && r.list == "" {
		g.failf(x.Pos(), "%s expects at least one series", x.Fun.(*ast.Ident).Name)
	}
	var n string
	var nulls []string
	switch {
	case l.list != "" && r.list != "":
		n = "greatest(len(" + l.list + "), len(" + r.list + "))"
		nulls = []string{l.list, r.list}
	case l.list != "":
		n, nulls = "len("+l.list+")", []string{l.list}
	default:
		n, nulls = "len("+r.list+")", []string{r.list}
	}
	v := op(l.at("__si"), r.at("__si"))
	each := func(el string) string {
		return "to_json(list_transform(range(1, " + n + " + 1), __si -> " + el + "))"
	}
	var body string
	switch kind {
	case "bool":
		body = each(v)
	case "num":
		body = "CASE WHEN " + l.ints + " AND " + r.ints + " THEN " + each("CAST("+v+" AS BIGINT)") + " ELSE " + each(finiteJSON(v)) + " END"
	default:
		body = each(finiteJSON(v))
	}
	var conds []string
	for _, s := range nulls {
		conds = append(conds, s+" IS NULL")
	}
	return "CAST(CASE WHEN " + strings.Join(conds, " OR ") + " THEN NULL ELSE " + body + " END AS JSON)"
}

// seriesUnary applies fn to every element; keepInts writes integers
// when every input element is one.
func (g *gen) seriesUnary(x *ast.CallExpr, a []arg, keepInts bool, fn func(v string) string) string {
	g.need(x, a, 1, 1)
	l := seriesNums(a[0].sql)
	v := fn("__sc")
	real := "to_json(list_transform(" + l + ", __sc -> " + finiteJSON(v) + "))"
	if !keepInts {
		return "CAST(" + real + " AS JSON)"
	}
	return "CAST(CASE WHEN " + seriesAllInts(a[0].sql) + " THEN to_json(list_transform(" + l + ", __sc -> CAST(" + v + " AS BIGINT))) ELSE " + real + " END AS JSON)"
}

func init() {
	bin := func(kind string, op func(l, r string) string) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string { return g.seriesBinary(x, a, kind, op) }
	}
	infix := func(sym string) func(l, r string) string {
		return func(l, r string) string { return "(" + l + " " + sym + " " + r + ")" }
	}
	register(bin("num", infix("+")), "series_add")
	register(bin("num", infix("-")), "series_subtract")
	register(bin("num", infix("*")), "series_multiply")
	register(bin("real", func(l, r string) string { return "(" + l + " / " + r + ")" }), "series_divide")
	register(bin("real", func(l, r string) string { return "pow(" + l + ", " + r + ")" }), "series_pow")
	register(bin("bool", infix(">")), "series_greater")
	register(bin("bool", infix(">=")), "series_greater_equals")
	register(bin("bool", infix("<")), "series_less")
	register(bin("bool", infix("<=")), "series_less_equals")
	register(bin("bool", infix("=")), "series_equals")
	register(bin("bool", infix("<>")), "series_not_equals")

	un := func(keepInts bool, fn string) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			return g.seriesUnary(x, a, keepInts, func(v string) string { return fn + "(" + v + ")" })
		}
	}
	register(un(true, "abs"), "series_abs")
	register(un(true, "sign"), "series_sign")
	register(un(false, "exp"), "series_exp")
	register(un(false, "floor"), "series_floor")
	register(un(false, "ceil"), "series_ceiling")
	register(un(false, "sin"), "series_sin")
	register(un(false, "cos"), "series_cos")
	register(un(false, "tan"), "series_tan")
	register(un(false, "asin"), "series_asin")
	register(un(false, "acos"), "series_acos")
	register(un(false, "atan"), "series_atan")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		// ln of zero or a negative number has no value.
		return g.seriesUnary(x, a, false, func(v string) string { return "CASE WHEN " + v + " > 0 THEN ln(" + v + ") END" })
	}, "series_log")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "CASE WHEN " + seriesNums(a[0].sql) + " IS NULL THEN NULL ELSE coalesce(list_sum(" + seriesNums(a[0].sql) + "), 0) END"
	}, "series_sum")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		l := seriesNums(a[0].sql)
		return "CASE WHEN " + l + " IS NULL THEN NULL ELSE coalesce(list_product(list_filter(" + l + ", __sd -> __sd IS NOT NULL)), 1) END"
	}, "series_product")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		l := seriesNums(a[0].sql)
		return "CASE WHEN " + l + " IS NULL THEN NULL ELSE sqrt(coalesce(list_sum(list_transform(" + l + ", __sd -> __sd * __sd)), 0)) END"
	}, "series_magnitude")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		l, r := seriesNums(a[0].sql), seriesNums(a[1].sql)
		return "CASE WHEN " + l + " IS NULL OR " + r + " IS NULL THEN NULL ELSE list_sum(list_transform(range(1, least(len(" + l + "), len(" + r + ")) + 1), __si -> " + l + "[__si] * " + r + "[__si])) END"
	}, "series_dot_product")
	register(seriesPearson, "series_pearson_correlation")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.failf(x.Pos(), "series_stats returns several columns, which is not supported: use series_stats_dynamic")
		return ""
	}, "series_stats")
	register(seriesStatsDynamic, "series_stats_dynamic")

	register(seriesFillConst, "series_fill_const")
	register(seriesFillDir(false), "series_fill_forward")
	register(seriesFillDir(true), "series_fill_backward")
	register(seriesFillLinear, "series_fill_linear")
	register(seriesFIR, "series_fir")
	register(seriesIIR, "series_iir")
	register(seriesSeasonal, "series_seasonal")
}

// seriesSeasonal is series_seasonal(series, period): each element is
// the median of the elements at the same phase (index modulo period);
// period 0 means no seasonality (zeros). Detecting the period (no
// period, or -1) is not supported.
func seriesSeasonal(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 1, 2)
	if len(a) < 2 {
		g.failf(x.Pos(), "series_seasonal without a period would detect it, which is not supported: give the period")
	}
	l := seriesNums(a[0].sql)
	p := g.coerce(a[1].sql, a[1].typ, schema.Long)
	med := "list_aggregate(list_filter(list_transform(range(0, len(" + l + ")), __sj -> CASE WHEN __sj % (" + p + ") = (__si - 1) % (" + p + ") THEN " + l + "[__sj + 1] END), __sk -> __sk IS NOT NULL), 'median')"
	el := "CASE WHEN (" + p + ") = 0 THEN 0.0 WHEN (" + p + ") < 0 THEN error('series_seasonal: detecting the period is not supported') ELSE " + med + " END"
	return "CAST(CASE WHEN " + l + " IS NULL THEN NULL ELSE to_json(list_transform(range(1, len(" + l + ") + 1), __si -> " + finiteJSON(el) + ")) END AS JSON)"
}

func seriesPearson(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 2, 2)
	l, r := seriesNums(a[0].sql), seriesNums(a[1].sql)
	pairs := "list_filter(list_transform(range(1, least(len(" + l + "), len(" + r + ")) + 1), __si -> [" + l + "[__si], " + r + "[__si]]), __sp -> __sp[1] IS NOT NULL AND __sp[2] IS NOT NULL)"
	sum := func(e string) string {
		return "coalesce(list_sum(list_transform(" + pairs + ", __sp -> " + e + ")), 0)"
	}
	n := "len(" + pairs + ")"
	num := "(" + n + " * " + sum("__sp[1] * __sp[2]") + " - " + sum("__sp[1]") + " * " + sum("__sp[2]") + ")"
	den := "sqrt((" + n + " * " + sum("__sp[1] * __sp[1]") + " - " + sum("__sp[1]") + " ^ 2) * (" + n + " * " + sum("__sp[2] * __sp[2]") + " - " + sum("__sp[2]") + " ^ 2))"
	return "CASE WHEN " + l + " IS NULL OR " + r + " IS NULL OR " + den + " = 0 THEN NULL ELSE " + num + " / " + den + " END"
}

// seriesStatsDynamic is series_stats_dynamic(series[, ignore_nonfinite]):
// a bag of min, min_idx, max, max_idx, avg, stdev, variance, sum and len.
// Unless non-finite values are ignored, their presence makes every
// statistic null.
func seriesStatsDynamic(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 1, 2)
	l := seriesNums(a[0].sql)
	ignore := "false"
	if len(a) > 1 {
		ignore = "coalesce(" + g.truth(a[1]) + ", false)"
	}
	f := "list_filter(" + l + ", __se -> __se IS NOT NULL AND isfinite(__se))"
	ok := "(" + ignore + " OR len(" + f + ") = len(" + l + "))"
	stat := func(e string) string { return "CASE WHEN " + ok + " THEN " + e + " END" }
	agg := func(name string) string { return "list_aggregate(" + f + ", '" + name + "')" }
	idx := func(v string) string { return "CAST(list_position(" + l + ", " + v + ") - 1 AS BIGINT)" }
	obj := "json_object('min', " + stat("list_min("+f+")") +
		", 'min_idx', " + stat(idx("list_min("+f+")")) +
		", 'max', " + stat("list_max("+f+")") +
		", 'max_idx', " + stat(idx("list_max("+f+")")) +
		", 'avg', " + stat("list_avg("+f+")") +
		", 'stdev', " + stat(agg("stddev_samp")) +
		", 'variance', " + stat(agg("var_samp")) +
		", 'sum', " + stat("CAST(list_sum("+f+") AS DOUBLE)") +
		", 'len', " + stat("CAST(len("+f+") AS BIGINT)") + ")"
	return "CASE WHEN " + l + " IS NULL THEN NULL ELSE " + obj + " END"
}

// missingTest is the test that a JSON element is missing: null, not a
// number, or equal to the placeholder when one is given.
func (g *gen) missingTest(a []arg, i int) func(e string) string {
	ph := ""
	if i < len(a) && !isNullLit(a[i].e) {
		ph = g.coerce(a[i].sql, a[i].typ, schema.Real)
	}
	return func(e string) string {
		t := "NOT " + jsonIsNum(e)
		if ph != "" {
			t = "(" + t + " OR coalesce(TRY_CAST(" + e + " AS DOUBLE) = " + ph + ", false))"
		}
		return t
	}
}

// seriesFillConst is series_fill_const(series[, constant[, placeholder]]).
func seriesFillConst(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 1, 3)
	c := "CAST('0' AS JSON)"
	if len(a) > 1 {
		c = toJSON(a[1].sql, a[1].typ)
	}
	missing := g.missingTest(a, 2)
	return "CAST(to_json(list_transform(" + jsonList(a[0].sql) + ", __sf -> CASE WHEN " + missing("__sf") + " THEN " + c + " ELSE __sf END)) AS JSON)"
}

// seriesFillDir is series_fill_forward and series_fill_backward: a
// missing element takes the nearest present value before (after) it;
// missing elements with none stay as they are.
func seriesFillDir(backward bool) scalarFunc {
	return func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 2)
		j := jsonList(a[0].sql)
		missing := g.missingTest(a, 1)
		var near string
		if backward {
			near = "list_filter(list_slice(" + j + ", __si, len(" + j + ")), __sg -> NOT " + missing("__sg") + ")[1]"
		} else {
			near = "list_filter(list_slice(" + j + ", 1, __si), __sg -> NOT " + missing("__sg") + ")[-1]"
		}
		el := "CASE WHEN " + missing(j+"[__si]") + " THEN coalesce(" + near + ", " + j + "[__si]) ELSE " + j + "[__si] END"
		return "CAST(to_json(list_transform(range(1, len(" + j + ") + 1), __si -> " + el + ")) AS JSON)"
	}
}

// seriesFillLinear is series_fill_linear(series[, placeholder[,
// fill_edges[, constant]]]): missing elements between two present ones
// are interpolated linearly; those before the first and after the last
// take the nearest value when fill_edges (the default); a series with no
// value at all becomes the constant (0.0). A series of integers stays
// one (interpolated values are truncated).
func seriesFillLinear(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 1, 4)
	j := jsonList(a[0].sql)
	missing := g.missingTest(a, 1)
	edges := "true"
	if len(a) > 2 {
		edges = "coalesce(" + g.truth(a[2]) + ", true)"
	}
	c := "CAST(0.0 AS DOUBLE)"
	if len(a) > 3 {
		c = g.coerce(a[3].sql, a[3].typ, schema.Real)
	}
	// Present positions before (p) and after (q) position __si.
	present := "list_filter(range(1, len(" + j + ") + 1), __sk -> NOT " + missing(j+"[__sk]") + ")"
	p := "list_filter(" + present + ", __sm -> __sm <= __si)[-1]"
	q := "list_filter(" + present + ", __sn -> __sn >= __si)[1]"
	val := func(pos string) string { return "CAST(" + j + "[" + pos + "] AS DOUBLE)" }
	interp := "CASE WHEN " + p + " IS NOT NULL AND " + q + " IS NOT NULL THEN " +
		"CASE WHEN " + p + " = " + q + " THEN " + val(p) + " ELSE " + val(p) + " + (" + val(q) + " - " + val(p) + ") * (__si - " + p + ") / (" + q + " - " + p + ") END " +
		"WHEN " + edges + " AND " + p + " IS NOT NULL THEN " + val(p) + " " +
		"WHEN " + edges + " AND " + q + " IS NOT NULL THEN " + val(q) + " END"
	ints := seriesAllInts(a[0].sql)
	el := func(conv func(string) string) string {
		return "to_json(list_transform(range(1, len(" + j + ") + 1), __si -> " + conv(interp) + "))"
	}
	allMissing := "len(" + present + ") = 0"
	return "CAST(CASE WHEN " + j + " IS NULL THEN NULL " +
		"WHEN " + allMissing + " THEN to_json(list_transform(" + j + ", __so -> " + c + ")) " +
		"WHEN " + ints + " THEN " + el(func(v string) string { return "CAST(trunc(" + v + ") AS BIGINT)" }) +
		" ELSE " + el(finiteJSON) + " END AS JSON)"
}

// seriesFIR is series_fir(series, filter[, normalize[, center]]):
// y[i] = sum of filter[k] * x[i-k] (x is 0 outside the series), divided
// by the filter's sum when normalized (the default unless the filter
// has a negative coefficient); center shifts the window by half the
// filter's length.
func seriesFIR(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 2, 4)
	s, f := seriesNums(a[0].sql), seriesNums(a[1].sql)
	norm := "NOT coalesce(list_bool_or(list_transform(" + f + ", __sq -> __sq < 0)), false)"
	if len(a) > 2 {
		norm = "coalesce(" + g.truth(a[2]) + ", false)"
	}
	shift := "0"
	if len(a) > 3 {
		shift = "CASE WHEN coalesce(" + g.truth(a[3]) + ", false) THEN (len(" + f + ") - 1) // 2 ELSE 0 END"
	}
	term := "coalesce(" + f + "[__sr] * " + s + "[__si + (" + shift + ") - __sr + 1], 0)"
	conv := "list_sum(list_transform(range(1, len(" + f + ") + 1), __sr -> CASE WHEN __si + (" + shift + ") - __sr + 1 BETWEEN 1 AND len(" + s + ") THEN " + term + " ELSE 0 END))"
	y := "CASE WHEN " + norm + " THEN " + conv + " / list_sum(" + f + ") ELSE " + conv + " END"
	return "CAST(CASE WHEN " + s + " IS NULL OR " + f + " IS NULL THEN NULL ELSE to_json(list_transform(range(1, len(" + s + ") + 1), __si -> " + finiteJSON(y) + ")) END AS JSON)"
}

// seriesIIR is series_iir(series, numerators, denominators):
// y[i] = (sum b[k] x[i-k] - sum over k >= 1 of a[k] y[i-k]) / a[0], folded
// over the series in order.
func seriesIIR(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 3, 3)
	s, b, d := seriesNums(a[0].sql), seriesNums(a[1].sql), seriesNums(a[2].sql)
	// The fold's elements are one-element lists holding the position,
	// so that they have the type of the accumulated list.
	i := "__sv[1]"
	fwd := "coalesce(list_sum(list_transform(range(1, len(" + b + ") + 1), __sw -> CASE WHEN " + i + " - __sw + 1 >= 1 THEN coalesce(" + b + "[__sw] * " + s + "[CAST(" + i + " AS BIGINT) - __sw + 1], 0) ELSE 0 END)), 0)"
	back := "coalesce(list_sum(list_transform(range(2, len(" + d + ") + 1), __sx -> CASE WHEN " + i + " - __sx + 1 >= 1 THEN coalesce(" + d + "[__sx] * __su[CAST(" + i + " AS BIGINT) - __sx + 1], 0) ELSE 0 END)), 0)"
	fold := "list_reduce(list_transform(range(1, len(" + s + ") + 1), __sy -> [CAST(__sy AS DOUBLE)]), (__su, __sv) -> list_append(__su, (" + fwd + " - " + back + ") / " + d + "[1]), CAST([] AS DOUBLE[]))"
	return "CAST(CASE WHEN " + s + " IS NULL OR " + b + " IS NULL OR " + d + " IS NULL THEN NULL ELSE to_json(list_transform(" + fold + ", __sz -> " + finiteJSON("__sz") + ")) END AS JSON)"
}
