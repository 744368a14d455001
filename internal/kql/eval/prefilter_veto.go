package eval

import (
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// A veto of a program is a condition that makes its leading filters drop
// a row, so that the program need not run on it: the negations of Sigma
// filters (not(FolderPath contains "\\"), FolderPath !endswith ".exe"),
// which rules made only of negations have instead of a prefilter, and
// which skip a program on rows its prefilter lets through but its
// filters drop (not(FolderPath startswith "C:\\Windows\\System32\\")).
//
// A veto is checked only on an ASCII value (or prefix), where an ASCII
// literal's case-insensitive tests are plain ASCII-lowercased byte tests:
// value contains lit (contains), ends with lit (endswith), starts with it
// (startswith) or is lit (=~, in~).
// The literal must be ASCII before lowercasing, as Unicode folds some
// non-ASCII letters onto ASCII ones (a test for "İ" is not one for "i").

type vetoKind uint8

const (
	vetoContains vetoKind = iota
	vetoSuffix
	vetoEqual
	vetoPrefix
)

// veto: the input string column col's value, ASCII, contains lit (kind
// vetoContains), ends with it (vetoSuffix), equals it (vetoEqual) or
// starts with it (vetoPrefix, where only the prefix must be ASCII),
// ASCII case-insensitively; lit is lowercase ASCII and not empty.
type veto struct {
	col  int
	lit  string
	kind vetoKind
}

// maxVetoes bounds the vetoes a program keeps.
const maxVetoes = 64

// failIf returns conditions each of which makes the predicate e false
// (or null): a row meeting one fails the where.
func (k *compiler) failIf(e ast.Expr) []veto { return k.settles(e, false) }

// settleOps are the string tests a veto answers, by the value they settle
// the predicate to: a negated test is false where its positive form holds.
var settleOps = map[bool]map[ast.BinaryOp]vetoKind{
	false: {ast.NotContains: vetoContains, ast.NotEndsWith: vetoSuffix, ast.NotStartsWith: vetoPrefix, ast.NeqTilde: vetoEqual},
	true:  {ast.Contains: vetoContains, ast.EndsWith: vetoSuffix, ast.StartsWith: vetoPrefix, ast.EqTilde: vetoEqual},
}

// settles returns conditions each of which makes the predicate e evaluate
// to want (false: the row fails; true: under a not(), it fails).
func (k *compiler) settles(e ast.Expr, want bool) []veto {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return k.settles(x.X, want)
	case *ast.BinaryExpr:
		// false and anything is false; true or anything is true.
		if (!want && x.Op == ast.And) || (want && x.Op == ast.Or) {
			return append(k.settles(x.X, want), k.settles(x.Y, want)...)
		}
		if kind, ok := settleOps[want][x.Op]; ok {
			return k.vetoOf(x.X, x.Y, kind)
		}
	case *ast.InExpr:
		if (!want && x.Op == ast.NotInCs) || (want && x.Op == ast.InCs) {
			return k.vetoList(x, vetoEqual)
		}
	case *ast.CallExpr:
		if len(x.Args) == 1 && k.builtinName(x.Fun, "not") {
			return k.settles(x.Args[0], !want)
		}
	}
	return nil
}

// vetoOf is the veto "column colExpr's value <kind> the constant
// litExpr", when colExpr is an input string column and the constant an
// ASCII string.
func (k *compiler) vetoOf(colExpr, litExpr ast.Expr, kind vetoKind) []veto {
	col, ok := k.stringColumn(colExpr)
	if !ok {
		return nil
	}
	s, ok := k.constString(litExpr)
	if !ok || s == "" || !isASCII(s) {
		return nil
	}
	return []veto{{col: col, lit: strings.ToLower(s), kind: kind}}
}

// vetoList is one veto per constant item of an in~ or !in~ list; an item
// that is not a constant gives none, the others still hold.
func (k *compiler) vetoList(x *ast.InExpr, kind vetoKind) []veto {
	var out []veto
	for _, item := range x.List {
		out = append(out, k.vetoOf(x.X, item, kind)...)
	}
	return out
}

// pickVetoes deduplicates vetoes and keeps at most maxVetoes of them,
// the shortest literals first (the likeliest to be found).
func pickVetoes(vs []veto) []veto {
	seen := map[veto]bool{}
	var out []veto
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if len(out) > maxVetoes {
		sort.SliceStable(out, func(i, j int) bool { return len(out[i].lit) < len(out[j].lit) })
		out = out[:maxVetoes]
	}
	return out
}

// hasPrefixASCII reports whether v starts with lit (lowercase ASCII)
// ASCII case-insensitively, the first len(lit) bytes of v being ASCII.
func hasPrefixASCII(v, lit string) bool {
	if len(v) < len(lit) {
		return false
	}
	for i := 0; i < len(lit); i++ {
		c := v[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lit[i] {
			return false
		}
	}
	return true
}
