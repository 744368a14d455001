package ingest

import (
	"encoding/json"
	"time"

	"github.com/valyala/fastjson"
)

// Fields collects AdditionalFields entries; empty values are left out.
type Fields map[string]any

// Str adds a text entry unless it is empty.
func (f Fields) Str(k, v string) {
	if v != "" {
		f[k] = v
	}
}

// Raw adds a JSON value as it is in the record, unless it is absent, null
// or an empty string.
func (f Fields) Raw(k string, v *fastjson.Value) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return
	}
	if v.Type() == fastjson.TypeString && len(v.GetStringBytes()) == 0 {
		return
	}
	f[k] = RecordJSON(v)
}

// JSON returns the entries as a JSON object with sorted keys, nil when
// there are none (or one cannot be encoded).
func (f Fields) JSON() json.RawMessage {
	if len(f) == 0 {
		return nil
	}
	b, err := json.Marshal(map[string]any(f))
	if err != nil {
		return nil
	}
	return b
}

// SetRaw puts JSON text in a column as it is, leaving the column null
// when the text is empty. Unlike SetJSON it does not turn the text into a
// string for string columns.
func (r *Row) SetRaw(column string, v json.RawMessage) *Row {
	if len(v) > 0 {
		r.Set(column, v)
	}
	return r
}

// RawCopy keeps a whole JSON record in RawEvents, beside rows that have
// no column of their own for it.
func RawCopy(in *Input, out *RowSet, t time.Time, computer string) {
	row := out.New("RawEvents")
	row.Set("TimeGenerated", t)
	row.SetString("SourceName", in.Source)
	row.Set("SourceFormat", "json")
	row.SetString("Computer", computer)
	row.Set("RawData", RecordJSON(in.JSON))
}
