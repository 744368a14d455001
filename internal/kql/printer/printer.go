// Package printer turns a KQL syntax tree back into query text.
//
// The printer is the parser's inverse: for any tree the parser produces,
// Print returns text that parses back to the same tree, positions aside.
// Comments and the original layout are not kept; statement-level pipelines
// are written one operator per line. For trees built by hand, the printer
// adds the parentheses that operator precedence requires, and brackets
// names that cannot be written bare. Names that are KQL keywords must be
// marked Bracketed by whoever builds the tree (see ast.Ident).
package printer

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/scanner"
)

// Print returns the KQL text of node: a whole query, a statement, an
// expression, an operator or any other node.
func Print(node ast.Node) string {
	p := &printer{}
	p.node(node)
	return p.b.String()
}

type printer struct {
	b      strings.Builder
	nested int // > 0 inside function bodies, where pipelines stay on one line
}

func (p *printer) print(s ...string) {
	for _, x := range s {
		p.b.WriteString(x)
	}
}

// node prints any node.
func (p *printer) node(n ast.Node) {
	switch n := n.(type) {
	case nil:
	case *ast.Query:
		p.query(n)
	case ast.Stmt:
		p.stmt(n)
	case ast.Operator:
		p.operator(n)
	case ast.Expr:
		p.pipeOrExpr(n)
	case ast.TypeExpr:
		p.typeExpr(n)
	case *ast.Param:
		p.param(n)
	case *ast.Option:
		p.option(n)
	case *ast.OrderedExpr:
		p.ordered(n)
	case *ast.WithProps:
		p.withProps(n)
	case *ast.JSONPair:
		p.jsonPair(n)
	case *ast.ForkBranch:
		p.forkBranch(n)
	case *ast.MakeSeriesAgg:
		p.makeSeriesAgg(n)
	case *ast.MvItem:
		p.mvItem(n)
	case *ast.ScanStep:
		p.scanStep(n)
	case *ast.TopNestedClause:
		p.topNestedClause(n)
	case *ast.PatternMatch:
		p.patternMatch(n)
	case *ast.GraphNodeTable:
		p.graphNodeTable(n)
	case *ast.GraphPattern:
		p.graphPattern(n)
	case *ast.GraphNode:
		p.graphNode(n)
	case *ast.GraphEdge:
		p.graphEdge(n)
	case *ast.GraphToTablePart:
		p.graphToTablePart(n)
	}
}

func (p *printer) query(q *ast.Query) {
	for i, s := range q.Stmts {
		if i > 0 {
			p.print(";\n")
		}
		p.stmt(s)
	}
}

func (p *printer) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.ExprStmt:
		p.topLevel(s.X)
	case *ast.LetStmt:
		p.print("let ")
		p.ident(s.Name)
		p.print(" = ")
		p.topLevel(s.Value)
	case *ast.SetStmt:
		p.print("set ")
		p.ident(s.Name)
		if s.Value != nil {
			p.print(" = ")
			p.expr(s.Value, ast.PrecOr)
		}
	case *ast.QueryParamsStmt:
		p.print("declare query_parameters")
		p.params(s.Params)
	case *ast.AliasStmt:
		p.print("alias database ")
		p.ident(s.Name)
		p.print(" = ")
		p.expr(s.Value, ast.PrecOr)
	case *ast.RestrictStmt:
		p.print("restrict access to (")
		p.exprList(s.Tables)
		p.print(")")
	case *ast.PatternStmt:
		p.patternStmt(s)
	}
}

// topLevel prints the expression of a statement, writing a pipeline one
// operator per line.
func (p *printer) topLevel(x ast.Expr) {
	if pipe, ok := x.(*ast.PipeExpr); ok && p.nested == 0 {
		p.pipe(pipe, "\n| ")
		return
	}
	p.pipeOrExpr(x)
}

// pipeOrExpr prints x where a pipeline is allowed without parentheses.
func (p *printer) pipeOrExpr(x ast.Expr) {
	switch x := x.(type) {
	case *ast.PipeExpr:
		p.pipe(x, " | ")
	case *ast.FuncLit:
		p.funcLit(x)
	case *ast.NamedExpr:
		p.named(x)
	default:
		p.expr(x, ast.PrecOr)
	}
}

func (p *printer) pipe(x *ast.PipeExpr, sep string) {
	if x.Source != nil {
		p.expr(x.Source, ast.PrecOr)
	}
	for i, op := range x.Ops {
		if i > 0 || x.Source != nil {
			p.print(sep)
		}
		p.operator(op)
	}
}

func (p *printer) funcLit(f *ast.FuncLit) {
	if f.View.IsValid() {
		p.print("view ")
	}
	p.params(f.Params)
	p.print(" ")
	p.body(f.Body)
}

// body prints { stmt; ...; expr }.
func (p *printer) body(stmts []ast.Stmt) {
	p.nested++
	defer func() { p.nested-- }()
	p.print("{ ")
	for i, s := range stmts {
		if i > 0 {
			p.print(" ")
		}
		p.stmt(s)
		if _, ok := s.(*ast.ExprStmt); !ok {
			p.print(";")
		}
	}
	p.print(" }")
}

func (p *printer) params(params []*ast.Param) {
	p.print("(")
	for i, prm := range params {
		if i > 0 {
			p.print(", ")
		}
		p.param(prm)
	}
	p.print(")")
}

func (p *printer) param(prm *ast.Param) {
	p.ident(prm.Name)
	p.print(":")
	p.typeExpr(prm.Type)
	if prm.Default != nil {
		p.print(" = ")
		p.expr(prm.Default, ast.PrecOr)
	}
}

func (p *printer) patternStmt(s *ast.PatternStmt) {
	p.print("declare pattern ")
	p.ident(s.Name)
	if !s.Assign.IsValid() && s.Params == nil && s.Matches == nil {
		return
	}
	p.print(" = ")
	p.params(s.Params)
	if s.PathParam != nil {
		p.print("[")
		p.param(s.PathParam)
		p.print("]")
	}
	p.print(" {\n")
	for _, m := range s.Matches {
		p.print("  ")
		p.patternMatch(m)
		p.print("\n")
	}
	p.print("}")
}

func (p *printer) patternMatch(m *ast.PatternMatch) {
	p.print("(")
	p.exprList(m.Args)
	p.print(")")
	if m.PathValue != nil {
		p.print(".[")
		p.expr(m.PathValue, ast.PrecOr)
		p.print("]")
	}
	p.print(" = ")
	p.body(m.Body)
	p.print(";")
}

// ----------------------------------------------------------------------------
// Names, types and literals

func (p *printer) ident(id *ast.Ident) {
	if id == nil {
		return
	}
	// A parsed name that was not bracketed is a word; print it as such.
	// Anything else that would not scan back as one word is bracketed.
	if id.Bracketed || !scanner.IsWord(id.Name) {
		p.print("[", quoteName(id.Name), "]")
		return
	}
	p.print(id.Name)
}

// quoteName quotes a bracketed name the way analysts write it, ['name'],
// falling back to an escaped double-quoted string when needed.
func quoteName(name string) string {
	if strings.ContainsAny(name, "'\\") || strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return scanner.Quote(name)
	}
	return "'" + name + "'"
}

func (p *printer) typeExpr(t ast.TypeExpr) {
	switch t := t.(type) {
	case *ast.ScalarType:
		p.print(t.Name)
	case *ast.SchemaType:
		p.schema(t)
	}
}

func (p *printer) schema(s *ast.SchemaType) {
	if s == nil {
		return
	}
	p.print("(")
	for i, c := range s.Columns {
		if i > 0 {
			p.print(", ")
		}
		p.columnDecl(c)
	}
	p.print(")")
}

func (p *printer) columnDecl(c *ast.ColumnDecl) {
	if c.Star.IsValid() && c.Name == nil && c.Type == nil {
		p.print("*")
		return
	}
	p.ident(c.Name)
	if c.Type != nil {
		if c.Name != nil {
			p.print(":")
		}
		p.typeExpr(c.Type)
	}
}

func (p *printer) stringLit(s *ast.StringLit) {
	if len(s.Parts) == 0 {
		p.print(scanner.Quote(s.Value))
		return
	}
	for i, part := range s.Parts {
		if i > 0 {
			p.print(" ")
		}
		p.print(part.Raw)
	}
}

func (p *printer) jsonPair(pair *ast.JSONPair) {
	p.stringLit(pair.Key)
	p.print(": ")
	p.jsonValue(pair.Value)
}

// ----------------------------------------------------------------------------
// Lists and options

func (p *printer) exprList(list []ast.Expr) {
	for i, x := range list {
		if i > 0 {
			p.print(", ")
		}
		p.listItem(x)
	}
}

// listItem prints an element of a list where names and pipelines are
// allowed.
func (p *printer) listItem(x ast.Expr) {
	switch x := x.(type) {
	case *ast.NamedExpr:
		p.named(x)
	case *ast.PipeExpr:
		p.pipe(x, " | ")
	default:
		p.expr(x, ast.PrecOr)
	}
}

func (p *printer) options(opts []*ast.Option) {
	for _, o := range opts {
		p.print(" ")
		p.option(o)
	}
}

func (p *printer) option(o *ast.Option) {
	p.print(o.Name)
	if o.Assign.IsValid() || o.Name != "by" {
		p.print("=")
	} else {
		p.print(" ")
	}
	p.optionValue(o.Value)
}

func (p *printer) optionValue(v ast.Expr) {
	switch v := v.(type) {
	case *ast.NameList:
		p.nameList(v)
	case nil:
	default:
		p.expr(v, ast.PrecOr)
	}
}

func (p *printer) nameList(l *ast.NameList) {
	for i, id := range l.Names {
		if i > 0 {
			p.print(", ")
		}
		p.ident(id)
	}
}

func (p *printer) withProps(w *ast.WithProps) {
	if w == nil {
		return
	}
	p.print(" with (")
	for i, o := range w.Props {
		if i > 0 {
			p.print(", ")
		}
		p.option(o)
	}
	p.print(")")
}

func (p *printer) ordered(o *ast.OrderedExpr) {
	if o == nil {
		return
	}
	p.listItem(o.X)
	if o.Dir != ast.SortDefault {
		p.print(" ", o.Dir.String())
	}
	if o.Nulls != ast.NullsDefault {
		p.print(" nulls ", o.Nulls.String())
	}
}

func (p *printer) orderedList(items []*ast.OrderedExpr) {
	for i, o := range items {
		if i > 0 {
			p.print(", ")
		}
		p.ordered(o)
	}
}

// subquery prints ( pipeline ).
func (p *printer) subquery(x ast.Expr) {
	p.print("(")
	p.pipeOrExpr(x)
	p.print(")")
}
