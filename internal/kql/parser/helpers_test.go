package parser

import (
	"strconv"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// sexpr writes an expression as a fully parenthesized s-expression so
// that tests show precedence and structure at a glance:
// a + b * c is (+ a (* b c)). Nodes without a short form fall back to
// ast.Dump.
func sexpr(x ast.Expr) string {
	switch x := x.(type) {
	case nil:
		return "<nil>"
	case *ast.Ident:
		if x.Bracketed {
			return "['" + x.Name + "']"
		}
		return x.Name
	case *ast.Wildcard:
		if x.Qualifier != nil {
			return sexpr(x.Qualifier) + "." + x.Pattern
		}
		return x.Pattern
	case *ast.Star:
		return "*"
	case *ast.BasicLit:
		return x.Value
	case *ast.StringLit:
		return strconv.Quote(x.Value)
	case *ast.TypedLit:
		return x.Type + "(" + x.Body + ")"
	case *ast.ParenExpr:
		return "{" + sexpr(x.X) + "}"
	case *ast.SelectorExpr:
		return "(. " + sexpr(x.X) + " " + sexpr(x.Sel) + ")"
	case *ast.IndexExpr:
		return "([] " + sexpr(x.X) + " " + sexpr(x.Index) + ")"
	case *ast.CallExpr:
		parts := []string{sexpr(x.Fun)}
		for _, o := range x.Options {
			parts = append(parts, o.Name+"="+sexpr(o.Value))
		}
		for _, a := range x.Args {
			parts = append(parts, sexpr(a))
		}
		return "(call " + strings.Join(parts, " ") + ")"
	case *ast.UnaryExpr:
		return "(" + x.Op.String() + " " + sexpr(x.X) + ")"
	case *ast.BinaryExpr:
		return "(" + x.Op.String() + " " + sexpr(x.X) + " " + sexpr(x.Y) + ")"
	case *ast.InExpr:
		parts := []string{x.Op.String(), sexpr(x.X)}
		for _, e := range x.List {
			parts = append(parts, sexpr(e))
		}
		return "(" + strings.Join(parts, " ") + ")"
	case *ast.BetweenExpr:
		op := "between"
		if x.Not {
			op = "!between"
		}
		return "(" + op + " " + sexpr(x.X) + " " + sexpr(x.Low) + " " + sexpr(x.High) + ")"
	case *ast.NamedExpr:
		var names []string
		for _, n := range x.Names {
			names = append(names, sexpr(n))
		}
		lhs := strings.Join(names, " ")
		if x.Lparen.IsValid() {
			lhs = "(" + lhs + ")"
		}
		return "(= " + lhs + " " + sexpr(x.X) + ")"
	case *ast.PipeExpr:
		parts := []string{sexpr(x.Source)}
		for _, op := range x.Ops {
			parts = append(parts, opName(op))
		}
		return "(| " + strings.Join(parts, " ") + ")"
	case *ast.DynamicLit:
		return "dynamic(" + sexpr(x.Value) + ")"
	case *ast.JSONArray:
		var parts []string
		for _, e := range x.Elems {
			parts = append(parts, sexpr(e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case *ast.JSONObject:
		var parts []string
		for _, p := range x.Pairs {
			parts = append(parts, strconv.Quote(p.Key.Value)+":"+sexpr(p.Value))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case *ast.TypeOfExpr:
		return "typeof" + ast.Dump(x.Schema)
	}
	return ast.Dump(x)
}

// opName is the type of an operator without the Op suffix: Where, Take.
func opName(op ast.Operator) string {
	d := ast.Dump(op)
	if i := strings.IndexByte(d, '{'); i > 0 {
		d = d[:i]
	}
	return strings.TrimSuffix(d, "Op")
}

// mustParse parses src and fails the test on error.
func mustParse(t *testing.T, src string) *ast.Query {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return q
}

// lastOp returns the last operator of the last statement of src.
func lastOp(t *testing.T, src string) ast.Operator {
	t.Helper()
	q := mustParse(t, src)
	s, ok := q.Stmts[len(q.Stmts)-1].(*ast.ExprStmt)
	if !ok {
		t.Fatalf("Parse(%q): last statement is %T", src, q.Stmts[len(q.Stmts)-1])
	}
	pipe, ok := s.X.(*ast.PipeExpr)
	if !ok {
		t.Fatalf("Parse(%q): not a pipeline: %s", src, ast.Dump(s.X))
	}
	return pipe.Ops[len(pipe.Ops)-1]
}

// checkError parses src and checks that the first error is want.
func checkError(t *testing.T, src, want string) {
	t.Helper()
	_, err := Parse(src)
	if err == nil {
		t.Errorf("Parse(%q) succeeded, want error %q", src, want)
		return
	}
	got := strings.SplitN(err.Error(), "\n", 2)[0]
	if got != want {
		t.Errorf("Parse(%q)\n got error: %s\nwant error: %s", src, got, want)
	}
}
