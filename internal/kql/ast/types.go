package ast

import "github.com/vigilsec/vigil/internal/kql/token"

// ScalarType is a scalar type name as written: string, long, datetime,
// dynamic... The parser accepts any word; the binder checks it.
type ScalarType struct {
	NamePos token.Pos
	Name    string
}

// SchemaType is a parenthesized list of columns: the schema of datatable,
// externaldata and parse-kv, a tabular parameter type (*) or (x:string),
// the output schema of evaluate, and the body of typeof(...).
type SchemaType struct {
	Lparen  token.Pos
	Columns []*ColumnDecl
	Rparen  token.Pos
}

// ColumnDecl declares a column: name:type. In a schema, "*" (any other
// columns) is a ColumnDecl with Star set and no name or type. In typeof
// and parse patterns the name or the type may be absent: typeof(string),
// parse ... with * "x=" x:long, find ... project x:string.
type ColumnDecl struct {
	Name  *Ident
	Colon token.Pos
	Type  TypeExpr
	Star  token.Pos
}

// TypeOfExpr is typeof(string) or typeof(a:string, b:long): a type used as
// a value, as in mv-expand x to typeof(long).
type TypeOfExpr struct {
	TypeOf token.Pos
	Schema *SchemaType
}

func (x *ScalarType) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.NamePos
}

func (x *ScalarType) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return kwEnd(x.NamePos, len(x.Name))
}

func (x *SchemaType) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Lparen
}

func (x *SchemaType) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.Lparen, 1), endOfList(x.Columns), kwEnd(x.Rparen, 1))
}

func (x *ColumnDecl) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	if x.Star.IsValid() {
		return x.Star
	}
	if x.Name != nil {
		return x.Name.Pos()
	}
	if x.Colon.IsValid() {
		return x.Colon
	}
	return posOf(x.Type)
}

func (x *ColumnDecl) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.Star, 1), endOf(x.Name), kwEnd(x.Colon, 1), endOf(x.Type))
}

func (x *TypeOfExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.TypeOf
}

func (x *TypeOfExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.TypeOf, 6), endOf(x.Schema))
}

func (*ScalarType) typeNode() {}
func (*SchemaType) typeNode() {}

func (*ColumnDecl) exprNode() {}
func (*TypeOfExpr) exprNode() {}
