package sqlgen

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// mv-apply expands the items of each row as mv-expand does and runs the
// subquery on the rows of each input row separately. In SQL the
// subquery is a LATERAL subquery: its steps are CTEs inside it, the
// first of which reads the current input row's columns (a correlated
// SELECT with no FROM) and expands them. Every operator of the subquery
// (summarize, top, take...) therefore sees one input row's items only,
// and DuckDB decorrelates the whole into one plan.
func init() {
	registerOp("mv-apply", func(g *gen, o ast.Operator, in *rel) *rel {
		return g.mvApply(o.(*ast.MvApplyOp), in)
	})
}

func (g *gen) mvApply(x *ast.MvApplyOp, in *rel) *rel {
	if x.IDExpr != nil {
		g.failf(x.IDExpr.Pos(), "mv-apply id is not supported yet")
	}
	sub := x.Subquery
	for {
		p, ok := sub.(*ast.ParenExpr)
		if !ok {
			break
		}
		sub = p.X
	}
	pipe, ok := sub.(*ast.PipeExpr)
	if !ok || pipe.Source != nil {
		g.failf(x.Pos(), "mv-apply expects a subquery of operators")
	}
	final := g.tableCols(x)
	start := len(g.ctes)

	// Step 1 (correlated): the input row and the lists to expand.
	cols := append([]check.Column(nil), in.cols...)
	var sel, lists, lens []string
	for _, c := range in.cols {
		sel = append(sel, quote(c.Name))
	}
	for _, h := range in.hidden {
		sel = append(sel, quote(h))
	}
	expanded := map[string]string{}
	limit := ""
	if x.LimitExpr != nil {
		limit = g.asType(arg{sql: g.expr(x.LimitExpr, nil), typ: g.typeOf(x.LimitExpr)}, schema.Long)
	}
	for i, it := range x.Items {
		if it == nil || it.X == nil {
			g.failf(x.Pos(), "mv-apply needs an expression to expand")
		}
		name, v := itemName(it.X)
		list := expandList(toJSON(g.expr(v, in), g.typeOf(v)), x.Options)
		if limit != "" {
			list = "list_slice(" + list + ", 1, " + limit + ")"
		}
		lists = append(lists, list+fmt.Sprintf(" AS \"__l%d\"", i))
		lens = append(lens, fmt.Sprintf("len(\"__l%d\")", i))
		e := fmt.Sprintf("unnest(\"__l%d\")", i)
		t := schema.Dynamic
		if it.Type != nil && it.Type.Schema != nil && len(it.Type.Schema.Columns) > 0 {
			if st, ok := it.Type.Schema.Columns[0].Type.(*ast.ScalarType); ok {
				if pt, ok := schema.ParseType(st.Name); ok {
					t = pt
				}
			}
		}
		if t != schema.Dynamic {
			e = g.coerce(e, schema.Dynamic, t)
		}
		expanded[name] = e
		found := false
		for j := range cols {
			if cols[j].Name == name {
				cols[j].Type = t
				found = true
			}
		}
		if !found {
			cols = append(cols, check.Column{Name: name, Type: t})
		}
	}
	idx := optionWord(x.Options, "with_itemindex")
	if idx != "" {
		cols = append(cols, check.Column{Name: idx, Type: schema.Long})
	}
	row := g.cte("mv-apply", x.Pos(), "SELECT "+strings.Join(append(sel, lists...), ", "), nil)

	// Step 2: the expanded rows.
	var out []string
	for _, c := range cols {
		switch {
		case expanded[c.Name] != "":
			out = append(out, expanded[c.Name]+" AS "+quote(c.Name))
		case idx != "" && c.Name == idx:
			n := lens[0]
			if len(lens) > 1 {
				n = "greatest(" + strings.Join(lens, ", ") + ")"
			}
			out = append(out, "unnest(range("+n+")) AS "+quote(c.Name))
		default:
			out = append(out, quote(c.Name))
		}
	}
	items := g.step("mv-apply", x.Pos(), "SELECT "+strings.Join(out, ", ")+carry(in)+" FROM "+row, cols)
	items.hidden = in.hidden

	// The subquery's operators, compiled as usual on the expanded rows.
	r := items
	for _, op := range pipe.Ops {
		switch o := op.(type) {
		case *ast.TakeOp:
			r = g.applyLimit(r, o.Count, "take", o)
		case *ast.TopOp:
			r = g.applyLimit(g.sort([]*ast.OrderedExpr{o.Item}, r, o), o.Count, "top", o)
		default:
			r = g.op(op, r)
		}
	}
	inner := append([]string(nil), g.ctes[start:]...)
	g.ctes = g.ctes[:start]
	lateral := "LATERAL (WITH " + strings.Join(inner, ",\n") + "\nSELECT " + selectCols(r.cols) + " FROM " + r.name + ") AS \"__a\""

	// The result: the input's columns the subquery does not return, then
	// the subquery's.
	var res []string
	for _, c := range final {
		if r.find(c.Name) >= 0 {
			res = append(res, "\"__a\"."+quote(c.Name)+" AS "+quote(c.Name))
		} else if in.find(c.Name) >= 0 {
			res = append(res, "\"__o\"."+quote(c.Name)+" AS "+quote(c.Name))
		} else {
			g.failf(x.Pos(), "internal error: mv-apply column '%s' has no source", c.Name)
		}
	}
	for _, h := range in.hidden {
		if h != "__ord" {
			res = append(res, "\"__o\"."+quote(h)+" AS "+quote(h))
		}
	}
	body := "SELECT " + strings.Join(res, ", ") + " FROM " + in.name + " AS \"__o\", " + lateral
	outRel := g.step("mv-apply", x.Pos(), body, final)
	for _, h := range in.hidden {
		if h != "__ord" {
			outRel.hidden = append(outRel.hidden, h)
		}
	}
	return outRel
}

// applyLimit is take inside mv-apply's subquery: DuckDB refuses a LIMIT
// bound as a parameter in a correlated subquery, so the rows are
// numbered in their order and filtered.
func (g *gen) applyLimit(in *rel, count ast.Expr, op string, at ast.Operator) *rel {
	n := g.coerce(g.expr(count, nil), g.typeOf(count), schema.Long)
	over := ""
	if len(in.order) > 0 {
		over = "ORDER BY " + orderSQL(in.order)
	}
	body := "SELECT " + selectCols(in.cols) + carry(in) + " FROM (SELECT *, row_number() OVER (" + over + ") AS \"__rn\" FROM " + in.name + ") WHERE \"__rn\" <= " + n
	return keep(g.cte(op, at.Pos(), body, in.cols), in.cols, in)
}

// expandList is the list mv-expand and mv-apply expand a value into:
// with kind=array a bag becomes [key, value] pairs instead of
// one-property bags.
func expandList(v string, opts []*ast.Option) string {
	if !strings.EqualFold(optionWord(opts, "kind"), "array") {
		return asList(v)
	}
	k := "__kv"
	return "(CASE json_type(" + v + ") WHEN 'ARRAY' THEN CAST(" + v + " AS JSON[]) " +
		"WHEN 'OBJECT' THEN list_transform(json_keys(" + v + "), " + k + " -> CAST(to_json([to_json(" + k + "), json_extract(" + v + ", '$.' || CAST(to_json(" + k + ") AS VARCHAR))]) AS JSON)) " +
		"ELSE [" + v + "] END)"
}
