package sqlgen

import (
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// arg is a compiled argument of a function call.
type arg struct {
	sql string
	typ schema.Type
	e   ast.Expr
}

// scalarFunc compiles a call of a built-in scalar function. It may fail
// with g.failf; it never returns SQL that silently means something else.
type scalarFunc func(g *gen, x *ast.CallExpr, args []arg) string

var scalarFuncs = map[string]scalarFunc{}

// register adds a scalar function under one or more names. Each family
// of functions registers itself from its own file.
func register(f scalarFunc, names ...string) {
	for _, n := range names {
		if _, dup := scalarFuncs[n]; dup {
			panic("sqlgen: function registered twice: " + n)
		}
		scalarFuncs[n] = f
	}
}

// ScalarFunctions lists the built-in scalar functions the generator
// compiles, sorted.
func ScalarFunctions() []string {
	out := make([]string, 0, len(scalarFuncs))
	for n := range scalarFuncs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// call compiles a function call in a scalar context.
func (g *gen) call(x *ast.CallExpr, row *rel) string {
	id, ok := x.Fun.(*ast.Ident)
	if !ok {
		g.failf(x.Pos(), "call of a non-function")
	}
	if b := g.sc.lookup(id.Name); b != nil && b.fn != nil {
		v := g.callUser(b, id.Name, x.Args, row, x)
		if v.rel != nil {
			if len(v.rel.cols) == 0 {
				g.failf(x.Pos(), "function '%s' returns a table without columns", id.Name)
			}
			return "(SELECT " + quote(v.rel.cols[0].Name) + " FROM " + v.rel.name + " LIMIT 1)"
		}
		return v.sql
	}
	switch id.Name {
	case "toscalar":
		if len(x.Args) == 1 && g.isTabular(x.Args[0]) {
			r := g.tabular(x.Args[0])
			if len(r.cols) == 0 {
				g.failf(x.Pos(), "toscalar of a table without columns")
			}
			ord := ""
			if len(r.order) > 0 {
				ord = " ORDER BY " + orderSQL(r.order)
			}
			return "(SELECT " + quote(r.cols[0].Name) + " FROM " + r.name + ord + " LIMIT 1)"
		}
		if len(x.Args) == 1 {
			return g.expr(x.Args[0], row)
		}
	case "column_names_of":
		if len(x.Args) == 1 && g.isTabular(x.Args[0]) {
			return g.columnNamesOf(g.tabular(x.Args[0]))
		}
	case "column_ifexists", "columnifexists":
		if len(x.Args) == 2 {
			if s, ok := x.Args[0].(*ast.StringLit); ok && row != nil && row.find(s.Value) >= 0 {
				return quote(s.Value)
			}
			return g.expr(x.Args[1], row)
		}
	}
	if s, ok := g.windowRef(x, row); ok {
		return s
	}
	if af := aggFuncs[id.Name]; af != nil && g.agg != nil {
		return af(g, g.agg, x)
	}
	f := scalarFuncs[id.Name]
	if f == nil {
		if aggFuncs[id.Name] != nil {
			g.failf(x.Pos(), "aggregate function '%s' is only allowed in summarize", id.Name)
		}
		g.failf(x.Pos(), "function '%s' is not supported yet", id.Name)
	}
	args := make([]arg, len(x.Args))
	for i, a := range x.Args {
		if ne, ok := a.(*ast.NamedExpr); ok {
			a = ne.X
		}
		switch a.(type) {
		case *ast.Star, *ast.TypeOfExpr:
			args[i] = arg{e: a}
			continue
		}
		args[i] = arg{sql: g.expr(a, row), typ: g.typeOf(a), e: a}
	}
	g.curRow = row
	return f(g, x, args)
}

// callUser expands a call of a user function: arguments are compiled in
// the caller's scope and bound to the parameters, then the body is
// compiled in the scope the function was defined in.
func (g *gen) callUser(b *binding, name string, args []ast.Expr, row *rel, at ast.Node) value {
	if g.depth >= maxDepth {
		g.failf(at.Pos(), "function '%s' nests too deeply", name)
	}
	fn := b.fn
	if b.pattern != nil {
		m, err := check.MatchPattern(b.pattern, args, nil)
		if err != nil {
			g.failf(at.Pos(), "%v", err)
		}
		fn, args = &ast.FuncLit{Body: m.Body}, nil
	}
	inner := &scope{parent: b.fnSc, names: map[string]*binding{}}
	args = g.userArgs(fn.Params, args, name, at)
	for i, p := range fn.Params {
		if p == nil || p.Name == nil {
			continue
		}
		var a ast.Expr
		if i < len(args) {
			a = args[i]
		}
		switch {
		case a != nil && g.isTabular(a):
			inner.names[p.Name.Name] = &binding{rel: g.tabular(a)}
		case a != nil:
			decl := schema.Invalid
			if st, ok := p.Type.(*ast.ScalarType); ok {
				decl, _ = schema.ParseType(st.Name)
			}
			s, t := g.expr(a, row), g.typeOf(a)
			if decl != schema.Invalid && decl != t {
				s, t = g.coerce(s, t, decl), decl
			}
			inner.names[p.Name.Name] = &binding{sql: s, typ: t}
		case p.Default != nil:
			inner.names[p.Name.Name] = &binding{sql: g.expr(p.Default, nil), typ: g.typeOf(p.Default)}
		default:
			g.failf(at.Pos(), "function '%s' needs a value for '%s'", name, p.Name.Name)
		}
	}
	saved := g.sc
	g.sc = inner
	g.depth++
	defer func() { g.sc = saved; g.depth-- }()
	var last value
	for _, st := range fn.Body {
		switch s := st.(type) {
		case *ast.LetStmt:
			g.let(s)
		case *ast.ExprStmt:
			if g.isTabular(s.X) {
				last = value{rel: g.tabular(s.X)}
			} else {
				last = value{sql: g.expr(s.X, row), typ: g.typeOf(s.X)}
			}
		}
	}
	if last.rel == nil && last.sql == "" {
		g.failf(at.Pos(), "function '%s' has no result", name)
	}
	return last
}

// sqlList joins compiled arguments.
func sqlList(args []arg) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.sql
	}
	return strings.Join(parts, ", ")
}

// need fails unless the call has between min and max arguments.
func (g *gen) need(x *ast.CallExpr, args []arg, min, max int) {
	if len(args) < min || max >= 0 && len(args) > max {
		g.failf(x.Pos(), "wrong number of arguments")
	}
}

// asType converts an argument to a KQL type.
func (g *gen) asType(a arg, t schema.Type) string {
	return g.coerce(a.sql, a.typ, t)
}

// asString converts an argument to a string as tostring() does.
func (g *gen) asString(a arg) string {
	return g.toStringSQL(a.sql, a.typ)
}

// litString returns the value of a string literal argument.
func litString(a arg) (string, bool) {
	if s, ok := a.e.(*ast.StringLit); ok {
		return s.Value, true
	}
	return "", false
}
