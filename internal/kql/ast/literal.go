package ast

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/token"
)

// LitKind is the kind of a BasicLit.
type LitKind uint8

// The kinds of basic literals.
const (
	LitBool     LitKind = iota + 1 // true, false
	LitLong                        // 42, 0x2A, -1
	LitReal                        // 1.5, 1e3
	LitTimespan                    // 1d, 1.5h
	LitNull                        // null, inside dynamic(...) only
	LitGUID                        // a bare GUID, in the few places KQL allows one
)

var litKindNames = [...]string{
	LitBool: "bool", LitLong: "long", LitReal: "real", LitTimespan: "timespan",
	LitNull: "null", LitGUID: "guid",
}

func (k LitKind) String() string {
	if int(k) < len(litKindNames) && litKindNames[k] != "" {
		return litKindNames[k]
	}
	return "LitKind(?)"
}

// BasicLit is a literal written without parentheses. Value is its source
// text; in literal-only positions (datatable rows, dynamic values, default
// values) a sign is part of it: -1.
type BasicLit struct {
	ValuePos token.Pos
	Kind     LitKind
	Value    string
}

// StringLit is a string literal. Adjacent literals concatenate in KQL
// ("a" 'b'), so a StringLit has one or more parts. Value is the decoded,
// concatenated value.
type StringLit struct {
	Parts []StringPart
	Value string
}

// StringPart is one literal of a StringLit as written: "a\tb", @'c:\x',
// h"secret", ```text```.
type StringPart struct {
	Pos token.Pos
	Raw string
}

// Obfuscated reports whether any part is an obfuscated string (h"..."),
// whose value must not appear in logs.
func (x *StringLit) Obfuscated() bool {
	for _, p := range x.Parts {
		if strings.HasPrefix(p.Raw, "h") || strings.HasPrefix(p.Raw, "H") {
			return true
		}
	}
	return false
}

// TypedLit is a literal written as type(text): datetime(2024-01-01),
// timespan(1d), int(null), real(+inf), guid(...), bool(true). Body is the
// text between the parentheses, uninterpreted: the binder parses it for
// the type.
type TypedLit struct {
	TypePos token.Pos
	Type    string // datetime, date, time, timespan, int, int32, long, int64, real, double, decimal, bool, guid
	Body    string
	Rparen  token.Pos // NoPos when the literal is not terminated
}

// DynamicLit is dynamic(value), where Value is a JSON-like literal: a
// *BasicLit, *StringLit, *TypedLit, *JSONArray, *JSONObject or a nested
// *DynamicLit.
type DynamicLit struct {
	Dynamic token.Pos
	Lparen  token.Pos
	Value   Expr
	Rparen  token.Pos
}

// JSONArray is [v, ...] inside dynamic(...).
type JSONArray struct {
	Lbrack token.Pos
	Elems  []Expr
	Rbrack token.Pos
}

// JSONObject is {"k": v, ...} inside dynamic(...).
type JSONObject struct {
	Lbrace token.Pos
	Pairs  []*JSONPair
	Rbrace token.Pos
}

// JSONPair is one "key": value member of a JSONObject.
type JSONPair struct {
	Key   *StringLit
	Colon token.Pos
	Value Expr
}

func (x *BasicLit) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.ValuePos
}

func (x *BasicLit) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return kwEnd(x.ValuePos, len(x.Value))
}

func (x *StringLit) Pos() token.Pos {
	if x == nil || len(x.Parts) == 0 {
		return token.NoPos
	}
	return x.Parts[0].Pos
}

func (x *StringLit) End() token.Pos {
	if x == nil || len(x.Parts) == 0 {
		return token.NoPos
	}
	p := x.Parts[len(x.Parts)-1]
	return kwEnd(p.Pos, len(p.Raw))
}

func (x *TypedLit) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.TypePos
}

func (x *TypedLit) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.TypePos, len(x.Type)+1+len(x.Body)), kwEnd(x.Rparen, 1))
}

func (x *DynamicLit) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Dynamic
}

func (x *DynamicLit) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.Dynamic, 7), kwEnd(x.Lparen, 1), endOf(x.Value), kwEnd(x.Rparen, 1))
}

func (x *JSONArray) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Lbrack
}

func (x *JSONArray) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.Lbrack, 1), endOfList(x.Elems), kwEnd(x.Rbrack, 1))
}

func (x *JSONObject) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Lbrace
}

func (x *JSONObject) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.Lbrace, 1), endOfList(x.Pairs), kwEnd(x.Rbrace, 1))
}

func (x *JSONPair) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Key.Pos()
}

func (x *JSONPair) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(endOf(x.Key), kwEnd(x.Colon, 1), endOf(x.Value))
}

func (*BasicLit) exprNode()   {}
func (*StringLit) exprNode()  {}
func (*TypedLit) exprNode()   {}
func (*DynamicLit) exprNode() {}
func (*JSONArray) exprNode()  {}
func (*JSONObject) exprNode() {}
