package samba

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden output.json files")

// shared is where CI keeps the datasets, beside the repository.
const shared = "../../../../shared"

func normalizers() []ingest.Normalizer {
	return []ingest.Normalizer{NewAudit()}
}

// result is what one input line became.
type result struct {
	Line   int64       `json:"line"`
	Format string      `json:"format,omitempty"`
	Error  string      `json:"error,omitempty"`
	Rows   []rowResult `json:"rows,omitempty"`
}

type rowResult struct {
	Table  string         `json:"table"`
	Values map[string]any `json:"values"`
}

// normalizeLine runs one record the way the pipeline does: parse once,
// detect (exactly one normalizer of the package may claim it), normalize,
// and check every value with store.Normalize.
func normalizeLine(t testing.TB, ns []ingest.Normalizer, source string, line int64, data []byte) result {
	t.Helper()
	res := result{Line: line}
	in := ingest.Input{Record: ingest.Record{Source: source, Line: line, Data: data}}
	var p fastjson.Parser
	if v, err := p.ParseBytes(data); err == nil && v.Type() == fastjson.TypeObject {
		in.JSON = v
	}
	var found []ingest.Normalizer
	for _, n := range ns {
		if n.Detect(&in) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		res.Error = "not detected"
		return res
	case 1:
	default:
		var names []string
		for _, n := range found {
			names = append(names, n.Format())
		}
		t.Errorf("%s:%d: detected by several formats: %v", source, line, names)
	}
	n := found[0]
	res.Format = n.Format()
	var rs ingest.RowSet
	if err := n.Normalize(&in, &rs); err != nil {
		res.Error = err.Error()
		return res
	}
	if len(rs.Rows()) == 0 {
		res.Error = "no rows"
		return res
	}
	res.Rows = checkRows(t, fmt.Sprintf("%s:%d", source, line), rs.Rows())
	return res
}

// checkRows validates every value and returns the rows as JSON-ready maps.
func checkRows(t testing.TB, where string, rows []*ingest.Row) []rowResult {
	t.Helper()
	var out []rowResult
	ids := map[string]bool{}
	for _, r := range rows {
		vals := map[string]any{}
		for i, v := range r.Values {
			if v == nil {
				continue
			}
			col := r.Table.Columns[i]
			cv, err := store.Normalize(col, v)
			if err != nil {
				t.Errorf("%s: %s.%s: %v", where, r.Table.Name, col.Name, err)
				continue
			}
			switch x := cv.(type) {
			case time.Time:
				vals[col.Name] = x.Format(time.RFC3339Nano)
			default:
				vals[col.Name] = cv
			}
		}
		if id, ok := vals["ReportId"]; ok {
			key := r.Table.Name + "/" + fmt.Sprint(id)
			if ids[key] {
				t.Errorf("%s: two %s rows share ReportId %v", where, r.Table.Name, id)
			}
			ids[key] = true
		}
		out = append(out, rowResult{Table: r.Table.Name, Values: vals})
	}
	return out
}

// counts tallies rows per table.
func counts(results []result) map[string]int {
	c := map[string]int{}
	for _, r := range results {
		for _, row := range r.Rows {
			c[row.Table]++
		}
	}
	return c
}

// readLines returns the non-blank lines of a file, gunzipping .gz.
func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(zr); err != nil {
			t.Fatal(err)
		}
		b = buf.Bytes()
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			lines = append(lines, append([]byte(nil), sc.Bytes()...))
		} else {
			lines = append(lines, nil)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// runFile normalizes every line of a file.
func runFile(t testing.TB, ns []ingest.Normalizer, path string) []result {
	t.Helper()
	var out []result
	for i, l := range readLines(t, path) {
		if l == nil {
			continue
		}
		out = append(out, normalizeLine(t, ns, filepath.Base(path), int64(i+1), l))
	}
	return out
}

// golden compares got with dir/output.json, or rewrites it with -update.
func golden(t *testing.T, dir string, results []result) {
	t.Helper()
	doc := struct {
		Counts  map[string]int `json:"counts"`
		Records []result       `json:"records"`
	}{counts(results), results}
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join(dir, "output.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-want +got):\n%s", path, d)
	}
}

// goldenCases runs every testdata/<case>/input.ndjson.
func goldenCases(t *testing.T, ns func() []ingest.Normalizer) {
	dirs, err := filepath.Glob("testdata/*/input.ndjson")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	sort.Strings(dirs)
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			done := make(chan []result, 1)
			go func() { done <- runFile(t, ns(), in) }()
			select {
			case res := <-done:
				golden(t, dir, res)
			case <-time.After(30 * time.Second):
				t.Fatal("normalizing took more than 30s")
			}
		})
	}
}

// needShared skips a test when the shared datasets are not beside the
// repository.
func needShared(t *testing.T, path string) string {
	t.Helper()
	full := filepath.Join(shared, path)
	if _, err := os.Stat(full); err != nil {
		t.Skipf("%s not present: %v", full, err)
	}
	return full
}

// fuzzOne runs data through every normalizer as a forced format would:
// Normalize may fail but must not panic, and its rows must be valid.
func fuzzOne(t *testing.T, ns []ingest.Normalizer, data []byte) {
	in := ingest.Input{Record: ingest.Record{Source: "fuzz", Line: 1, Data: data}}
	var p fastjson.Parser
	if v, err := p.ParseBytes(data); err == nil && v.Type() == fastjson.TypeObject {
		in.JSON = v
	}
	for _, n := range ns {
		n.Detect(&in)
		var rs ingest.RowSet
		if err := n.Normalize(&in, &rs); err != nil {
			continue
		}
		for _, r := range rs.Rows() {
			for i, v := range r.Values {
				if v == nil {
					continue
				}
				if _, err := store.Normalize(r.Table.Columns[i], v); err != nil {
					t.Fatalf("%s: %s.%s: %v", n.Format(), r.Table.Name, r.Table.Columns[i].Name, err)
				}
			}
		}
	}
}

// seedFuzz adds every golden input line.
func seedFuzz(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*/input.ndjson")
	for _, p := range paths {
		for _, l := range readLines(f, p) {
			if l != nil {
				f.Add(l)
			}
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`not json`))
}
