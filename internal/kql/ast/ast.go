// Package ast declares the syntax tree of a KQL query.
//
// Every node records the positions of its tokens, so that later stages (the
// binder, the planner) can point at the exact place of a problem. The node
// interfaces are sealed with unexported marker methods: only this package
// defines nodes. This package depends on nothing but the token package; the
// stages that read the tree depend on it, never the other way round.
//
// A query is a list of statements. Tabular expressions are pipelines: a
// PipeExpr is an optional source expression followed by operators, one node
// type per operator (WhereOp, SummarizeOp, ...). Scalar and tabular
// expressions share the Expr interface, as in KQL itself, where (T | count)
// may appear wherever an expression may.
//
// Pos and End are safe to call on nil nodes (they return token.NoPos), so
// that a partial tree from a query with syntax errors can still be printed
// and inspected.
package ast

import "github.com/vigilsec/vigil/internal/kql/token"

// Node is any node of the tree.
type Node interface {
	Pos() token.Pos // position of the first character of the node
	End() token.Pos // position just after the node
}

// Expr is a scalar or tabular expression.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement: let, set, declare query_parameters, alias, restrict
// or a query expression.
type Stmt interface {
	Node
	stmtNode()
}

// Operator is a tabular operator: the part of a pipeline after a "|", or
// the first element of a pipeline that starts with an operator (print,
// range, union, ...).
type Operator interface {
	Node
	operatorNode()
}

// TypeExpr is a type in a declaration: a scalar type name or a schema.
type TypeExpr interface {
	Node
	typeNode()
}

// Query is a whole query: statements separated by semicolons.
type Query struct {
	Stmts []Stmt
}

func (q *Query) Pos() token.Pos {
	if q == nil || len(q.Stmts) == 0 {
		return token.NoPos
	}
	return posOf(q.Stmts[0])
}

func (q *Query) End() token.Pos {
	if q == nil {
		return token.NoPos
	}
	return endOfList(q.Stmts)
}

// ----------------------------------------------------------------------------
// Statements

// LetStmt binds a name: let x = expr, let f = (a:long) { ... },
// let t = materialize(T | ...). Value is an expression, a *FuncLit, or a
// call of materialize (which KQL allows only here).
type LetStmt struct {
	Let    token.Pos
	Name   *Ident
	Assign token.Pos
	Value  Expr
}

// SetStmt sets a request option: set notruncation; set x = 10.
// Assign is NoPos and Value nil when no value is given.
type SetStmt struct {
	Set    token.Pos
	Name   *Ident
	Assign token.Pos
	Value  Expr
}

// QueryParamsStmt is declare query_parameters(name:type [= default], ...).
type QueryParamsStmt struct {
	Declare         token.Pos
	QueryParameters token.Pos
	Lparen          token.Pos
	Params          []*Param
	Rparen          token.Pos
}

// AliasStmt is alias database Name = cluster(...).database(...).
type AliasStmt struct {
	Alias    token.Pos
	Database token.Pos
	Name     *Ident
	Assign   token.Pos
	Value    Expr
}

// RestrictStmt is restrict access to (T1, T2*, ...).
type RestrictStmt struct {
	Restrict token.Pos
	Access   token.Pos
	To       token.Pos
	Lparen   token.Pos
	Tables   []Expr
	Rparen   token.Pos
}

// PatternStmt is declare pattern Name [= (args) [[path:type]] { matches }].
// Without Assign it only declares the pattern.
type PatternStmt struct {
	Declare    token.Pos
	Pattern    token.Pos
	Name       *Ident
	Assign     token.Pos
	Lparen     token.Pos
	Params     []*Param
	Rparen     token.Pos
	PathLbrack token.Pos
	PathParam  *Param
	PathRbrack token.Pos
	Lbrace     token.Pos
	Matches    []*PatternMatch
	Rbrace     token.Pos
}

// PatternMatch is one mapping of a pattern: ("a", "b").["path"] = { query };
type PatternMatch struct {
	Lparen     token.Pos
	Args       []Expr
	Rparen     token.Pos
	Dot        token.Pos
	PathLbrack token.Pos
	PathValue  Expr
	PathRbrack token.Pos
	Assign     token.Pos
	Lbrace     token.Pos
	Body       []Stmt
	Rbrace     token.Pos
	Semi       token.Pos
}

// ExprStmt is a query expression used as a statement.
type ExprStmt struct {
	X Expr
}

func (s *LetStmt) Pos() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return s.Let
}

func (s *LetStmt) End() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(s.Let, 3), endOf(s.Name), kwEnd(s.Assign, 1), endOf(s.Value))
}

func (s *SetStmt) Pos() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return s.Set
}

func (s *SetStmt) End() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(s.Set, 3), endOf(s.Name), kwEnd(s.Assign, 1), endOf(s.Value))
}

func (s *QueryParamsStmt) Pos() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return s.Declare
}

func (s *QueryParamsStmt) End() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(s.Declare, 7), kwEnd(s.QueryParameters, len("query_parameters")),
		kwEnd(s.Lparen, 1), endOfList(s.Params), kwEnd(s.Rparen, 1))
}

func (s *AliasStmt) Pos() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return s.Alias
}

func (s *AliasStmt) End() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(s.Alias, 5), kwEnd(s.Database, 8), endOf(s.Name), kwEnd(s.Assign, 1), endOf(s.Value))
}

func (s *RestrictStmt) Pos() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return s.Restrict
}

func (s *RestrictStmt) End() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(s.Restrict, 8), kwEnd(s.Access, 6), kwEnd(s.To, 2), kwEnd(s.Lparen, 1),
		endOfList(s.Tables), kwEnd(s.Rparen, 1))
}

func (s *PatternStmt) Pos() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return s.Declare
}

func (s *PatternStmt) End() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(s.Declare, 7), kwEnd(s.Pattern, 7), endOf(s.Name), kwEnd(s.Assign, 1),
		kwEnd(s.Lparen, 1), endOfList(s.Params), kwEnd(s.Rparen, 1), kwEnd(s.PathLbrack, 1),
		endOf(s.PathParam), kwEnd(s.PathRbrack, 1), kwEnd(s.Lbrace, 1), endOfList(s.Matches), kwEnd(s.Rbrace, 1))
}

func (m *PatternMatch) Pos() token.Pos {
	if m == nil {
		return token.NoPos
	}
	return m.Lparen
}

func (m *PatternMatch) End() token.Pos {
	if m == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(m.Lparen, 1), endOfList(m.Args), kwEnd(m.Rparen, 1), kwEnd(m.Dot, 1),
		kwEnd(m.PathLbrack, 1), endOf(m.PathValue), kwEnd(m.PathRbrack, 1), kwEnd(m.Assign, 1),
		kwEnd(m.Lbrace, 1), endOfList(m.Body), kwEnd(m.Rbrace, 1), kwEnd(m.Semi, 1))
}

func (s *ExprStmt) Pos() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return posOf(s.X)
}

func (s *ExprStmt) End() token.Pos {
	if s == nil {
		return token.NoPos
	}
	return endOf(s.X)
}

func (*LetStmt) stmtNode()         {}
func (*SetStmt) stmtNode()         {}
func (*QueryParamsStmt) stmtNode() {}
func (*AliasStmt) stmtNode()       {}
func (*RestrictStmt) stmtNode()    {}
func (*ExprStmt) stmtNode()        {}
func (*PatternStmt) stmtNode()     {}

// ----------------------------------------------------------------------------
// Position helpers. Parts of a node may be missing after a syntax error, so
// End takes the furthest end among the parts that are present.

// maxPos returns the largest valid position, or NoPos.
func maxPos(ps ...token.Pos) token.Pos {
	m := token.NoPos
	for _, p := range ps {
		if p > m {
			m = p
		}
	}
	return m
}

// kwEnd returns the end of a token of n bytes at p, or NoPos.
func kwEnd(p token.Pos, n int) token.Pos {
	if !p.IsValid() {
		return token.NoPos
	}
	return p + token.Pos(n)
}

// posOf returns n.Pos(), or NoPos for a nil interface.
func posOf(n Node) token.Pos {
	if n == nil {
		return token.NoPos
	}
	return n.Pos()
}

// endOf returns n.End(), or NoPos for a nil interface.
func endOf(n Node) token.Pos {
	if n == nil {
		return token.NoPos
	}
	return n.End()
}

// endOfList returns the largest end of the nodes in list.
func endOfList[T Node](list []T) token.Pos {
	m := token.NoPos
	for _, n := range list {
		if e := endOf(n); e > m {
			m = e
		}
	}
	return m
}
