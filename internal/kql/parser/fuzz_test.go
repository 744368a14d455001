package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/printer"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// fuzzSeeds are short queries covering each construct; the fuzzer also
// starts from the golden and error files and a sample of the corpora.
var fuzzSeeds = []string{
	"T | where x > 1 and y has 'a' | project a, b = c * 2 | take 10",
	"let f = (a:long, T:(*)) { T | where x == a }; f(1, U)",
	"print dynamic({'a': [1, -2, null]}), datetime(2024-01-01), 1d, h'x', @'c:\\'",
	"T | summarize c = count() by bin(Timestamp, 1h) | top 5 by c desc nulls last",
	"T | join kind=leftouter (U | where x) on $left.a == $right.b",
	"union withsource=S Device*, (T | take 1) | search * has 'x'",
	"T | mv-apply y = x to typeof(long) on (summarize sum(y)) | mv-expand z limit 3",
	"T | parse kind=regex x with * 'a=' a:long | parse-kv y as (k:string) with (quote='\"')",
	"T | scan declare (s:long = 0) with (step a: x > 0 => s = a.s + 1;)",
	"T | partition by k (top 1 by t) | fork (count) n=(take 1) | facet by a with (take 2)",
	"T | make-series c = count() default = 0 on t from ago(1d) to now() step 1h by k",
	"E | make-graph a --> b with N on id | graph-match (x)-[e*1..3]->(y) where x.p project y.q",
	"find withsource=S in (T*) where x == 1 project-smart",
	"T | render timechart with (ycolumns=a, b, title='t')",
	"declare pattern p = (a:string)[b:string] { ('x').['y'] = { print 1 }; }; p('x').y",
	"print (((1))), f((2), (g(3)))",
	"print x in ((T | project y)), z between (1 .. 2)",
}

// FuzzParse checks the parser on arbitrary input: no panic (it calls the
// non-recovering parse so that a panic fails with its stack), no hang,
// errors inside the input, node positions inside the input and ordered,
// and for a query that parses, a printed form that parses to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.kql"))
	more, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "input.kql"))
	for _, file := range append(files, more...) {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(string(b))
		}
	}
	for _, path := range []string{conformancePath, huntingPath} {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		for i, q := range loadCorpus(f, path) {
			if i%40 == 0 {
				f.Add(q.Query)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		type result struct {
			q    *ast.Query
			errs []string
		}
		done := make(chan result, 1)
		go func() {
			p := newParser(src)
			q := p.parse()
			var errs []string
			for _, e := range p.errs {
				if !e.Pos.IsValid() || e.Pos.Offset > len(src) {
					errs = append(errs, "bad position: "+e.Error())
				}
			}
			if len(p.errs) == 0 {
				errs = nil
				checkPositions(t, q, src)
				checkRoundTrip(t, q)
			}
			done <- result{q, errs}
		}()
		select {
		case r := <-done:
			for _, e := range r.errs {
				t.Error(e)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("parser did not finish within 10s on %q", src)
		}
	})
}

// checkPositions checks that every node lies inside the query and inside
// its parent.
func checkPositions(t *testing.T, q *ast.Query, src string) {
	var stack []ast.Node
	ast.Inspect(q, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if q, ok := n.(*ast.Query); ok && len(q.Stmts) == 0 {
			return false // an empty query has no position
		}
		pos, end := n.Pos(), n.End()
		if !pos.IsValid() || !end.IsValid() || pos > end || end.Offset() > len(src) {
			t.Errorf("%T has positions %d..%d outside the query of %d bytes", n, pos, end, len(src))
		}
		if len(stack) > 0 {
			parent := stack[len(stack)-1]
			if pos < parent.Pos() || end > parent.End() {
				t.Errorf("%T at %d..%d is outside its parent %T at %d..%d", n, pos, end, parent, parent.Pos(), parent.End())
			}
		}
		stack = append(stack, n)
		return true
	})
}

var ignorePos = cmp.Comparer(func(a, b token.Pos) bool { return true })

// checkRoundTrip prints q, parses the text and compares the trees.
func checkRoundTrip(t *testing.T, q *ast.Query) {
	out := printer.Print(q)
	q2, err := Parse(out)
	if err != nil {
		t.Errorf("printed query does not parse: %v\n%s", err, out)
		return
	}
	if diff := cmp.Diff(q, q2, ignorePos); diff != "" {
		t.Errorf("printed query parses differently (-first +second):\n%s\n%s", diff, out)
	}
}

// TestPositions checks node positions on the golden queries and corpora,
// outside of fuzzing.
func TestPositions(t *testing.T) {
	srcs := append([]string(nil), fuzzSeeds...)
	for _, path := range []string{conformancePath, huntingPath} {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		for _, q := range loadCorpus(t, path) {
			if q.SyntaxErrors == nil || *q.SyntaxErrors == 0 {
				srcs = append(srcs, q.Query)
			}
		}
	}
	for _, src := range srcs {
		q := mustParse(t, src)
		checkPositions(t, q, src)
		// The text of a leaf is exactly its source.
		ast.Inspect(q, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if !n.Bracketed && src[n.Pos().Offset():n.End().Offset()] != n.Name {
					t.Errorf("Ident %q has positions of %q", n.Name, src[n.Pos().Offset():n.End().Offset()])
				}
			case *ast.BasicLit:
				if got := src[n.Pos().Offset():n.End().Offset()]; got != n.Value {
					t.Errorf("literal %q has positions of %q", n.Value, got)
				}
			case *ast.TypedLit:
				if got := src[n.Pos().Offset():n.End().Offset()]; !strings.HasPrefix(got, n.Type+"(") || !strings.HasSuffix(got, ")") {
					t.Errorf("typed literal %s(%s) has positions of %q", n.Type, n.Body, got)
				}
			}
			return true
		})
	}
}
