package eval

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/vigilsec/vigil/internal/kql/kqltest"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/kql/parser"
	"github.com/vigilsec/vigil/internal/schema"
)

// docFloor is the number of documentation examples the evaluator must
// reproduce; raise it as the evaluator grows.
const docFloor = 100

var docReasons = flag.Bool("doc.reasons", false, "log why each documentation example was rejected")

// TestDocExamples runs the documentation examples of the conformance
// corpus (../shared/kql/conformance.jsonl) that fit the evaluator: a
// print or datatable source (standing in for a stored table) followed by
// the operators it supports. The expected rows are what Kusto returns,
// so this checks functions against Kusto itself, including those the
// SQL path lacks.
func TestDocExamples(t *testing.T) {
	f, err := os.Open("../../../../shared/kql/conformance.jsonl")
	if err != nil {
		t.Skipf("conformance corpus not available: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var tried, passed, rejected int
	var fails []string
	for sc.Scan() {
		var c struct {
			ID      string     `json:"id"`
			Query   string     `json:"query"`
			Rows    [][]string `json:"rows"`
			Ordered bool       `json:"ordered"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(c.ID, "geo") {
			continue
		}
		prog, rows, err := compileDoc(c.Query)
		if err != nil {
			if e, ok := err.(*Error); ok {
				rejected++
				if *docReasons {
					t.Logf("rejected %s: %s", c.ID, e.Msg)
				}
			}
			continue
		}
		tried++
		out, err := prog.RunAt(testNow, rows)
		if err != nil {
			fails = append(fails, fmt.Sprintf("%s: run: %v", c.ID, err))
			continue
		}
		types := make([]schema.Type, len(prog.Columns()))
		for i, col := range prog.Columns() {
			types[i] = col.Type
		}
		got := make([]string, len(out))
		for i, r := range out {
			got[i] = docCanonRow(r, types, false)
		}
		want := make([]string, len(c.Rows))
		for i, r := range c.Rows {
			vals := make([]any, len(r))
			for j, v := range r {
				vals[j] = v
			}
			want[i] = docCanonRow(vals, types, true)
		}
		if !c.Ordered {
			sort.Strings(got)
			sort.Strings(want)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			fails = append(fails, fmt.Sprintf("%s: %s\n    got  %v\n    want %v", c.ID, strings.ReplaceAll(c.Query, "\n", " "), got, want))
			continue
		}
		passed++
	}
	sort.Strings(fails)
	for _, f := range fails {
		t.Log(f)
	}
	t.Logf("documentation examples: %d passed of %d run (%d rejected as not continuous)", passed, tried, rejected)
	if passed < docFloor {
		t.Errorf("passed %d < floor %d", passed, docFloor)
	}
}

// compileDoc compiles a documentation example whose source is print or
// datatable (directly or through a let), returning the program and the
// rows of its source.
func compileDoc(query string) (prog *Program, rows [][]any, err error) {
	q, err := parser.Parse(query)
	if err != nil {
		return nil, nil, err
	}
	res, err := check.Check(q, &check.Env{Source: query})
	if err != nil {
		return nil, nil, err
	}
	k := &compiler{res: res, sc: &scope{names: map[string]*binding{}}}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				err = fmt.Errorf("panic: %v", r)
				return
			}
			prog, err = nil, b.err
		}
	}()
	tables := map[string]*ast.DataTableExpr{}
	var last ast.Expr
	for _, st := range q.Stmts {
		switch s := st.(type) {
		case *ast.LetStmt:
			if dt, ok := s.Value.(*ast.DataTableExpr); ok {
				tables[s.Name.Name] = dt
				continue
			}
			k.let(s)
		case *ast.ExprStmt:
			last = s.X
		default:
			return nil, nil, fmt.Errorf("statement")
		}
	}
	pipe, ok := last.(*ast.PipeExpr)
	if !ok {
		return nil, nil, fmt.Errorf("not a pipe")
	}
	ops := pipe.Ops
	var dt *ast.DataTableExpr
	switch src := pipe.Source.(type) {
	case *ast.DataTableExpr:
		dt = src
	case *ast.Ident:
		dt = tables[src.Name]
	case nil:
		if len(ops) == 0 {
			return nil, nil, fmt.Errorf("empty")
		}
		p, ok := ops[0].(*ast.PrintOp)
		if !ok {
			return nil, nil, fmt.Errorf("not print")
		}
		t := &schema.Table{Name: "print"}
		k.inT, k.layout = nil, []lcol{}
		k.project(p, p.Exprs)
		for _, o := range ops[1:] {
			k.op(o)
		}
		prog := &Program{table: t, stages: k.stages, width: k.width, perRun: k.perRun}
		for _, c := range k.layout {
			prog.columns = append(prog.columns, check.Column{Name: c.name, Type: c.typ})
			prog.out = append(prog.out, c.slot)
		}
		return prog, [][]any{{}}, nil
	}
	if dt == nil || dt.Schema == nil {
		return nil, nil, fmt.Errorf("no source")
	}
	t := &schema.Table{Name: "datatable"}
	for _, cd := range dt.Schema.Columns {
		st, ok := cd.Type.(*ast.ScalarType)
		if cd.Name == nil || !ok {
			return nil, nil, fmt.Errorf("schema")
		}
		typ, ok := schema.ParseType(st.Name)
		if !ok {
			return nil, nil, fmt.Errorf("type")
		}
		t.Columns = append(t.Columns, schema.Column{Name: cd.Name.Name, Type: typ})
	}
	n := len(t.Columns)
	if n == 0 || len(dt.Values)%n != 0 {
		return nil, nil, fmt.Errorf("values")
	}
	for i := 0; i < len(dt.Values); i += n {
		row := make([]any, n)
		for j := 0; j < n; j++ {
			e := k.expr(dt.Values[i+j])
			if !e.konst {
				return nil, nil, fmt.Errorf("value")
			}
			row[j] = convert(e.f(nil), e.t, t.Columns[j].Type)
		}
		rows = append(rows, row)
	}
	return k.program(t, ops), rows, nil
}

// docCanonRow compares as the conformance test does (package kqltest).
var docCanonRow = kqltest.CanonRow
