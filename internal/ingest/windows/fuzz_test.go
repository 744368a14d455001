package windows

import (
	"bytes"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

// seed adds the golden inputs of the given cases, and a few hand-made
// edge cases, to a fuzzer's corpus.
func seed(f *testing.F, cases ...string) {
	ingesttest.SeedFuzz(f, cases...)
	f.Add([]byte(`{"EventID":"0x10","Channel":"security","TimeCreated":"1","Hostname":"h"}`))
}

// fuzzNormalizer checks that a normalizer never panics and that every row
// it returns holds values the store accepts, whatever the record.
func fuzzNormalizer(f *testing.F, n ingest.Normalizer) {
	f.Fuzz(func(t *testing.T, data []byte) {
		in := parseInput(data)
		_ = n.Detect(in)
		rows, err := normalizeOne(n, data)
		if err != nil {
			if bytes.HasPrefix([]byte(err.Error()), []byte("no rows")) {
				t.Fatalf("no rows and no error for %q", data)
			}
			return
		}
		for _, r := range rows {
			switch r.Table.Name {
			case "SecurityEvent", "WindowsEvent":
				if r.Get("TimeGenerated") == nil || r.Get("EventID") == nil {
					t.Fatalf("raw row without time or ID: %s", rowJSON(r))
				}
			default:
				if r.Get("ActionType") == nil || r.Get("Timestamp") == nil {
					t.Fatalf("row without ActionType or Timestamp: %s", rowJSON(r))
				}
			}
		}
	})
}

func FuzzOTRF(f *testing.F) {
	seed(f, "otrf_sysmon", "otrf_security", "otrf_nxlog", "otrf_other")
	fuzzNormalizer(f, NewOTRF())
}

func FuzzWinlogbeat(f *testing.F) {
	seed(f, "winlogbeat")
	f.Add([]byte(`{"@timestamp":"2024-01-01T00:00:00Z","winlog":{"channel":"Security","event_id":1102,"computer_name":"h","user_data":{"a":{"b":{"c":"d"}}},"keywords":["Audit Failure"]}}`))
	fuzzNormalizer(f, NewWinlogbeat())
}

func FuzzSentinel(f *testing.F) {
	seed(f, "sentinel")
	f.Add([]byte(`{"TimeGenerated":"2024-01-01T00:00:00Z","Computer":"h","EventID":1,"EventLog":"System","EventData":"<DataItem><UserData><X><A>1</A><B/></X></UserData><EventData><Data>u</Data><Data Name=\"n\">v</Data></EventData></DataItem>"}`))
	f.Add([]byte(`{"TimeGenerated":"2024-01-01T00:00:00Z","Computer":"h","EventID":4624,"EventData_dynamic":"[\"a\",1,null,{\"b\":2}]"}`))
	fuzzNormalizer(f, NewSentinel())
}
