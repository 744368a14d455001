package hunt

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

func TestFormatDateTime(t *testing.T) {
	f := func(in time.Time, want string) {
		t.Helper()
		if got := FormatDateTime(in); got != want {
			t.Errorf("FormatDateTime(%v) = %q, want %q", in, got, want)
		}
	}
	f(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC), "2024-01-01T10:00:00Z")
	f(time.Date(2024, 1, 1, 10, 0, 0, 500_000_000, time.UTC), "2024-01-01T10:00:00.5Z")
	f(time.Date(2020, 8, 30, 6, 38, 35, 766435600, time.UTC), "2020-08-30T06:38:35.7664356Z")
	f(time.Date(2024, 1, 1, 10, 0, 0, 123, time.UTC), "2024-01-01T10:00:00.0000001Z")
	f(time.Date(2024, 1, 1, 12, 0, 0, 0, time.FixedZone("x", 2*3600)), "2024-01-01T10:00:00Z")
}

func TestFormatTimeSpan(t *testing.T) {
	f := func(in time.Duration, want string) {
		t.Helper()
		if got := FormatTimeSpan(in); got != want {
			t.Errorf("FormatTimeSpan(%v) = %q, want %q", in, got, want)
		}
		back, err := ParseTimeSpan(want)
		if err != nil || back != in.Truncate(100) {
			t.Errorf("ParseTimeSpan(%q) = %v, %v; want %v", want, back, err, in)
		}
	}
	f(0, "00:00:00")
	f(90*time.Second, "00:01:30")
	f(-90*time.Second, "-00:01:30")
	f(26*time.Hour+3500*time.Millisecond, "1.02:00:03.5000000")
	f(time.Microsecond, "00:00:00.0000010")
	f(100, "00:00:00.0000001")
	f(-(400*24*time.Hour + time.Nanosecond*1200), "-400.00:00:00.0000012")
	f(time.Duration(math.MaxInt64).Truncate(100), "106751.23:47:16.8547758")
	for _, bad := range []string{"", "1:2", "00:60:00", "24:00:00", "00:00:00.", "00:00:00.12345678", "x.00:00:00", "--00:00:01", "00:00:0a"} {
		if _, err := ParseTimeSpan(bad); err == nil {
			t.Errorf("ParseTimeSpan(%q) succeeded", bad)
		}
	}
}

func TestParseTimespan(t *testing.T) {
	now := time.Date(2024, 2, 15, 8, 0, 0, 0, time.UTC)
	f := func(in string, want time.Duration) {
		t.Helper()
		got, err := ParseTimespan(in, now)
		if err != nil || got != want {
			t.Errorf("ParseTimespan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	day := 24 * time.Hour
	f("P30D", 30*day)
	f("p7d", 7*day)
	f("PT12H", 12*time.Hour)
	f("P1DT6H30M", day+6*time.Hour+30*time.Minute)
	f("PT1.5S", 1500*time.Millisecond)
	f("P2W", 14*day)
	f("P1Y1M", 395*day)
	f("2024-02-01T08:00:00Z", 14*day)
	for _, bad := range []string{"", "P", "PT", "P1DT", "P1H", "PT1D", "P-1D", "P0D", "P1D1D", "2024-03-01T00:00:00Z",
		"P30D/2024-02-15T08:00:00Z", "2024-02-01T08:00:00Z/P30D", "30 days", "P1000Y", "P1.2.3D", "PTT1H"} {
		if d, err := ParseTimespan(bad, now); err == nil {
			t.Errorf("ParseTimespan(%q) = %v, want an error", bad, d)
		}
	}
}

func TestAppendJSONValue(t *testing.T) {
	f := func(v any, typ schema.Type, want string) {
		t.Helper()
		got := string(AppendJSONValue(nil, v, typ))
		if got != want {
			t.Errorf("AppendJSONValue(%#v, %s) = %s, want %s", v, typ, got, want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("%s is not JSON", got)
		}
	}
	f(nil, schema.Long, "null")
	f("a\"b\\c\n\x01<>&\u2028", schema.String, `"a\"b\\c\n\u0001<>&\u2028"`)
	f("\xff", schema.String, `"\ufffd"`)
	f(int32(-7), schema.Int, "-7")
	f(int64(1)<<62, schema.Long, "4611686018427387904")
	f(0.5, schema.Real, "0.5")
	f(1e21, schema.Real, "1e+21")
	f(2.0, schema.Real, "2")
	f(math.NaN(), schema.Real, `"NaN"`)
	f(math.Inf(-1), schema.Real, `"-Infinity"`)
	f("1.250000000000000000", schema.Decimal, "1.250000000000000000")
	f("NaN", schema.Decimal, `"NaN"`)
	f(true, schema.Bool, "true")
	f(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), schema.DateTime, `"2024-01-01T00:00:00Z"`)
	f(-time.Hour, schema.TimeSpan, `"-01:00:00"`)
	f("0b7e3c5c-2c1f-4a7e-9f7e-1a2b3c4d5e6f", schema.GUID, `"0b7e3c5c-2c1f-4a7e-9f7e-1a2b3c4d5e6f"`)
	f([16]byte{0x0b, 0x7e, 0x3c, 0x5c, 0x2c, 0x1f, 0x4a, 0x7e, 0x9f, 0x7e, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f}, schema.GUID, `"0b7e3c5c-2c1f-4a7e-9f7e-1a2b3c4d5e6f"`)
	f(json.RawMessage(`{ "a" : [1, 2] }`), schema.Dynamic, `{"a":[1,2]}`)
	f(json.RawMessage(`not json`), schema.Dynamic, `"not json"`)
	f(json.Number("12"), schema.Long, "12")
}

func sampleResult() *Result {
	return &Result{
		Columns: []check.Column{{Name: "Z", Type: schema.String}, {Name: "A", Type: schema.Long}, {Name: "When", Type: schema.DateTime}, {Name: "D", Type: schema.Dynamic}},
		Rows: [][]any{
			{"x,y", int64(1), time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC), json.RawMessage(`{"k":"v"}`)},
			{"line\nbreak", nil, nil, nil},
		},
		Elapsed: 1500 * time.Millisecond,
	}
}

func TestBodies(t *testing.T) {
	res := sampleResult()
	gotD := string(DefenderJSON(res))
	wantD := `{"Stats":{"ExecutionTime":1.5,"dataset_statistics":[{"table_row_count":2,"table_size":113}],"Truncated":false},` +
		`"Schema":[{"Name":"Z","Type":"String"},{"Name":"A","Type":"Int64"},{"Name":"When","Type":"DateTime"},{"Name":"D","Type":"Object"}],` +
		`"Results":[{"Z":"x,y","A":1,"When":"2024-01-01T10:00:00Z","D":{"k":"v"}},{"Z":"line\nbreak","A":null,"When":null,"D":null}]}` + "\n"
	if gotD != wantD {
		t.Errorf("DefenderJSON:\n got %s\nwant %s", gotD, wantD)
	}
	gotG := string(GraphJSON(res))
	wantG := `{"schema":[{"name":"Z","type":"String"},{"name":"A","type":"Int64"},{"name":"When","type":"DateTime"},{"name":"D","type":"Object"}],` +
		`"results":[{"Z":"x,y","A":1,"When":"2024-01-01T10:00:00Z","D":{"k":"v"}},{"Z":"line\nbreak","A":null,"When":null,"D":null}]}` + "\n"
	if gotG != wantG {
		t.Errorf("GraphJSON:\n got %s\nwant %s", gotG, wantG)
	}
	empty := &Result{Columns: []check.Column{{Name: "Count", Type: schema.Long}}}
	if got := string(GraphJSON(empty)); got != `{"schema":[{"name":"Count","type":"Int64"}],"results":[]}`+"\n" {
		t.Errorf("empty: %s", got)
	}
}

func TestTextOutputs(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, sampleResult()); err != nil {
		t.Fatal(err)
	}
	wantCSV := "Z,A,When,D\n\"x,y\",1,2024-01-01T10:00:00Z,\"{\"\"k\"\":\"\"v\"\"}\"\n\"line\nbreak\",,,\n"
	if b.String() != wantCSV {
		t.Errorf("CSV:\n got %q\nwant %q", b.String(), wantCSV)
	}
	b.Reset()
	if err := WriteTable(&b, sampleResult()); err != nil {
		t.Fatal(err)
	}
	wantTable := "" +
		"Z            A  When                  D\n" +
		"-            -  ----                  -\n" +
		"x,y          1  2024-01-01T10:00:00Z  {\"k\":\"v\"}\n" +
		"line\\nbreak                           \n"
	if b.String() != wantTable {
		t.Errorf("table:\n got %q\nwant %q", b.String(), wantTable)
	}
	if c := cell(strings.Repeat("é", 200)); !strings.HasSuffix(c, "…") || len([]rune(c)) != maxCell+1 {
		t.Errorf("long cell not cut: %d runes", len([]rune(c)))
	}
	if got := TextValue(math.NaN(), schema.Real); got != "NaN" {
		t.Errorf("TextValue(NaN) = %q", got)
	}
	// As Kusto's tostring(): a dynamic string shows without quotes.
	if got := TextValue(json.RawMessage(`"s"`), schema.Dynamic); got != "s" {
		t.Errorf("TextValue(dynamic string) = %q", got)
	}
	if c := cell("a\x1b[31mb"); c != `a\x1b[31mb` {
		t.Errorf("escape not escaped: %q", c)
	}
}

func TestTypeNames(t *testing.T) {
	for _, typ := range []schema.Type{schema.Bool, schema.Int, schema.Long, schema.Real, schema.Decimal, schema.DateTime, schema.TimeSpan, schema.String, schema.GUID, schema.Dynamic} {
		back, ok := ParseTypeName(TypeName(typ))
		if !ok || back != typ {
			t.Errorf("%s -> %s -> %s", typ, TypeName(typ), back)
		}
	}
}

func TestDefenderJSONVisualization(t *testing.T) {
	eng := &Engine{Store: openTestStore(t)}
	res, err := eng.Run(t.Context(), Request{Query: `range x from 1 to 3 step 1 | render timechart with (title="Counts", ytitle="n")`})
	if err != nil {
		t.Fatal(err)
	}
	body := string(DefenderJSON(res))
	if !strings.Contains(body, `"Visualization":{"Type":"timechart","Properties":{"title":"Counts","ytitle":"n"}}`) {
		t.Errorf("body = %s", body)
	}
}
