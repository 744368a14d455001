// Package kqltest holds what tests of the KQL engine share: comparing
// query results with the answers Kusto's documentation shows.
package kqltest

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

var htmlTag = regexp.MustCompile(`<[^>]+>`)

// CanonRow renders a row so that equal values compare equal: numbers by
// value, datetimes as instants, timespans as durations, dynamic as JSON.
// Expected values arrive as the text the documentation shows.
func CanonRow(row []any, types []schema.Type, text bool) string {
	parts := make([]string, len(row))
	for i, v := range row {
		t := schema.Invalid
		if i < len(types) {
			t = types[i]
		}
		if text {
			s := strings.TrimSpace(strings.ReplaceAll(htmlTag.ReplaceAllString(v.(string), ""), "&nbsp;", ""))
			if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
				s = s[1 : len(s)-1]
			}
			parts[i] = CanonText(s, t)
		} else {
			parts[i] = CanonValue(v, t)
		}
	}
	return "[" + strings.Join(parts, " | ") + "]"
}

func CanonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', 9, 64)
}

func CanonText(s string, t schema.Type) string {
	if s == "(null)" {
		s = ""
	}
	if s == "" && t != schema.String {
		return "null"
	}
	switch t {
	case schema.Int, schema.Long, schema.Real, schema.Decimal:
		switch s {
		case "NaN":
			return "NaN"
		case "Infinity", "∞":
			return "Inf"
		case "-Infinity", "-∞":
			return "-Inf"
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64); err == nil {
			return CanonFloat(f)
		}
	case schema.Bool:
		switch strings.ToLower(s) {
		case "true", "1":
			return "true"
		case "false", "0":
			return "false"
		}
	case schema.DateTime:
		if tm, err := check.TypedValue(schema.DateTime, s); err == nil && tm != nil {
			return tm.(time.Time).UTC().Format(time.RFC3339Nano)
		}
	case schema.TimeSpan:
		if d, err := check.ParseTimespan(s); err == nil {
			return strconv.FormatInt(int64(d/time.Microsecond), 10)
		}
	case schema.GUID:
		return strings.ToLower(s)
	case schema.Dynamic, schema.Invalid:
		return CanonJSON([]byte(s))
	}
	return s
}

func CanonValue(v any, t schema.Type) string {
	if v == nil {
		if t == schema.String {
			return ""
		}
		return "null"
	}
	switch x := v.(type) {
	case int32:
		return CanonFloat(float64(x))
	case int64:
		return CanonFloat(float64(x))
	case float64:
		return CanonFloat(x)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case time.Duration:
		return strconv.FormatInt(int64(x/time.Microsecond), 10)
	case json.RawMessage:
		return CanonJSON(x)
	case string:
		if t == schema.Decimal {
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return CanonFloat(f)
			}
		}
		if t == schema.Dynamic || t == schema.Invalid {
			return CanonJSON([]byte(x))
		}
		return x
	}
	return fmt.Sprint(v)
}

// CanonJSON re-encodes JSON with sorted keys and numbers by value; text
// that is not JSON stays as it is.
func CanonJSON(b []byte) string {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return string(b)
	}
	if s, ok := v.(string); ok {
		// A dynamic string reads as its text.
		return s
	}
	return canonJSONValue(v)
}

func canonJSONValue(v any) string {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return CanonFloat(f)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			kb, _ := json.Marshal(k)
			parts[i] = string(kb) + ":" + canonJSONValue(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = canonJSONValue(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
