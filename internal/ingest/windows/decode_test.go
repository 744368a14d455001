package windows

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

// decodeOTRF's one pass reads what the field-by-field decoder reads, on
// every OTRF record of the shared datasets and the golden inputs.
func TestDecodeOTRFOnePassMatchesLookups(t *testing.T) {
	paths, _ := filepath.Glob("../../../../shared/datasets/attack/*.ndjson.gz")
	golden, _ := filepath.Glob("testdata/*/input.ndjson")
	paths = append(paths, golden...)
	var p fastjson.Parser
	n := 0
	for _, path := range paths {
		for _, line := range ingesttest.ReadLines(t, path) {
			v, err := p.ParseBytes(line)
			if err != nil || !(&OTRF{}).Detect(&ingest.Input{JSON: v}) {
				continue
			}
			var a, b Event
			errA, errB := decodeOTRF(v, &a), decodeOTRFByLookup(v, &b)
			a.arena, b.arena, a.scratch, b.scratch = nil, nil, nil, nil
			if len(a.Data) == 0 && len(b.Data) == 0 {
				a.Data, b.Data = nil, nil // an emptied slice is no difference
			}
			if fmt.Sprint(errA) != fmt.Sprint(errB) || !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: one pass and lookups differ (-lookups +one pass): %v %v\n%s", path, errA, errB,
					cmp.Diff(b, a, cmp.AllowUnexported(Event{}, jsonObject{})))
			}
			n++
		}
	}
	if n == 0 {
		t.Skip("no OTRF records found")
	}
	t.Logf("%d OTRF records decoded alike", n)
	// Every System key is recognised as such by the one pass.
	for k := range otrfSystem {
		var f otrfFields
		var e Event
		f.visit(&e, []byte(k), fastjson.MustParse(`"x"`))
		if len(e.Data) != 0 {
			t.Errorf("System key %s taken for event data", k)
		}
	}
}

// Event data borrows the parser's memory while a record is normalized;
// no row may keep it. Parsing the next record with the same parser
// overwrites that memory: the first record's rows must not change.
func TestRowsDoNotKeepParserMemory(t *testing.T) {
	for _, n := range []ingest.Normalizer{NewOTRF(), NewWinlogbeat()} {
		var p fastjson.Parser
		for i, rec := range append(sysmonBench, ingesttest.ReadLines(t, "testdata/winlogbeat/input.ndjson")...) {
			v, err := p.ParseBytes(rec)
			in := &ingest.Input{Record: ingest.Record{Source: "t", Line: 1, Data: rec}, JSON: v}
			if err != nil || !n.Detect(in) {
				continue
			}
			var rs ingest.RowSet
			if err := n.Normalize(in, &rs); err != nil {
				continue
			}
			before := fmt.Sprint(rowValues(rs.Rows()))
			// Overwrite the parser's buffer with other text of the same size.
			junk := []byte(fmt.Sprintf(`{"k":%q}`, string(make([]byte, len(rec)))))
			if _, err := p.ParseBytes(junk); err != nil {
				t.Fatal(err)
			}
			if after := fmt.Sprint(rowValues(rs.Rows())); after != before {
				t.Fatalf("%s record %d: rows changed when the parser was reused", n.Format(), i)
			}
		}
	}
}

func rowValues(rows []*ingest.Row) [][]any {
	var out [][]any
	for _, r := range rows {
		out = append(out, r.Values)
	}
	return out
}
