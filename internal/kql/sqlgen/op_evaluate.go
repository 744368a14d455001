package sqlgen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// Discover runs a query while compiling, for operators whose columns
// depend on the data (evaluate bag_unpack): the generator asks the store
// which keys exist before it writes the final statement.
type Discover func(sql string, args []any) ([][]any, error)

// evaluate compiles the plugins this file knows and hands the others to
// the registered "evaluate" operator.
func (g *gen) evaluate(x *ast.EvaluateOp, in *rel) *rel {
	name := ""
	if x.Plugin != nil {
		if id, ok := x.Plugin.Fun.(*ast.Ident); ok {
			name = id.Name
		}
	}
	switch name {
	case "bag_unpack":
		return g.bagUnpack(x, in)
	case "pivot":
		return g.pivot(x, in)
	}
	if r, ok := g.evaluateMore(name, x, in); ok {
		return r
	}
	if f := extraOps["evaluate"]; f != nil {
		return f(g, x, in)
	}
	g.failf(x.Pos(), "evaluate %s is not supported yet", name)
	return nil
}

// discover runs sql over the steps compiled so far.
func (g *gen) discover(at ast.Node, sql string) [][]any {
	if g.opts.Discover == nil {
		g.failf(at.Pos(), "this operator needs to read the data while compiling, which this caller does not allow")
	}
	text := sql
	if len(g.ctes) > 0 {
		text = "WITH " + strings.Join(g.ctes, ",\n") + "\n" + sql
	}
	text, args := compactParams(text, g.args)
	rows, err := g.opts.Discover(text, args)
	if err != nil {
		g.failf(at.Pos(), "reading the data to plan this operator: %v", err)
	}
	return rows
}

// bagUnpack compiles evaluate bag_unpack(bag [, prefix] [, columnsConflict]
// [, ignoredProperties]): one column per key found in the bags (sorted),
// each dynamic, unless an output schema is declared.
func (g *gen) bagUnpack(x *ast.EvaluateOp, in *rel) *rel {
	args := x.Plugin.Args
	if len(args) == 0 {
		g.failf(x.Pos(), "bag_unpack needs a dynamic column")
	}
	bag := toJSON(g.expr(valueOf(args[0]), in), g.typeOf(valueOf(args[0])))
	drop := ""
	if id, ok := valueOf(args[0]).(*ast.Ident); ok {
		drop = id.Name
	}
	prefix, conflict := "", "error"
	ignored := map[string]bool{}
	for i, a := range args[1:] {
		v := valueOf(a)
		if ne, ok := a.(*ast.NamedExpr); ok && len(ne.Names) == 1 {
			switch ne.Names[0].Name {
			case "OutputColumnPrefix":
				i = 0
			case "columnsConflict":
				i = 1
			case "ignoredProperties":
				i = 2
			}
		}
		switch i {
		case 0:
			s, ok := v.(*ast.StringLit)
			if !ok {
				g.failf(a.Pos(), "bag_unpack's prefix must be a string literal")
			}
			prefix = s.Value
		case 1:
			s, ok := v.(*ast.StringLit)
			if !ok {
				g.failf(a.Pos(), "bag_unpack's columnsConflict must be a string literal")
			}
			conflict = s.Value
		case 2:
			d, ok := v.(*ast.DynamicLit)
			if !ok {
				g.failf(a.Pos(), "bag_unpack's ignoredProperties must be a dynamic literal")
			}
			val, _ := jsonValue(d.Value)
			arr, _ := val.([]any)
			for _, k := range arr {
				ignored[fmt.Sprint(k)] = true
			}
		}
	}
	var keys []string
	var cols []check.Column
	declared := x.Schema != nil
	if declared {
		cols = g.tableCols(x)
	} else {
		rows := g.discover(x, "SELECT DISTINCT unnest(json_keys(__b)) FROM (SELECT "+bag+" AS __b FROM "+in.name+") WHERE json_type(__b) = 'OBJECT'")
		for _, r := range rows {
			if len(r) > 0 && r[0] != nil {
				if k := fmt.Sprint(r[0]); !ignored[k] {
					keys = append(keys, k)
				}
			}
		}
		sort.Strings(keys)
		if len(keys) > 1000 {
			g.failf(x.Pos(), "bag_unpack would make %d columns; the limit is 1000", len(keys))
		}
	}
	var sel []string
	var out []check.Column
	taken := map[string]int{}
	for _, c := range in.cols {
		if c.Name == drop {
			continue
		}
		taken[c.Name] = len(out)
		out = append(out, c)
		sel = append(sel, quote(c.Name))
	}
	if declared {
		sel = sel[:0]
		for _, c := range cols {
			if i := in.find(c.Name); i >= 0 && c.Name != drop {
				sel = append(sel, g.coerce(quote(c.Name), in.cols[i].Type, c.Type)+" AS "+quote(c.Name))
				continue
			}
			key := strings.TrimPrefix(c.Name, prefix)
			sel = append(sel, g.coerce("json_extract("+bag+", "+g.param("$"+jsonKey(key))+")", schema.Dynamic, c.Type)+" AS "+quote(c.Name))
		}
		body := "SELECT " + strings.Join(sel, ", ") + " FROM " + in.name
		return g.step("bag_unpack", x.Pos(), body, cols)
	}
	for _, k := range keys {
		name := prefix + k
		val := "json_extract(" + bag + ", " + g.param("$"+jsonKey(k)) + ")"
		if i, ok := taken[name]; ok {
			switch conflict {
			case "replace_source":
				sel[i] = val + " AS " + quote(name)
				out[i].Type = schema.Dynamic
			case "keep_source":
			default:
				g.failf(x.Pos(), "bag_unpack: key '%s' is already a column (use columnsConflict)", k)
			}
			continue
		}
		taken[name] = len(out)
		out = append(out, check.Column{Name: name, Type: schema.Dynamic})
		sel = append(sel, val+" AS "+quote(name))
	}
	body := "SELECT " + strings.Join(sel, ", ") + " FROM " + in.name
	return g.step("bag_unpack", x.Pos(), body, out)
}

// pivot compiles evaluate pivot(column [, aggregation [, by...]]): one
// row per value of the by-columns (by default the columns neither pivoted
// nor aggregated), one column per value of the pivot column, found in the
// data and sorted, holding the aggregation (count() by default) over the
// rows with that value.
func (g *gen) pivot(x *ast.EvaluateOp, in *rel) *rel {
	args := x.Plugin.Args
	if len(args) == 0 {
		g.failf(x.Pos(), "pivot needs a column")
	}
	pv := valueOf(args[0])
	pcol := g.toStringSQL(g.expr(pv, in), g.typeOf(pv))
	var agg ast.Expr = &ast.CallExpr{Fun: &ast.Ident{Name: "count"}}
	if len(args) > 1 {
		agg = valueOf(args[1])
	}
	aggType := g.typeOf(agg)
	if aggType == schema.Invalid {
		aggType = schema.Long
	}
	var byNames []string
	var bySQL []string
	var byCols []check.Column
	if len(args) > 2 {
		for _, a := range args[2:] {
			v := valueOf(a)
			name := ""
			if ne, ok := a.(*ast.NamedExpr); ok && len(ne.Names) == 1 {
				name = ne.Names[0].Name
			} else if id, ok := v.(*ast.Ident); ok {
				name = id.Name
			} else {
				g.failf(a.Pos(), "pivot's by-columns must be named")
			}
			byNames = append(byNames, name)
			bySQL = append(bySQL, g.expr(v, in)+" AS "+quote(name))
			byCols = append(byCols, check.Column{Name: name, Type: g.typeOf(v)})
		}
	} else {
		used := map[string]bool{}
		for _, e := range []ast.Expr{pv, agg} {
			ast.Inspect(e, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					used[id.Name] = true
				}
				return true
			})
		}
		for _, c := range in.cols {
			if !used[c.Name] {
				byNames = append(byNames, c.Name)
				bySQL = append(bySQL, quote(c.Name))
				byCols = append(byCols, c)
			}
		}
	}
	rows := g.discover(x, "SELECT DISTINCT "+pcol+" FROM "+in.name+" ORDER BY 1")
	if len(rows) > 1000 {
		g.failf(x.Pos(), "pivot would make %d columns; the limit is 1000", len(rows))
	}
	ctx := &aggCtx{in: in}
	outer := []string{}
	for _, n := range byNames {
		outer = append(outer, quote(n))
	}
	cols := append([]check.Column(nil), byCols...)
	seen := map[string]bool{}
	for _, n := range byNames {
		seen[n] = true
	}
	for _, r := range rows {
		v := ""
		if len(r) > 0 && r[0] != nil {
			v = fmt.Sprint(r[0])
		}
		if seen[v] {
			g.failf(x.Pos(), "pivot value '%s' is already a column", v)
		}
		seen[v] = true
		ctx.filter = pcol + " = " + g.param(v)
		saved := g.agg
		g.agg = ctx
		s := g.expr(agg, in)
		g.agg = saved
		c := check.Column{Name: v, Type: aggType}
		outer = append(outer, finalCast(s+" AS "+quote(v), c))
		cols = append(cols, c)
	}
	inner := append(append([]string(nil), bySQL...), ctx.inner...)
	if len(inner) == 0 {
		inner = []string{"count(*) AS \"__n\""}
	}
	body := "SELECT " + strings.Join(inner, ", ") + " FROM " + in.name
	if len(bySQL) > 0 {
		var pos []string
		for i := range bySQL {
			pos = append(pos, fmt.Sprint(i+1))
		}
		body += " GROUP BY " + strings.Join(pos, ", ")
	}
	grouped := g.cte("pivot", x.Pos(), body, nil)
	if len(outer) == 0 {
		outer = []string{"NULL AS \"__empty\""}
	}
	return g.step("pivot", x.Pos(), "SELECT "+strings.Join(outer, ", ")+" FROM "+grouped, cols)
}
