package ingest

import (
	"encoding/json"
	"time"

	"github.com/valyala/fastjson"
)

// Raw keeps any record no other normalizer recognises in RawEvents, whole,
// so that nothing sent to Vigil is lost. It is the registry's catch-all
// and must be registered last.
type Raw struct {
	// Now stamps records that carry no time of their own.
	Now func() time.Time
}

func (Raw) Format() string        { return "raw" }
func (Raw) Detect(in *Input) bool { return true }

// rawTimeFields are where common shippers put a record's time.
var rawTimeFields = []string{"@timestamp", "timestamp", "TimeGenerated", "Timestamp", "time", "eventTime", "EventTime", "date"}

// rawHostFields are where common shippers put the host.
var rawHostFields = [][]string{{"Computer"}, {"Hostname"}, {"hostname"}, {"host", "name"}, {"host", "hostname"}, {"host"}, {"agent", "hostname"}}

func (r Raw) Normalize(in *Input, out *RowSet) error {
	row := out.New("RawEvents")
	row.SetString("SourceName", in.Source)
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	if in.JSON == nil {
		row.Set("TimeGenerated", now().UTC())
		row.Set("SourceFormat", "text")
		b, _ := json.Marshal(string(in.Data))
		row.Set("RawData", json.RawMessage(b))
		return nil
	}
	row.Set("SourceFormat", "json")
	t, ok := Time(in.JSON, rawTimeFields...)
	if !ok {
		t = now().UTC()
	}
	row.Set("TimeGenerated", t)
	for _, path := range rawHostFields {
		if h := in.JSON.Get(path...); h != nil && h.Type() == fastjson.TypeString {
			row.SetString("Computer", string(h.GetStringBytes()))
			break
		}
	}
	row.Set("RawData", JSONOf(in.JSON))
	return nil
}
