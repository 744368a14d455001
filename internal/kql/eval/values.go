package eval

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Values at run time have the store's canonical Go types: string,
// int32 (int), int64 (long), float64 (real), string (decimal), bool,
// time.Time (datetime, UTC), time.Duration (timespan), string (guid),
// json.RawMessage (dynamic). nil is null; a string-typed value is never
// nil.

// canon converts an input value to its column type's canonical Go type.
func canon(v any, t schema.Type) any {
	if v == nil {
		if t == schema.String {
			return ""
		}
		return nil
	}
	switch t {
	case schema.String:
		if _, ok := v.(string); ok {
			return v
		}
	case schema.Int:
		if _, ok := v.(int32); ok {
			return v
		}
	case schema.Long:
		if _, ok := v.(int64); ok {
			return v
		}
	case schema.Real:
		if _, ok := v.(float64); ok {
			return v
		}
	case schema.Bool:
		if _, ok := v.(bool); ok {
			return v
		}
	case schema.DateTime:
		if tm, ok := v.(time.Time); ok {
			return tm.UTC()
		}
	case schema.TimeSpan:
		if _, ok := v.(time.Duration); ok {
			return v
		}
	case schema.Dynamic:
		if b, ok := v.(json.RawMessage); ok {
			return dynNorm(b)
		}
	}
	out, err := store.Normalize(schema.Column{Name: "value", Type: t}, v)
	if err != nil {
		return nil
	}
	if t == schema.String && out == nil {
		return ""
	}
	return out
}

// toString is tostring(): "" for null.
func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.RawMessage:
		return dynText(x)
	case bool:
		return strconv.FormatBool(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return realText(x)
	case time.Time:
		return datetimeText(x)
	case time.Duration:
		return timespanText(x)
	}
	return fmt.Sprint(v)
}

// realText formats a real as Kusto (and the SQL path) do: integral values
// without a fraction.
func realText(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	case f == math.Trunc(f) && math.Abs(f) < 1e15:
		return strconv.FormatInt(int64(f), 10)
	case math.Abs(f) >= 1e-5 && math.Abs(f) < 1e15:
		// Shortest round-trip digits without an exponent, as .NET
		// (and DuckDB) print doubles in this range.
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// datetimeText is 2021-01-01T01:29:00Z, with seven fraction digits when
// there is a fraction.
func datetimeText(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000000") + "0Z"
}

// timespanText is [-][d.]hh:mm:ss[.fffffff].
func timespanText(d time.Duration) string {
	us := d.Microseconds()
	neg := us < 0
	if neg {
		us = -us
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if us >= 86400e6 {
		fmt.Fprintf(&b, "%d.", us/86400e6)
	}
	fmt.Fprintf(&b, "%02d:%02d:%02d", (us/3600e6)%24, (us/60e6)%60, (us/1e6)%60)
	if us%1e6 != 0 {
		fmt.Fprintf(&b, ".%06d0", us%1e6)
	}
	return b.String()
}

// asFloat reads a number (or a numeric dynamic) as float64.
func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string: // decimal
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// asInt reads an integer value as int64.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}

// parseLong reads text as a long the way the SQL path does: an integer,
// or a number truncated toward zero.
func parseLong(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	f = math.Trunc(f)
	if f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

func parseReal(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "nan":
		return math.NaN(), true
	case "inf", "+inf", "infinity", "+infinity":
		return math.Inf(1), true
	case "-inf", "-infinity":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// dotnetEpochTicks is 1970-01-01 in ticks from 0001-01-01.
const dotnetEpochTicks = 621355968000000000

// convert is to<type>(v): values that do not convert give null.
func convert(v any, from, to schema.Type) any {
	if v == nil {
		if to == schema.String {
			return ""
		}
		return nil
	}
	if from == to {
		return v
	}
	if to == schema.String {
		return toString(v)
	}
	if to == schema.Dynamic {
		if from == schema.String {
			return parseJSONText(v.(string))
		}
		return dynFrom(v)
	}
	// Text sources: strings and dynamic values read through their text.
	if from == schema.Dynamic || from == schema.Invalid || from == schema.String || from == schema.GUID {
		s := toString(v)
		switch to {
		case schema.Int:
			n, ok := parseLong(s)
			if !ok || n < math.MinInt32 || n > math.MaxInt32 {
				return nil
			}
			return int32(n)
		case schema.Long:
			n, ok := parseLong(s)
			if !ok {
				return nil
			}
			return n
		case schema.Real:
			f, ok := parseReal(s)
			if !ok {
				return nil
			}
			return f
		case schema.Decimal:
			if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
				return nil
			}
			d, err := store.Normalize(schema.Column{Type: schema.Decimal}, strings.TrimSpace(s))
			if err != nil {
				return nil
			}
			return d
		case schema.Bool:
			switch strings.ToLower(s) {
			case "true":
				return true
			case "false":
				return false
			}
			if strings.TrimSpace(s) != s {
				return nil
			}
			n, ok := parseLong(s)
			if !ok {
				return nil
			}
			return n != 0
		case schema.DateTime:
			t, err := check.TypedValue(schema.DateTime, s)
			if err != nil || t == nil {
				return nil
			}
			return t
		case schema.TimeSpan:
			d, err := check.ParseTimespan(s)
			if err != nil {
				return nil
			}
			return d
		case schema.GUID:
			g, err := store.Normalize(schema.Column{Type: schema.GUID}, s)
			if err != nil {
				return nil
			}
			return g
		}
		return nil
	}
	switch to {
	case schema.Int, schema.Long:
		var n int64
		switch x := v.(type) {
		case int32:
			n = int64(x)
		case int64:
			n = x
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil
			}
			n = int64(math.Trunc(x))
		case string: // decimal
			var ok bool
			if n, ok = parseLong(x); !ok {
				return nil
			}
		case bool:
			if x {
				n = 1
			}
		case time.Time:
			n = x.UnixMicro()*10 + dotnetEpochTicks
		case time.Duration:
			n = x.Microseconds() * 10
		default:
			return nil
		}
		if to == schema.Int {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return nil
			}
			return int32(n)
		}
		return n
	case schema.Real:
		switch x := v.(type) {
		case bool:
			if x {
				return 1.0
			}
			return 0.0
		case time.Time:
			return float64(x.UnixMicro()*10 + dotnetEpochTicks)
		case time.Duration:
			return float64(x.Microseconds() * 10)
		}
		f, ok := asFloat(v)
		if !ok {
			return nil
		}
		return f
	case schema.Decimal:
		d, err := store.Normalize(schema.Column{Type: schema.Decimal}, v)
		if err != nil {
			return nil
		}
		return d
	case schema.Bool:
		f, ok := asFloat(v)
		if !ok {
			return nil
		}
		return f != 0
	case schema.DateTime:
		n, ok := asInt(v)
		if !ok {
			f, okf := asFloat(v)
			if !okf {
				return nil
			}
			n = int64(f)
		}
		return time.UnixMicro((n - dotnetEpochTicks) / 10).UTC()
	case schema.TimeSpan:
		n, ok := asInt(v)
		if !ok {
			f, okf := asFloat(v)
			if !okf {
				return nil
			}
			n = int64(f)
		}
		return time.Duration(n/10) * time.Microsecond
	}
	return nil
}

// outValue gives a run-time value the Go type of its output column.
func outValue(v any, t schema.Type) any {
	if v == nil {
		if t == schema.String {
			return ""
		}
		return nil
	}
	switch t {
	case schema.Dynamic:
		if b, ok := v.(json.RawMessage); ok {
			return b
		}
		return dynFrom(v)
	case schema.Long:
		if n, ok := v.(int32); ok {
			return int64(n)
		}
	case schema.Real:
		if f, ok := asFloat(v); ok {
			return f
		}
	}
	return v
}
