package eval

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// Tests on a member of a JSON column, tostring(parse_json(Col).Key) =~
// "lit" (the Sigma compiler's Imphash and other AdditionalFields
// fields), are anchored on the column's raw text. The member's text is
// a piece of the raw text when the raw text has no escape (no
// backslash): a string member is its unquoted token, a keyword its
// token, and an object or array member its JSON text, which can differ
// from the raw text only in whitespace between tokens, number forms and
// the HTML escapes \u003c, \u003e, \u0026 of <, > and &. So the test
// implies that the raw text contains lit, or a backslash, <, > or &,
// when lit has no JSON punctuation or whitespace-sensitive structure
// ({}[]:," and backslash) and is not made of number characters only.

// jsonFallback are the raw characters after which a member's text may
// not be a piece of the raw text.
var jsonFallback = []string{`\`, "<", ">", "&"}

// jsonTextColumn resolves e to the string column Col of
// tostring(parse_json(Col)<members>), where members is any chain of .Key
// and [index].
func (k *compiler) jsonTextColumn(e ast.Expr) (int, bool) {
	e = unparen(e)
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || !k.builtinName(call.Fun, "tostring") {
		return 0, false
	}
	x := unparen(call.Args[0])
	for {
		switch m := x.(type) {
		case *ast.SelectorExpr:
			x = unparen(m.X)
			continue
		case *ast.IndexExpr:
			x = unparen(m.X)
			continue
		}
		break
	}
	pj, ok := x.(*ast.CallExpr)
	if !ok || len(pj.Args) != 1 || !k.builtinName(pj.Fun, "parse_json", "todynamic", "parsejson") {
		return 0, false
	}
	return k.stringColumn(pj.Args[0])
}

// builtinName reports whether fun names one of the built-in functions
// names, not shadowed by a let binding.
func (k *compiler) builtinName(fun ast.Expr, names ...string) bool {
	id, ok := fun.(*ast.Ident)
	if !ok || k.sc.lookup(id.Name) != nil {
		return false
	}
	for _, n := range names {
		if id.Name == n {
			return true
		}
	}
	return false
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// jsonOne is the clause "the raw JSON text of col contains s
// (lowercased) or one of the fallback characters", or nil when s cannot
// be anchored that way.
func jsonOne(col int, s string) []clause {
	if s == "" || strings.ContainsAny(s, "{}[]:,\"\\") || strings.Trim(s, "0123456789.eE+-") == "" {
		return nil
	}
	c := one(col, s)
	if c == nil {
		return nil
	}
	for _, f := range jsonFallback {
		c[0] = append(c[0], anchor{col: col, lit: f})
	}
	return c
}
