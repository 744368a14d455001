package ingesttest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

// Result is what one input line became, as output.json records it.
type Result struct {
	Source string `json:"-"`
	Line   int64  `json:"line"`
	Format string `json:"format,omitempty"`
	Error  string `json:"error,omitempty"`
	Rows   []Row  `json:"rows,omitempty"`
}

// Row is a row's table and its non-null values, checked and made
// canonical by store.Normalize (times as RFC 3339 text).
type Row struct {
	Table  string         `json:"table"`
	Values map[string]any `json:"values"`
}

// Input wraps a record as the harness feeds it to normalizers: a JSON
// object is parsed, anything else is left as text.
func Input(source string, line int64, data []byte) *ingest.Input {
	in := &ingest.Input{Record: ingest.Record{Source: source, Line: line, Data: data}}
	var p fastjson.Parser
	if v, err := p.ParseBytes(data); err == nil && v.Type() == fastjson.TypeObject {
		in.JSON = v
	}
	return in
}

// NormalizeLine runs one record the way the pipeline does: parse once,
// detect (exactly one of ns may claim it), normalize, and check every
// value with store.Normalize.
func NormalizeLine(t testing.TB, ns []ingest.Normalizer, source string, line int64, data []byte) Result {
	t.Helper()
	res := Result{Source: source, Line: line}
	in := Input(source, line, data)
	var found []ingest.Normalizer
	for _, n := range ns {
		if n.Detect(in) {
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
	if err := n.Normalize(in, &rs); err != nil {
		res.Error = err.Error()
		return res
	}
	if len(rs.Rows()) == 0 {
		res.Error = "no rows"
		return res
	}
	res.Rows = CheckRows(t, fmt.Sprintf("%s:%d", source, line), rs.Rows())
	return res
}

// CheckRows validates every value of one record's rows with
// store.Normalize, fails on two rows of a table sharing a ReportId, and
// returns the rows with their canonical values.
func CheckRows(t testing.TB, where string, rows []*ingest.Row) []Row {
	t.Helper()
	var out []Row
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
		out = append(out, Row{Table: r.Table.Name, Values: vals})
	}
	return out
}

// ValidateRows returns the first value of rows that store.Normalize
// rejects, for fuzzers and benchmarks.
func ValidateRows(rows []*ingest.Row) error {
	for _, r := range rows {
		for i, v := range r.Values {
			if v == nil {
				continue
			}
			if _, err := store.Normalize(r.Table.Columns[i], v); err != nil {
				return fmt.Errorf("%s.%s: %w", r.Table.Name, r.Table.Columns[i].Name, err)
			}
		}
	}
	return nil
}

// Counts tallies rows per table.
func Counts(results []Result) map[string]int {
	c := map[string]int{}
	for _, r := range results {
		for _, row := range r.Rows {
			c[row.Table]++
		}
	}
	return c
}

// WantCounts compares the rows per table of results with want.
func WantCounts(t testing.TB, want map[string]int, results []Result) {
	t.Helper()
	if d := cmp.Diff(want, Counts(results)); d != "" {
		t.Errorf("rows per table (-want +got):\n%s", d)
	}
}

// NoErrors fails for every result that holds an error.
func NoErrors(t testing.TB, results []Result) {
	t.Helper()
	for _, r := range results {
		if r.Error != "" {
			t.Errorf("%s:%d: %s", r.Source, r.Line, r.Error)
		}
	}
}

// RunFile normalizes every non-blank line of a file (see ReadLines); the
// file's base name is the records' source.
func RunFile(t testing.TB, ns []ingest.Normalizer, path string) []Result {
	t.Helper()
	var out []Result
	for i, l := range ReadLines(t, path) {
		if l == nil {
			continue
		}
		out = append(out, NormalizeLine(t, ns, filepath.Base(path), int64(i+1), l))
	}
	return out
}

// RunSamples normalizes every sample of a reference file (see Samples)
// in name order; the name is the record's source, its rank the line.
func RunSamples(t testing.TB, ns []ingest.Normalizer, path string) []Result {
	t.Helper()
	samples := Samples(t, path)
	var out []Result
	for i, n := range sortedNames(samples) {
		out = append(out, NormalizeLine(t, ns, n, int64(i+1), samples[n]))
	}
	return out
}

// DetectNoneIn fails for every record of other sources that one of ns
// claims. The files are under Shared (the test is skipped when one is
// missing): a .json file is a reference file of samples (see Samples),
// any other NDJSON, maybe compressed, whose lines that are not JSON are
// passed over.
func DetectNoneIn(t testing.TB, ns []ingest.Normalizer, files ...string) {
	t.Helper()
	for _, file := range files {
		path := NeedShared(t, file)
		if strings.HasSuffix(path, ".json") {
			detectNoSample(t, ns, path)
		} else {
			detectNone(t, ns, path)
		}
	}
}

func detectNone(t testing.TB, ns []ingest.Normalizer, path string) {
	t.Helper()
	for i, l := range ReadLines(t, path) {
		var p fastjson.Parser
		v, err := p.ParseBytes(l)
		if err != nil {
			continue
		}
		in := ingest.Input{Record: ingest.Record{Data: l}, JSON: v}
		for _, n := range ns {
			if n.Detect(&in) {
				t.Errorf("%s:%d: claimed by %s", filepath.Base(path), i+1, n.Format())
			}
		}
	}
}

func detectNoSample(t testing.TB, ns []ingest.Normalizer, path string) {
	t.Helper()
	samples := Samples(t, path)
	for _, name := range sortedNames(samples) {
		var p fastjson.Parser
		v, _ := p.ParseBytes(samples[name])
		in := ingest.Input{Record: ingest.Record{Data: samples[name]}, JSON: v}
		for _, n := range ns {
			if n.Detect(&in) {
				t.Errorf("%s: claimed by %s", name, n.Format())
			}
		}
	}
}
