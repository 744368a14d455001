package simulate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// TestIngestReadsOutputBack ingests the NDJSON output the way `vigil
// ingest` does (auto-detected format, gzip and zstd detected by magic
// bytes) and checks what reaches the store:
//   - the plain, gzip and zstd outputs give the same rows;
//   - leaving a column out (the encoder's rule for null and empty text)
//     stores exactly what writing it as null, or as "" for a text column,
//     stores, so the omission saves bytes without changing a value;
//   - those rows are the ones the store path (Generate) makes.
func TestIngestReadsOutputBack(t *testing.T) {
	const n = 6000
	cfg := smallOrg(5)
	plain := ndjson(t, cfg, n)
	want := ingestNDJSON(t, plain)
	if len(want) != n {
		t.Fatalf("ingest stored %d rows of %d", len(want), n)
	}

	t.Run("explicit empty values", func(t *testing.T) {
		for _, mode := range []string{"null", "empty"} {
			padded, added := padAbsent(t, plain, mode)
			if added == 0 {
				t.Fatal("no absent column to pad")
			}
			if diff := cmp.Diff(want, ingestNDJSON(t, padded)); diff != "" {
				t.Errorf("absent columns written as %s (%d values) store differently (-absent +explicit):\n%s", mode, added, diff)
			}
		}
	})

	for _, c := range []Compression{Gzip, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := newGen(t, cfg).WriteNDJSONCompressed(context.Background(), n, &buf, c); err != nil {
				t.Fatal(err)
			}
			if buf.Len()*4 > len(plain) {
				t.Errorf("%s output is %d bytes, the plain one %d", c, buf.Len(), len(plain))
			}
			if diff := cmp.Diff(want, ingestNDJSON(t, buf.Bytes())); diff != "" {
				t.Errorf("%s output ingests differently (-plain +%s):\n%s", c, c, diff)
			}
		})
	}

	t.Run("store path", func(t *testing.T) {
		sink := &memSink{t: t}
		if err := newGen(t, cfg).Generate(context.Background(), n, sink); err != nil {
			t.Fatal(err)
		}
		got := map[string][]any{}
		for _, r := range sink.rows {
			got[rowKey(r.table, r.vals)] = r.vals
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ingested NDJSON differs from the store path's rows (-ingested +generated):\n%s", diff)
		}
	})
}

// ingestNDJSON runs data through the ingest pipeline with the format
// detected per record, as `vigil ingest FILE` does, and returns the rows
// handed to the store by table and ReportId.
func ingestNDJSON(t *testing.T, data []byte) map[string][]any {
	t.Helper()
	app := &collectAppender{rows: map[string][]any{}}
	p, err := ingest.NewPipeline(formats.Registry(), app, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ingest.ReadLines(ctx, p, "sim.ndjson", bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if sum := p.Summary(); sum.Rejected > 0 {
		t.Fatalf("ingest rejected %d records, first: %+v", sum.Rejected, sum.Errors[0])
	}
	if app.dups > 0 {
		t.Fatalf("%d rows share a table and ReportId", app.dups)
	}
	return app.rows
}

type collectAppender struct {
	rows map[string][]any
	dups int
}

func (a *collectAppender) Append(_ context.Context, b store.Batch) error {
	for _, tr := range b.Tables {
		for _, r := range tr.Rows {
			k := rowKey(tr.Table, r)
			if _, dup := a.rows[k]; dup {
				a.dups++
			}
			a.rows[k] = append([]any(nil), r...)
		}
	}
	return nil
}

func rowKey(table string, vals []any) string {
	st, _ := schema.Lookup(table)
	_, i, _ := st.Column("ReportId")
	return fmt.Sprintf("%s/%v", table, vals[i])
}

// padAbsent adds every column a row leaves out, as null (mode "null") or
// as the empty value of its type ("empty": "" for text, null otherwise).
// It returns the new NDJSON and how many values it added.
func padAbsent(t *testing.T, data []byte, mode string) ([]byte, int) {
	t.Helper()
	var out bytes.Buffer
	added := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(line, &obj); err != nil {
			t.Fatal(err)
		}
		var table string
		json.Unmarshal(obj["$table"], &table)
		st, ok := schema.Lookup(table)
		if !ok {
			t.Fatalf("$table %q", table)
		}
		for _, v := range obj {
			if s := string(v); s == "null" || s == `""` {
				t.Fatalf("the output writes an empty value: %s", line)
			}
		}
		out.Write(line[:len(line)-1])
		cols := st.Columns
		// Vary where the padding goes: schema order, or reversed.
		idx := make([]int, len(cols))
		for i := range idx {
			idx[i] = i
		}
		if added%2 == 1 {
			sort.Sort(sort.Reverse(sort.IntSlice(idx)))
		}
		for _, i := range idx {
			c := cols[i]
			if _, ok := obj[c.Name]; ok {
				continue
			}
			v := "null"
			if mode == "empty" && c.Type == schema.String {
				v = `""`
			}
			fmt.Fprintf(&out, ",%q:%s", c.Name, v)
			added++
		}
		out.WriteString("}\n")
	}
	return out.Bytes(), added
}
