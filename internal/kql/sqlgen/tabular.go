package sqlgen

import (
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/kql/token"
	"github.com/vigilsec/vigil/internal/schema"
)

// tabular compiles a tabular expression.
func (g *gen) tabular(e ast.Expr) *rel {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return g.tabular(x.X)
	case *ast.Ident:
		if b := g.sc.lookup(x.Name); b != nil {
			switch {
			case b.rel != nil:
				return b.rel
			case b.fn != nil:
				v := g.callUser(b, x.Name, nil, nil, x)
				if v.rel == nil {
					g.failf(x.Pos(), "function '%s' does not return a table", x.Name)
				}
				return v.rel
			}
		}
		return g.scan(x.Name, x)
	case *ast.PipeExpr:
		var r *rel
		if x.Source != nil {
			r = g.tabular(x.Source)
		}
		needs := g.pipeNeeds(x.Ops)
		for i, op := range x.Ops {
			saved := g.outNeed
			g.outNeed = needs[i]
			r = g.op(op, r)
			g.outNeed = saved
		}
		if r == nil {
			g.failf(x.Pos(), "empty pipe")
		}
		return r
	case *ast.DataTableExpr:
		return g.datatable(x)
	case *ast.ExternalDataExpr:
		return g.externalData(x)
	case *ast.CallExpr:
		id, ok := x.Fun.(*ast.Ident)
		if !ok {
			break
		}
		if b := g.sc.lookup(id.Name); b != nil && b.fn != nil {
			v := g.callUser(b, id.Name, x.Args, nil, x)
			if v.rel == nil {
				g.failf(x.Pos(), "function '%s' does not return a table", id.Name)
			}
			return v.rel
		}
		switch id.Name {
		case "materialize", "view":
			if len(x.Args) == 1 {
				return g.tabular(x.Args[0])
			}
		case "table":
			if len(x.Args) >= 1 {
				if s, ok := x.Args[0].(*ast.StringLit); ok {
					if b := g.sc.lookup(s.Value); b != nil && b.rel != nil {
						return b.rel
					}
					return g.scan(s.Value, x)
				}
			}
		}
		g.failf(x.Pos(), "tabular function '%s' is not supported", id.Name)
	case *ast.SelectorExpr:
		if r, ok := g.patternTable(x); ok {
			return r
		}
		if x.Sel != nil {
			return g.tabular(x.Sel)
		}
	}
	g.failf(e.Pos(), "expected a table")
	return nil
}

// scan reads a stored table: string columns read ” for null, and the
// default time window applies.
func (g *gen) scan(name string, at ast.Node) *rel {
	sqlName := quote(name)
	ok := true
	if g.opts.Table != nil {
		sqlName, ok = g.opts.Table(name)
	}
	if !ok {
		g.failf(at.Pos(), "unknown table '%s'", name)
	}
	t, known := schema.Lookup(name)
	if !known {
		g.failf(at.Pos(), "unknown table '%s'", name)
	}
	cols := make([]check.Column, len(t.Columns))
	hasTimestamp := false
	for i, c := range t.Columns {
		cols[i] = check.Column{Name: c.Name, Type: c.Type}
		if c.Name == "Timestamp" && c.Type == schema.DateTime {
			hasTimestamp = true
		}
	}
	// The store keeps strings non-null ('' when missing), so the table is
	// read as it is: without a time window, later steps read the table
	// itself; with one, a step filters it. Either way DuckDB pushes the
	// filters down into its scan, and the short SQL plans quickly.
	var conds []string
	if g.opts.Window > 0 && hasTimestamp {
		conds = append(conds, "\"Timestamp\" >= "+g.typedParam(g.opts.Now.Add(-g.opts.Window).UTC(), schema.DateTime))
	}
	if !g.opts.WindowEnd.IsZero() && hasTimestamp {
		conds = append(conds, "\"Timestamp\" < "+g.typedParam(g.opts.WindowEnd.UTC(), schema.DateTime))
	}
	hidden := []string{schema.IngestionTimeColumn}
	if len(conds) == 0 {
		g.steps = append(g.steps, Step{Name: sqlName, Op: name, Pos: at.Pos(), Columns: cols})
		return &rel{name: sqlName, cols: cols, hidden: hidden}
	}
	r := g.step(name, at.Pos(), "SELECT * FROM "+sqlName+" WHERE "+strings.Join(conds, " AND "), cols)
	r.hidden = hidden
	return r
}

// datatable compiles datatable(schema)[values] into VALUES.
func (g *gen) datatable(x *ast.DataTableExpr) *rel {
	cols := g.tableCols(x)
	n := len(cols)
	if n == 0 {
		g.failf(x.Pos(), "datatable without columns")
	}
	if len(x.Values)%n != 0 {
		g.failf(x.Pos(), "datatable has %d values, not a multiple of its %d columns", len(x.Values), n)
	}
	var rows []string
	for i := 0; i < len(x.Values); i += n {
		vals := make([]string, n)
		for j := 0; j < n; j++ {
			e := x.Values[i+j]
			vals[j] = g.coerce(g.expr(e, nil), g.typeOf(e), cols[j].Type)
			if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == ast.LitNull || cols[j].Type == schema.String && isNullLit(e) {
				vals[j] = "CAST(NULL AS " + sqlType(cols[j].Type) + ")"
			}
			vals[j] = "CAST(" + vals[j] + " AS " + sqlType(cols[j].Type) + ")"
		}
		rows = append(rows, "("+strings.Join(vals, ", ")+")")
	}
	names := make([]string, n)
	for i, c := range cols {
		names[i] = quote(c.Name)
	}
	var body string
	if len(rows) == 0 {
		sel := make([]string, n)
		for i, c := range cols {
			sel[i] = "CAST(NULL AS " + sqlType(c.Type) + ") AS " + quote(c.Name)
		}
		body = "SELECT " + strings.Join(sel, ", ") + " WHERE false"
	} else {
		body = "SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") AS t(" + strings.Join(names, ", ") + ")"
	}
	r := g.step("datatable", x.Pos(), body, cols)
	// A datatable keeps the order of its rows.
	return g.numbered(r)
}

func isNullLit(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Kind == ast.LitNull
}

// numbered gives r an explicit order: its rows as DuckDB produces them.
func (g *gen) numbered(r *rel) *rel {
	over := ""
	if len(r.order) > 0 {
		over = "ORDER BY " + orderSQL(r.order)
	}
	var hidden []string
	for _, h := range r.hidden {
		if h != "__ord" {
			hidden = append(hidden, h)
		}
	}
	body := "SELECT " + selectCols(r.cols) + carry(&rel{hidden: hidden}) + ", row_number() OVER (" + over + ") AS \"__ord\" FROM " + r.name
	out := &rel{name: g.cte("serialize", token.NoPos, body, r.cols), cols: r.cols}
	out.hidden = append(hidden, "__ord")
	out.order = []orderKey{{col: "__ord"}}
	return out
}

// carry is the select list of the hidden columns of in that a step which
// keeps rows passes on.
func carry(in *rel) string {
	s := ""
	for _, h := range in.hidden {
		s += ", " + quote(h)
	}
	return s
}

// keep returns a rel for a row-preserving step over in: same hidden
// columns and order.
func keep(name string, cols []check.Column, in *rel) *rel {
	return &rel{name: name, cols: cols, hidden: in.hidden, order: in.order}
}

// nowSQL binds the query's now().
func (g *gen) nowSQL() string {
	return g.typedParam(g.opts.Now.UTC().Truncate(time.Microsecond), schema.DateTime)
}
