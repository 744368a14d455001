package eval

import (
	"reflect"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

func TestPrefilterJSON(t *testing.T) {
	f := func(query, want string) {
		t.Helper()
		p, err := CompileText(query, "")
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if got := prefilterText(p); got != want {
			t.Errorf("%s\n got %q\nwant %q", query, got, want)
		}
	}
	const T = "DeviceProcessEvents | where "
	const fb = ` | AdditionalFields:\ | AdditionalFields:< | AdditionalFields:> | AdditionalFields:&`
	f(T+`tostring(parse_json(AdditionalFields).Imphash) =~ "ABC1"`, "AdditionalFields:abc1"+fb)
	f(T+`tostring(todynamic(AdditionalFields)["Imphash"]) contains "x"`, "AdditionalFields:x"+fb)
	f(T+`tostring(parse_json(AdditionalFields).a.b[0]) in~ ("p", "q")`, "AdditionalFields:p"+fb+" | AdditionalFields:q")
	f(T+`tostring(parse_json(AdditionalFields).Imphash) =~ "abc" or FileName =~ "x.exe"`, "AdditionalFields:abc"+fb+" | FileName:x.exe")
	// Numbers may be written otherwise in the raw text; JSON punctuation
	// may be spaced otherwise.
	f(T+`tostring(parse_json(AdditionalFields).N) == "100"`, "")
	f(T+`tostring(parse_json(AdditionalFields).N) == "1e2"`, "")
	f(T+`tostring(parse_json(AdditionalFields).A) contains "1,2"`, "")
	f(T+`tostring(parse_json(AdditionalFields).A) contains "a\"b"`, "")
	// Only tostring of a member chain of parse_json of a string column.
	f(T+`tostring(parse_json(tostring(ProcessId)).x) == "abc"`, "")
	f(T+`tostring(AdditionalFields) == "abc"`, "")
	f(T+`tolower(parse_json(AdditionalFields).x) == "abc"`, "")
	f(T+`tostring(parse_json(AdditionalFields).x) != "abc"`, "")
}

// TestSetJSONAnchors checks the raw-text anchors against RunAt on JSON
// texts where the member's text is not a piece of the raw text.
func TestSetJSONAnchors(t *testing.T) {
	queries := []string{
		`DeviceProcessEvents | where tostring(parse_json(AdditionalFields).Imphash) =~ "ABCD"`,
		`DeviceProcessEvents | where tostring(parse_json(AdditionalFields).Imphash) in~ ("ab<cd", "u003c")`,
		`DeviceProcessEvents | where tostring(parse_json(AdditionalFields).O) contains "u003cb"`,
		`DeviceProcessEvents | where tostring(parse_json(AdditionalFields).O) contains "x y"`,
		`DeviceProcessEvents | where tostring(parse_json(AdditionalFields).O) has "true"`,
		`DeviceProcessEvents | where tostring(parse_json(AdditionalFields)) =~ "plain"`,
		`DeviceProcessEvents | where tostring(parse_json(AdditionalFields).Imphash) == "é"`,
	}
	raws := []string{
		`{"Imphash":"abcd"}`, `{"Imphash":"ABCD"}`, `{"Imphash":"\u0041BCD"}`, `{"Imphash":"AB\u0043D"}`,
		`{"Imphash":"ab<cd"}`, `{"Imphash":"ab\u003ccd"}`, `{"O":{"k":"a<b"}}`, `{"O":{"k" : "x y"}}`,
		`{"O":[true, 1]}`, `{"O": true}`, `plain`, `PLAIN`, `"plain"`, `{"Imphash":"\u00e9"}`, `{"Imphash":"é"}`,
		`{"Imphash":"É"}`, `{"O":{"a":"x\u0020y"}}`, `not json {`, ``,
	}
	tb, _ := schema.Lookup("DeviceProcessEvents")
	col := -1
	for i, c := range tb.Columns {
		if c.Name == "AdditionalFields" {
			col = i
		}
	}
	if col < 0 {
		t.Fatal("no AdditionalFields column")
	}
	var rows [][]any
	for _, r := range raws {
		row := make([]any, len(tb.Columns))
		row[col] = r
		rows = append(rows, row)
	}
	var progs []*Program
	for _, q := range queries {
		p, err := CompileText(q, "")
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		progs = append(progs, p)
	}
	set, err := NewSet(progs)
	if err != nil {
		t.Fatal(err)
	}
	got, gotErr := set.Match(rows, testNow)
	matched := 0
	for i, p := range progs {
		want, wantErr := p.RunAt(testNow, rows)
		if !reflect.DeepEqual(want, got[i]) || (wantErr == nil) != (gotErr[i] == nil) {
			t.Errorf("%s: %d rows (%v), want %d (%v)", queries[i], len(got[i]), gotErr[i], len(want), wantErr)
		}
		matched += len(want)
	}
	if matched == 0 {
		t.Error("no row matched: the test checks nothing")
	}
}
