package sqlgen

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// asList is the JSON[] a dynamic value expands into: an array's
// elements, a bag's properties as one-property bags, anything else
// itself.
func asList(v string) string {
	return "(CASE json_type(" + v + ") WHEN 'ARRAY' THEN CAST(" + v + " AS JSON[]) " +
		"WHEN 'OBJECT' THEN list_transform(json_keys(" + v + "), __k -> json_object(__k, json_extract(" + v + ", '$.' || CAST(to_json(__k) AS VARCHAR)))) " +
		"ELSE [" + v + "] END)"
}

// itemName is the column an mv-expand item writes.
func itemName(e ast.Expr) (string, ast.Expr) {
	if ne, ok := e.(*ast.NamedExpr); ok && len(ne.Names) == 1 {
		return ne.Names[0].Name, ne.X
	}
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name, e
	case *ast.SelectorExpr:
		if x.Sel != nil {
			return x.Sel.Name, e
		}
	}
	return "Column1", e
}

// mvExpand compiles mv-expand: the lists of the items are computed in one
// step, then unnested together (DuckDB zips several unnests in one
// select list, padding the shorter with nulls, as Kusto does).
func (g *gen) mvExpand(x *ast.MvExpandOp, in *rel, need colSet) *rel {
	cols := g.tableCols(x)
	expanded := map[string]string{}
	var lists, values []string
	var lens []string
	limit := ""
	if x.LimitExpr != nil {
		// limit n: at most n rows from each input row.
		limit = g.coerce(g.expr(x.LimitExpr, nil), g.typeOf(x.LimitExpr), schema.Long)
	}
	for i, it := range x.Items {
		if it == nil {
			continue
		}
		name, v := itemName(it.X)
		// The value is computed once, in an inner select: the list
		// expression reads it several times.
		values = append(values, toJSON(g.expr(v, in), g.typeOf(v))+fmt.Sprintf(" AS \"__v%d\"", i))
		l := expandList(fmt.Sprintf("\"__v%d\"", i), x.Options)
		if limit != "" {
			l = "list_slice(" + l + ", 1, greatest(" + limit + ", 0))"
		}
		lists = append(lists, l+fmt.Sprintf(" AS \"__l%d\"", i))
		lens = append(lens, fmt.Sprintf("len(\"__l%d\")", i))
		e := fmt.Sprintf("unnest(\"__l%d\")", i)
		if it.Type != nil && it.Type.Schema != nil && len(it.Type.Schema.Columns) > 0 {
			if st, ok := it.Type.Schema.Columns[0].Type.(*ast.ScalarType); ok {
				if t, ok := schema.ParseType(st.Name); ok && t != schema.Dynamic {
					e = g.coerce(e, schema.Dynamic, t)
				}
			}
		}
		expanded[name] = e
	}
	step1 := g.cte("mv-expand", x.Pos(), "SELECT *, "+strings.Join(lists, ", ")+" FROM (SELECT *, "+strings.Join(values, ", ")+" FROM "+in.name+")", nil)
	idx := optionWord(x.Options, "with_itemindex")
	// Every expanded row copies its input row: only the columns later
	// operators read are copied (the expanded ones and the index always).
	keep := map[string]bool{idx: idx != ""}
	for name := range expanded {
		keep[name] = true
	}
	cols = pruned(cols, need, keep)
	var sel []string
	for _, c := range cols {
		switch {
		case expanded[c.Name] != "":
			sel = append(sel, expanded[c.Name]+" AS "+quote(c.Name))
		case idx != "" && c.Name == idx:
			sel = append(sel, "unnest(range(greatest("+strings.Join(lens, ", ")+"))) AS "+quote(c.Name))
		default:
			sel = append(sel, quote(c.Name))
		}
	}
	body := "SELECT " + strings.Join(sel, ", ") + carry(in) + " FROM " + step1
	out := g.step("mv-expand", x.Pos(), body, cols)
	out.hidden = in.hidden
	return out
}
