package eval

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

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

var docTag = regexp.MustCompile(`<[^>]+>`)

// docCanonRow renders values so that equal ones compare equal; text is
// the documentation's rendering of a value.
func docCanonRow(row []any, types []schema.Type, text bool) string {
	parts := make([]string, len(row))
	for i, v := range row {
		t := schema.Invalid
		if i < len(types) {
			t = types[i]
		}
		if text {
			s := strings.TrimSpace(docTag.ReplaceAllString(v.(string), ""))
			if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
				s = s[1 : len(s)-1]
			}
			parts[i] = docCanonText(s, t)
		} else {
			parts[i] = docCanonValue(v, t)
		}
	}
	return "[" + strings.Join(parts, " | ") + "]"
}

func docFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', 9, 64)
}

func docCanonText(s string, t schema.Type) string {
	if s == "(null)" {
		s = ""
	}
	if s == "" && t != schema.String {
		return "null"
	}
	switch t {
	case schema.Int, schema.Long, schema.Real, schema.Decimal:
		switch s {
		case "NaN":
			return "NaN"
		case "Infinity", "∞":
			return "Inf"
		case "-Infinity", "-∞":
			return "-Inf"
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64); err == nil {
			return docFloat(f)
		}
	case schema.Bool:
		switch strings.ToLower(s) {
		case "true", "1":
			return "true"
		case "false", "0":
			return "false"
		}
	case schema.DateTime:
		if tm, err := check.TypedValue(schema.DateTime, s); err == nil && tm != nil {
			return tm.(time.Time).UTC().Format(time.RFC3339Nano)
		}
	case schema.TimeSpan:
		if d, err := check.ParseTimespan(s); err == nil {
			return strconv.FormatInt(int64(d/time.Microsecond), 10)
		}
	case schema.GUID:
		return strings.ToLower(s)
	case schema.Dynamic, schema.Invalid:
		return docJSON([]byte(s))
	}
	return s
}

func docCanonValue(v any, t schema.Type) string {
	if v == nil {
		if t == schema.String {
			return ""
		}
		return "null"
	}
	switch x := v.(type) {
	case int32:
		return docFloat(float64(x))
	case int64:
		return docFloat(float64(x))
	case float64:
		return docFloat(x)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case time.Duration:
		return strconv.FormatInt(int64(x/time.Microsecond), 10)
	case json.RawMessage:
		return docJSON(x)
	case string:
		if t == schema.Decimal {
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return docFloat(f)
			}
		}
		return x
	}
	return fmt.Sprint(v)
}

func docJSON(b []byte) string {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return string(b)
	}
	if s, ok := v.(string); ok {
		return s // the documentation shows a dynamic string bare
	}
	return docJSONValue(v)
}

func docJSONValue(v any) string {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return docFloat(f)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			kb, _ := json.Marshal(k)
			parts[i] = string(kb) + ":" + docJSONValue(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = docJSONValue(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
