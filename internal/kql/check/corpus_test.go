package check

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/parser"
	"github.com/vigilsec/vigil/internal/schema"
)

// Floors: the pass counts reached; a regression below them fails.
const (
	huntingFloor     = 888
	conformanceFloor = 552
	semanticFloor    = 423
)

type corpusCase struct {
	ID             string                        `json:"id"`
	Query          string                        `json:"query"`
	SyntaxErrors   int                           `json:"syntax_errors"`
	SemanticErrors int                           `json:"semantic_errors"`
	ResultSchema   []struct{ Name, Type string } `json:"result_schema"`
	KustoSchema    [][]string                    `json:"kusto_schema"`
	// KnownDifference says why a probe's oracle answer is not expected.
	KnownDifference string `json:"known_difference"`
}

func readCorpus(t *testing.T, name string) []corpusCase {
	f, err := os.Open("../../../../shared/kql/" + name)
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	defer f.Close()
	var out []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func fmtCols(cols []Column) string {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		ty := c.Type.String()
		if c.Type == schema.Invalid {
			ty = "unknown" // what Microsoft's analyzer calls it
		}
		fmt.Fprintf(&b, "%s:%s", c.Name, ty)
	}
	return b.String()
}

var digits = regexp.MustCompile(`\d+:\d+: |'[^']*'`)

// bindCorpus binds a query and compares the result with want ("name:type,
// ..."); it returns "" on a match, else a failure category and detail.
func bindCorpus(query, want string) (cat, detail string) {
	q, err := parser.Parse(query)
	if err != nil {
		return "parse error", err.Error()
	}
	res, err := Check(q, &Env{Source: query})
	if err != nil {
		msg := strings.SplitN(err.Error(), "\n", 2)[0]
		return "bind error: " + digits.ReplaceAllString(msg, "'…'"), msg
	}
	got := fmtCols(res.Columns)
	if got == want {
		return "", ""
	}
	if res.Open {
		return "open schema", clip(got)
	}
	// Find the first differing column to categorise.
	g, w := strings.Split(got, ", "), strings.Split(want, ", ")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			gn, wn := strings.SplitN(g[i], ":", 2), strings.SplitN(w[i], ":", 2)
			if gn[0] == wn[0] {
				return "wrong type", fmt.Sprintf("%s want %s", g[i], w[i])
			}
			return "wrong name/order", fmt.Sprintf("%s want %s", g[i], w[i])
		}
	}
	return "wrong column count", fmt.Sprintf("got %d want %d", len(g), len(w))
}

func report(t *testing.T, name string, fails map[string][]string) {
	type kv struct {
		k string
		v []string
	}
	var list []kv
	for k, v := range fails {
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i].v) > len(list[j].v) })
	for i, e := range list {
		if i >= 40 {
			break
		}
		t.Logf("%s: %4d %s   e.g. %s", name, len(e.v), e.k, e.v[0])
		if testing.Verbose() && os.Getenv("CHECK_ALL") != "" {
			for _, d := range e.v[1:] {
				t.Logf("\t%s", d)
			}
		}
	}
}

func TestHuntingCorpus(t *testing.T) {
	cases := readCorpus(t, "hunting-queries.jsonl")
	pass, total, semTotal, semCaught := 0, 0, 0, 0
	fails := map[string][]string{}
	for _, c := range cases {
		if c.SyntaxErrors != 0 {
			// Partial trees from broken queries must bind without panics.
			q, _ := parser.Parse(c.Query)
			if _, err := Check(q, &Env{Source: c.Query}); err != nil && strings.Contains(err.Error(), "internal error") {
				t.Errorf("%s: %v", c.ID, err)
			}
			continue
		}
		if c.SemanticErrors > 0 {
			semTotal++
			q, err := parser.Parse(c.Query)
			if err != nil {
				semCaught++
				continue
			}
			if _, err := Check(q, &Env{Source: c.Query}); err != nil {
				semCaught++
			} else if os.Getenv("CHECK_MISSED") != "" {
				t.Logf("missed semantic error: %s", c.ID)
			}
			continue
		}
		if c.ResultSchema == nil {
			continue
		}
		total++
		var w []string
		for _, col := range c.ResultSchema {
			w = append(w, col.Name+":"+col.Type)
		}
		cat, detail := bindCorpus(c.Query, strings.Join(w, ", "))
		if cat == "" {
			pass++
			continue
		}
		fails[cat] = append(fails[cat], c.ID+": "+detail)
	}
	t.Logf("hunting: %d/%d exact schema; semantic-error queries reported: %d/%d", pass, total, semCaught, semTotal)
	report(t, "hunting", fails)
	if pass < huntingFloor {
		t.Errorf("hunting corpus: %d passes, floor is %d", pass, huntingFloor)
	}
	if semCaught < semanticFloor {
		t.Errorf("semantic-error queries caught: %d, floor is %d", semCaught, semanticFloor)
	}
}

func TestConformanceCorpus(t *testing.T) {
	cases := readCorpus(t, "conformance.jsonl")
	pass, total, corePass, coreTotal := 0, 0, 0, 0
	fails := map[string][]string{}
	for _, c := range cases {
		if c.KustoSchema == nil {
			continue
		}
		total++
		// The target leaves out the geospatial and graph families.
		core := !strings.Contains(c.ID, "geo") && !strings.Contains(c.ID, "graph") && !strings.HasPrefix(c.ID, "node-")
		if core {
			coreTotal++
		}
		var w []string
		for _, col := range c.KustoSchema {
			if len(col) == 2 {
				w = append(w, col[0]+":"+col[1])
			}
		}
		cat, detail := bindCorpus(c.Query, strings.Join(w, ", "))
		if cat == "" {
			pass++
			if core {
				corePass++
			}
			continue
		}
		fails[cat] = append(fails[cat], c.ID+": "+detail)
	}
	t.Logf("conformance: %d/%d exact schema (%d/%d outside geospatial and graph)", pass, total, corePass, coreTotal)
	report(t, "conformance", fails)
	if pass < conformanceFloor {
		t.Errorf("conformance corpus: %d passes, floor is %d", pass, conformanceFloor)
	}
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// TestOracleProbes compares the binder with what Microsoft's analyzer
// said about small probe queries (testdata/oracle.jsonl, written by
// kusto-oracle from {"id","query"} lines). CHECK_EXTRA_CORPUS names
// another file of the same format to compare ad hoc.
func TestOracleProbes(t *testing.T) {
	path := os.Getenv("CHECK_EXTRA_CORPUS")
	if path == "" {
		path = "testdata/oracle.jsonl"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var c corpusCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		if c.KnownDifference != "" {
			continue
		}
		q, _ := parser.Parse(c.Query)
		res, err := Check(q, &Env{Source: c.Query})
		if c.ResultSchema == nil {
			if err == nil {
				t.Errorf("%s: the oracle reports errors, the binder none: %s", c.ID, c.Query)
			}
			continue
		}
		var w []string
		for _, col := range c.ResultSchema {
			w = append(w, col.Name+":"+col.Type)
		}
		if err != nil {
			t.Errorf("%s: %v\n  %s", c.ID, err, c.Query)
			continue
		}
		if got, want := fmtCols(res.Columns), strings.Join(w, ", "); got != want {
			t.Errorf("%s: %s\n  got  %s\n  want %s", c.ID, c.Query, clip(got), clip(want))
		}
	}
}
