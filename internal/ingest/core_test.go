package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// memStore records appended batches.
type memStore struct {
	batches []store.Batch
	fail    error
}

func (m *memStore) Append(ctx context.Context, b store.Batch) error {
	if m.fail != nil {
		return m.fail
	}
	m.batches = append(m.batches, b)
	return nil
}

func (m *memStore) rows(table string) [][]any {
	var out [][]any
	for _, b := range m.batches {
		for _, t := range b.Tables {
			if t.Table == table {
				out = append(out, t.Rows...)
			}
		}
	}
	return out
}

func col(t *testing.T, table, column string, row []any) any {
	t.Helper()
	tb, _ := schema.Lookup(table)
	_, i, ok := tb.Column(column)
	if !ok {
		t.Fatalf("no column %s.%s", table, column)
	}
	return row[i]
}

func TestParseTime(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		got, ok := ParseTime(in)
		if want == "" {
			if ok {
				t.Errorf("ParseTime(%q) = %v, want failure", in, got)
			}
			return
		}
		if !ok || got.Format(time.RFC3339Nano) != want {
			t.Errorf("ParseTime(%q) = %v %v, want %s", in, got, ok, want)
		}
	}
	f("2020-09-21T17:36:47.649Z", "2020-09-21T17:36:47.649Z")
	f("2020-09-21T17:36:47.649+02:00", "2020-09-21T15:36:47.649Z")
	f("2020-09-21 17:36:47.649", "2020-09-21T17:36:47.649Z")
	f("2026-11-26T20:15:42.091018+0000", "2026-11-26T20:15:42.091018Z")
	f("2020-09-21T17:36:47", "2020-09-21T17:36:47Z")
	f("1600709807", "2020-09-21T17:36:47Z")
	f("1600709807649", "2020-09-21T17:36:47.649Z")
	f("", "")
	f("yesterday", "")
	f("0", "")
	f("99999-01-01T00:00:00Z", "")
}

func TestParseTimespan(t *testing.T) {
	f := func(in string, want time.Duration, ok bool) {
		t.Helper()
		got, gotOK := ParseTimespan(in)
		if gotOK != ok || (ok && got != want) {
			t.Errorf("ParseTimespan(%q) = %v %v, want %v %v", in, got, gotOK, want, ok)
		}
	}
	f("01:02:03", time.Hour+2*time.Minute+3*time.Second, true)
	f("2.01:00:00", 49*time.Hour, true)
	f("-00:00:01.5", -1500*time.Millisecond, true)
	f("90m", 90*time.Minute, true)
	f("25:00:00", 0, false)
	f("1:2", 0, false)
	f("x", 0, false)
}

func TestLineReader(t *testing.T) {
	in := "a\r\n\n  \nbb\n" + strings.Repeat("x", 100) + "\nccc"
	lr := NewLineReader(strings.NewReader(in), 10)
	type got struct {
		line string
		no   int64
		err  string
	}
	var all []got
	for {
		l, n, err := lr.Next()
		if err == io.EOF {
			break
		}
		g := got{string(l), n, ""}
		if err != nil {
			g.err = err.Error()
		}
		all = append(all, g)
		if len(all) > 10 {
			t.Fatal("no end")
		}
	}
	want := []got{{"a", 1, ""}, {"bb", 4, ""}, {"", 5, "line too long: more than 10 bytes"}, {"ccc", 6, ""}}
	if len(all) != len(want) {
		t.Fatalf("got %+v", all)
	}
	for i := range want {
		if all[i] != want[i] {
			t.Errorf("line %d: got %+v want %+v", i, all[i], want[i])
		}
	}
}

func TestDecompress(t *testing.T) {
	plain := []byte("{\"a\":1}\n{\"a\":2}\n")
	var gz, zs bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(plain)
	w.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(plain)
	zw.Close()
	for name, in := range map[string][]byte{"": plain, "gzip": gz.Bytes(), "zstd": zs.Bytes()} {
		r, kind, err := Decompress(bytes.NewReader(in))
		if err != nil || kind != name {
			t.Fatalf("%s: kind %q err %v", name, kind, err)
		}
		out, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(out, plain) {
			t.Errorf("%s: %q %v", name, out, err)
		}
	}
	// A truncated gzip stream is an error, not a silent end.
	r, _, err := Decompress(bytes.NewReader(gz.Bytes()[:gz.Len()-8]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); err == nil {
		t.Error("truncated gzip read without error")
	}
}

func TestNativeRows(t *testing.T) {
	ms := &memStore{}
	p, err := NewPipeline(NewRegistry(Raw{}), ms, Options{Format: "ndjson", Table: "DeviceProcessEvents"})
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{
		`{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"ws1","ProcessId":42,"ProcessCommandLine":"cmd /c whoami","AdditionalFields":{"a":1}}`,
		`{"Timestamp":"not a time","DeviceName":"ws2"}`,
		`{"Timestamp":"2024-05-01T10:00:00Z","NoSuchColumn":1}`,
		`{"ProcessId":"12"}`,
		`{"ProcessId":1.5}`,
		`{"DeviceName":"ws3"`,
		`[1,2]`,
		`{"InitiatingProcessAccountObjectId":null,"FileSize":"0x10","ProcessCreationTime":"2024-05-01 10:00:00"}`,
	}
	var rejected []string
	for i, l := range lines {
		re, err := p.Add(context.Background(), Record{Source: "t.ndjson", Line: int64(i + 1), Data: []byte(l)})
		if err != nil {
			t.Fatal(err)
		}
		if re != nil {
			rejected = append(rejected, re.Error())
		}
	}
	if err := p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantRejected := []string{"t.ndjson:2: field Timestamp: want datetime", "t.ndjson:5: field ProcessId: want long", "t.ndjson:6: malformed JSON", "t.ndjson:7: not a ndjson record"}
	if len(rejected) != len(wantRejected) {
		t.Fatalf("rejected %q", rejected)
	}
	for i, w := range wantRejected {
		if !strings.HasPrefix(rejected[i], w) {
			t.Errorf("rejection %d = %q, want prefix %q", i, rejected[i], w)
		}
	}
	rows := ms.rows("DeviceProcessEvents")
	if len(rows) != 4 {
		t.Fatalf("rows %d", len(rows))
	}
	if got := col(t, "DeviceProcessEvents", "ProcessId", rows[0]); got != int64(42) {
		t.Errorf("ProcessId %T %v", got, got)
	}
	if got := col(t, "DeviceProcessEvents", "ProcessId", rows[2]); got != int64(12) {
		t.Errorf("ProcessId from text %T %v", got, got)
	}
	if got := col(t, "DeviceProcessEvents", "AdditionalFields", rows[1]); got != `{"NoSuchColumn":1}` {
		t.Errorf("unknown field kept as %T %v", got, got)
	}
	if got := col(t, "DeviceProcessEvents", "FileSize", rows[3]); got != int64(16) {
		t.Errorf("FileSize from hex %T %v", got, got)
	}
	sum := p.Summary()
	if sum.Records != 8 || sum.Rejected != 4 || sum.Rows["DeviceProcessEvents"] != 4 || len(sum.Errors) != 4 {
		t.Errorf("summary %+v", sum)
	}
}

// Unknown fields of a table with AdditionalFields are kept there.
func TestNativeAdditionalFields(t *testing.T) {
	ms := &memStore{}
	for _, table := range []string{"DeviceEvents", "IdentityLogonEvents"} { // string and dynamic AdditionalFields
		p, _ := NewPipeline(NewRegistry(), ms, Options{Format: "ndjson", Table: table})
		re, _ := p.Add(context.Background(), Record{Data: []byte(`{"Timestamp":"2024-05-01T10:00:00Z","Extra":"x","AdditionalFields":{"given":true}}`)})
		if re != nil {
			t.Fatal(re)
		}
		p.Flush(context.Background())
		var m map[string]any
		switch got := col(t, table, "AdditionalFields", ms.rows(table)[0]).(type) {
		case json.RawMessage:
			json.Unmarshal(got, &m)
		case string:
			json.Unmarshal([]byte(got), &m)
		}
		if m["Extra"] != "x" || m["given"] != true {
			t.Errorf("%s AdditionalFields %v", table, m)
		}
	}
	// A table without AdditionalFields rejects unknown fields.
	p, _ := NewPipeline(NewRegistry(), ms, Options{Format: "ndjson", Table: "DeviceRegistryEvents"})
	if re, _ := p.Add(context.Background(), Record{Data: []byte(`{"Nope":1}`)}); re == nil || !strings.Contains(re.Reason, `field "Nope" is not a column of DeviceRegistryEvents`) {
		t.Errorf("unknown field: %v", re)
	}
}

type panicky struct{}

func (panicky) Format() string                         { return "panicky" }
func (panicky) Detect(in *Input) bool                  { return in.JSON != nil && in.JSON.Exists("boom") }
func (panicky) Normalize(in *Input, out *RowSet) error { out.New("RawEvents"); panic("bug") }

type badValue struct{}

func (badValue) Format() string        { return "badvalue" }
func (badValue) Detect(in *Input) bool { return in.JSON != nil && in.JSON.Exists("bad") }
func (badValue) Normalize(in *Input, out *RowSet) error {
	out.New("RawEvents").Set("SourceName", "fine")
	out.New("DeviceEvents").Set("Timestamp", "not a time.Time")
	return nil
}

// A normalizer's panic or bad value rejects only its record, whole.
func TestRejectsAreWholeAndLocal(t *testing.T) {
	ms := &memStore{}
	p, _ := NewPipeline(NewRegistry(panicky{}, badValue{}, Raw{Now: func() time.Time { return time.Unix(0, 0) }}), ms, Options{})
	ctx := context.Background()
	for i, l := range []string{`{"boom":1}`, `{"bad":1}`, `{"ok":1,"host":{"name":"h1"},"@timestamp":"2024-01-01T00:00:00Z"}`, `plain text line`} {
		p.Add(ctx, Record{Source: "s", Line: int64(i + 1), Data: []byte(l)})
	}
	p.Flush(ctx)
	sum := p.Summary()
	if sum.Rejected != 2 || !strings.Contains(sum.Errors[0].Reason, "internal error in the panicky normalizer") ||
		!strings.Contains(sum.Errors[1].Reason, "DeviceEvents") {
		t.Fatalf("summary %+v", sum)
	}
	raw := ms.rows("RawEvents")
	if len(raw) != 2 || len(ms.rows("DeviceEvents")) != 0 {
		t.Fatalf("raw %d device %d", len(raw), len(ms.rows("DeviceEvents")))
	}
	if col(t, "RawEvents", "Computer", raw[0]) != "h1" || col(t, "RawEvents", "SourceFormat", raw[1]) != "text" {
		t.Errorf("raw rows %v", raw)
	}
}

func TestFlushFailureIsReported(t *testing.T) {
	ms := &memStore{fail: errors.New("disk full")}
	p, _ := NewPipeline(NewRegistry(Raw{}), ms, Options{BatchRows: 2})
	ctx := context.Background()
	p.Add(ctx, Record{Data: []byte(`{"a":1}`)})
	// The full batch is appended in the background: its failure comes
	// back from the next Add that fills a batch, or from Flush.
	_, errAdd := p.Add(ctx, Record{Data: []byte(`{"a":2}`)})
	if errFlush := p.Flush(ctx); errAdd == nil && errFlush == nil {
		t.Fatal("append failure not returned")
	}
	if p.Summary().Rows["RawEvents"] != 0 {
		t.Error("rows counted though not written")
	}
}

// gatedStore blocks each Append until the test releases it.
type gatedStore struct {
	memStore
	started chan struct{}
	release chan error
}

func (g *gatedStore) Append(ctx context.Context, b store.Batch) error {
	g.started <- struct{}{}
	if err := <-g.release; err != nil {
		return err
	}
	return g.memStore.Append(ctx, b)
}

// A full batch is appended while the next is normalized; at most one
// append runs at a time, batches keep their order, rows are counted only
// once durable, and a background failure reaches the caller.
func TestBackgroundAppend(t *testing.T) {
	g := &gatedStore{started: make(chan struct{}), release: make(chan error)}
	p, _ := NewPipeline(NewRegistry(Raw{}), g, Options{BatchRows: 2})
	ctx := context.Background()
	add := func(i int) error {
		t.Helper()
		_, err := p.Add(ctx, Record{Source: "s", Line: int64(i), Data: []byte(fmt.Sprintf(`{"n":%d}`, i))})
		return err
	}
	add(1)
	add(2) // batch 1 starts in the background
	<-g.started
	add(3)
	if n := p.Summary().Rows["RawEvents"]; n != 0 {
		t.Fatalf("rows counted before the append finished: %d", n)
	}
	fourth := make(chan error, 1)
	go func() { fourth <- add(4) }() // batch 2 full: waits for batch 1
	select {
	case <-fourth:
		t.Fatal("a second append started while one was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	g.release <- nil // batch 1 done
	<-g.started      // batch 2 starts
	if err := <-fourth; err != nil {
		t.Fatal(err)
	}
	if n := p.Summary().Rows["RawEvents"]; n != 2 {
		t.Fatalf("rows after batch 1: %d", n)
	}
	g.release <- errors.New("disk full") // batch 2 fails
	add(5)
	if err := add(6); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("background failure not returned: %v", err)
	}
	// Batch 3 (records 5 and 6) was dropped with the failure.
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("flush after the failure: %v", err)
	}
	if n := p.Summary().Rows["RawEvents"]; n != 2 || len(g.batches) != 1 {
		t.Fatalf("rows %d batches %d", n, len(g.batches))
	}
	// Then the pipeline carries on: a new batch is appended and waited for.
	add(7)
	go func() { <-g.started; g.release <- nil }()
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range g.rows("RawEvents") {
		lines = append(lines, fmt.Sprintf("%s", col(t, "RawEvents", "RawData", r)))
	}
	if got := strings.Join(lines, " "); got != `{"n":1} {"n":2} {"n":7}` {
		t.Fatalf("stored %s", got)
	}
}

func TestOptionsValidation(t *testing.T) {
	reg := NewRegistry(Raw{})
	for _, o := range []Options{{Format: "ndjson"}, {Format: "ndjson", Table: "Nope"}, {Format: "nope"}, {Table: "DeviceEvents"}} {
		if _, err := NewPipeline(reg, &memStore{}, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := NewNative("deviceevents"); err == nil || !strings.Contains(err.Error(), "did you mean DeviceEvents") {
		t.Errorf("case hint: %v", err)
	}
}

func FuzzPipeline(f *testing.F) {
	f.Add([]byte(`{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"ws1","ProcessId":42}`))
	f.Add([]byte(`{"ProcessId":"0x7fffffffffffffff","AdditionalFields":[1,{"a":null}]}`))
	f.Add([]byte("\xff\xfe{"))
	f.Add([]byte(`{"Timestamp":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms := &memStore{}
		p, _ := NewPipeline(NewRegistry(Raw{}), ms, Options{Format: "ndjson", Table: "DeviceProcessEvents"})
		re, err := p.Add(context.Background(), Record{Data: data})
		if err != nil {
			t.Fatal(err)
		}
		if re != nil && strings.Contains(re.Reason, "internal error") {
			t.Fatalf("normalizer panicked: %s", re.Reason)
		}
		p.Flush(context.Background())
		for _, row := range ms.rows("DeviceProcessEvents") {
			tb, _ := schema.Lookup("DeviceProcessEvents")
			for i, v := range row {
				if _, err := store.Normalize(tb.Columns[i], v); err != nil {
					t.Fatalf("row value not canonical: %v", err)
				}
			}
		}
	})
}

// A CloudTrail-style {"Records":[...]} file is read one element at a
// time, whatever its size, and a bad element rejects only itself.
func TestRecordsArrayFiles(t *testing.T) {
	ms := &memStore{}
	p, _ := NewPipeline(NewRegistry(Raw{}), ms, Options{})
	big := strings.Repeat("x", 2<<20)
	in := `{"Records": [{"eventName":"A"}, {"eventName":"` + big + `"}, {"eventName":"C"}]}`
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(in))
	w.Close()
	if err := ReadLines(context.Background(), p, "ct.json.gz", &gz, nil); err != nil {
		t.Fatal(err)
	}
	p.Flush(context.Background())
	sum := p.Summary()
	if sum.Records != 3 || sum.Rejected != 1 || sum.Errors[0].Line != 2 || len(ms.rows("RawEvents")) != 2 {
		t.Fatalf("summary %+v", sum)
	}
	// Several chunks, a rejection inside one: every other event kept, in
	// order, the rejection at its own element's number.
	var many strings.Builder
	many.WriteString(`{"Records": [`)
	const n = 2*chunkLines + 100
	for i := 1; i <= n; i++ {
		if i > 1 {
			many.WriteString(",")
		}
		if i == chunkLines+7 {
			fmt.Fprintf(&many, `{"eventName":"%s"}`, big)
			continue
		}
		fmt.Fprintf(&many, `{"eventName":"e%d"}`, i)
	}
	many.WriteString("]}")
	ms = &memStore{}
	p, _ = NewPipeline(NewRegistry(Raw{}), ms, Options{Workers: 2})
	if err := ReadLines(context.Background(), p, "many.json", strings.NewReader(many.String()), nil); err != nil {
		t.Fatal(err)
	}
	p.Flush(context.Background())
	sum = p.Summary()
	raw := ms.rows("RawEvents")
	if sum.Records != n || sum.Rejected != 1 || sum.Errors[0].Line != chunkLines+7 || len(raw) != n-1 {
		t.Fatalf("%d records: summary %+v, %d rows", n, sum, len(raw))
	}
	for i, want := range []int{1, chunkLines + 6, chunkLines + 8, n} {
		at := want - 1
		if want > chunkLines+7 {
			at-- // after the rejected element
		}
		if ad := fmt.Sprintf("%s", col(t, "RawEvents", "RawData", raw[at])); !strings.Contains(ad, fmt.Sprintf(`"e%d"`, want)) {
			t.Errorf("check %d: row for element %d holds %s", i, want, ad)
		}
	}
	p, _ = NewPipeline(NewRegistry(Raw{}), ms, Options{})
	ReadLines(context.Background(), p, "bad.json", strings.NewReader(`{"Records": [{"a":1}, {"b":`), nil)
	if s := p.Summary(); s.Records != 2 || s.Rejected != 1 || !strings.Contains(s.Errors[0].Reason, "malformed Records element") {
		t.Fatalf("truncated: %+v", s)
	}
}

// FuzzReadLines feeds arbitrary bytes through the file framing: gzip and
// zstd detection, the bounded line reader and the Records-array reader.
// Every record must be counted as rows or a rejection, never lost.
func FuzzReadLines(f *testing.F) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("{\"a\":1}\nplain\n"))
	w.Close()
	f.Add(gz.Bytes())
	f.Add(gz.Bytes()[:gz.Len()/2])
	f.Add([]byte(`{"Records": [{"a":1}, {"b":2}]}`))
	f.Add([]byte(`{"Records": [{"a":1}, `))
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0})
	f.Add([]byte("\n\n{\"x\":\"\x00\"}\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms := &memStore{}
		p, _ := NewPipeline(NewRegistry(Raw{Now: func() time.Time { return time.Unix(0, 0) }}), ms, Options{})
		if err := ReadLines(context.Background(), p, "fuzz", bytes.NewReader(data), nil); err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		sum := p.Summary()
		if int64(len(ms.rows("RawEvents"))) != sum.Records-sum.Rejected {
			t.Fatalf("records %d rejected %d but %d rows", sum.Records, sum.Rejected, len(ms.rows("RawEvents")))
		}
	})
}

// badFill sets DeviceNetworkEvents.LocalIPType to a number, which the
// schema types as a string; declaredBadFill also names the column.
type badFill struct{}

func (badFill) Enrich(rs *RowSet) {
	for _, r := range rs.Rows() {
		if r.Table.Name == "DeviceNetworkEvents" {
			r.Set("LocalIPType", 42)
		}
	}
}

type declaredBadFill struct{ badFill }

func (declaredBadFill) Fills(t *schema.Table) []int {
	_, i, _ := t.Column("LocalIPType")
	return []int{i}
}

// What an enricher fills is checked like what a normalizer wrote, whether
// it names the columns it fills or not.
func TestEnrichedValuesChecked(t *testing.T) {
	for _, e := range []Enricher{badFill{}, declaredBadFill{}} {
		ms := &memStore{}
		p, err := NewPipeline(NewRegistry(), ms, Options{Format: "ndjson", Table: "DeviceNetworkEvents", Enrichers: []Enricher{e}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		p.Add(ctx, Record{Source: "s", Line: 1, Data: []byte(`{"Timestamp":"2024-01-01T00:00:00Z","LocalIP":"10.0.0.1"}`)})
		p.Flush(ctx)
		sum := p.Summary()
		if sum.Rejected != 1 || len(sum.Errors) != 1 || !strings.Contains(sum.Errors[0].Reason, "LocalIPType") {
			t.Errorf("%T: summary %+v, want the record rejected for LocalIPType", e, sum)
		}
		if n := len(ms.rows("DeviceNetworkEvents")); n != 0 {
			t.Errorf("%T: %d rows stored", e, n)
		}
	}
}

// The fast path reads a timestamp only as the layouts would: whenever it
// accepts one, the first layout that parses it gives the same instant.
func FuzzParseISOTime(f *testing.F) {
	for _, s := range []string{"2020-09-21T17:36:47.649Z", "2020-09-21 17:36:47.6491234", "2020-09-21T17:36:47+02:00",
		"2024-02-29 00:00:00", "2023-02-29 00:00:00", "2020-09-21T17:36:47.1234567891Z", "0000-01-01T00:00:00Z",
		"2020-09-21T24:00:00Z", "2020-09-21T17:36:47-23:59", "2020-09-21t17:36:47z", "2020-09-21T17:36:47.Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseISOTime(s)
		if !ok {
			return
		}
		for _, layout := range timeLayouts {
			if want, err := time.Parse(layout, s); err == nil {
				if !want.Equal(got) {
					t.Fatalf("parseISOTime(%q) = %v, layout %q reads %v", s, got, layout, want)
				}
				return
			}
		}
		t.Fatalf("parseISOTime(%q) = %v, no layout reads it", s, got)
	})
}

func TestChunkBounds(t *testing.T) {
	for _, c := range []struct{ n, w int }{{0, 2}, {1, 2}, {8, 2}, {100, 2}, {128, 2}, {129, 2}, {1000, 2}, {2048, 2}, {2048, 4}, {5000, 3}} {
		b := chunkBounds(c.n, c.w)
		if b[0] != 0 && c.n > 0 || b[len(b)-1] != c.n {
			t.Fatalf("chunkBounds(%d, %d) = %v: must run from 0 to n", c.n, c.w, b)
		}
		small := 0
		for k := 1; k < len(b); k++ {
			size := b[k] - b[k-1]
			if size <= 0 || size > chunkRecords {
				t.Fatalf("chunkBounds(%d, %d): chunk %d has %d records", c.n, c.w, k-1, size)
			}
			if size <= tailRecords {
				small++
			} else if small > 0 {
				t.Fatalf("chunkBounds(%d, %d): a large chunk after the small ones: %v", c.n, c.w, b)
			}
		}
		if c.n >= c.w*chunkRecords && small*tailRecords < c.w*chunkRecords {
			t.Errorf("chunkBounds(%d, %d): only %d small chunks at the end", c.n, c.w, small)
		}
	}
}
