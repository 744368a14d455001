package sqlgen

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// path compiles d.a.b[0] and d["a"] on a dynamic value. A chain of
// literal steps becomes one JSON path, bound as a parameter; a computed
// index is spliced into the path at run time.
func (g *gen) path(e ast.Expr, row *rel) string {
	return g.pathWith(e, row, "json_extract")
}

// pathWith compiles a path with a DuckDB extractor: json_extract gives
// the dynamic value, json_extract_string its tostring() text (null for a
// JSON null). On parse_json(s) of a string s, the path reads s directly:
// DuckDB then parses the text once instead of three times, and try()
// turns text that is not JSON into null, as Kusto's path on a
// non-object gives.
func (g *gen) pathWith(e ast.Expr, row *rel, extractor string) string {
	base, steps := g.pathSteps(e, row)
	if base == "" {
		g.failf(e.Pos(), "a path needs a dynamic value")
	}
	if len(steps) == 0 {
		return base
	}
	// The literal prefix is one parameter; from the first computed step
	// on, the path is concatenated at run time.
	var lit strings.Builder
	lit.WriteString("$")
	var pieces []string
	for _, s := range steps {
		switch {
		case s.sql != "":
			if len(pieces) == 0 {
				pieces = append(pieces, g.param(lit.String()))
			}
			pieces = append(pieces, s.sql)
		case len(pieces) > 0:
			pieces = append(pieces, g.param(s.text))
		default:
			lit.WriteString(s.text)
		}
	}
	path := g.param(lit.String())
	if len(pieces) > 0 {
		g.args = g.args[:len(g.args)-1]
		path = "(" + strings.Join(pieces, " || ") + ")"
	}
	if raw, ok := g.rawJSONText(e, row); ok {
		return "try(" + extractor + "(" + raw + ", " + path + "))"
	}
	return extractor + "(CAST(" + base + " AS JSON), " + path + ")"
}

// rawJSONText returns the string s when the root of the path e is
// parse_json(s) (or todynamic) of a string.
func (g *gen) rawJSONText(e ast.Expr, row *rel) (string, bool) {
	for {
		switch x := e.(type) {
		case *ast.SelectorExpr:
			e = x.X
			continue
		case *ast.IndexExpr:
			e = x.X
			continue
		case *ast.ParenExpr:
			e = x.X
			continue
		case *ast.CallExpr:
			id, ok := x.Fun.(*ast.Ident)
			if !ok || len(x.Args) != 1 || g.sc.lookup(id.Name) != nil {
				return "", false
			}
			switch id.Name {
			case "parse_json", "parsejson", "todynamic", "toobject":
			default:
				return "", false
			}
			arg := valueOf(x.Args[0])
			if g.typeOf(arg) != schema.String {
				return "", false
			}
			return g.expr(arg, row), true
		}
		return "", false
	}
}

// pathStep is one step of a JSON path: literal text, or SQL computing it.
type pathStep struct {
	text string
	sql  string
}

func jsonKey(k string) string {
	b, _ := json.Marshal(k)
	return "." + string(b)
}

func (g *gen) pathSteps(e ast.Expr, row *rel) (string, []pathStep) {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		if t := g.typeOf(x.X); t != schema.Dynamic && t != schema.Invalid {
			return "", nil
		}
		base, steps := g.pathSteps(x.X, row)
		if base == "" {
			base = g.expr(x.X, row)
		}
		return base, append(steps, pathStep{text: jsonKey(x.Sel.Name)})
	case *ast.IndexExpr:
		base, steps := g.pathSteps(x.X, row)
		if base == "" {
			base = g.expr(x.X, row)
		}
		switch idx := x.Index.(type) {
		case *ast.StringLit:
			return base, append(steps, pathStep{text: jsonKey(idx.Value)})
		case *ast.BasicLit:
			if idx.Kind == ast.LitLong {
				n, err := strconv.ParseInt(idx.Value, 0, 64)
				if err == nil {
					if n < 0 {
						return base, append(steps, pathStep{text: "[#" + strconv.FormatInt(n, 10) + "]"})
					}
					return base, append(steps, pathStep{text: "[" + strconv.FormatInt(n, 10) + "]"})
				}
			}
		case *ast.UnaryExpr:
			if lit, ok := idx.X.(*ast.BasicLit); ok && lit.Kind == ast.LitLong && idx.Op.String() == "-" {
				return base, append(steps, pathStep{text: "[#-" + lit.Value + "]"})
			}
		}
		s := g.expr(x.Index, row)
		t := g.typeOf(x.Index)
		var step string
		if isInteger(t) {
			step = "(CASE WHEN " + s + " < 0 THEN '[#' || CAST(" + s + " AS VARCHAR) || ']' ELSE '[' || CAST(" + s + " AS VARCHAR) || ']' END)"
		} else {
			step = "('.' || CAST(to_json(" + g.toStringSQL(s, t) + ") AS VARCHAR))"
		}
		return base, append(steps, pathStep{sql: step})
	case *ast.ParenExpr:
		return g.pathSteps(x.X, row)
	}
	return "", nil
}
