package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/schema"
)

// Native reads rows already in the schema's shape: one JSON object per
// row, keys named as the table's columns (POST /api/v1/ingest/{Table},
// `vigil ingest --format ndjson --table T`). A key that is not a column is
// an error, unless the table has AdditionalFields, where it is kept.
type Native struct {
	table *schema.Table
	extra int // index of AdditionalFields, or -1
}

// NewNative returns the native normalizer for a table.
func NewNative(table string) (*Native, error) {
	t, ok := schema.Lookup(table)
	if !ok {
		if f, ok := schema.LookupFold(table); ok {
			return nil, fmt.Errorf("unknown table %q (did you mean %s?)", table, f.Name)
		}
		return nil, fmt.Errorf("unknown table %q", table)
	}
	n := &Native{table: t, extra: -1}
	if _, i, ok := t.Column("AdditionalFields"); ok {
		n.extra = i
	}
	return n, nil
}

func (n *Native) Format() string        { return "ndjson" }
func (n *Native) Detect(in *Input) bool { return in.JSON != nil }

func (n *Native) Normalize(in *Input, out *RowSet) error {
	if in.JSON == nil {
		return fmt.Errorf("a row must be a JSON object")
	}
	obj, err := in.JSON.Object()
	if err != nil {
		return fmt.Errorf("a row must be a JSON object")
	}
	row := out.New(n.table.Name)
	var extra map[string]json.RawMessage
	var ferr error
	obj.Visit(func(key []byte, v *fastjson.Value) {
		if ferr != nil {
			return
		}
		col, i, ok := n.table.Column(string(key))
		if !ok {
			if n.extra < 0 {
				ferr = fmt.Errorf("field %q is not a column of %s", key, n.table.Name)
				return
			}
			if extra == nil {
				extra = map[string]json.RawMessage{}
			}
			extra[string(key)] = JSONOf(v)
			return
		}
		val, err := FromJSON(col.Type, v)
		if err != nil {
			ferr = fmt.Errorf("field %s: %w", key, err)
			return
		}
		row.Values[i] = val
	})
	if ferr != nil {
		return ferr
	}
	if extra != nil {
		// Merge with AdditionalFields given in the row itself.
		var given map[string]json.RawMessage
		switch cur := row.Values[n.extra].(type) {
		case json.RawMessage:
			_ = json.Unmarshal(cur, &given)
		case string:
			_ = json.Unmarshal([]byte(cur), &given)
		}
		for k, v := range given {
			if _, dup := extra[k]; !dup {
				extra[k] = v
			}
		}
		row.SetJSON("AdditionalFields", extra)
	}
	return nil
}

// FromJSON converts a JSON value to a column's type the way Kusto's JSON
// ingestion mapping does: strings are parsed into typed columns, numbers
// and bools printed into string columns, anything into dynamic.
func FromJSON(t schema.Type, v *fastjson.Value) (any, error) {
	if v.Type() == fastjson.TypeNull {
		return nil, nil
	}
	str := func() (string, bool) {
		if v.Type() != fastjson.TypeString {
			return "", false
		}
		b, _ := v.StringBytes()
		return string(b), true
	}
	bad := func() error {
		text := v.String()
		if len(text) > 64 {
			text = text[:64] + "..."
		}
		return fmt.Errorf("want %s, got %s", t, text)
	}
	switch t {
	case schema.String:
		if s, ok := str(); ok {
			return s, nil
		}
		return string(JSONOf(v)), nil
	case schema.Int, schema.Long:
		var n int64
		var ok bool
		if s, isStr := str(); isStr {
			n, ok = ParseInt(s)
		} else if v.Type() == fastjson.TypeNumber {
			var err error
			n, err = v.Int64()
			ok = err == nil
			if !ok {
				if f, ferr := v.Float64(); ferr == nil && f == float64(int64(f)) {
					n, ok = int64(f), true
				}
			}
		}
		if !ok {
			return nil, bad()
		}
		if t == schema.Int {
			if n < -1<<31 || n > 1<<31-1 {
				return nil, fmt.Errorf("want int, %d is out of range", n)
			}
			return int32(n), nil
		}
		return n, nil
	case schema.Real:
		if v.Type() == fastjson.TypeNumber {
			return v.GetFloat64(), nil
		}
		if s, ok := str(); ok {
			var f float64
			if _, err := fmt.Sscanf(strings.TrimSpace(s), "%g", &f); err == nil {
				return f, nil
			}
		}
		return nil, bad()
	case schema.Decimal:
		if v.Type() == fastjson.TypeNumber {
			return v.String(), nil
		}
		if s, ok := str(); ok {
			return s, nil
		}
		return nil, bad()
	case schema.Bool:
		switch v.Type() {
		case fastjson.TypeTrue:
			return true, nil
		case fastjson.TypeFalse:
			return false, nil
		case fastjson.TypeNumber:
			return v.GetFloat64() != 0, nil
		}
		if s, ok := str(); ok {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true", "1":
				return true, nil
			case "false", "0":
				return false, nil
			}
		}
		return nil, bad()
	case schema.DateTime:
		if s, ok := str(); ok {
			if tm, ok := ParseTime(s); ok {
				return tm, nil
			}
		}
		return nil, bad()
	case schema.TimeSpan:
		if s, ok := str(); ok {
			if d, ok := ParseTimespan(s); ok {
				return d, nil
			}
		}
		return nil, bad()
	case schema.GUID:
		if s, ok := str(); ok {
			return s, nil // validated by the store
		}
		return nil, bad()
	case schema.Dynamic:
		return JSONOf(v), nil
	}
	return nil, bad()
}

// ParseTimespan reads Kusto's timespan text, [-][d.]hh:mm:ss[.fffffff],
// and Go durations ("1h30m").
func ParseTimespan(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		return d, true
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days, h, m int64
	var sec float64
	if dot := strings.Index(s, "."); dot >= 0 && dot < strings.Index(s, ":") {
		if _, err := fmt.Sscanf(s[:dot], "%d", &days); err != nil {
			return 0, false
		}
		s = s[dot+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, false
	}
	if _, err := fmt.Sscanf(parts[0]+" "+parts[1]+" "+parts[2], "%d %d %g", &h, &m, &sec); err != nil {
		return 0, false
	}
	if days < 0 || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec >= 60 || days > 10_000_000 {
		return 0, false
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec*1e9)
	if neg {
		d = -d
	}
	return d, true
}
