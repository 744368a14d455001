package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// find [withsource=C] [in (T, ...)] where pred [project ... | project-smart]:
// each table holding a column the predicate names (check.PlanFind) is
// filtered on its own, a column it lacks reading as empty, then the
// results are stacked: the source table's name, the output columns (a
// column the table lacks is empty), and pack_, a bag of the table's
// other columns (project-smart) or of all of them (pack_all()).
func (g *gen) find(x *ast.FindOp) *rel {
	cols := g.tableCols(x)
	rels := map[string]*rel{}
	inputs := check.FindTables(x.Tables, g.tableNames(), func(e ast.Expr, name string) ([]check.Column, bool) {
		if e == nil {
			// A table: read only if kept, below.
			t, ok := schema.Lookup(name)
			if !ok {
				return nil, false
			}
			cols := make([]check.Column, len(t.Columns))
			for i, c := range t.Columns {
				cols[i] = check.Column{Name: c.Name, Type: c.Type}
			}
			return cols, true
		}
		r := g.tabular(e)
		rels[name] = r
		return r.cols, true
	})
	plan := check.PlanFind(inputs, x.Pred)
	if len(plan.Kept) == 0 {
		g.failf(x.Pos(), "find has no table holding the columns its predicate names")
	}
	smart := !x.Project.IsValid() || x.ProjectSmart || len(x.Columns) == 0
	out := map[string]bool{}
	for _, c := range cols[1:] {
		out[c.Name] = true
	}
	var parts []string
	for _, k := range plan.Kept {
		in := inputs[k]
		r := rels[in.Name]
		if r == nil {
			r = g.scan(in.Name, x)
		}
		// Predicate columns the table lacks read as empty, as in union.
		var missing []string
		have := map[string]bool{}
		for _, c := range in.Cols {
			have[c.Name] = true
		}
		rowCols := append([]check.Column(nil), in.Cols...)
		for _, c := range plan.PredCols {
			if !have[c.Name] {
				missing = append(missing, emptyOf(c.Type)+" AS "+quote(c.Name))
				rowCols = append(rowCols, c)
			}
		}
		if len(missing) > 0 {
			r = &rel{name: g.cte("find", x.Pos(), "SELECT *, "+strings.Join(missing, ", ")+" FROM "+r.name, rowCols), cols: rowCols}
		}
		where := "true"
		if x.Pred != nil {
			where = g.searchPred(x.Pred, r, false)
		}
		sel := []string{g.typedParam(in.Name, schema.String) + " AS " + quote(cols[0].Name)}
		for _, c := range cols[1:] {
			if c.Name == "pack_" && c.Type == schema.Dynamic {
				var packed []check.Column
				for _, ic := range in.Cols {
					if !smart || !out[ic.Name] {
						packed = append(packed, ic)
					}
				}
				sel = append(sel, g.packColumns(packed, "")+" AS "+quote(c.Name))
				continue
			}
			if ic, ok := findCol(in.Cols, c.Name); ok {
				sel = append(sel, g.coerce(quote(ic.Name), ic.Type, c.Type)+" AS "+quote(c.Name))
			} else {
				sel = append(sel, emptyOf(c.Type)+" AS "+quote(c.Name))
			}
		}
		parts = append(parts, "SELECT "+strings.Join(sel, ", ")+" FROM "+r.name+" WHERE "+where)
	}
	return g.step("find", x.Pos(), strings.Join(parts, " UNION ALL "), cols)
}

// emptyOf is a missing column's value: ” for a string (never null),
// a typed NULL otherwise.
func emptyOf(t schema.Type) string {
	if t == schema.String {
		return "''"
	}
	return "CAST(NULL AS " + sqlType(t) + ")"
}

func findCol(cols []check.Column, name string) (check.Column, bool) {
	for _, c := range cols {
		if c.Name == name {
			return c, true
		}
	}
	return check.Column{}, false
}

// tableNames are the tables a wildcard may match: the store's, when
// the generator was told which exist.
func (g *gen) tableNames() []string {
	var out []string
	for _, t := range schema.Tables() {
		if g.opts.Table != nil {
			if _, ok := g.opts.Table(t.Name); !ok {
				continue
			}
		}
		out = append(out, t.Name)
	}
	return out
}
