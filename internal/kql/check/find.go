package check

import (
	"path"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// FindInput is one table find searches: its name (for the source_
// column) and columns.
type FindInput struct {
	Name string
	Cols []Column
}

// FindPlan is how find reads its tables, shared by the binder and the
// SQL generator so that both see the same schema.
type FindPlan struct {
	// Kept are the inputs find reads: those holding a column the
	// predicate names, or all when it searches every column.
	Kept []int
	// PredCols are the columns the predicate names, in order.
	PredCols []Column
	// Smart are project-smart's columns: those the predicate names and
	// those every kept table shares, in the first table's order.
	Smart []Column
}

// PlanFind decides which inputs find reads and its project-smart
// columns, as Kusto documents: "source tables that don't contain any
// column used by the predicate are filtered out"; the output holds the
// predicate's columns and the columns common to all the tables, and the
// rest goes into pack_.
func PlanFind(inputs []FindInput, pred ast.Expr) FindPlan {
	var p FindPlan
	// A column name with several types across the tables (RemotePort is
	// int in DeviceNetworkEvents, string in CommonSecurityLog) takes its
	// most common type; Kusto would fall back to a union with one column
	// per type, Vigil reads only the tables that agree (see docs/KQL.md).
	counts := map[string]map[schema.Type]int{}
	var order []string
	for _, in := range inputs {
		for _, c := range in.Cols {
			if counts[c.Name] == nil {
				counts[c.Name] = map[schema.Type]int{}
				order = append(order, c.Name)
			}
			counts[c.Name][c.Type]++
		}
	}
	types := map[string]schema.Type{}
	for _, name := range order {
		best, n := schema.Invalid, 0
		for _, in := range inputs {
			for _, c := range in.Cols {
				if c.Name == name && counts[name][c.Type] > n {
					best, n = c.Type, counts[name][c.Type]
				}
			}
		}
		types[name] = best
	}
	freeText := false
	seen := map[string]bool{}
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch x := e.(type) {
		case *ast.StringLit, *ast.Star:
			freeText = true // a bare term, or * has: every column
		case *ast.ParenExpr:
			walk(x.X)
		case *ast.BinaryExpr:
			if x.Op == ast.And || x.Op == ast.Or {
				walk(x.X)
				walk(x.Y)
				return
			}
			if _, ok := x.X.(*ast.Star); ok {
				freeText = true
			}
			ast.Inspect(x, func(n ast.Node) bool { return p.noteColumn(n, types, seen) })
		default:
			ast.Inspect(e, func(n ast.Node) bool { return p.noteColumn(n, types, seen) })
		}
	}
	if pred != nil {
		walk(pred)
	}
	for i, in := range inputs {
		if (freeText || len(p.PredCols) == 0 || hasAny(in.Cols, seen)) && agrees(in.Cols, p.PredCols) {
			p.Kept = append(p.Kept, i)
		}
	}
	if len(p.Kept) == 0 {
		return p
	}
	inSmart := map[string]bool{}
	first := inputs[p.Kept[0]].Cols
	for _, c := range first {
		shared := true
		for _, k := range p.Kept[1:] {
			if !hasColumn(inputs[k].Cols, c) {
				shared = false
				break
			}
		}
		if shared || seen[c.Name] {
			p.Smart = append(p.Smart, c)
			inSmart[c.Name] = true
		}
	}
	for _, c := range p.PredCols {
		if !inSmart[c.Name] {
			p.Smart = append(p.Smart, c)
			inSmart[c.Name] = true
		}
	}
	return p
}

// noteColumn records an identifier naming a column of some input; a
// function's name is not one.
func (p *FindPlan) noteColumn(n ast.Node, types map[string]schema.Type, seen map[string]bool) bool {
	switch x := n.(type) {
	case *ast.CallExpr:
		for _, a := range x.Args {
			ast.Inspect(a, func(m ast.Node) bool { return p.noteColumn(m, types, seen) })
		}
		return false
	case *ast.Ident:
		if t, ok := types[x.Name]; ok && !seen[x.Name] {
			seen[x.Name] = true
			p.PredCols = append(p.PredCols, Column{Name: x.Name, Type: t})
		}
	}
	return true
}

// agrees reports whether the table's columns the predicate names have
// the types the predicate was bound with.
func agrees(cols []Column, pred []Column) bool {
	for _, p := range pred {
		for _, c := range cols {
			if c.Name == p.Name && c.Type != p.Type {
				return false
			}
		}
	}
	return true
}

func hasAny(cols []Column, names map[string]bool) bool {
	for _, c := range cols {
		if names[c.Name] {
			return true
		}
	}
	return false
}

func hasColumn(cols []Column, want Column) bool {
	for _, c := range cols {
		if c.Name == want.Name && c.Type == want.Type {
			return true
		}
	}
	return false
}

// FindTables expands find's table list (all tables when empty) into
// inputs: a wildcard into the tables it matches, any other expression
// into one input named by exprName. cols gives an input's columns.
func FindTables(tables []ast.Expr, all []string, cols func(e ast.Expr, table string) ([]Column, bool)) []FindInput {
	if len(tables) == 0 {
		tables = []ast.Expr{&ast.Wildcard{Pattern: "*"}}
	}
	var out []FindInput
	for _, e := range tables {
		if w, ok := e.(*ast.Wildcard); ok && w.Qualifier == nil {
			for _, name := range all {
				if ok, _ := path.Match(w.Pattern, name); ok {
					if c, ok := cols(nil, name); ok {
						out = append(out, FindInput{Name: name, Cols: c})
					}
				}
			}
			continue
		}
		name := ""
		if id, ok := e.(*ast.Ident); ok {
			name = id.Name
		}
		if c, ok := cols(e, name); ok {
			out = append(out, FindInput{Name: name, Cols: c})
		}
	}
	return out
}
