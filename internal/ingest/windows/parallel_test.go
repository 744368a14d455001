package windows

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
	"github.com/vigilsec/vigil/internal/store"
)

type tableRows map[string][][]any

func (t tableRows) Append(_ context.Context, b store.Batch) error {
	for _, tr := range b.Tables {
		t[tr.Table] = append(t[tr.Table], tr.Rows...)
	}
	return nil
}

// Whether a host is a domain controller may rest on an earlier record
// (rule 4 in identity.go): a Kerberos event makes SRVn one, and the NTLM
// validation right after it is then an identity logon. Each pair sits
// across a chunk boundary of the parallel pipeline, so a worker meets the
// second record while another is still at the first; the rows must be
// those of one worker all the same.
func TestParallelRemembersDomainControllersInOrder(t *testing.T) {
	var recs []ingest.Record
	for i := range 2048 {
		host := fmt.Sprintf("SRV%d.corp.local", i/16)
		line := fmt.Sprintf(`{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"WS%d","TimeCreated":"2024-01-01T00:00:00Z","Image":"C:\\x%d.exe","ProcessId":"%d"}`, i, i, i)
		switch i % 16 {
		case 15:
			line = fmt.Sprintf(`{"EventID":4768,"Channel":"Security","Hostname":%q,"TimeCreated":"2024-01-01T00:00:00Z","TargetUserName":"alice","TargetDomainName":"CORP","Status":"0x0","IpAddress":"::ffff:10.0.0.5"}`, host)
		case 0:
			host = fmt.Sprintf("SRV%d.corp.local", i/16-1)
			line = fmt.Sprintf(`{"EventID":4776,"Channel":"Security","Hostname":%q,"TimeCreated":"2024-01-01T00:00:01Z","TargetUserName":"bob","Workstation":"WS1","Status":"0x0"}`, host)
		}
		recs = append(recs, ingest.Record{Source: "dc", Line: int64(i + 1), Data: []byte(line)})
	}
	run := func(workers int) (tableRows, ingest.Summary) {
		out := tableRows{}
		p, err := ingest.NewPipeline(ingest.NewRegistry(NewOTRF()), out, ingest.Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := p.AddMany(ctx, recs); err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		return out, p.Summary()
	}
	want, wantSum := run(1)
	if wantSum.Rejected != 0 {
		t.Fatalf("rejected: %+v", wantSum.Errors)
	}
	// 127 validations follow their host's Kerberos event (the first record
	// has none before it).
	if n := len(want["IdentityLogonEvents"]); n != 2*127+1 {
		t.Fatalf("%d IdentityLogonEvents rows, want %d", n, 2*127+1)
	}
	for range 3 {
		got, gotSum := run(3)
		if !reflect.DeepEqual(gotSum, wantSum) || !reflect.DeepEqual(got, want) {
			t.Fatalf("three workers stored other rows: %d identity logons, one worker %d",
				len(got["IdentityLogonEvents"]), len(want["IdentityLogonEvents"]))
		}
	}
}

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
