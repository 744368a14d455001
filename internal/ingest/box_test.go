package ingest

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// Values boxed in a set's slabs read back as the values set, across
// slabs, each its own copy; a reset set's rows box the plain way.
func TestBoxedValues(t *testing.T) {
	var rs RowSet
	var rows, raws []*Row
	const n = 3 * boxSlabLen
	for i := range n {
		rows = append(rows, rs.New("DeviceEvents").
			SetString("ActionType", "a"+strconv.Itoa(i)).
			SetLong("ReportId", int64(i)).
			SetTime("Timestamp", time.Unix(int64(i), 0).UTC()).
			SetInt("RemotePort", int32(i)))
		raws = append(raws, rs.New("WindowsEvent").SetCanonicalJSON("EventData", []byte(`{"n":`+strconv.Itoa(i)+`}`)))
	}
	for i, r := range rows {
		if got := r.Get("ActionType"); got != any("a"+strconv.Itoa(i)) {
			t.Fatalf("row %d ActionType = %#v", i, got)
		}
		if got, ok := r.Get("ReportId").(int64); !ok || got != int64(i) {
			t.Fatalf("row %d ReportId = %#v", i, r.Get("ReportId"))
		}
		if got, ok := r.Get("Timestamp").(time.Time); !ok || !got.Equal(time.Unix(int64(i), 0)) {
			t.Fatalf("row %d Timestamp = %#v", i, r.Get("Timestamp"))
		}
		if got, ok := r.Get("RemotePort").(int32); !ok || got != int32(i) {
			t.Fatalf("row %d RemotePort = %#v", i, r.Get("RemotePort"))
		}
		if got, ok := raws[i].Get("EventData").(json.RawMessage); !ok || string(got) != `{"n":`+strconv.Itoa(i)+`}` {
			t.Fatalf("row %d EventData = %#v", i, raws[i].Get("EventData"))
		}
		if reason := checkRow(r); reason != "" {
			t.Fatalf("row %d: %s", i, reason)
		}
	}
	rs.Reset()
	for _, r := range rows {
		if r.set != nil {
			t.Fatal("a reset set's row still boxes in its slabs")
		}
	}
	r := rows[0].SetString("ActionType", "after")
	if r.Get("ActionType") != any("after") {
		t.Errorf("after reset: %#v", r.Get("ActionType"))
	}
}
