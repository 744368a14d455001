package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// search [in (T, ...)] predicate: the tables' rows, tagged with their
// table in $table, where the predicate holds. A bare string is a term
// looked up in every string column; Col:"x" looks in one column; "*x*",
// "x*" and "*x" search for a substring, a prefix and a suffix.
func (g *gen) search(x *ast.SearchOp, in *rel) *rel {
	cols := g.tableCols(x)
	var ins []unionInput
	if in != nil && len(x.Tables) == 0 {
		ins = append(ins, unionInput{in, ""})
	}
	tables := x.Tables
	if in == nil && len(tables) == 0 {
		tables = []ast.Expr{&ast.Wildcard{Pattern: "*"}}
	}
	for _, e := range tables {
		if w, ok := e.(*ast.Wildcard); ok && w.Qualifier == nil {
			for _, name := range tablesMatching(w.Pattern) {
				if g.opts.Table != nil {
					if _, ok := g.opts.Table(name); !ok {
						continue
					}
				}
				ins = append(ins, unionInput{g.scan(name, e), name})
			}
			continue
		}
		name := ""
		if id, ok := e.(*ast.Ident); ok {
			name = id.Name
		}
		ins = append(ins, unionInput{g.tabular(e), name})
	}
	if len(ins) == 0 {
		g.failf(x.Pos(), "search has no tables")
	}
	u := &rel{name: g.cte("search", x.Pos(), g.unionBody(ins, cols, cols, "$table"), cols), cols: cols}
	if x.Pred == nil {
		return u
	}
	cs := strings.EqualFold(optionWord(x.Options, "kind"), "case_sensitive")
	body := "SELECT " + selectCols(cols) + " FROM " + u.name + " WHERE " + g.searchPred(x.Pred, u, cs)
	return g.step("search", x.Pos(), body, cols)
}

func (g *gen) searchPred(e ast.Expr, row *rel, cs bool) string {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return "(" + g.searchPred(x.X, row, cs) + ")"
	case *ast.StringLit:
		return g.searchAll(row, x.Value, cs)
	case *ast.BinaryExpr:
		switch x.Op {
		case ast.And, ast.Or:
			op := " AND "
			if x.Op == ast.Or {
				op = " OR "
			}
			return "(" + g.searchPred(x.X, row, cs) + op + g.searchPred(x.Y, row, cs) + ")"
		case ast.Has, ast.HasCs, ast.Contains, ast.ContainsCs:
			// * has "x": the term in any column.
			if _, star := x.X.(*ast.Star); star {
				lit, ok := x.Y.(*ast.StringLit)
				if !ok {
					g.failf(x.Y.Pos(), "* %s expects a string literal", x.Op)
				}
				term := lit.Value
				if x.Op == ast.Contains || x.Op == ast.ContainsCs {
					term = "*" + term + "*"
				}
				return g.searchAll(row, term, cs || x.Op == ast.HasCs || x.Op == ast.ContainsCs)
			}
		case ast.Search:
			lit, ok := x.Y.(*ast.StringLit)
			if !ok {
				g.failf(x.Y.Pos(), "search expects Column:\"term\"")
			}
			return g.searchTerm(g.str(x.X, row), lit.Value, cs)
		}
	case *ast.UnaryExpr:
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "not" && len(x.Args) == 1 {
			return "(NOT " + g.searchPred(x.Args[0], row, cs) + ")"
		}
	}
	return g.predicate(e, row)
}

// searchAll matches a search term in any string or dynamic column of
// row.
func (g *gen) searchAll(row *rel, term string, cs bool) string {
	var strs []string
	for _, c := range row.cols {
		if c.Type == schema.String && c.Name != "$table" {
			strs = append(strs, quote(c.Name))
		} else if c.Type == schema.Dynamic {
			strs = append(strs, dynToString(quote(c.Name)))
		}
	}
	if len(strs) == 0 {
		return "false"
	}
	// One term test over all string columns, joined by a space so
	// that no term spans two columns.
	return g.searchTerm("concat_ws(' ', "+strings.Join(strs, ", ")+")", term, cs)
}

// searchTerm matches one search term in s.
func (g *gen) searchTerm(s, term string, cs bool) string {
	lead := strings.HasPrefix(term, "*")
	trail := strings.HasSuffix(term, "*") && len(term) > 1
	core := strings.TrimSuffix(strings.TrimPrefix(term, "*"), "*")
	if core == "" {
		return "true"
	}
	if lead && trail {
		if cs {
			return "contains(" + s + ", " + g.param(core) + ")"
		}
		return "contains(lower(" + s + "), " + g.param(strings.ToLower(core)) + ")"
	}
	lit := &ast.StringLit{Value: core}
	return g.hasTerm(s, lit, nil, !lead, !trail, cs)
}
