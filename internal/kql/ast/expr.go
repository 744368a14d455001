package ast

import "github.com/vigilsec/vigil/internal/kql/token"

// Ident is a name: a column, table, variable or function. A bracketed name
// such as ['Full Location'] or ["x"] has Bracketed set; Name is its
// decoded value. The printer writes a name bracketed exactly when
// Bracketed is set (or when the name cannot be written bare), so a tree
// built by hand must set Bracketed for names that are KQL keywords.
type Ident struct {
	NamePos   token.Pos // position of the name, or of "[" when bracketed
	Name      string
	Bracketed bool
	Rbrack    token.Pos // position of "]" when bracketed
}

// Wildcard is a name pattern with "*": Device*, *Id, Prop_*_x, or "*"
// alone. It appears where KQL matches names: union, find, search,
// project-away, project-keep, project-reorder and restrict. In table
// lists the pattern may be qualified: database("db").Device*.
type Wildcard struct {
	Qualifier Expr      // nil unless qualified
	Dot       token.Pos // the "." after Qualifier
	NamePos   token.Pos
	Pattern   string
}

// Star is "*" standing for all columns or all values: count(*),
// arg_max(x, *), distinct *, search *, * has "x".
type Star struct {
	Star token.Pos
}

// ParenExpr is a parenthesized expression; X may be a pipeline.
type ParenExpr struct {
	Lparen token.Pos
	X      Expr
	Rparen token.Pos
}

// SelectorExpr is X.Sel: a dynamic member, $left.col, database("d").T.
type SelectorExpr struct {
	X   Expr
	Dot token.Pos
	Sel *Ident
}

// IndexExpr is X[Index]: an array element or a dynamic member. Kusto
// also accepts X.[Index], recorded by Dot.
type IndexExpr struct {
	X      Expr
	Dot    token.Pos // NoPos unless written X.[Index]
	Lbrack token.Pos
	Index  Expr
	Rbrack token.Pos
}

// CallExpr is a function call. Fun is an *Ident or a *SelectorExpr
// (cluster("c").database("d")). Args may contain *NamedExpr (named
// arguments), *Star and, for toscalar and materialize, pipelines.
// Options holds the kind= parameter of toscalar kind=nooptimization (...).
type CallExpr struct {
	Fun     Expr
	Options []*Option
	Lparen  token.Pos
	Args    []Expr
	Rparen  token.Pos
}

// UnaryExpr is -X or +X.
type UnaryExpr struct {
	OpPos token.Pos
	Op    token.Kind // token.ADD or token.SUB
	X     Expr
}

// BinaryExpr is X Op Y for the arithmetic, comparison, logical and string
// operators. The in family and between have their own nodes.
type BinaryExpr struct {
	X     Expr
	OpPos token.Pos
	Op    BinaryOp
	Y     Expr
}

// InExpr is X in (List), and the other list operators: !in, in~, !in~,
// has_any, has_all. The list may be a single tabular expression or a
// dynamic array.
type InExpr struct {
	X      Expr
	OpPos  token.Pos
	Op     BinaryOp // In, NotIn, InCs, NotInCs, HasAny or HasAll
	Lparen token.Pos
	List   []Expr
	Rparen token.Pos
}

// BetweenExpr is X between (Low .. High), or !between when Not is set.
type BetweenExpr struct {
	X      Expr
	OpPos  token.Pos
	Not    bool
	Lparen token.Pos
	Low    Expr
	DotDot token.Pos
	High   Expr
	Rparen token.Pos
}

// NamedExpr gives a name to a value: c = count() in summarize, x = 1 in
// print, kind=inner as a named argument, or (a, b) = f() for functions with
// several results, where Lparen and Rparen are set.
type NamedExpr struct {
	Lparen token.Pos
	Names  []*Ident
	Rparen token.Pos
	Assign token.Pos
	X      Expr
}

// PipeExpr is a pipeline: Source | Ops[0] | Ops[1] ... Source is nil when
// the pipeline starts with an operator (print, range, union, or the
// sub-pipelines of fork, partition, facet and mv-apply, which read an
// implicit input). Bars[i] is the position of the "|" before Ops[i]; it is
// NoPos for a leading operator.
type PipeExpr struct {
	Source Expr
	Bars   []token.Pos
	Ops    []Operator
}

// FuncLit is the value of let f = [view] (params) { body }. Body holds the
// let statements of the body and, last, the ExprStmt of its result.
type FuncLit struct {
	View   token.Pos // NoPos unless declared with view
	Lparen token.Pos
	Params []*Param
	Rparen token.Pos
	Lbrace token.Pos
	Body   []Stmt
	Rbrace token.Pos
}

// Param is a function or query parameter: name:type [= default]. Type is
// a *ScalarType or, for a tabular parameter, a *SchemaType such as (*) or
// (x:string, *).
type Param struct {
	Name    *Ident
	Colon   token.Pos
	Type    TypeExpr
	Assign  token.Pos
	Default Expr
}

func (x *Ident) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.NamePos
}

func (x *Ident) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	if x.Bracketed {
		return maxPos(kwEnd(x.Rbrack, 1), kwEnd(x.NamePos, 1))
	}
	return kwEnd(x.NamePos, len(x.Name))
}

func (x *Wildcard) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	if x.Qualifier != nil {
		return x.Qualifier.Pos()
	}
	return x.NamePos
}

func (x *Wildcard) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return kwEnd(x.NamePos, len(x.Pattern))
}

func (x *Star) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Star
}

func (x *Star) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return kwEnd(x.Star, 1)
}

func (x *ParenExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Lparen
}

func (x *ParenExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.Lparen, 1), endOf(x.X), kwEnd(x.Rparen, 1))
}

func (x *SelectorExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return posOf(x.X)
}

func (x *SelectorExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(endOf(x.X), kwEnd(x.Dot, 1), endOf(x.Sel))
}

func (x *IndexExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return posOf(x.X)
}

func (x *IndexExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(endOf(x.X), kwEnd(x.Lbrack, 1), endOf(x.Index), kwEnd(x.Rbrack, 1))
}

func (x *CallExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return posOf(x.Fun)
}

func (x *CallExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(endOf(x.Fun), endOfList(x.Options), kwEnd(x.Lparen, 1), endOfList(x.Args), kwEnd(x.Rparen, 1))
}

func (x *UnaryExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.OpPos
}

func (x *UnaryExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.OpPos, 1), endOf(x.X))
}

func (x *BinaryExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return posOf(x.X)
}

func (x *BinaryExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(endOf(x.X), kwEnd(x.OpPos, len(x.Op.String())), endOf(x.Y))
}

func (x *InExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return posOf(x.X)
}

func (x *InExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(endOf(x.X), kwEnd(x.OpPos, len(x.Op.String())), kwEnd(x.Lparen, 1),
		endOfList(x.List), kwEnd(x.Rparen, 1))
}

func (x *BetweenExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return posOf(x.X)
}

func (x *BetweenExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	opLen := len("between")
	if x.Not {
		opLen++
	}
	return maxPos(endOf(x.X), kwEnd(x.OpPos, opLen), kwEnd(x.Lparen, 1), endOf(x.Low),
		kwEnd(x.DotDot, 2), endOf(x.High), kwEnd(x.Rparen, 1))
}

func (x *NamedExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	if x.Lparen.IsValid() {
		return x.Lparen
	}
	if len(x.Names) > 0 {
		return x.Names[0].Pos()
	}
	return x.Assign
}

func (x *NamedExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(endOfList(x.Names), kwEnd(x.Rparen, 1), kwEnd(x.Assign, 1), endOf(x.X))
}

func (x *PipeExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	if x.Source != nil {
		return x.Source.Pos()
	}
	if len(x.Bars) > 0 && x.Bars[0].IsValid() {
		return x.Bars[0]
	}
	if len(x.Ops) > 0 {
		return posOf(x.Ops[0])
	}
	return token.NoPos
}

func (x *PipeExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	m := endOf(x.Source)
	for _, b := range x.Bars {
		m = maxPos(m, kwEnd(b, 1))
	}
	return maxPos(m, endOfList(x.Ops))
}

func (x *FuncLit) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	if x.View.IsValid() {
		return x.View
	}
	return x.Lparen
}

func (x *FuncLit) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.View, 4), kwEnd(x.Lparen, 1), endOfList(x.Params), kwEnd(x.Rparen, 1),
		kwEnd(x.Lbrace, 1), endOfList(x.Body), kwEnd(x.Rbrace, 1))
}

func (x *Param) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Name.Pos()
}

func (x *Param) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(endOf(x.Name), kwEnd(x.Colon, 1), endOf(x.Type), kwEnd(x.Assign, 1), endOf(x.Default))
}

func (*Ident) exprNode()        {}
func (*Wildcard) exprNode()     {}
func (*Star) exprNode()         {}
func (*ParenExpr) exprNode()    {}
func (*SelectorExpr) exprNode() {}
func (*IndexExpr) exprNode()    {}
func (*CallExpr) exprNode()     {}
func (*UnaryExpr) exprNode()    {}
func (*BinaryExpr) exprNode()   {}
func (*InExpr) exprNode()       {}
func (*BetweenExpr) exprNode()  {}
func (*NamedExpr) exprNode()    {}
func (*PipeExpr) exprNode()     {}
func (*FuncLit) exprNode()      {}
