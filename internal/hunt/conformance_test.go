package hunt

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/kql/kqltest"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// Floors: the conformance cases passing today; a change that passes
// fewer fails. Raise them as the engine grows.
const (
	conformanceFloorCore = 362 // outside the geospatial and graph families
	conformanceFloorAll  = 483
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

// Shorthands for the shared comparison (package kqltest).
var (
	canonRow   = kqltest.CanonRow
	canonValue = kqltest.CanonValue
	canonJSON  = kqltest.CanonJSON
)

func fmtCols(cols []check.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name + ":" + c.Type.String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
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
