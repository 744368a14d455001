package sqlgen

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// op compiles one tabular operator applied to in (nil for operators that
// start a pipe: print, range, union...).
func (g *gen) op(o ast.Operator, in *rel) *rel {
	if in == nil {
		switch o.(type) {
		case *ast.PrintOp, *ast.RangeOp, *ast.UnionOp, *ast.SearchOp, *ast.FindOp:
		default:
			g.failf(o.Pos(), "this operator needs input")
		}
	}
	// Only this operator may use what its output needs; operators it
	// compiles inside itself (subqueries, mv-apply) start from "all".
	need := g.outNeed
	g.outNeed = nil
	switch x := o.(type) {
	case *ast.WhereOp:
		in = g.pushToUniqueLeft(in, x.Pred)
		in = g.windowed(in, x.Pred)
		// A filter keeps every column of its input: * keeps the SQL short,
		// which DuckDB plans faster than a long select list.
		body := "SELECT * FROM " + in.name + " WHERE " + g.predicate(x.Pred, in)
		return keep(g.cte("where", x.Pos(), body, in.cols), in.cols, in)
	case *ast.ExtendOp:
		return g.extend(x, x.Exprs, in, "extend")
	case *ast.ProjectOp:
		return g.project(x, in)
	case *ast.ProjectAwayOp, *ast.ProjectKeepOp, *ast.ProjectReorderOp:
		cols := g.tableCols(o)
		in = g.orderFor(in, cols)
		body := "SELECT " + selectCols(cols) + carry(in) + " FROM " + in.name
		return keep(g.cte(opName(o), o.Pos(), body, cols), cols, in)
	case *ast.ProjectRenameOp:
		return g.rename(x, in)
	case *ast.TakeOp:
		return g.limit(in, x.Count, "take", x)
	case *ast.SortOp:
		return g.sort(x.Items, in, x)
	case *ast.TopOp:
		r := g.sort([]*ast.OrderedExpr{x.Item}, in, x)
		return g.limit(r, x.Count, "top", x)
	case *ast.CountOp:
		cols := g.tableCols(o)
		body := "SELECT count(*) AS " + quote(cols[0].Name) + " FROM " + in.name
		return g.step("count", x.Pos(), body, cols)
	case *ast.DistinctOp:
		return g.distinct(x, in)
	case *ast.SummarizeOp:
		return g.summarize(x, in, need)
	case *ast.JoinOp:
		return g.join(x, in)
	case *ast.LookupOp:
		return g.lookup(x, in)
	case *ast.UnionOp:
		return g.union(x, in, need)
	case *ast.PrintOp:
		return g.print(x)
	case *ast.RangeOp:
		return g.rangeOp(x)
	case *ast.MvExpandOp:
		return g.mvExpand(x, in, need)
	case *ast.SerializeOp:
		if len(in.order) == 0 {
			in = g.numbered(in)
		}
		if len(x.Exprs) == 0 {
			return in
		}
		return g.extend(x, x.Exprs, in, "serialize")
	case *ast.RenderOp:
		g.render = g.renderOf(x)
		return in
	case *ast.AsOp:
		if x.Name != nil {
			g.sc.names[x.Name.Name] = &binding{rel: in}
		}
		return in
	case *ast.GetSchemaOp:
		return g.getschema(x, in)
	case *ast.SampleOp:
		body := "SELECT " + selectCols(in.cols) + carry(in) + " FROM " + in.name + " ORDER BY random() LIMIT " + g.expr(x.Count, nil)
		return g.step("sample", x.Pos(), body, in.cols)
	case *ast.InvokeOp:
		return g.invoke(x, in)
	case *ast.ConsumeOp:
		return in
	case *ast.FindOp:
		return g.find(x)
	case *ast.SearchOp:
		return g.search(x, in)
	case *ast.EvaluateOp:
		return g.evaluate(x, in)
	}
	if f := extraOps[opName(o)]; f != nil {
		return f(g, o, in)
	}
	switch o.(type) {
	case *ast.FacetOp, *ast.ForkOp:
		// Both answer with several tables; a hunting result is one.
		g.failf(o.Pos(), "operator %s returns several result tables, and a hunting query returns one: run each branch as its own query", opName(o))
	}
	g.failf(o.Pos(), "operator %s is not supported yet", opName(o))
	return nil
}

// opFunc compiles an operator registered by its own file.
type opFunc func(g *gen, o ast.Operator, in *rel) *rel

// extraOps holds operators compiled outside this file, by opName.
var extraOps = map[string]opFunc{}

func registerOp(name string, f opFunc) { extraOps[name] = f }

// opName names an operator for messages and the plan.
func opName(o ast.Operator) string {
	n := fmt.Sprintf("%T", o)
	n = strings.TrimSuffix(strings.TrimPrefix(n, "*ast."), "Op")
	var b strings.Builder
	for i, r := range n {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// predicate compiles a where clause: a dynamic value counts as true only
// when it is the JSON true.
func (g *gen) predicate(e ast.Expr, row *rel) string {
	g.markBare(e)
	s := g.expr(e, row)
	if t := g.typeOf(e); t == schema.Dynamic || t == schema.Invalid {
		return "coalesce(TRY_CAST(" + dynToString(s) + " AS BOOLEAN), false)"
	}
	return s
}

// markBare marks the comparisons that are conjuncts of a where clause:
// there a null comparison and false both drop the row.
func (g *gen) markBare(e ast.Expr) {
	switch x := e.(type) {
	case *ast.ParenExpr:
		g.markBare(x.X)
	case *ast.BinaryExpr:
		if x.Op == ast.And {
			g.markBare(x.X)
			g.markBare(x.Y)
			return
		}
		if g.bare == nil {
			g.bare = map[ast.Expr]bool{}
		}
		g.bare[x] = true
	}
}

// orderFor makes sure in's order survives a step that outputs cols: when
// an order key would be dropped, the rows are numbered first.
func (g *gen) orderFor(in *rel, cols []check.Column) *rel {
	for _, k := range in.order {
		found := false
		for _, c := range cols {
			if c.Name == k.col {
				found = true
			}
		}
		for _, h := range in.hidden {
			if h == k.col {
				found = true
			}
		}
		if !found {
			return g.numbered(in)
		}
	}
	return in
}

// extend compiles extend (and serialize's assignments). Expressions that
// read a column assigned earlier in the same operator start a new step,
// since SQL cannot read a select list's own outputs.
func (g *gen) extend(o ast.Operator, exprs []ast.Expr, in *rel, op string) *rel {
	final := g.tableCols(o)
	cur := in
	assigned := map[string]string{}
	var order []string
	flush := func() {
		if len(assigned) == 0 {
			return
		}
		cols := append([]check.Column(nil), cur.cols...)
		for _, n := range order {
			found := false
			for i := range cols {
				if cols[i].Name == n {
					cols[i].Type = typeIn(final, n, cols[i].Type)
					found = true
				}
			}
			if !found {
				cols = append(cols, check.Column{Name: n, Type: typeIn(final, n, schema.Invalid)})
			}
		}
		// * REPLACE keeps the input's columns (hidden ones too) without
		// listing them: short SQL plans faster.
		var replaced, added []string
		for _, c := range cols {
			s, ok := assigned[c.Name]
			switch {
			case !ok:
			case cur.find(c.Name) >= 0:
				replaced = append(replaced, s+" AS "+quote(c.Name))
			default:
				added = append(added, s+" AS "+quote(c.Name))
			}
		}
		body := "SELECT *"
		if len(replaced) > 0 {
			body += " REPLACE (" + strings.Join(replaced, ", ") + ")"
		}
		for _, a := range added {
			body += ", " + a
		}
		body += " FROM " + cur.name
		cur = keep(g.cte(op, o.Pos(), body, cols), cols, cur)
		// Replacing an order key's column keeps the old order only if the
		// rows were numbered: number them before such a step.
		assigned, order = map[string]string{}, nil
	}
	for _, e := range exprs {
		names := g.res.Names[e]
		v := valueOf(e)
		if len(names) != 1 {
			g.failf(e.Pos(), "extend with %d names is not supported", len(names))
		}
		if refsAny(v, assigned) {
			flush()
		}
		if g.windowedExprs(v) {
			flush()
			cur = g.windowed(cur, v)
		}
		if orderKeyIs(cur, names[0]) {
			flush()
			cur = g.numbered(cur)
		}
		s := g.expr(v, cur)
		s = g.coerce(s, g.typeOf(v), typeIn(final, names[0], g.typeOf(v)))
		if _, dup := assigned[names[0]]; !dup {
			order = append(order, names[0])
		}
		assigned[names[0]] = s
	}
	flush()
	return cur
}

func orderKeyIs(r *rel, name string) bool {
	for _, k := range r.order {
		if k.col == name {
			return true
		}
	}
	return false
}

func typeIn(cols []check.Column, name string, def schema.Type) schema.Type {
	for _, c := range cols {
		if c.Name == name {
			if c.Type == schema.Invalid {
				return def
			}
			return c.Type
		}
	}
	return def
}

// valueOf strips the names of x = value.
func valueOf(e ast.Expr) ast.Expr {
	if ne, ok := e.(*ast.NamedExpr); ok {
		return ne.X
	}
	return e
}

// refsAny reports whether e reads one of the names.
func refsAny(e ast.Expr, names map[string]string) bool {
	if len(names) == 0 {
		return false
	}
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if _, ok := names[id.Name]; ok {
				found = true
			}
		}
		return !found
	})
	return found
}

func (g *gen) project(x *ast.ProjectOp, in *rel) *rel {
	cols := g.tableCols(x)
	in = g.windowed(in, x.Exprs...)
	in = g.orderFor(in, cols)
	var sel []string
	for _, e := range x.Exprs {
		names := g.res.Names[e]
		v := valueOf(e)
		switch v.(type) {
		case *ast.Wildcard, *ast.Star:
			for _, n := range names {
				sel = append(sel, quote(n))
			}
			continue
		}
		if len(names) != 1 {
			g.failf(e.Pos(), "project with %d names is not supported", len(names))
		}
		s := g.expr(v, in)
		s = g.coerce(s, g.typeOf(v), typeIn(cols, names[0], g.typeOf(v)))
		sel = append(sel, s+" AS "+quote(names[0]))
	}
	body := "SELECT " + strings.Join(sel, ", ") + carry(in) + " FROM " + in.name
	if len(sel) == 0 {
		body = "SELECT NULL AS \"__empty\"" + carry(in) + " FROM " + in.name
	}
	return keep(g.cte("project", x.Pos(), body, cols), cols, in)
}

func (g *gen) rename(x *ast.ProjectRenameOp, in *rel) *rel {
	cols := g.tableCols(x)
	newOf := map[string]string{}
	for _, e := range x.Exprs {
		ne, ok := e.(*ast.NamedExpr)
		if !ok || len(ne.Names) != 1 {
			g.failf(e.Pos(), "project-rename expects new = old")
		}
		old, ok := ne.X.(*ast.Ident)
		if !ok {
			g.failf(e.Pos(), "project-rename expects new = old")
		}
		newOf[old.Name] = ne.Names[0].Name
	}
	var sel []string
	for _, c := range in.cols {
		if n, ok := newOf[c.Name]; ok {
			sel = append(sel, quote(c.Name)+" AS "+quote(n))
		} else {
			sel = append(sel, quote(c.Name))
		}
	}
	var order []orderKey
	for _, k := range in.order {
		if n, ok := newOf[k.col]; ok {
			k.col = n
		}
		order = append(order, k)
	}
	body := "SELECT " + strings.Join(sel, ", ") + carry(in) + " FROM " + in.name
	return &rel{name: g.cte("project-rename", x.Pos(), body, cols), cols: cols, hidden: in.hidden, order: order}
}

// limit keeps the first n rows, in in's order when it has one.
func (g *gen) limit(in *rel, count ast.Expr, op string, at ast.Operator) *rel {
	// A literal count is written as the number it parsed to (an integer
	// cannot carry SQL), so DuckDB plans a top-N instead of a full sort.
	n := ""
	if lit, ok := count.(*ast.BasicLit); ok && lit.Kind == ast.LitLong {
		if v, err := strconv.ParseInt(lit.Value, 0, 64); err == nil {
			n = strconv.FormatInt(max(v, 0), 10)
		}
	}
	if n == "" {
		n = "greatest(" + g.coerce(g.expr(count, nil), g.typeOf(count), schema.Long) + ", 0)"
	}
	body := "SELECT " + selectCols(in.cols) + carry(in) + " FROM " + in.name
	if len(in.order) > 0 {
		body += " ORDER BY " + orderSQL(in.order)
	}
	body += " LIMIT " + n
	return keep(g.cte(op, at.Pos(), body, in.cols), in.cols, in)
}

// sort orders in by items. Keys that are columns order in place; other
// expressions are computed into hidden columns first.
func (g *gen) sort(items []*ast.OrderedExpr, in *rel, at ast.Operator) *rel {
	var keys []orderKey
	var extra []string
	var hidden []string
	for i, it := range items {
		if it == nil {
			continue
		}
		desc := it.Dir != ast.SortAsc && it.Dir != ast.SortGrannyAsc
		nullsFirst := !desc
		switch it.Nulls {
		case ast.NullsFirst:
			nullsFirst = true
		case ast.NullsLast:
			nullsFirst = false
		}
		col := ""
		if id, ok := it.X.(*ast.Ident); ok && in.find(id.Name) >= 0 {
			col = id.Name
		} else {
			col = fmt.Sprintf("__k%d_%d", len(g.steps), i)
			extra = append(extra, g.expr(it.X, in)+" AS "+quote(col))
			hidden = append(hidden, col)
		}
		keys = append(keys, orderKey{col: col, desc: desc, nullsFirst: nullsFirst})
	}
	out := &rel{name: in.name, cols: in.cols, hidden: in.hidden, order: keys}
	if len(extra) > 0 {
		body := "SELECT " + selectCols(in.cols) + carry(in) + ", " + strings.Join(extra, ", ") + " FROM " + in.name
		out.name = g.cte(opName(at), at.Pos(), body, in.cols)
		out.hidden = append(append([]string(nil), in.hidden...), hidden...)
	}
	return out
}

func (g *gen) distinct(x *ast.DistinctOp, in *rel) *rel {
	cols := g.tableCols(x)
	var sel []string
	if len(x.Exprs) == 1 {
		if _, ok := x.Exprs[0].(*ast.Star); ok {
			body := "SELECT DISTINCT " + selectCols(in.cols) + " FROM " + in.name
			return g.step("distinct", x.Pos(), body, cols)
		}
	}
	for i, e := range x.Exprs {
		v := valueOf(e)
		sel = append(sel, g.expr(v, in)+" AS "+quote(cols[i].Name))
	}
	body := "SELECT DISTINCT " + strings.Join(sel, ", ") + " FROM " + in.name
	return g.step("distinct", x.Pos(), body, cols)
}

func (g *gen) print(x *ast.PrintOp) *rel {
	cols := g.tableCols(x)
	var sel []string
	for _, e := range x.Exprs {
		names := g.res.Names[e]
		v := valueOf(e)
		if len(names) > 1 && isSortCall(v) {
			// print array_sort_asc(a, b): the value is [a_sorted,
			// b_sorted], one column each.
			s := g.expr(v, nil)
			for i, n := range names {
				sel = append(sel, "json_extract("+s+", '$["+itoa(i)+"]') AS "+quote(n))
			}
			continue
		}
		if len(names) != 1 {
			g.failf(e.Pos(), "print with %d names is not supported", len(names))
		}
		sel = append(sel, g.coerce(g.expr(v, nil), g.typeOf(v), typeIn(cols, names[0], g.typeOf(v)))+" AS "+quote(names[0]))
	}
	return g.step("print", x.Pos(), "SELECT "+strings.Join(sel, ", "), cols)
}

func (g *gen) rangeOp(x *ast.RangeOp) *rel {
	cols := g.tableCols(x)
	name := quote(cols[0].Name)
	t := cols[0].Type
	from := g.coerce(g.expr(x.FromExpr, nil), g.typeOf(x.FromExpr), t)
	to := g.coerce(g.expr(x.ToExpr, nil), g.typeOf(x.ToExpr), t)
	step := g.expr(x.StepExpr, nil)
	var body string
	switch t {
	case schema.Long, schema.Int:
		body = "SELECT CAST(generate_series AS " + sqlType(t) + ") AS " + name + " FROM generate_series(CAST(" + from + " AS BIGINT), CAST(" + to + " AS BIGINT), CAST(" + step + " AS BIGINT))"
	case schema.DateTime:
		body = "SELECT generate_series AS " + name + " FROM generate_series(" + from + ", " + to + ", " + step + ")"
	case schema.TimeSpan:
		body = "SELECT to_microseconds(" + toUS(from) + " + i * " + toUS(step) + ") AS " + name +
			" FROM generate_series(0, CAST(floor((" + toUS(to) + " - " + toUS(from) + ") / " + toUS(step) + ") AS BIGINT)) AS r(i)"
	default:
		body = "SELECT CAST(" + from + " + i * " + step + " AS DOUBLE) AS " + name +
			" FROM generate_series(0, CAST(floor((" + to + " - " + from + ") / " + step + " + 1e-9) AS BIGINT)) AS r(i)"
	}
	return g.numbered(g.step("range", x.Pos(), body, cols))
}

func (g *gen) renderOf(x *ast.RenderOp) *Render {
	r := &Render{Props: map[string]any{}}
	if x.Chart != nil {
		r.Visualization = x.Chart.Name
	}
	props := x.Props
	if x.With != nil {
		props = append(append([]*ast.Option(nil), props...), x.With.Props...)
	}
	for _, p := range props {
		switch v := p.Value.(type) {
		case *ast.StringLit:
			r.Props[p.Name] = v.Value
		case *ast.Ident:
			r.Props[p.Name] = v.Name
		case *ast.BasicLit:
			r.Props[p.Name] = v.Value
		case *ast.ParenExpr:
			r.Props[p.Name] = exprText(v)
		default:
			r.Props[p.Name] = exprText(p.Value)
		}
	}
	return r
}

// exprText renders a small expression (a list of names) for render's
// properties.
func exprText(e ast.Expr) string {
	var names []string
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			names = append(names, id.Name)
		}
		return true
	})
	return strings.Join(names, ",")
}

// dotnetType is the CLR type name getschema reports.
func dotnetType(t schema.Type) string {
	return map[schema.Type]string{
		schema.Bool: "System.SByte", schema.Int: "System.Int32", schema.Long: "System.Int64",
		schema.Real: "System.Double", schema.Decimal: "System.Data.SqlTypes.SqlDecimal",
		schema.DateTime: "System.DateTime", schema.TimeSpan: "System.TimeSpan",
		schema.String: "System.String", schema.GUID: "System.Guid", schema.Dynamic: "System.Object",
	}[t]
}

func (g *gen) getschema(x *ast.GetSchemaOp, in *rel) *rel {
	cols := g.tableCols(x)
	var rows []string
	for i, c := range in.cols {
		rows = append(rows, "("+g.typedParam(c.Name, schema.String)+", "+g.typedParam(int32(i), schema.Int)+", "+
			g.typedParam(dotnetType(c.Type), schema.String)+", "+g.typedParam(c.Type.String(), schema.String)+")")
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quote(c.Name)
	}
	body := "SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") AS t(" + strings.Join(names, ", ") + ")"
	if len(rows) == 0 {
		body = "SELECT '' AS \"ColumnName\", 0 AS \"ColumnOrdinal\", '' AS \"DataType\", '' AS \"ColumnType\" WHERE false"
	}
	return g.numbered(g.step("getschema", x.Pos(), body, cols))
}

func (g *gen) invoke(x *ast.InvokeOp, in *rel) *rel {
	call, ok := x.Call.(*ast.CallExpr)
	if !ok {
		if id, isID := x.Call.(*ast.Ident); isID {
			call = &ast.CallExpr{Fun: id}
		} else {
			g.failf(x.Pos(), "invoke expects a function call")
		}
	}
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		g.failf(x.Pos(), "invoke expects a function call")
	}
	b := g.sc.lookup(id.Name)
	if (b == nil || b.fn == nil) && id.Name == "FileProfile" {
		return g.fileProfile(x, call, in)
	}
	if b == nil || b.fn == nil {
		g.failf(x.Pos(), "invoke: unknown function '%s'", id.Name)
	}
	// The piped table is the first parameter.
	name := fmt.Sprintf("__invoke%d", len(g.steps))
	saved := g.sc
	g.sc = &scope{parent: saved, names: map[string]*binding{name: {rel: in}}}
	args := append([]ast.Expr{&ast.Ident{NamePos: x.Pos(), Name: name}}, call.Args...)
	v := g.callUser(b, id.Name, args, nil, x)
	g.sc = saved
	if v.rel == nil {
		g.failf(x.Pos(), "invoke: '%s' does not return a table", id.Name)
	}
	return v.rel
}

// tablesMatching expands a table wildcard (Device*) over the schema.
func tablesMatching(pattern string) []string {
	var out []string
	for _, t := range schema.Tables() {
		if ok, _ := path.Match(pattern, t.Name); ok {
			out = append(out, t.Name)
		}
	}
	return out
}
