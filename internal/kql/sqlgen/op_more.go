package sqlgen

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

func init() {
	registerOp("top-nested", func(g *gen, o ast.Operator, in *rel) *rel {
		return g.topNested(o.(*ast.TopNestedOp), in)
	})
	registerOp("top-hitters", func(g *gen, o ast.Operator, in *rel) *rel {
		return g.topHitters(o.(*ast.TopHittersOp), in)
	})
	registerOp("sample-distinct", func(g *gen, o ast.Operator, in *rel) *rel {
		return g.sampleDistinct(o.(*ast.SampleDistinctOp), in)
	})
}

// aggOver compiles an aggregate expression (count(), sum(x) * 2...) over
// the rows of in: it returns the aggregates to compute in the grouping
// select list and the expression over them.
func (g *gen) aggOver(e ast.Expr, in *rel) (inner []string, outer string) {
	ctx := &aggCtx{in: in}
	saved := g.agg
	g.agg = ctx
	outer = g.expr(valueOf(e), in)
	g.agg = saved
	if len(ctx.inner) == 0 {
		// A constant: count the rows so that the grouping has a column.
		ctx.inner = []string{`count(*) AS "__n"`}
	}
	return ctx.inner, outer
}

func tcol(k int) string { return fmt.Sprintf(`"__t%d"`, k) }
func vcol(k int) string { return fmt.Sprintf(`"__v%d"`, k) }

// colsUpTo lists f(1)..f(k).
func colsUpTo(k int, prefix string, f func(int) string) []string {
	out := make([]string, 0, k)
	for i := 1; i <= k; i++ {
		out = append(out, prefix+f(i))
	}
	return out
}

// topNested compiles top-nested. Level k groups the rows by the values
// of clauses 1..k, aggregates, and keeps, under each row kept at level
// k-1, the N best by the aggregate. The aggregate of a group does not
// depend on its parents, so each level aggregates all the rows and joins
// the kept parents. with others adds, under each kept parent, a row that
// aggregates the rows of the parent that were not kept; it has no
// deeper levels.
func (g *gen) topNested(x *ast.TopNestedOp, in *rel) *rel {
	cols := g.tableCols(x)
	var clauses []*ast.TopNestedClause
	for _, cl := range x.Clauses {
		if cl != nil {
			clauses = append(clauses, cl)
		}
	}
	K := len(clauses)
	if K == 0 || len(cols) != 2*K {
		g.failf(x.Pos(), "internal error: top-nested has %d columns for %d clauses", len(cols), K)
	}
	// The input with each clause's value as __t<k>.
	var vals []string
	for k, cl := range clauses {
		if cl.X == nil || cl.Item == nil {
			g.failf(cl.TopNested, "top-nested needs of and by")
		}
		vals = append(vals, g.coerce(g.expr(valueOf(cl.X), in), g.typeOf(valueOf(cl.X)), cols[2*k].Type)+" AS "+tcol(k+1))
	}
	base := &rel{cols: in.cols, hidden: append(append([]string(nil), in.hidden...), colsUpTo(K, "", func(i int) string { return fmt.Sprintf("__t%d", i) })...)}
	base.name = g.cte("top-nested", x.Pos(), "SELECT "+selectCols(in.cols)+carry(in)+", "+strings.Join(vals, ", ")+" FROM "+in.name, in.cols)

	match := func(a, b string, k int) string {
		var parts []string
		for i := 1; i <= k; i++ {
			parts = append(parts, a+"."+tcol(i)+" IS NOT DISTINCT FROM "+b+"."+tcol(i))
		}
		if len(parts) == 0 {
			return "true"
		}
		return strings.Join(parts, " AND ")
	}
	var kept string // the rows kept at the previous level
	type others struct {
		level int
		name  string
	}
	var rest []others
	for k := 1; k <= K; k++ {
		cl := clauses[k-1]
		inner, outer := g.aggOver(cl.Item.X, base)
		outer = g.coerce(outer, g.typeOf(valueOf(cl.Item.X)), cols[2*k-1].Type)
		keys := colsUpTo(k, "", tcol)
		var pos []string
		for i := 1; i <= k; i++ {
			pos = append(pos, fmt.Sprint(i))
		}
		grouped := g.cte("top-nested", cl.TopNested, "SELECT "+strings.Join(keys, ", ")+", "+strings.Join(inner, ", ")+" FROM "+base.name+" GROUP BY "+strings.Join(pos, ", "), nil)
		values := g.cte("top-nested", cl.TopNested, "SELECT "+strings.Join(keys, ", ")+", "+outer+" AS "+vcol(k)+" FROM "+grouped, nil)
		dir := " DESC NULLS LAST"
		if cl.Item.Dir == ast.SortAsc {
			dir = " ASC NULLS LAST"
		}
		sel := colsUpTo(k, "c.", tcol)
		sel = append(sel, colsUpTo(k-1, "p.", vcol)...)
		sel = append(sel, "c."+vcol(k))
		body := "SELECT " + strings.Join(sel, ", ") + " FROM " + values + " c"
		partition := ""
		if k > 1 {
			body += " JOIN " + kept + " p ON " + match("c", "p", k-1)
			partition = "PARTITION BY " + strings.Join(colsUpTo(k-1, "c.", tcol), ", ") + " "
		}
		if cl.Count != nil {
			n := g.coerce(g.expr(cl.Count, nil), g.typeOf(cl.Count), schema.Long)
			body += " QUALIFY row_number() OVER (" + partition + "ORDER BY c." + vcol(k) + dir + ") <= " + n
		}
		level := g.cte("top-nested", cl.TopNested, body, nil)
		if cl.OthersValue != nil {
			// The rows under a kept parent whose value was not kept.
			inner, outer := g.aggOver(cl.Item.X, base)
			outer = g.coerce(outer, g.typeOf(valueOf(cl.Item.X)), cols[2*k-1].Type)
			v := g.coerce(g.expr(cl.OthersValue, nil), g.typeOf(cl.OthersValue), cols[2*k-2].Type)
			where := "NOT EXISTS (SELECT 1 FROM " + level + " kk WHERE " + match("kk", "b", k) + ")"
			if k > 1 {
				where += " AND EXISTS (SELECT 1 FROM " + kept + " pp WHERE " + match("pp", "b", k-1) + ")"
			}
			pkeys := colsUpTo(k-1, "", tcol)
			group := ""
			if k > 1 {
				group = " GROUP BY " + strings.Join(pos[:k-1], ", ")
			}
			sel := append(append([]string(nil), pkeys...), inner...)
			ob := g.cte("top-nested", cl.TopNested, "SELECT "+strings.Join(sel, ", ")+" FROM "+base.name+" b WHERE "+where+group+" HAVING count(*) > 0", nil)
			osel := colsUpTo(k-1, "o.", tcol)
			osel = append(osel, v+" AS "+tcol(k))
			osel = append(osel, colsUpTo(k-1, "p.", vcol)...)
			osel = append(osel, outer+" AS "+vcol(k))
			obody := "SELECT " + strings.Join(osel, ", ") + " FROM " + ob + " o"
			if k > 1 {
				obody += " JOIN " + kept + " p ON " + match("o", "p", k-1)
			}
			rest = append(rest, others{level: k, name: g.cte("top-nested", cl.TopNested, obody, nil)})
		}
		kept = level
	}
	// The output: value and aggregate per clause, others rows padded
	// with nulls below their level.
	outSel := func(src string, level int) string {
		var sel []string
		for k := 1; k <= K; k++ {
			vc, ac := cols[2*k-2], cols[2*k-1]
			if k <= level {
				sel = append(sel, finalCast(src+"."+tcol(k)+" AS "+quote(vc.Name), vc), finalCast(src+"."+vcol(k)+" AS "+quote(ac.Name), ac))
			} else {
				sel = append(sel, finalCast("NULL AS "+quote(vc.Name), vc), finalCast("NULL AS "+quote(ac.Name), ac))
			}
		}
		return "SELECT " + strings.Join(sel, ", ") + " FROM " + src
	}
	parts := []string{outSel(kept, K)}
	for _, o := range rest {
		parts = append(parts, outSel(o.name, o.level))
	}
	return g.step("top-nested", x.Pos(), strings.Join(parts, " UNION ALL "), cols)
}

// topHitters compiles top-hitters n of x [by y]: the n values of x with
// the most rows (or the largest sum of y), counted exactly, in
// descending order.
func (g *gen) topHitters(x *ast.TopHittersOp, in *rel) *rel {
	cols := g.tableCols(x)
	if len(cols) != 2 {
		g.failf(x.Pos(), "internal error: top-hitters has %d columns", len(cols))
	}
	v := g.expr(x.X, in)
	agg := "count(*)"
	if x.ByExpr != nil {
		agg = "sum(" + g.expr(x.ByExpr, in) + ")"
	}
	n := g.coerce(g.expr(x.Count, nil), g.typeOf(x.Count), schema.Long)
	body := "SELECT " + finalCast(v+" AS "+quote(cols[0].Name), cols[0]) + ", " + finalCast(agg+" AS "+quote(cols[1].Name), cols[1]) +
		" FROM " + in.name + " GROUP BY 1 ORDER BY 2 DESC NULLS LAST LIMIT greatest(" + n + ", 0)"
	r := g.step("top-hitters", x.Pos(), body, cols)
	r.order = []orderKey{{col: cols[1].Name, desc: true}}
	return g.numbered(r)
}

// sampleDistinct compiles sample-distinct n of x: up to n distinct
// values of x.
func (g *gen) sampleDistinct(x *ast.SampleDistinctOp, in *rel) *rel {
	cols := g.tableCols(x)
	if len(cols) != 1 {
		g.failf(x.Pos(), "internal error: sample-distinct has %d columns", len(cols))
	}
	n := g.coerce(g.expr(x.Count, nil), g.typeOf(x.Count), schema.Long)
	v := g.coerce(g.expr(valueOf(x.X), in), g.typeOf(valueOf(x.X)), cols[0].Type)
	body := "SELECT DISTINCT " + v + " AS " + quote(cols[0].Name) + " FROM " + in.name + " LIMIT greatest(" + n + ", 0)"
	return g.step("sample-distinct", x.Pos(), body, cols)
}

func init() {
	registerOp("project-by-names", func(g *gen, o ast.Operator, in *rel) *rel {
		return g.projectByNames(o.(*ast.ProjectByNamesOp), in)
	})
}

// boundParam matches the SQL of a bound literal: CAST($n AS T).
var boundParam = regexp.MustCompile(`^CAST\(\$([0-9]+) AS [A-Z]+\)$`)

// namesOf returns the column names (or patterns) an argument of
// project-by-names lists, which must be known when the query is
// compiled: a string, a dynamic array of strings, column_names_of(T),
// or a name bound to one of those.
func (g *gen) namesOf(e ast.Expr) []string {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return g.namesOf(x.X)
	case *ast.StringLit:
		return []string{x.Value}
	case *ast.DynamicLit:
		v, err := jsonValue(x.Value)
		if err == nil {
			if names, ok := stringsOf(v); ok {
				return names
			}
		}
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "column_names_of" && len(x.Args) == 1 && g.isTabular(x.Args[0]) {
			var names []string
			for _, c := range g.tabular(x.Args[0]).cols {
				names = append(names, c.Name)
			}
			return names
		}
	case *ast.Ident:
		if b := g.sc.lookup(x.Name); b != nil && b.rel == nil && b.fn == nil {
			if m := boundParam.FindStringSubmatch(b.sql); m != nil {
				n, _ := strconv.Atoi(m[1])
				if n >= 1 && n <= len(g.args) {
					switch v := g.args[n-1].(type) {
					case string:
						if b.typ == schema.String {
							return []string{v}
						}
						var parsed any
						if json.Unmarshal([]byte(v), &parsed) == nil {
							if names, ok := stringsOf(parsed); ok {
								return names
							}
						}
					}
				}
			}
		}
	}
	g.failf(e.Pos(), "project-by-names needs column names known when the query is compiled: strings, dynamic arrays of strings or column_names_of()")
	return nil
}

func stringsOf(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		var out []string
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// projectByNames keeps the listed columns, in the order listed; a name
// with * is a pattern over the input's columns; names the input does
// not have are ignored.
func (g *gen) projectByNames(x *ast.ProjectByNamesOp, in *rel) *rel {
	var cols []check.Column
	seen := map[string]bool{}
	add := func(c check.Column) {
		if !seen[c.Name] {
			seen[c.Name] = true
			cols = append(cols, c)
		}
	}
	for _, e := range x.Exprs {
		for _, n := range g.namesOf(e) {
			if strings.Contains(n, "*") {
				for _, c := range in.cols {
					if starMatch(n, c.Name) {
						add(c)
					}
				}
				continue
			}
			if i := in.find(n); i >= 0 {
				add(in.cols[i])
			}
		}
	}
	in = g.orderFor(in, cols)
	body := "SELECT " + selectCols(cols) + carry(in) + " FROM " + in.name
	return keep(g.cte("project-by-names", x.Pos(), body, cols), cols, in)
}

// starMatch matches a name against a pattern where * stands for any
// run of characters (the only wildcard of column patterns).
func starMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return len(parts) > 1 && strings.HasSuffix(name, last) || len(parts) == 1 && name == ""
}

func init() {
	registerOp("partition", func(g *gen, o ast.Operator, in *rel) *rel {
		return g.partition(o.(*ast.PartitionOp), in)
	})
}

// partition compiles partition by key (subquery) for subqueries made of
// operators that work row by row or whose per-partition form SQL can
// express: where, extend, project and its kin, sort, top, take,
// summarize and count. top and take keep their rows per partition
// (row_number over the partition), summarize and count group by the
// partition key too; the others do not depend on the partition. Other
// operators, and the legacy { } form, fail clearly.
func (g *gen) partition(x *ast.PartitionOp, in *rel) *rel {
	if x.Braced {
		g.failf(x.Pos(), "partition with a { } subquery is not supported: use partition by key (subquery)")
	}
	q := x.Query
	for {
		p, ok := q.(*ast.ParenExpr)
		if !ok {
			break
		}
		q = p.X
	}
	pipe, ok := q.(*ast.PipeExpr)
	if !ok || pipe.Source != nil {
		g.failf(x.Pos(), "partition: only a subquery that reads the partition (| operators...) is supported")
	}
	key := g.expr(x.Key, in)
	body := "SELECT " + selectCols(in.cols) + carry(in) + ", " + key + ` AS "__pk" FROM ` + in.name
	cur := &rel{name: g.cte("partition", x.Pos(), body, in.cols), cols: in.cols, order: in.order,
		hidden: append(append([]string(nil), in.hidden...), "__pk")}
	perPartition := func(r *rel, count ast.Expr, at ast.Operator) *rel {
		n := g.coerce(g.expr(count, nil), g.typeOf(count), schema.Long)
		over := `PARTITION BY "__pk"`
		if len(r.order) > 0 {
			over += " ORDER BY " + orderSQL(r.order)
		}
		body := "SELECT " + selectCols(r.cols) + carry(r) + " FROM " + r.name + " QUALIFY row_number() OVER (" + over + ") <= " + n
		return keep(g.cte(opName(at), at.Pos(), body, r.cols), r.cols, r)
	}
	for _, op := range pipe.Ops {
		switch o := op.(type) {
		case *ast.TopOp:
			cur = perPartition(g.sort([]*ast.OrderedExpr{o.Item}, cur, o), o.Count, o)
		case *ast.TakeOp:
			cur = perPartition(cur, o.Count, o)
		case *ast.SortOp:
			cur = g.sort(o.Items, cur, o)
		case *ast.SummarizeOp:
			cur = g.summarizePerPartition(o, cur, g.typeOf(x.Key))
		case *ast.ScanOp:
			cur = g.scanOp(o, cur, "__pk")
		case *ast.CountOp:
			cols := g.tableCols(o)
			body := "SELECT count(*) AS " + quote(cols[0].Name) + `, "__pk" FROM ` + cur.name + ` GROUP BY "__pk"`
			cur = &rel{name: g.cte("count", o.Pos(), body, cols), cols: cols, hidden: []string{"__pk"}}
		case *ast.WhereOp, *ast.ExtendOp, *ast.ProjectOp, *ast.ProjectAwayOp, *ast.ProjectKeepOp,
			*ast.ProjectRenameOp, *ast.ProjectReorderOp:
			var exprs []ast.Expr
			switch o := op.(type) {
			case *ast.WhereOp:
				exprs = []ast.Expr{o.Pred}
			case *ast.ExtendOp:
				exprs = o.Exprs
			case *ast.ProjectOp:
				exprs = o.Exprs
			}
			if g.windowedExprs(exprs...) {
				g.failf(op.Pos(), "partition: window functions inside a partition are not supported")
			}
			cur = g.op(op, cur)
		default:
			g.failf(op.Pos(), "partition: %s inside a partition is not supported", opName(op))
		}
	}
	// The partitions' results are concatenated: no order survives.
	cols := cur.cols
	body = "SELECT " + selectCols(cols) + " FROM " + cur.name
	return g.step("partition", x.Pos(), body, cols)
}

// summarizePerPartition compiles a summarize inside a partition: the
// same summarize with the partition key as one more by-key, which then
// stays hidden. The binder's result gets entries for the added key.
func (g *gen) summarizePerPartition(o *ast.SummarizeOp, cur *rel, keyType schema.Type) *rel {
	orig := g.tableCols(o)
	if len(orig) < len(o.ByExprs) {
		g.failf(o.Pos(), "internal error: summarize has fewer columns than keys")
	}
	pk := &ast.Ident{NamePos: o.Pos(), Name: "__pk"}
	g.res.Names[pk] = []string{"__pk"}
	g.res.Types[pk] = keyType
	syn := *o
	syn.ByExprs = append(append([]ast.Expr(nil), o.ByExprs...), pk)
	n := len(o.ByExprs)
	cols := append(append(append([]check.Column(nil), orig[:n]...), check.Column{Name: "__pk", Type: keyType}), orig[n:]...)
	g.res.Tables[&syn] = &check.Table{Columns: cols}
	// The key is a column of the summarize's input.
	var hidden []string
	for _, h := range cur.hidden {
		if h != "__pk" {
			hidden = append(hidden, h)
		}
	}
	visible := &rel{name: cur.name, cols: append(append([]check.Column(nil), cur.cols...), check.Column{Name: "__pk", Type: keyType}), hidden: hidden}
	r := g.summarize(&syn, visible, nil)
	return &rel{name: r.name, cols: orig, hidden: []string{"__pk"}}
}

func init() {
	registerOp("scan", func(g *gen, o ast.Operator, in *rel) *rel {
		return g.scanOp(o.(*ast.ScanOp), in, "")
	})
}

// scanOp compiles scan as a recursive query that walks the serialized
// rows one step of one row at a time, carrying the state of every step
// in columns: whether it holds an active sequence (__a<k>), its match
// id (__m<k>) and, for each record s_j of its state, the values that
// the conditions and assignments read as s_j.col (__s<k>_<j>_<c>).
// Each iteration applies Kusto's two checks of one step to one row,
// from the last step to the first, and may emit the row. The walk costs
// one iteration per row and step, each reading the input again: scan is
// meant for the small row sets it is used on after filtering.
//
// pk, when set, names a hidden column of in whose values partition the
// rows (partition ... (scan ...)): each partition is walked on its own,
// its state and match ids starting afresh.
func (g *gen) scanOp(x *ast.ScanOp, in *rel, pk string) *rel {
	cols := g.tableCols(x)
	if len(x.OrderItems) > 0 || len(x.PartitionExprs) > 0 {
		g.failf(x.Pos(), "scan order by / partition by is not supported: sort the input (and use partition) instead")
	}
	if len(in.order) == 0 {
		g.failf(x.Pos(), "scan: the input is not serialized (use serialize, sort or top first)")
	}
	var steps []*ast.ScanStep
	for _, st := range x.Steps {
		if st != nil && st.Name != nil {
			steps = append(steps, st)
		}
	}
	K := len(steps)
	if K == 0 {
		g.failf(x.Pos(), "scan needs steps")
	}
	stepIdx := map[string]int{}
	for i, st := range steps {
		stepIdx[st.Name.Name] = i + 1
	}
	// Declared columns, their types and defaults.
	type decl struct {
		name string
		typ  schema.Type
		def  string
	}
	var decls []decl
	declIdx := map[string]int{}
	for _, d := range x.Decls {
		if d == nil || d.Name == nil {
			continue
		}
		t := schema.Dynamic
		if st, ok := d.Type.(*ast.ScalarType); ok {
			if pt, ok := schema.ParseType(st.Name); ok {
				t = pt
			}
		}
		def := "CAST(NULL AS " + sqlType(t) + ")"
		if d.Default != nil {
			dt := g.typeOf(d.Default)
			if dt == schema.Invalid {
				dt = t
			}
			def = "CAST(" + g.coerce(g.expr(d.Default, nil), dt, t) + " AS " + sqlType(t) + ")"
		}
		declIdx[d.Name.Name] = len(decls)
		decls = append(decls, decl{d.Name.Name, t, def})
	}
	for _, st := range steps {
		if st.Output != nil {
			if w := strings.ToLower(exprText(st.Output.Value)); w == "last" {
				g.failf(st.Output.NamePos, "scan output=last is not supported")
			}
		}
	}
	// The input rows, numbered, with the declared columns at their
	// defaults (what an unqualified declared name reads).
	byKey := in
	if pk != "" {
		byKey = &rel{name: in.name, cols: in.cols, hidden: in.hidden, order: append([]orderKey{{col: pk}}, in.order...)}
	}
	num := g.numbered(byKey)
	var rowSel []string
	if pk != "" {
		rowSel = append(rowSel, quote(pk)+` AS "__pk"`)
	}
	rowCols := append([]check.Column(nil), in.cols...)
	for _, c := range in.cols {
		if _, ok := declIdx[c.Name]; !ok {
			rowSel = append(rowSel, quote(c.Name))
		}
	}
	for _, d := range decls {
		rowSel = append(rowSel, d.def+" AS "+quote(d.name))
		if i := (&rel{cols: rowCols}).find(d.name); i >= 0 {
			rowCols[i].Type = d.typ
		} else {
			rowCols = append(rowCols, check.Column{Name: d.name, Type: d.typ})
		}
	}
	rows := g.cte("scan", x.Pos(), "SELECT "+strings.Join(rowSel, ", ")+`, "__ord" FROM `+num.name, nil)
	row := &rel{name: rows, cols: rowCols}
	colType := func(c string) schema.Type {
		if i := row.find(c); i >= 0 {
			return row.cols[i].Type
		}
		return schema.Dynamic
	}
	// The state columns each step's record needs: s_j.c references.
	refs := make([][]string, K+1)
	seen := map[string]bool{}
	for _, st := range steps {
		nodes := []ast.Node{st.Cond}
		for _, a := range st.Assigns {
			nodes = append(nodes, a)
		}
		for _, n := range nodes {
			if n == nil {
				continue
			}
			ast.Inspect(n, func(n ast.Node) bool {
				s, ok := n.(*ast.SelectorExpr)
				if !ok || s.Sel == nil {
					return true
				}
				id, ok := s.X.(*ast.Ident)
				if !ok {
					return true
				}
				j, ok := stepIdx[id.Name]
				if !ok || row.find(s.Sel.Name) < 0 {
					return true
				}
				key := fmt.Sprintf("%d/%s", j, s.Sel.Name)
				if !seen[key] {
					seen[key] = true
					refs[j] = append(refs[j], s.Sel.Name)
				}
				return true
			})
		}
	}
	sCol := func(k, j int, c string) string { return quote(fmt.Sprintf("__s%d_%d_%s", k, j, c)) }
	defOf := func(c string) string {
		if i, ok := declIdx[c]; ok {
			return decls[i].def
		}
		return "CAST(NULL AS " + sqlType(colType(c)) + ")"
	}
	// bindState compiles e with s_j bound to the records of step k's
	// state (k = 0: the empty state).
	compileIn := func(e ast.Expr, k int, t schema.Type) string {
		saved := g.sc
		g.sc = &scope{parent: saved, names: map[string]*binding{}}
		// s_j.c reads a typed value of the state: the selector is
		// swapped, while compiling, for a name bound to that value.
		restore := replaceExprs(e, func(x ast.Expr) ast.Expr {
			s, ok := x.(*ast.SelectorExpr)
			if !ok || s.Sel == nil {
				return nil
			}
			id, ok := s.X.(*ast.Ident)
			if !ok {
				return nil
			}
			j, ok := stepIdx[id.Name]
			if !ok || row.find(s.Sel.Name) < 0 {
				return nil
			}
			c := s.Sel.Name
			v := defOf(c)
			if j <= k {
				v = sCol(k, j, c)
			}
			name := fmt.Sprintf("__sref%d_%d_%s", k, j, c)
			ref := &ast.Ident{NamePos: s.Pos(), Name: name}
			g.sc.names[name] = &binding{sql: v, typ: colType(c)}
			g.res.Types[ref] = colType(c)
			return ref
		})
		defer restore()
		used := map[string]bool{}
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				used[id.Name] = true
			}
			return true
		})
		for _, st := range steps {
			j := stepIdx[st.Name.Name]
			if !used[st.Name.Name] {
				continue
			}
			var pairs []string
			for _, c := range refs[j] {
				v := defOf(c)
				if j <= k {
					v = sCol(k, j, c)
				}
				pairs = append(pairs, g.typedParam(c, schema.String)+", "+kustoJSON(v, colType(c)))
			}
			obj := "json_object(" + strings.Join(pairs, ", ") + ")"
			g.sc.names[st.Name.Name] = &binding{sql: obj, typ: schema.Dynamic}
		}
		s := g.coerce(g.expr(e, row), g.typeOf(e), t)
		g.sc = saved
		return s
	}
	// Per step and check (1: promoted from k-1, 2: own state): the
	// condition and the declared values of the extended row.
	type check2 struct {
		cond string
		vals []string // per declared column
	}
	checks := make([][3]check2, K+1)
	for _, st := range steps {
		k := stepIdx[st.Name.Name]
		for c := 1; c <= 2; c++ {
			if c == 1 && k == 1 {
				continue
			}
			stateK := k
			if c == 1 {
				stateK = k - 1
			}
			ch := check2{cond: "coalesce(" + compileIn(st.Cond, stateK, schema.Bool) + ", false)"}
			for _, d := range decls {
				v := d.def
				for _, a := range st.Assigns {
					if a != nil && len(a.Names) == 1 && a.Names[0].Name == d.name {
						v = "CAST(" + compileIn(a.X, stateK, d.typ) + " AS " + sqlType(d.typ) + ")"
					}
				}
				ch.vals = append(ch.vals, v)
			}
			checks[k][c] = ch
		}
	}
	// The anchor: before the first row, every state empty.
	var anchor []string
	anchor = append(anchor, `CAST(0 AS BIGINT) AS "__i"`, `CAST(1 AS INTEGER) AS "__k"`, `CAST(0 AS BIGINT) AS "__mid"`)
	for k := 1; k <= K; k++ {
		anchor = append(anchor, fmt.Sprintf(`false AS "__a%d"`, k), fmt.Sprintf(`CAST(NULL AS BIGINT) AS "__m%d"`, k))
		for j := 1; j <= k; j++ {
			for _, c := range refs[j] {
				anchor = append(anchor, defOf(c)+" AS "+sCol(k, j, c))
			}
		}
	}
	anchor = append(anchor, `false AS "__emit"`, `CAST(NULL AS BIGINT) AS "__om"`)
	for i, d := range decls {
		anchor = append(anchor, "CAST(NULL AS "+sqlType(d.typ)+")"+fmt.Sprintf(` AS "__od%d"`, i))
	}
	if pk != "" {
		anchor = append(anchor, `(SELECT "__pk" FROM `+rows+` WHERE "__ord" = 1) AS "__ppk"`)
	}
	// The inner select of the recursive term: the state, the row, and
	// each step's check results and values.
	nk := `(CASE WHEN r."__k" > 1 THEN r."__k" - 1 ELSE ` + fmt.Sprint(K) + ` END)`
	ni := `(CASE WHEN r."__k" > 1 THEN r."__i" ELSE r."__i" + 1 END)`
	fresh := "false"
	if pk != "" {
		fresh = `(t."__pk" IS DISTINCT FROM r."__ppk")`
	}
	// q0: the state as this iteration reads it (empty again at the
	// first row of a partition) and the row.
	q0 := []string{`r."__i"`, `r."__k"`, `CASE WHEN ` + fresh + ` THEN 0 ELSE r."__mid" END AS "__mid"`}
	for k := 1; k <= K; k++ {
		q0 = append(q0, fmt.Sprintf(`CASE WHEN %s THEN false ELSE r."__a%d" END AS "__a%d"`, fresh, k, k),
			fmt.Sprintf(`CASE WHEN %s THEN NULL ELSE r."__m%d" END AS "__m%d"`, fresh, k, k))
		for j := 1; j <= k; j++ {
			for _, c := range refs[j] {
				q0 = append(q0, fmt.Sprintf(`CASE WHEN %s THEN %s ELSE r.%s END AS %s`, fresh, defOf(c), sCol(k, j, c), sCol(k, j, c)))
			}
		}
	}
	q0 = append(q0, "t.*", nk+` AS "__nk"`)
	q0SQL := "SELECT " + strings.Join(q0, ", ") + ` FROM r JOIN "__rows" t ON t."__ord" = ` + ni
	nk = `q0."__nk"`
	inner := []string{"q0.*"}
	m1 := func(k int) string { return fmt.Sprintf(`"__c1_%d"`, k) }
	m2 := func(k int) string { return fmt.Sprintf(`"__c2_%d"`, k) }
	for k := 1; k <= K; k++ {
		if k > 1 {
			inner = append(inner, fmt.Sprintf(`(%s = %d AND q0."__a%d" AND %s) AS %s`, nk, k, k-1, checks[k][1].cond, m1(k)))
		} else {
			inner = append(inner, "false AS "+m1(k))
		}
		elig := fmt.Sprintf(`q0."__a%d"`, k)
		if k == 1 {
			elig = "true"
		}
		inner = append(inner, fmt.Sprintf(`(%s = %d AND %s AND %s) AS %s`, nk, k, elig, checks[k][2].cond, m2(k)))
		for i := range decls {
			if k > 1 {
				inner = append(inner, checks[k][1].vals[i]+fmt.Sprintf(` AS "__v1_%d_%d"`, k, i))
			}
			inner = append(inner, checks[k][2].vals[i]+fmt.Sprintf(` AS "__v2_%d_%d"`, k, i))
		}
	}
	innerSQL := "SELECT " + strings.Join(inner, ", ") + " FROM (" + q0SQL + ") q0"
	// The new state, from q (the inner select).
	hit1 := func(k int) string { return fmt.Sprintf(`q.%s`, m1(k)) }
	hit2 := func(k int) string { return fmt.Sprintf(`(q.%s AND NOT q.%s)`, m2(k), m1(k)) }
	recVal := func(k, check int, c string) string {
		if i, ok := declIdx[c]; ok {
			return fmt.Sprintf(`q."__v%d_%d_%d"`, check, k, i)
		}
		return "q." + quote(c)
	}
	newSeq := `(q."__nk" = 1 AND ` + hit2(1) + ` AND NOT q."__a1")`
	out := []string{`q."__ord" AS "__i"`, `q."__nk" AS "__k"`, `q."__mid" + CASE WHEN ` + newSeq + ` THEN 1 ELSE 0 END AS "__mid"`}

	for k := 1; k <= K; k++ {
		cleared := "false"
		if k < K {
			cleared = hit1(k + 1)
		}
		id2 := fmt.Sprintf(`q."__m%d"`, k)
		if k == 1 {
			id2 = `CASE WHEN NOT q."__a1" THEN q."__mid" ELSE q."__m1" END`
		}
		a := fmt.Sprintf(`CASE WHEN %s OR %s THEN true WHEN %s THEN false ELSE q."__a%d" END AS "__a%d"`, hit1(k), hit2(k), cleared, k, k)
		m := fmt.Sprintf(`CASE WHEN %s THEN q."__m%d" WHEN %s THEN %s WHEN %s THEN NULL ELSE q."__m%d" END AS "__m%d"`, hit1(k), max(k-1, 1), hit2(k), id2, cleared, k, k)
		if k == 1 {
			m = fmt.Sprintf(`CASE WHEN %s THEN %s WHEN %s THEN NULL ELSE q."__m1" END AS "__m1"`, hit2(1), id2, cleared)
		}
		out = append(out, a, m)
		for j := 1; j <= k; j++ {
			for _, c := range refs[j] {
				var v string
				switch {
				case j < k:
					v = fmt.Sprintf(`CASE WHEN %s THEN q.%s WHEN %s THEN %s ELSE q.%s END`, hit1(k), sCol(k-1, j, c), cleared, defOf(c), sCol(k, j, c))
				default: // j == k: the step's own record
					v = fmt.Sprintf(`CASE WHEN %s THEN %s WHEN %s THEN %s WHEN %s THEN %s ELSE q.%s END`,
						hit1(k), recVal(k, 1, c), hit2(k), recVal(k, 2, c), cleared, defOf(c), sCol(k, j, c))
					if k == 1 {
						v = fmt.Sprintf(`CASE WHEN %s THEN %s WHEN %s THEN %s ELSE q.%s END`, hit2(k), recVal(k, 2, c), cleared, defOf(c), sCol(k, j, c))
					}
				}
				out = append(out, v+" AS "+sCol(k, j, c))
			}
		}
	}
	// The emitted row of this iteration.
	var emit, om []string
	odv := make([][]string, len(decls))
	for k := 1; k <= K; k++ {
		st := steps[k-1]
		none := st.Output != nil && strings.EqualFold(exprText(st.Output.Value), "none")
		if !none {
			emit = append(emit, hit1(k), hit2(k))
		}
		id1 := fmt.Sprintf(`q."__m%d"`, max(k-1, 1))
		id2 := fmt.Sprintf(`q."__m%d"`, k)
		if k == 1 {
			id2 = `CASE WHEN NOT q."__a1" THEN q."__mid" ELSE q."__m1" END`
		}
		if k > 1 {
			om = append(om, fmt.Sprintf("WHEN %s THEN %s", hit1(k), id1))
		}
		om = append(om, fmt.Sprintf("WHEN %s THEN %s", hit2(k), id2))
		for i := range decls {
			if k > 1 {
				odv[i] = append(odv[i], fmt.Sprintf(`WHEN %s THEN q."__v1_%d_%d"`, hit1(k), k, i))
			}
			odv[i] = append(odv[i], fmt.Sprintf(`WHEN %s THEN q."__v2_%d_%d"`, hit2(k), k, i))
		}
	}
	if len(emit) == 0 {
		emit = []string{"false"}
	}
	out = append(out, "("+strings.Join(emit, " OR ")+`) AS "__emit"`, "CASE "+strings.Join(om, " ")+` END AS "__om"`)
	for i := range decls {
		out = append(out, "CASE "+strings.Join(odv[i], " ")+fmt.Sprintf(` END AS "__od%d"`, i))
	}
	if pk != "" {
		out = append(out, `q."__pk" AS "__ppk"`)
	}
	// The rows are materialized once: each iteration reads one of them.
	rec := "WITH RECURSIVE \"__rows\" AS MATERIALIZED (SELECT * FROM " + rows + "), r AS (SELECT " + strings.Join(anchor, ", ") + " UNION ALL SELECT " + strings.Join(out, ", ") + " FROM (" + innerSQL + ") q) " +
		`SELECT r."__i", r."__k", r."__om"`
	for i := range decls {
		rec += fmt.Sprintf(`, r."__od%d"`, i)
	}
	rec += ` FROM r WHERE r."__emit"`
	walked := g.cte("scan", x.Pos(), rec, nil)
	// The output: the input columns, the declared ones, the match id.
	isDecl := func(n string) bool { _, ok := declIdx[n]; return ok }
	var sel []string
	for _, c := range cols {
		switch {
		case isDecl(c.Name):
			sel = append(sel, finalCast(fmt.Sprintf(`w."__od%d" AS %s`, declIdx[c.Name], quote(c.Name)), c))
		case c.Name == cols[len(cols)-1].Name:
			sel = append(sel, finalCast(`w."__om" AS `+quote(c.Name), c))
		default:
			sel = append(sel, "t."+quote(c.Name))
		}
	}
	hidden := []string{"__ord"}
	if pk != "" {
		sel = append(sel, `t."__pk" AS `+quote(pk))
		hidden = append(hidden, pk)
	}
	body := "SELECT " + strings.Join(sel, ", ") + `, row_number() OVER (ORDER BY w."__i", w."__k" DESC) AS "__ord" FROM ` + walked + " w JOIN " + rows + ` t ON t."__ord" = w."__i"`
	r := &rel{name: g.cte("scan", x.Pos(), body, cols), cols: cols, hidden: hidden}
	r.order = []orderKey{{col: "__ord"}}
	return r
}

// replaceExprs replaces, in the tree under e, every expression for which
// f returns a replacement, and returns a function that puts the
// originals back. It walks the exported fields of the nodes.
func replaceExprs(e ast.Expr, f func(ast.Expr) ast.Expr) (restore func()) {
	var undo []func()
	exprType := reflect.TypeOf((*ast.Expr)(nil)).Elem()
	var walk func(v reflect.Value)
	visit := func(slot reflect.Value) {
		if slot.IsNil() {
			return
		}
		x := slot.Interface().(ast.Expr)
		if r := f(x); r != nil {
			slot.Set(reflect.ValueOf(r))
			undo = append(undo, func() { slot.Set(reflect.ValueOf(x)) })
			return
		}
		walk(slot.Elem())
	}
	walk = func(v reflect.Value) {
		if v.Kind() == reflect.Interface {
			v = v.Elem()
		}
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return
		}
		if _, ok := v.Interface().(*ast.PipeExpr); ok {
			return
		}
		s := v.Elem()
		for i := 0; i < s.NumField(); i++ {
			fv := s.Field(i)
			if !s.Type().Field(i).IsExported() {
				continue
			}
			switch {
			case fv.Type() == exprType:
				visit(fv)
			case fv.Kind() == reflect.Slice && fv.Type().Elem() == exprType:
				for j := 0; j < fv.Len(); j++ {
					visit(fv.Index(j))
				}
			case fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface:
				walk(fv)
			case fv.Kind() == reflect.Slice:
				for j := 0; j < fv.Len(); j++ {
					walk(fv.Index(j))
				}
			}
		}
	}
	holder := struct{ X ast.Expr }{e}
	hv := reflect.ValueOf(&holder).Elem().Field(0)
	visit(hv)
	return func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
}
