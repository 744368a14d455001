package ast

import "github.com/vigilsec/vigil/internal/kql/token"

// Option is a name=value parameter of an operator: kind=inner,
// hint.strategy=shuffle, withsource=T, title="x". Value is a literal, an
// *Ident (for words such as inner), or a *NameList. The deprecated render
// clause "by a, b" is an Option named "by" without Assign.
type Option struct {
	NamePos token.Pos
	Name    string
	Assign  token.Pos
	Value   Expr
}

// NameList is a comma-separated list of column names used as an option
// value: render timechart with (ycolumns=a, b).
type NameList struct {
	Names []*Ident
}

// WithProps is with (name=value, ...) in externaldata, parse-kv and render.
type WithProps struct {
	With   token.Pos
	Lparen token.Pos
	Props  []*Option
	Rparen token.Pos
}

// SortDir is the direction of an OrderedExpr.
type SortDir uint8

// The sort directions. Granny orders sort strings numerically where they
// look like numbers (project-reorder).
const (
	SortDefault SortDir = iota
	SortAsc
	SortDesc
	SortGrannyAsc
	SortGrannyDesc
)

var sortDirText = [...]string{SortDefault: "", SortAsc: "asc", SortDesc: "desc", SortGrannyAsc: "granny-asc", SortGrannyDesc: "granny-desc"}

func (d SortDir) String() string {
	if int(d) < len(sortDirText) {
		return sortDirText[d]
	}
	return "SortDir(?)"
}

// NullsOrder says where nulls sort.
type NullsOrder uint8

// The nulls orders.
const (
	NullsDefault NullsOrder = iota
	NullsFirst
	NullsLast
)

func (n NullsOrder) String() string {
	switch n {
	case NullsFirst:
		return "first"
	case NullsLast:
		return "last"
	}
	return ""
}

// OrderedExpr is an expression with an optional direction and nulls
// placement: Timestamp desc nulls last.
type OrderedExpr struct {
	X        Expr
	DirPos   token.Pos
	Dir      SortDir
	NullsPos token.Pos // position of "nulls"
	Nulls    NullsOrder
	WhichPos token.Pos // position of "first" or "last"
}

// DataTableExpr is datatable(schema) [values]: an inline table whose rows
// are given in order, row by row.
type DataTableExpr struct {
	DataTable token.Pos
	Options   []*Option
	Schema    *SchemaType
	Lbrack    token.Pos
	Values    []Expr
	Rbrack    token.Pos
}

// ExternalDataExpr is externaldata(schema) [uris] with (props): a table read
// from external storage. Vigil refuses it unless an administrator allows
// the destination; the parser only records it.
type ExternalDataExpr struct {
	Keyword token.Pos
	Name    string // externaldata or external_data
	Options []*Option
	Schema  *SchemaType
	Lbrack  token.Pos
	URIs    []Expr
	Rbrack  token.Pos
	With    *WithProps
}

func (x *Option) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.NamePos
}

func (x *Option) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.NamePos, len(x.Name)), kwEnd(x.Assign, 1), endOf(x.Value))
}

func (x *NameList) Pos() token.Pos {
	if x == nil || len(x.Names) == 0 {
		return token.NoPos
	}
	return x.Names[0].Pos()
}

func (x *NameList) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return endOfList(x.Names)
}

func (x *WithProps) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.With
}

func (x *WithProps) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.With, 4), kwEnd(x.Lparen, 1), endOfList(x.Props), kwEnd(x.Rparen, 1))
}

func (x *OrderedExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return posOf(x.X)
}

func (x *OrderedExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(endOf(x.X), kwEnd(x.DirPos, len(x.Dir.String())), kwEnd(x.NullsPos, 5),
		kwEnd(x.WhichPos, len(x.Nulls.String())))
}

func (x *DataTableExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.DataTable
}

func (x *DataTableExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.DataTable, 9), endOfList(x.Options), endOf(x.Schema), kwEnd(x.Lbrack, 1),
		endOfList(x.Values), kwEnd(x.Rbrack, 1))
}

func (x *ExternalDataExpr) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Keyword
}

func (x *ExternalDataExpr) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.Keyword, len(x.Name)), endOfList(x.Options), endOf(x.Schema), kwEnd(x.Lbrack, 1),
		endOfList(x.URIs), kwEnd(x.Rbrack, 1), endOf(x.With))
}

func (*NameList) exprNode()         {}
func (*DataTableExpr) exprNode()    {}
func (*ExternalDataExpr) exprNode() {}
