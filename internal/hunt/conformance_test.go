package hunt

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// Floors: the conformance cases passing today; a change that passes
// fewer fails. Raise them as the engine grows.
const (
	conformanceFloorCore = 317 // outside the geospatial and graph families
	conformanceFloorAll  = 317
)

var conformanceReport = flag.String("conformance.report", "", "write one JSON line per conformance case to this file")

type confCase struct {
	ID          string     `json:"id"`
	Query       string     `json:"query"`
	Rows        [][]string `json:"rows"`
	Ordered     bool       `json:"ordered"`
	KustoSchema [][]string `json:"kusto_schema"`
	Operators   []string   `json:"operators"`
	Functions   []string   `json:"functions"`
	Notes       []string   `json:"notes"`
}

// partialSchema: the corpus could not know the full schema (a plugin's
// columns depend on the data), so only the rows are compared.
func (c *confCase) partialSchema() bool {
	for _, n := range c.Notes {
		if strings.Contains(n, "schema is partial") {
			return true
		}
	}
	return false
}

// family is "geo" or "graph" for the families the targets set apart.
func (c *confCase) family() string {
	for _, f := range c.Functions {
		if strings.HasPrefix(f, "geo_") {
			return "geo"
		}
	}
	for _, o := range c.Operators {
		if strings.HasPrefix(o, "graph") || strings.HasPrefix(o, "make-graph") || strings.HasPrefix(o, "evaluate geo") {
			return "graph"
		}
	}
	if strings.HasPrefix(c.ID, "geo") || strings.Contains(c.ID, "graph") {
		return "graph"
	}
	return "core"
}

func readConformance(t testing.TB) []confCase {
	f, err := os.Open("../../../shared/kql/conformance.jsonl")
	if err != nil {
		t.Skipf("conformance corpus not available: %v", err)
	}
	defer f.Close()
	var out []confCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c confCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// readSkips reads testdata/conformance-skip*.txt: "id  reason" per line,
// the reviewed list of cases whose documented answer is wrong.
func readSkips(t testing.TB) map[string]string {
	files, _ := filepath.Glob("testdata/conformance-skip*.txt")
	var all []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, strings.Split(string(b), "\n")...)
	}
	out := map[string]string{}
	for _, line := range all {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, " ")
		if strings.TrimSpace(reason) == "" {
			t.Fatalf("skip of %s has no reason", id)
		}
		out[id] = strings.TrimSpace(reason)
	}
	return out
}

func openTestStore(t testing.TB) store.Store {
	st, err := duckdb.Open(t.TempDir(), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestConformance(t *testing.T) {
	cases := readConformance(t)
	skips := readSkips(t)
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	var report *os.File
	if *conformanceReport != "" {
		var err error
		if report, err = os.Create(*conformanceReport); err != nil {
			t.Fatal(err)
		}
		defer report.Close()
	}
	pass := map[string]int{}
	total := map[string]int{}
	for _, c := range cases {
		fam := c.family()
		total[fam]++
		status, reason := "pass", ""
		if why, ok := skips[c.ID]; ok {
			status, reason = "skip", why
			if runCase(eng, &c) == nil {
				t.Logf("%s is skipped but passes: drop its skip", c.ID)
			}
		} else if err := runCase(eng, &c); err != nil {
			status, reason = "fail", err.Error()
		} else {
			pass[fam]++
		}
		if report != nil {
			b, _ := json.Marshal(map[string]string{"id": c.ID, "family": fam, "status": status, "reason": reason})
			fmt.Fprintln(report, string(b))
		}
	}
	core := pass["core"]
	all := pass["core"] + pass["geo"] + pass["graph"]
	t.Logf("conformance: core %d/%d (%.1f%%), all %d/%d (%.1f%%)", core, total["core"], pct(core, total["core"]),
		all, len(cases), pct(all, len(cases)))
	if core < conformanceFloorCore || all < conformanceFloorAll {
		t.Errorf("conformance fell below its floor: core %d < %d or all %d < %d", core, conformanceFloorCore, all, conformanceFloorAll)
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// runCase runs one case and compares its result with the expected one.
func runCase(eng *Engine, c *confCase) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := eng.Run(ctx, Request{Query: c.Query, Timespan: -1, Timeout: 20 * time.Second})
	if err != nil {
		return err
	}
	return compareResult(c, res)
}

func compareResult(c *confCase, res *Result) error {
	if len(c.KustoSchema) > 0 && !c.partialSchema() {
		if len(c.KustoSchema) != len(res.Columns) {
			return fmt.Errorf("schema: got %s, want %v", fmtCols(res.Columns), c.KustoSchema)
		}
		for i, kc := range c.KustoSchema {
			want, _ := schema.ParseType(kc[1])
			if kc[0] != res.Columns[i].Name || want != res.Columns[i].Type {
				return fmt.Errorf("schema: got %s, want %v", fmtCols(res.Columns), c.KustoSchema)
			}
		}
	}
	types := make([]schema.Type, len(res.Columns))
	for i, col := range res.Columns {
		types[i] = col.Type
	}
	got := make([]string, len(res.Rows))
	for i, row := range res.Rows {
		got[i] = canonRow(row, types, false)
	}
	want := make([]string, len(c.Rows))
	for i, row := range c.Rows {
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
		}
		want[i] = canonRow(vals, types, true)
	}
	if !c.Ordered {
		sort.Strings(got)
		sort.Strings(want)
	}
	if len(got) != len(want) {
		return fmt.Errorf("rows: got %d, want %d; first got %q, first want %q", len(got), len(want), first(got), first(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("row %d: got %s, want %s", i, got[i], want[i])
		}
	}
	return nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func fmtCols(cols []check.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name + ":" + c.Type.String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

var htmlTag = regexp.MustCompile(`<[^>]+>`)

// canonRow renders a row so that equal values compare equal: numbers by
// value, datetimes as instants, timespans as durations, dynamic as JSON.
// Expected values arrive as the text the documentation shows.
func canonRow(row []any, types []schema.Type, text bool) string {
	parts := make([]string, len(row))
	for i, v := range row {
		t := schema.Invalid
		if i < len(types) {
			t = types[i]
		}
		if text {
			s := strings.TrimSpace(strings.ReplaceAll(htmlTag.ReplaceAllString(v.(string), ""), "&nbsp;", ""))
			if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
				s = s[1 : len(s)-1]
			}
			parts[i] = canonText(s, t)
		} else {
			parts[i] = canonValue(v, t)
		}
	}
	return "[" + strings.Join(parts, " | ") + "]"
}

func canonFloat(f float64) string {
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

func canonText(s string, t schema.Type) string {
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
			return canonFloat(f)
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
		return canonJSON([]byte(s))
	}
	return s
}

func canonValue(v any, t schema.Type) string {
	if v == nil {
		if t == schema.String {
			return ""
		}
		return "null"
	}
	switch x := v.(type) {
	case int32:
		return canonFloat(float64(x))
	case int64:
		return canonFloat(float64(x))
	case float64:
		return canonFloat(x)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case time.Duration:
		return strconv.FormatInt(int64(x/time.Microsecond), 10)
	case json.RawMessage:
		return canonJSON(x)
	case string:
		if t == schema.Decimal {
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return canonFloat(f)
			}
		}
		if t == schema.Dynamic || t == schema.Invalid {
			return canonJSON([]byte(x))
		}
		return x
	}
	return fmt.Sprint(v)
}

// canonJSON re-encodes JSON with sorted keys and numbers by value; text
// that is not JSON stays as it is.
func canonJSON(b []byte) string {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return string(b)
	}
	if s, ok := v.(string); ok {
		// A dynamic string reads as its text.
		return s
	}
	return canonJSONValue(v)
}

func canonJSONValue(v any) string {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return canonFloat(f)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			kb, _ := json.Marshal(k)
			parts[i] = string(kb) + ":" + canonJSONValue(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = canonJSONValue(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// appendRows writes rows given as column maps to a table of the store.
func appendRows(t testing.TB, st store.Store, table string, rows []map[string]any) {
	t.Helper()
	tab, ok := schema.Lookup(table)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	var out [][]any
	for _, m := range rows {
		row := make([]any, len(tab.Columns))
		for i, c := range tab.Columns {
			row[i] = m[c.Name]
		}
		out = append(out, row)
	}
	if err := st.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: table, Rows: out}}}); err != nil {
		t.Fatal(err)
	}
}

// remarshal renders JSON with sorted keys and numbers as Go prints them,
// so tests can spell expected dynamic values one way.
func remarshal(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return string(b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
