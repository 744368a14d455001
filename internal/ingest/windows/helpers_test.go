package windows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// datasetsDir is the shared attack recordings, beside the repository.
const datasetsDir = "../../../../shared/datasets/attack"

// normalizers are this package's normalizers in detection order.
func normalizers() []ingest.Normalizer {
	return []ingest.Normalizer{NewWinlogbeat(), NewSentinel(), NewOTRF()}
}

// detect returns the first of this package's normalizers that accepts the
// record, or nil.
func detect(ns []ingest.Normalizer, in *ingest.Input) ingest.Normalizer {
	for _, n := range ns {
		if n.Detect(in) {
			return n
		}
	}
	return nil
}

// normalizeOne runs one record through a normalizer and checks every
// value the way the pipeline does, returning the rows with canonical
// values.
func normalizeOne(n ingest.Normalizer, data []byte) ([]*ingest.Row, error) {
	var p fastjson.Parser
	in := &ingest.Input{Record: ingest.Record{Source: "test", Line: 1, Data: data}}
	v, err := p.ParseBytes(data)
	if err == nil {
		in.JSON = v
	}
	var rs ingest.RowSet
	if err := n.Normalize(in, &rs); err != nil {
		return nil, err
	}
	if len(rs.Rows()) == 0 {
		return nil, errors.New("no rows")
	}
	for _, r := range rs.Rows() {
		for i, v := range r.Values {
			if v == nil {
				continue
			}
			cv, err := store.Normalize(r.Table.Columns[i], v)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %v (value %#v)", r.Table.Name, r.Table.Columns[i].Name, err, v)
			}
			r.Values[i] = cv
		}
	}
	return rs.Rows(), nil
}

// rowJSON renders a row as a JSON object of its non-null columns, in
// schema order, led by the table name.
func rowJSON(r *ingest.Row) string {
	var b bytes.Buffer
	b.WriteString(`{"table":`)
	b.Write(appendJSONString(nil, r.Table.Name))
	for i, v := range r.Values {
		if v == nil {
			continue
		}
		b.WriteByte(',')
		b.Write(appendJSONString(nil, r.Table.Columns[i].Name))
		b.WriteByte(':')
		switch x := v.(type) {
		case time.Time:
			b.Write(appendJSONString(nil, x.UTC().Format(time.RFC3339Nano)))
		case json.RawMessage:
			var c bytes.Buffer
			if json.Compact(&c, x) == nil {
				b.Write(c.Bytes())
			} else {
				b.Write(appendJSONString(nil, string(x)))
			}
		default:
			j, _ := json.Marshal(x)
			b.Write(j)
		}
	}
	b.WriteByte('}')
	return b.String()
}

// col returns a column's value.
func col(t *testing.T, r *ingest.Row, name string) any {
	t.Helper()
	_, i, ok := r.Table.Column(name)
	if !ok {
		t.Fatalf("table %s has no column %s", r.Table.Name, name)
	}
	return r.Values[i]
}

// rowsOf returns the rows of a table.
func rowsOf(rows []*ingest.Row, table string) []*ingest.Row {
	var out []*ingest.Row
	for _, r := range rows {
		if r.Table.Name == table {
			out = append(out, r)
		}
	}
	return out
}

// countAppender counts appended rows per table.
type countAppender struct{ rows map[string]int64 }

func (c *countAppender) Append(ctx context.Context, b store.Batch) error {
	for _, t := range b.Tables {
		c.rows[t.Table] += int64(len(t.Rows))
	}
	return nil
}

// ingestFile runs a (gzip) NDJSON file through a pipeline of this
// package's normalizers and the raw catch-all, as the server would.
func ingestFile(t testing.TB, path string) ingest.Summary {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, _, err := ingest.Decompress(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	reg := ingest.NewRegistry(append(normalizers(), ingest.Raw{Now: func() time.Time { return time.Unix(0, 0) }})...)
	app := &countAppender{rows: map[string]int64{}}
	p, err := ingest.NewPipeline(reg, app, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lr := ingest.NewLineReader(r, 1<<20)
	ctx := context.Background()
	for {
		line, n, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			p.Reject(filepath.Base(path), n, err.Error())
			continue
		}
		if _, err := p.Add(ctx, ingest.Record{Source: filepath.Base(path), Line: n, Data: line}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return p.Summary()
}

// readLines returns the non-blank lines of a (gzip) file.
func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, _, err := ingest.Decompress(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// checkGolden compares got with a golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		for i := 0; i < len(wl) || i < len(gl); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Fatalf("%s differs at line %d (run with -update to accept):\nwant: %s\ngot:  %s", path, i+1, w, g)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// parseInput wraps a line as the pipeline would.
func parseInput(line []byte) *ingest.Input {
	var p fastjson.Parser
	in := &ingest.Input{Record: ingest.Record{Source: "test", Line: 1, Data: line}}
	if v, err := p.ParseBytes(line); err == nil {
		in.JSON = v
	}
	return in
}
