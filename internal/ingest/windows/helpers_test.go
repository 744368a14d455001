package windows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
	"github.com/vigilsec/vigil/internal/jsonenc"
	"github.com/vigilsec/vigil/internal/store"
)

// datasetsDir is the shared attack recordings, beside the repository.
var datasetsDir = filepath.Join(ingesttest.Shared, "datasets", "attack")

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
	b.Write(jsonenc.AppendString(nil, r.Table.Name))
	for i, v := range r.Values {
		if v == nil {
			continue
		}
		b.WriteByte(',')
		b.Write(jsonenc.AppendString(nil, r.Table.Columns[i].Name))
		b.WriteByte(':')
		switch x := v.(type) {
		case time.Time:
			b.Write(jsonenc.AppendString(nil, x.UTC().Format(time.RFC3339Nano)))
		case json.RawMessage:
			var c bytes.Buffer
			if json.Compact(&c, x) == nil {
				b.Write(c.Bytes())
			} else {
				b.Write(jsonenc.AppendString(nil, string(x)))
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
