package sqlite

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
	"github.com/vigilsec/vigil/internal/jsonenc"
	"github.com/vigilsec/vigil/internal/state"
)

// An incident_alerts row's entities and reasons are written as JSON
// arrays of positional arrays rather than of objects: correlation writes
// one row per alert, and an alert that links to several incidents carries
// several reasons that repeat the same entity and time. Rows written
// before this format hold arrays of objects; both decode.
//
//	entities: [[kind, value, [keys...], role], ...]
//	reasons:  [[kind, entityKind, entityValue, key, otherAlert, otherTime, alertTime, fromIncident, note], ...]
//
// In a reason, entityKind, entityValue and key are 0 when they equal the
// previous reason's; otherTime and alertTime are microseconds after the
// row's time (null for none), so the usual alertTime is 0.

// appendEntities appends an alert's entities in the row format.
func appendEntities(b []byte, ents []state.IncidentEntity) []byte {
	b = append(b, '[')
	for i := range ents {
		e := &ents[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = jsonenc.AppendString(b, e.Kind)
		b = append(b, ',')
		b = jsonenc.AppendString(b, e.Value)
		b = append(b, ",["...)
		for j, k := range e.Keys {
			if j > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendString(b, k)
		}
		b = append(b, "],"...)
		b = jsonenc.AppendString(b, e.Role)
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendReasons appends an alert's reasons in the row format; at is the
// row's time.
func appendReasons(b []byte, rs []state.LinkReason, at time.Time) []byte {
	b = append(b, '[')
	for i := range rs {
		r := &rs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = jsonenc.AppendString(b, r.Kind)
		same := func(cur, prev string) {
			b = append(b, ',')
			if i > 0 && cur == prev {
				b = append(b, '0')
			} else {
				b = jsonenc.AppendString(b, cur)
			}
		}
		var prev state.LinkReason
		if i > 0 {
			prev = rs[i-1]
		}
		same(r.EntityKind, prev.EntityKind)
		same(r.EntityValue, prev.EntityValue)
		same(r.Key, prev.Key)
		b = append(b, ',')
		b = jsonenc.AppendString(b, r.OtherAlert)
		for _, t := range []time.Time{r.OtherTime, r.AlertTime} {
			b = append(b, ',')
			if t.IsZero() {
				b = append(b, "null"...)
			} else {
				b = strconv.AppendInt(b, t.UnixMicro()-at.UnixMicro(), 10)
			}
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, r.FromID, 10)
		b = append(b, ',')
		b = jsonenc.AppendString(b, r.Note)
		b = append(b, ']')
	}
	return append(b, ']')
}

// errRowFormat is a row's entities or reasons in neither format.
var errRowFormat = errors.New("not the incident alert row format")

// positional reports whether a JSON list column is in the positional
// format (or empty, which both formats read alike).
func positional(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	if len(s) < 2 || s[0] != '[' {
		return false
	}
	rest := strings.TrimLeft(s[1:], " \t\r\n")
	return strings.HasPrefix(rest, "[") || strings.HasPrefix(rest, "]")
}

// rowParsers parse the positional format: a million rows decoded into
// []any by encoding/json took 24 s of loading a million open alerts.
var rowParsers fastjson.ParserPool

// decodeEntities reads an alert row's entities, in either format.
func decodeEntities(s string) ([]state.IncidentEntity, error) {
	var out []state.IncidentEntity
	if !positional(s) {
		err := json.Unmarshal([]byte(s), &out)
		return out, err
	}
	p := rowParsers.Get()
	defer rowParsers.Put(p)
	v, err := p.Parse(s)
	if err != nil {
		return nil, err
	}
	rows, _ := v.Array()
	out = make([]state.IncidentEntity, 0, len(rows))
	for _, r := range rows {
		f, _ := r.Array()
		if len(f) != 4 {
			return nil, fmt.Errorf("%w: an entity of %d fields", errRowFormat, len(f))
		}
		var e state.IncidentEntity
		var ok [4]bool
		e.Kind, ok[0] = str(f[0])
		e.Value, ok[1] = str(f[1])
		keys, err := f[2].Array()
		ok[2] = err == nil
		if len(keys) > 0 {
			e.Keys = make([]string, len(keys))
		}
		for i, k := range keys {
			var isStr bool
			if e.Keys[i], isStr = str(k); !isStr {
				ok[2] = false
			}
		}
		e.Role, ok[3] = str(f[3])
		if ok != [4]bool{true, true, true, true} {
			return nil, fmt.Errorf("%w: an entity's fields are of the wrong types", errRowFormat)
		}
		out = append(out, e)
	}
	return out, nil
}

// str is a JSON string's value.
func str(v *fastjson.Value) (string, bool) {
	b, err := v.StringBytes()
	return string(b), err == nil
}

// decodeReasons reads an alert row's reasons, in either format; at is
// the row's time.
func decodeReasons(s string, at time.Time) ([]state.LinkReason, error) {
	var out []state.LinkReason
	if !positional(s) {
		err := json.Unmarshal([]byte(s), &out)
		return out, err
	}
	p := rowParsers.Get()
	defer rowParsers.Put(p)
	v, err := p.Parse(s)
	if err != nil {
		return nil, err
	}
	rows, _ := v.Array()
	out = make([]state.LinkReason, 0, len(rows))
	for i, r := range rows {
		f, _ := r.Array()
		if len(f) != 9 {
			return nil, fmt.Errorf("%w: a reason of %d fields", errRowFormat, len(f))
		}
		var x state.LinkReason
		bad := false
		text := func(v *fastjson.Value) string {
			s, ok := str(v)
			bad = bad || !ok
			return s
		}
		// Integers only, as strconv.ParseInt takes them.
		num := func(v *fastjson.Value) int64 {
			n, err := strconv.ParseInt(numText(v), 10, 64)
			bad = bad || err != nil
			return n
		}
		// 0: as the previous reason.
		inherit := func(v *fastjson.Value, prev string) string {
			if i > 0 && numText(v) == "0" {
				return prev
			}
			return text(v)
		}
		tm := func(v *fastjson.Value) time.Time {
			if v.Type() == fastjson.TypeNull {
				return time.Time{}
			}
			return time.UnixMicro(at.UnixMicro() + num(v)).UTC()
		}
		var prev state.LinkReason
		if i > 0 {
			prev = out[i-1]
		}
		x.Kind = text(f[0])
		x.EntityKind = inherit(f[1], prev.EntityKind)
		x.EntityValue = inherit(f[2], prev.EntityValue)
		x.Key = inherit(f[3], prev.Key)
		x.OtherAlert = text(f[4])
		x.OtherTime, x.AlertTime = tm(f[5]), tm(f[6])
		x.FromID = num(f[7])
		x.Note = text(f[8])
		if bad {
			return nil, fmt.Errorf("%w: a reason's fields are of the wrong types", errRowFormat)
		}
		out = append(out, x)
	}
	return out, nil
}

// numText is a JSON number's text as written ("" for any other value).
func numText(v *fastjson.Value) string {
	if v.Type() != fastjson.TypeNumber {
		return ""
	}
	return v.String()
}
