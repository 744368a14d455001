package check

import (
	"fmt"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// MatchPattern finds the mapping of a declared pattern that a reference
// p(args).path selects: its arguments (and path, when the pattern has
// one) must be literals equal to the mapping's. path is nil when the
// reference has none.
func MatchPattern(p *ast.PatternStmt, args []ast.Expr, path ast.Expr) (*ast.PatternMatch, error) {
	name := ""
	if p.Name != nil {
		name = p.Name.Name
	}
	if len(args) != len(p.Params) {
		return nil, fmt.Errorf("pattern '%s' takes %d arguments, got %d", name, len(p.Params), len(args))
	}
	want := make([]string, len(args))
	for i, a := range args {
		v, ok := patternLit(a)
		if !ok {
			return nil, fmt.Errorf("the arguments of pattern '%s' must be literals", name)
		}
		want[i] = v
	}
	wantPath := ""
	if p.PathParam != nil {
		if path == nil {
			return nil, fmt.Errorf("pattern '%s' needs a path: %s(...).path", name, name)
		}
		v, ok := patternLit(path)
		if !ok {
			return nil, fmt.Errorf("the path of pattern '%s' must be a name or a literal", name)
		}
		wantPath = v
	} else if path != nil {
		return nil, fmt.Errorf("pattern '%s' has no path", name)
	}
	for _, m := range p.Matches {
		if m == nil || len(m.Args) != len(want) {
			continue
		}
		ok := true
		for i, a := range m.Args {
			v, lit := patternLit(a)
			ok = ok && lit && v == want[i]
		}
		if p.PathParam != nil {
			v, lit := patternLit(m.PathValue)
			ok = ok && lit && v == wantPath
		}
		if ok {
			return m, nil
		}
	}
	return nil, fmt.Errorf("pattern '%s' has no mapping for these arguments", name)
}

// patternLit is the text of a literal (or of a bare name, as in
// country("Canada").Alberta).
func patternLit(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.StringLit:
		return "s:" + x.Value, true
	case *ast.Ident:
		return "s:" + x.Name, true
	case *ast.BasicLit:
		return "n:" + x.Value, true
	case *ast.ParenExpr:
		return patternLit(x.X)
	}
	return "", false
}

// PatternShape is an empty function standing for a pattern: its body is
// the first mapping's, which tells whether references are tables.
func PatternShape(p *ast.PatternStmt) *ast.FuncLit {
	for _, m := range p.Matches {
		if m != nil {
			return &ast.FuncLit{Body: m.Body}
		}
	}
	return &ast.FuncLit{}
}

// patternRef returns the pattern a reference p(args).path names.
func (c *checker) patternRef(x *ast.SelectorExpr) (*symbol, *ast.CallExpr) {
	call, ok := x.X.(*ast.CallExpr)
	if !ok || x.Sel == nil {
		return nil, nil
	}
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		return nil, nil
	}
	if sym := c.sc.lookup(id.Name); sym != nil && sym.pattern != nil && sym.pattern.Name != nil {
		return sym, call
	}
	return nil, nil
}

// sortedNames names the results of array_sort_asc(a, b, ...) and
// array_sort_desc with several arrays given by name: a_sorted, b_sorted.
// It returns nil for other expressions.
func (c *checker) sortedNames(e ast.Expr) []string {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return nil
	}
	id, ok := call.Fun.(*ast.Ident)
	if !ok || id.Name != "array_sort_asc" && id.Name != "array_sort_desc" {
		return nil
	}
	args := call.Args
	if n := len(args); n > 1 && c.res.Types[args[n-1]] == schema.Bool {
		args = args[:n-1]
	}
	var out []string
	for _, a := range args {
		ai, ok := a.(*ast.Ident)
		if !ok {
			return nil
		}
		out = append(out, ai.Name+"_sorted")
	}
	return out
}
