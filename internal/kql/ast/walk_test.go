package ast_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/parser"
)

var nodeType = reflect.TypeOf((*ast.Node)(nil)).Elem()

// reachable collects every node reachable from n through the fields of the
// node structs, by reflection: the ground truth Walk must match.
func reachable(v reflect.Value, into map[ast.Node]bool) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			reachable(v.Elem(), into)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if n, ok := v.Interface().(ast.Node); ok {
			if into[n] {
				return
			}
			into[n] = true
		}
		reachable(v.Elem(), into)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			reachable(v.Field(i), into)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			reachable(v.Index(i), into)
		}
	}
}

func goldenQueries(t *testing.T) map[string]string {
	files, err := filepath.Glob(filepath.Join("..", "parser", "testdata", "golden", "*", "input.kql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden queries: %v", err)
	}
	out := map[string]string{
		"extra": `T | consume decodeblocks=true | count as N | getschema kind=csl | assert-schema (a:string)
| sample-distinct 3 of a | top-hitters 2 of a by b | project-by-names "a" | reduce kind=source by a with threshold=0.5
| render timechart kind=stacked by a, b with (ycolumns=c, d) | where x[0] between (1 .. 2) and y.[k] !between (3 .. 4)
| extend z = toscalar kind=nooptimization (U | count) | union database("d").T*, ['x y']
| parse-kv m as (k:string) with (quote="'") | invoke f(1) | sample 5 | serialize r = row_number()
| distinct * | project-keep a* | project-away b | project-rename c = d | project-reorder e desc
| lookup (V) on k | search in (T) "x" | find in (T) where a project-smart | as X | take 1;
G | make-graph a --> b with_node_id=id partitioned-by p (graph-to-table nodes as N with_node_id=i, edges)
| graph-mark-components kind=weak | graph-shortest-paths output=any (a)-[e*1..2]->(b) where a.x project b.y;
externaldata(a:string) ["u"] with (format="csv");
datatable(a:long) [1];
set s = 1; alias database d = cluster("c").database("d"); restrict access to (T*);
declare query_parameters(p:long = 1); declare pattern P = (a:string) { ("x") = { print 1 }; }`,
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = string(b)
	}
	return out
}

// TestWalkVisitsEveryNode checks that Walk reaches exactly the nodes a
// reflective traversal reaches, each once, so no node type or field is
// forgotten in Walk.
func TestWalkVisitsEveryNode(t *testing.T) {
	for name, src := range goldenQueries(t) {
		q, err := parser.Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := map[ast.Node]bool{}
		reachable(reflect.ValueOf(q), want)
		got := map[ast.Node]int{}
		ast.Inspect(q, func(n ast.Node) bool {
			if n != nil {
				got[n]++
			}
			return true
		})
		for n := range want {
			if got[n] == 0 {
				t.Errorf("%s: Walk does not reach %T %s", name, n, ast.Dump(n))
			}
		}
		for n, c := range got {
			if !want[n] {
				t.Errorf("%s: Walk reaches %T, which is not in the tree", name, n)
			}
			if c > 1 {
				t.Errorf("%s: Walk visits %T %d times", name, n, c)
			}
		}
	}
}

// TestInspectOrder checks depth-first, source-order traversal and the
// f(nil) call after the children.
func TestInspectOrder(t *testing.T) {
	q, err := parser.Parse("T | where a == 1 | project b")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	ast.Inspect(q, func(n ast.Node) bool {
		if n == nil {
			got = append(got, ")")
			return false
		}
		switch n := n.(type) {
		case *ast.Ident:
			got = append(got, n.Name)
		case *ast.BasicLit:
			got = append(got, n.Value)
		default:
			got = append(got, reflect.TypeOf(n).Elem().Name())
		}
		return true
	})
	want := "Query ExprStmt PipeExpr T ) WhereOp BinaryExpr a ) 1 ) ) ) ProjectOp b ) ) ) ) )"
	if s := join(got); s != want {
		t.Errorf("Inspect order:\n got: %s\nwant: %s", s, want)
	}
	// Returning false skips the children.
	n := 0
	ast.Inspect(q, func(node ast.Node) bool {
		if node != nil {
			n++
		}
		_, isPipe := node.(*ast.PipeExpr)
		return !isPipe
	})
	if n != 3 {
		t.Errorf("Inspect visited %d nodes with the pipeline pruned, want 3", n)
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// TestNilSafety checks that Pos and End of nil nodes, and Walk over
// partial trees, do not panic.
func TestNilSafety(t *testing.T) {
	want := map[ast.Node]bool{}
	q, _ := parser.Parse("T | where x > 1 | join kind=inner (U) on a | summarize by b")
	reachable(reflect.ValueOf(q), want)
	for n := range want {
		zero := reflect.New(reflect.TypeOf(n).Elem()).Interface().(ast.Node)
		if zero.Pos().IsValid() || zero.End().IsValid() {
			t.Errorf("zero %T has a position", zero)
		}
		nilPtr := reflect.Zero(reflect.TypeOf(n)).Interface().(ast.Node)
		_, _ = nilPtr.Pos(), nilPtr.End()
		ast.Walk(visitor{}, zero)
	}
	for _, src := range []string{"T | where", "let f = (", "T | join (", "print dynamic([1,", "T | scan with (step"} {
		q, err := parser.Parse(src)
		if err == nil {
			t.Errorf("%q: no error", src)
		}
		ast.Inspect(q, func(n ast.Node) bool {
			if n != nil {
				_, _ = n.Pos(), n.End()
			}
			return true
		})
	}
}

type visitor struct{}

func (v visitor) Visit(ast.Node) ast.Visitor { return v }

func TestNodeTypeCount(t *testing.T) {
	// Every node type implements exactly one of the sealed categories or
	// is a helper node; this guards against a node that implements none.
	q, _ := parser.Parse("T | where x")
	all := map[ast.Node]bool{}
	reachable(reflect.ValueOf(q), all)
	for n := range all {
		_, isExpr := n.(ast.Expr)
		_, isStmt := n.(ast.Stmt)
		_, isOp := n.(ast.Operator)
		_, isQuery := n.(*ast.Query)
		if !isExpr && !isStmt && !isOp && !isQuery {
			t.Errorf("%T is in no category", n)
		}
	}
	if !reflect.TypeOf(&ast.Ident{}).Implements(nodeType) {
		t.Error("Ident is not a Node")
	}
}
