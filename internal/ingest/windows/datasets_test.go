package windows

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

// indexEntry is the part of the datasets' index.json the test reads.
type indexEntry struct {
	ID         string `json:"id"`
	EventCount int64  `json:"event_count"`
	EventIDs   []struct {
		Channel *string `json:"channel"`
		EventID string  `json:"event_id"`
		Count   int64   `json:"count"`
	} `json:"event_ids"`
}

// expectedTables are the rows index.json's counts imply, for the mappings
// that do not depend on an event's content or on the host being a domain
// controller. It is written independently of the mappers, from doc.go's
// table.
var expectedTables = map[string]map[string][]int{
	"DeviceProcessEvents":   {chSysmon: {1}, chSecurity: {4688}},
	"DeviceImageLoadEvents": {chSysmon: {7}},
	"DeviceRegistryEvents":  {chSysmon: {12, 13, 14}, chSecurity: {4657}},
	"DeviceNetworkEvents":   {chSysmon: {3}, chSecurity: {5154, 5156}},
	"DeviceFileEvents":      {chSysmon: {2, 11, 15, 23, 26, 29}},
	"DeviceLogonEvents":     {chSecurity: {4624, 4625, 4634, 4647, 4648, 4672}},
	"DeviceEvents": {
		chSysmon:   {4, 5, 6, 8, 9, 10, 16, 17, 18, 19, 20, 21, 22, 24, 25, 27, 28, 255},
		chSecurity: {1102, 4663, 4689, 4697, 4698, 4699, 4700, 4701, 4702, 5140, 5145, 5152, 5157},
		chSystem:   {7045},
	},
}

func loadIndex(t *testing.T) []indexEntry {
	b, err := os.ReadFile(filepath.Join(datasetsDir, "index.json"))
	if err != nil {
		t.Skipf("attack datasets not available: %v", err)
	}
	var idx []indexEntry
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// TestDatasets ingests every Windows recording of the shared attack
// datasets: no record may be rejected, the row counts per table are
// golden, and they agree with index.json's counts per channel and ID.
func TestDatasets(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 100k records")
	}
	idx := loadIndex(t)
	golden := map[string]map[string]int64{}
	for _, ds := range idx {
		sum := ingesttest.IngestFile(t, normalizers(), filepath.Join(datasetsDir, ds.ID+".ndjson.gz"))
		if sum.Rows["RawEvents"] == sum.Records {
			continue // not Windows events (CloudTrail, Entra ID, ...): someone else's
		}
		if sum.Records != ds.EventCount {
			t.Errorf("%s: %d records, index.json says %d", ds.ID, sum.Records, ds.EventCount)
		}
		if sum.Rejected != 0 {
			t.Errorf("%s: %d records rejected, first: %+v", ds.ID, sum.Rejected, sum.Errors[0])
		}
		golden[ds.ID] = sum.Rows

		// Per channel and ID, from the index.
		counts := map[string]map[int]int64{}
		var security, total int64
		for _, e := range ds.EventIDs {
			ch := ""
			if e.Channel != nil {
				ch = canonicalChannel(*e.Channel)
			}
			id, err := strconv.Atoi(e.EventID)
			if err != nil {
				t.Fatalf("%s: event id %q", ds.ID, e.EventID)
			}
			if ch == "" && inferredSecurity(int32(id)) {
				ch = chSecurity // a Sentinel row without channel
			}
			if counts[ch] == nil {
				counts[ch] = map[int]int64{}
			}
			counts[ch][id] += e.Count
			total += e.Count
			if ch == chSecurity {
				security += e.Count
			}
		}
		check := func(table string, want int64) {
			t.Helper()
			if got := sum.Rows[table]; got != want {
				t.Errorf("%s: %d %s rows, index.json implies %d", ds.ID, got, table, want)
			}
		}
		check("SecurityEvent", security)
		check("WindowsEvent", total-security)
		for table, byChannel := range expectedTables {
			var want int64
			for ch, ids := range byChannel {
				for _, id := range ids {
					want += counts[ch][id]
				}
			}
			check(table, want)
		}
	}
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, id := range sortedKeys(golden) {
		rows, _ := json.Marshal(golden[id]) // map keys sorted
		b.WriteString("  " + strconv.Quote(id) + ": " + string(rows))
		if i < len(golden)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	ingesttest.CheckGolden(t, "testdata/datasets.golden.json", b.Bytes())
	if len(golden) == 0 {
		t.Fatal("no Windows dataset found")
	}
	t.Logf("%d Windows datasets: %s", len(golden), strings.Join(sortedKeys(golden), ", "))
}
