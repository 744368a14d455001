package store

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/schema"
)

// Normalize converts a value accepted for a column of col's type (see the
// package doc) to that type's canonical Go type, the type Query results
// use too. Every back end calls it before writing, so all of them accept
// and reject the same values.
//
// A rejected value yields a *ValueError with Column, Want, Got and Reason
// set; the caller fills in Table and Row.
//
// Beyond the documented types, Normalize also accepts pointers to them (a
// nil pointer is null), named types whose underlying kind matches,
// json.Number for numeric columns, and integral floats for int and long
// (decoded JSON numbers are float64).
func Normalize(col schema.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	out, reason := normalize(col.Type, v, 0)
	if reason != "" {
		return nil, &ValueError{Column: col.Name, Want: col.Type, Got: goType(v), Reason: reason}
	}
	return out, nil
}

func goType(v any) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprintf("%T", v)
}

// reasonType is the Reason of a value whose Go type the column never takes;
// the message already names both types.
const reasonType = "unsupported Go type"

// maxUnwrap bounds pointer chasing: a pointer type can point to itself.
const maxUnwrap = 8

func normalize(t schema.Type, v any, depth int) (any, string) {
	var out any
	var reason string
	switch t {
	case schema.String:
		out, reason = normString(v)
	case schema.Int:
		out, reason = normInt(v)
	case schema.Long:
		out, reason = normLong(v)
	case schema.Real:
		out, reason = normReal(v)
	case schema.Decimal:
		out, reason = normDecimal(v)
	case schema.Bool:
		if _, ok := v.(bool); ok {
			return v, ""
		}
		out, reason = nil, reasonType
	case schema.DateTime:
		out, reason = normDateTime(v)
	case schema.TimeSpan:
		if _, ok := v.(time.Duration); ok {
			return v, ""
		}
		out, reason = nil, reasonType
	case schema.GUID:
		out, reason = normGUID(v)
	case schema.Dynamic:
		return normDynamic(v)
	default:
		return nil, fmt.Sprintf("column has invalid type %d", t)
	}
	if reason == reasonType && depth < maxUnwrap {
		// Pointers and named types are rare; reflect only for them.
		if base, ok := unwrap(v); ok {
			if base == nil {
				return nil, ""
			}
			return normalize(t, base, depth+1)
		}
	}
	return out, reason
}

var durationType = reflect.TypeFor[time.Duration]()

// unwrap dereferences a pointer or converts a named basic type to its
// underlying type. ok is false when there is nothing to unwrap.
func unwrap(v any) (any, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, true
		}
		return rv.Elem().Interface(), true
	case reflect.String:
		if rv.Type() == reflect.TypeFor[string]() || rv.Type() == reflect.TypeFor[json.Number]() {
			return nil, false
		}
		return rv.String(), true
	case reflect.Bool:
		if rv.Type() == reflect.TypeFor[bool]() {
			return nil, false
		}
		return rv.Bool(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		// A Duration is not a number of anything without its unit.
		if rv.Type() == durationType || rv.Type().PkgPath() == "" {
			return nil, false
		}
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Type().PkgPath() == "" {
			return nil, false
		}
		return rv.Uint(), true
	case reflect.Float32, reflect.Float64:
		if rv.Type().PkgPath() == "" {
			return nil, false
		}
		return rv.Float(), true
	}
	return nil, false
}

func normString(v any) (any, string) {
	s, ok := v.(string)
	if !ok {
		return nil, reasonType
	}
	if utf8.ValidString(s) {
		return v, ""
	}
	// Kusto replaces invalid UTF-8 on ingestion; so do we rather than
	// rejecting a whole batch for one stray byte.
	return strings.ToValidUTF8(s, "\uFFFD"), ""
}

// toInt64 reads any Go integer, integral float or json.Number as int64.
func toInt64(v any) (int64, string) {
	switch x := v.(type) {
	case int:
		return int64(x), ""
	case int8:
		return int64(x), ""
	case int16:
		return int64(x), ""
	case int32:
		return int64(x), ""
	case int64:
		return x, ""
	case uint:
		return uintToInt64(uint64(x))
	case uint8:
		return int64(x), ""
	case uint16:
		return int64(x), ""
	case uint32:
		return int64(x), ""
	case uint64:
		return uintToInt64(x)
	case float32:
		return floatToInt64(float64(x))
	case float64:
		return floatToInt64(x)
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i, ""
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return 0, fmt.Sprintf("%q is not a number", string(x))
		}
		return floatToInt64(f)
	}
	return 0, reasonType
}

func uintToInt64(u uint64) (int64, string) {
	if u > math.MaxInt64 {
		return 0, fmt.Sprintf("value %d out of range", u)
	}
	return int64(u), ""
}

func floatToInt64(f float64) (int64, string) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) {
		return 0, fmt.Sprintf("value %v is not an integer", f)
	}
	// 2^63 is exactly representable; anything at or above it overflows.
	if f < -(1<<63) || f >= 1<<63 {
		return 0, fmt.Sprintf("value %v out of range", f)
	}
	return int64(f), ""
}

func normInt(v any) (any, string) {
	if _, ok := v.(int32); ok {
		return v, ""
	}
	i, reason := toInt64(v)
	if reason != "" {
		return nil, reason
	}
	if i < math.MinInt32 || i > math.MaxInt32 {
		return nil, fmt.Sprintf("value %d out of range for int (32-bit)", i)
	}
	return int32(i), ""
}

func normLong(v any) (any, string) {
	if _, ok := v.(int64); ok {
		return v, ""
	}
	i, reason := toInt64(v)
	if reason != "" {
		return nil, reason
	}
	return i, ""
}

func normReal(v any) (any, string) {
	switch x := v.(type) {
	case float64:
		return v, ""
	case float32:
		return float64(x), ""
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil && !isRangeErr(err) {
			return nil, fmt.Sprintf("%q is not a number", string(x))
		}
		return f, ""
	}
	i, reason := toInt64(v)
	if reason != "" {
		if u, ok := v.(uint64); ok {
			return float64(u), ""
		}
		return nil, reason
	}
	return float64(i), ""
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func normDecimal(v any) (any, string) {
	switch x := v.(type) {
	case string:
		return canonDecimal(x)
	case json.Number:
		return canonDecimal(string(x))
	case float64:
		return floatDecimal(x)
	case float32:
		return floatDecimal(float64(x))
	case uint64:
		return strconv.FormatUint(x, 10), ""
	case uint:
		return strconv.FormatUint(uint64(x), 10), ""
	}
	i, reason := toInt64(v)
	if reason != "" {
		return nil, reason
	}
	return strconv.FormatInt(i, 10), ""
}

func floatDecimal(f float64) (any, string) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Sprintf("%v has no decimal value", f)
	}
	// Shortest text that round-trips: 0.1 stays 0.1, not 0.1000000000000000055.
	return canonDecimal(strconv.FormatFloat(f, 'g', -1, 64))
}

// Limits that keep a hostile decimal from costing memory: a 1e999999999
// literal would otherwise expand to a billion digits.
const (
	maxDecimalText     = 1000
	maxDecimalExponent = 400
)

// canonDecimal rewrites decimal text as plain digits: no exponent, no '+',
// no leading zeros in the integer part, no trailing zeros in the fraction,
// and "0" for every zero. Precision limits are the back end's concern.
func canonDecimal(s string) (any, string) {
	s = strings.TrimSpace(s)
	if len(s) > maxDecimalText {
		return nil, fmt.Sprintf("decimal text longer than %d bytes", maxDecimalText)
	}
	bad := func() (any, string) { return nil, fmt.Sprintf("%q is not a decimal number", s) }
	i, neg := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var digits []byte
	point, seenPoint := 0, false
mantissa:
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
			if !seenPoint {
				point++
			}
		case c == '.' && !seenPoint:
			seenPoint = true
		default:
			break mantissa
		}
	}
	if len(digits) == 0 {
		return bad()
	}
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return bad()
		}
		e, err := strconv.Atoi(s[i+1:])
		if err != nil {
			if isRangeErr(err) {
				return nil, "decimal exponent out of range"
			}
			return bad()
		}
		if e > maxDecimalExponent || e < -maxDecimalExponent {
			return nil, "decimal exponent out of range"
		}
		point += e
	}
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
		point--
	}
	digits = bytes.TrimRight(digits, "0")
	if len(digits) == 0 {
		return "0", ""
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case point <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -point))
		b.Write(digits)
	case point >= len(digits):
		b.Write(digits)
		b.WriteString(strings.Repeat("0", point-len(digits)))
	default:
		b.Write(digits[:point])
		b.WriteByte('.')
		b.Write(digits[point:])
	}
	return b.String(), ""
}

func normDateTime(v any) (any, string) {
	t, ok := v.(time.Time)
	if !ok {
		return nil, reasonType
	}
	// Kusto's datetime range; every back end can hold it.
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return nil, fmt.Sprintf("year %d outside 1..9999", y)
	}
	return t.UTC(), ""
}

func normGUID(v any) (any, string) {
	switch x := v.(type) {
	case string:
		return canonGUID(x)
	case [16]byte:
		return formatGUID(x), ""
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Array && rv.Len() == 16 && rv.Type().Elem().Kind() == reflect.Uint8 {
		var b [16]byte
		reflect.Copy(reflect.ValueOf(b[:]), rv)
		return formatGUID(b), ""
	}
	return nil, reasonType
}

// canonGUID accepts the forms Kusto's guid() parses most often:
// 8-4-4-4-12 hex, the same in braces, or 32 bare hex digits.
func canonGUID(s string) (any, string) {
	t := strings.TrimSpace(s)
	if len(t) == 38 && t[0] == '{' && t[37] == '}' {
		t = t[1:37]
	}
	var hexDigits string
	switch len(t) {
	case 36:
		if t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-' {
			return nil, fmt.Sprintf("%q is not a GUID", s)
		}
		hexDigits = t[0:8] + t[9:13] + t[14:18] + t[19:23] + t[24:36]
	case 32:
		hexDigits = t
	default:
		return nil, fmt.Sprintf("%q is not a GUID", s)
	}
	var b [16]byte
	if _, err := hex.Decode(b[:], []byte(hexDigits)); err != nil {
		return nil, fmt.Sprintf("%q is not a GUID", s)
	}
	return formatGUID(b), ""
}

func formatGUID(b [16]byte) string {
	var buf [36]byte
	hex.Encode(buf[0:8], b[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], b[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], b[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], b[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:36], b[10:16])
	return string(buf[:])
}

func normDynamic(v any) (out any, reason string) {
	switch x := v.(type) {
	case json.RawMessage:
		return jsonText(x, false)
	case []byte:
		return jsonText(x, true)
	case string:
		return jsonText([]byte(x), true)
	}
	if base, ok := unwrap(v); ok && base == nil {
		return nil, ""
	}
	defer func() {
		// A panicking MarshalJSON must not take the ingest path down.
		if r := recover(); r != nil {
			out, reason = nil, fmt.Sprintf("cannot encode as JSON: panic: %v", r)
		}
	}()
	b, err := json.Marshal(v)
	if err != nil {
		return nil, "cannot encode as JSON: " + err.Error()
	}
	return json.RawMessage(b), ""
}

// jsonText compacts JSON text. Text that is not JSON is an error for a
// json.RawMessage; for a string it becomes a JSON string, as Kusto stores
// non-JSON text ingested into a dynamic column, and empty text is null.
func jsonText(b []byte, lenient bool) (any, string) {
	if lenient && len(bytes.TrimSpace(b)) == 0 {
		return nil, ""
	}
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		if !lenient {
			return nil, "invalid JSON: " + err.Error()
		}
		enc, _ := json.Marshal(string(b))
		return json.RawMessage(enc), ""
	}
	if buf.String() == "null" {
		return nil, ""
	}
	return json.RawMessage(buf.Bytes()), ""
}
