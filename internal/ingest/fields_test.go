package ingest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/valyala/fastjson"
)

func TestFields(t *testing.T) {
	var p fastjson.Parser
	rec, err := p.Parse("{\"s\":\"x\",\"e\":\"\",\"n\":null,\"num\":01,\"obj\":{\"b\":1,\"a\":\"\x03\"},\"arr\":[true,false],\"t\":true}")
	if err != nil {
		t.Fatal(err)
	}
	f := Fields{}
	for _, c := range []struct {
		key, value string
		kept       bool
	}{
		{"Text", "v", true},
		{"Empty", "", false},
		{"Space", " ", true},
	} {
		f.Str(c.key, c.value)
		if _, ok := f[c.key]; ok != c.kept {
			t.Errorf("Str(%q, %q): kept %v, want %v", c.key, c.value, ok, c.kept)
		}
	}
	for _, c := range []struct {
		key  string
		v    *fastjson.Value
		want string // "" when left out
	}{
		{"Absent", rec.Get("missing"), ""},
		{"Null", rec.Get("n"), ""},
		{"EmptyString", rec.Get("e"), ""},
		{"String", rec.Get("s"), `"x"`},
		{"Number", rec.Get("num"), `"01"`},
		{"Object", rec.Get("obj"), `{"b":1,"a":"\u0003"}`},
		{"Array", rec.Get("arr"), `[true,false]`},
		{"Bool", rec.Get("t"), `true`},
	} {
		f.Raw(c.key, c.v)
		got, ok := f[c.key]
		switch {
		case c.want == "" && ok:
			t.Errorf("Raw(%s) kept %v", c.key, got)
		case c.want != "" && (!ok || string(got.(json.RawMessage)) != c.want):
			t.Errorf("Raw(%s) = %v, want %s", c.key, got, c.want)
		}
	}
	want := `{"Array":[true,false],"Bool":true,"Number":"01","Object":{"b":1,"a":"\u0003"},"Space":" ","String":"x","Text":"v"}`
	if got := string(f.JSON()); got != want {
		t.Errorf("JSON() = %s, want %s", got, want)
	}
	if got := (Fields{}).JSON(); got != nil {
		t.Errorf("empty JSON() = %s, want nil", got)
	}
	if got := (Fields{"bad": func() {}}).JSON(); got != nil {
		t.Errorf("JSON() of an unencodable value = %s, want nil", got)
	}
}

func TestSetRaw(t *testing.T) {
	for _, c := range []struct {
		column string
		v      json.RawMessage
		want   any
	}{
		{"AdditionalFields", nil, nil},
		{"AdditionalFields", json.RawMessage{}, nil},
		{"AdditionalFields", json.RawMessage(`{"a":1}`), json.RawMessage(`{"a":1}`)},
		{"ActivityObjects", json.RawMessage(`[]`), json.RawMessage(`[]`)},
	} {
		var rs RowSet
		r := rs.New("CloudAppEvents")
		if r.SetRaw(c.column, c.v) != r {
			t.Fatal("SetRaw does not return its row")
		}
		got := r.Get(c.column)
		if c.want == nil {
			if got != nil {
				t.Errorf("SetRaw(%s, %q) set %#v", c.column, c.v, got)
			}
			continue
		}
		if b, ok := got.(json.RawMessage); !ok || string(b) != string(c.want.(json.RawMessage)) {
			t.Errorf("SetRaw(%s, %s) = %#v", c.column, c.v, got)
		}
	}
}

func TestRawCopy(t *testing.T) {
	at := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		source, computer, data string
		want                   map[string]any
	}{
		{"a.ndjson", "dc1", `{"k":"v","a":1}`, map[string]any{
			"TimeGenerated": at, "SourceName": "a.ndjson", "SourceFormat": "json", "Computer": "dc1",
			"RawData": json.RawMessage(`{"k":"v","a":1}`)}},
		{"", "", "{\"z\":\"\x01\",\"a\":2}", map[string]any{
			"TimeGenerated": at, "SourceName": nil, "SourceFormat": "json", "Computer": nil,
			"RawData": json.RawMessage(`{"z":"\u0001","a":2}`)}},
	} {
		var p fastjson.Parser
		v, err := p.Parse(c.data)
		if err != nil {
			t.Fatal(err)
		}
		var rs RowSet
		RawCopy(&Input{Record: Record{Source: c.source, Data: []byte(c.data)}, JSON: v}, &rs, at, c.computer)
		if len(rs.Rows()) != 1 || rs.Rows()[0].Table.Name != "RawEvents" {
			t.Fatalf("RawCopy rows: %v", rs.Rows())
		}
		r := rs.Rows()[0]
		for col, want := range c.want {
			got := r.Get(col)
			if w, ok := want.(json.RawMessage); ok {
				if g, ok := got.(json.RawMessage); !ok || string(g) != string(w) {
					t.Errorf("%s: %s = %#v, want %s", c.data, col, got, w)
				}
				continue
			}
			if got != want {
				t.Errorf("%s: %s = %#v, want %#v", c.data, col, got, want)
			}
		}
	}
}

// TestStrNil pins what the source packages rely on: Str of a nil value
// (an absent object) is "".
func TestStrNil(t *testing.T) {
	if got := Str(nil, "a", "b"); got != "" {
		t.Errorf("Str(nil) = %q", got)
	}
}
