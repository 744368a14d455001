package duckdb

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/schema"
)

// resultKind says how a DuckDB result column reaches a Result: its KQL
// type, an optional rewrite of the column in the wrapping SELECT (wrap,
// with %s for the column reference) and the conversion of each value to
// the canonical Go type.
type resultKind struct {
	kql  schema.Type
	wrap string
	conv func(any) (any, error)
}

// Nested values and JSON reach Go as JSON text rendered by DuckDB itself:
// the driver would otherwise decode JSON into float64s and maps, losing
// large integers and key order.
const (
	wrapText   = "CAST(%s AS VARCHAR)"
	wrapToJSON = "CAST(to_json(%s) AS VARCHAR)"
)

var (
	kindString  = resultKind{kql: schema.String, conv: convString}
	kindInt     = resultKind{kql: schema.Int, conv: convInt}
	kindLong    = resultKind{kql: schema.Long, conv: convLong}
	kindReal    = resultKind{kql: schema.Real, conv: convReal}
	kindDecimal = resultKind{kql: schema.Decimal, conv: convDecimal}
	kindBool    = resultKind{kql: schema.Bool, conv: convSame}
	kindTime    = resultKind{kql: schema.DateTime, conv: convTime}
	kindSpan    = resultKind{kql: schema.TimeSpan, conv: convInterval}
	kindClock   = resultKind{kql: schema.TimeSpan, conv: convClock}
	kindGUID    = resultKind{kql: schema.GUID, conv: convGUID}
	kindJSON    = resultKind{kql: schema.Dynamic, wrap: wrapText, conv: convJSON}
	kindNested  = resultKind{kql: schema.Dynamic, wrap: wrapToJSON, conv: convJSON}
	kindNull    = resultKind{kql: schema.Dynamic, conv: convJSON}
	kindBlob    = resultKind{kql: schema.String, conv: convBlob}
	kindAsText  = resultKind{kql: schema.String, wrap: wrapText, conv: convString}
)

// kindsByBase maps DuckDB base type names (as the driver spells them) to
// result kinds. Types with no KQL counterpart go to the nearest one.
var kindsByBase = map[string]resultKind{
	"VARCHAR":      kindString,
	"ENUM":         kindString,
	"TINYINT":      kindInt,
	"SMALLINT":     kindInt,
	"INTEGER":      kindInt,
	"UTINYINT":     kindInt,
	"USMALLINT":    kindInt,
	"UINTEGER":     kindLong,
	"BIGINT":       kindLong,
	"UBIGINT":      kindLong,
	"HUGEINT":      kindLong,
	"UHUGEINT":     kindLong,
	"BIGNUM":       kindDecimal,
	"FLOAT":        kindReal,
	"DOUBLE":       kindReal,
	"DECIMAL":      kindDecimal,
	"BOOLEAN":      kindBool,
	"TIMESTAMP":    kindTime,
	"TIMESTAMP_S":  kindTime,
	"TIMESTAMP_MS": kindTime,
	"TIMESTAMP_NS": kindTime,
	"TIMESTAMPTZ":  kindTime,
	"DATE":         kindTime,
	"TIME":         kindClock,
	"INTERVAL":     kindSpan,
	"UUID":         kindGUID,
	"JSON":         kindJSON,
	"LIST":         kindNested,
	"ARRAY":        kindNested,
	"STRUCT":       kindNested,
	"MAP":          kindNested,
	"UNION":        kindNested,
	"VARIANT":      kindNested,
	"SQLNULL":      kindNull,
	"BLOB":         kindBlob,
	"BIT":          kindAsText,
	"TIMETZ":       kindAsText,
	"GEOMETRY":     kindAsText,
}

// baseTypeName reduces a driver type name ("DECIMAL(38,18)", "INTEGER[]",
// "STRUCT(a INTEGER)") to its base name.
func baseTypeName(name string) string {
	name = strings.TrimSpace(name)
	if strings.HasSuffix(name, "]") {
		if strings.HasSuffix(name, "[]") {
			return "LIST"
		}
		return "ARRAY"
	}
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	return strings.ToUpper(strings.TrimSpace(name))
}

// kindOfName returns the kind of a column from its driver type name.
func kindOfName(name string) resultKind {
	if k, ok := kindsByBase[baseTypeName(name)]; ok {
		return k
	}
	return resultKind{kql: schema.String, conv: convAny}
}

// typeBase names the driver's type constants the way its type names do.
var typeBase = map[duckdb.Type]string{
	duckdb.TYPE_BOOLEAN: "BOOLEAN", duckdb.TYPE_TINYINT: "TINYINT", duckdb.TYPE_SMALLINT: "SMALLINT",
	duckdb.TYPE_INTEGER: "INTEGER", duckdb.TYPE_BIGINT: "BIGINT", duckdb.TYPE_UTINYINT: "UTINYINT",
	duckdb.TYPE_USMALLINT: "USMALLINT", duckdb.TYPE_UINTEGER: "UINTEGER", duckdb.TYPE_UBIGINT: "UBIGINT",
	duckdb.TYPE_FLOAT: "FLOAT", duckdb.TYPE_DOUBLE: "DOUBLE", duckdb.TYPE_TIMESTAMP: "TIMESTAMP",
	duckdb.TYPE_DATE: "DATE", duckdb.TYPE_TIME: "TIME", duckdb.TYPE_INTERVAL: "INTERVAL",
	duckdb.TYPE_HUGEINT: "HUGEINT", duckdb.TYPE_UHUGEINT: "UHUGEINT", duckdb.TYPE_VARCHAR: "VARCHAR",
	duckdb.TYPE_BLOB: "BLOB", duckdb.TYPE_DECIMAL: "DECIMAL", duckdb.TYPE_TIMESTAMP_S: "TIMESTAMP_S",
	duckdb.TYPE_TIMESTAMP_MS: "TIMESTAMP_MS", duckdb.TYPE_TIMESTAMP_NS: "TIMESTAMP_NS", duckdb.TYPE_ENUM: "ENUM",
	duckdb.TYPE_LIST: "LIST", duckdb.TYPE_STRUCT: "STRUCT", duckdb.TYPE_MAP: "MAP", duckdb.TYPE_ARRAY: "ARRAY",
	duckdb.TYPE_UUID: "UUID", duckdb.TYPE_UNION: "UNION", duckdb.TYPE_BIT: "BIT", duckdb.TYPE_TIME_TZ: "TIMETZ",
	duckdb.TYPE_TIMESTAMP_TZ: "TIMESTAMPTZ", duckdb.TYPE_BIGNUM: "BIGNUM", duckdb.TYPE_SQLNULL: "SQLNULL",
	duckdb.TYPE_GEOMETRY: "GEOMETRY", duckdb.TYPE_VARIANT: "VARIANT",
}

// kindOfType returns the kind of a prepared statement's column; ok is
// false when DuckDB could not resolve the type before binding.
func kindOfType(info duckdb.TypeInfo) (resultKind, bool) {
	if info == nil {
		return resultKind{}, false
	}
	if info.Alias() == "JSON" {
		return kindJSON, true
	}
	base, ok := typeBase[info.InternalType()]
	if !ok {
		return resultKind{}, false
	}
	return kindOfName(base), true
}

func convSame(v any) (any, error) { return v, nil }

func convString(v any) (any, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return convAny(v)
}

func convAny(v any) (any, error) {
	if b, ok := v.([]byte); ok {
		return string(b), nil
	}
	return fmt.Sprint(v), nil
}

func convBlob(v any) (any, error) {
	if b, ok := v.([]byte); ok {
		// Kusto has no binary type; base64 is how it shows bytes.
		return base64.StdEncoding.EncodeToString(b), nil
	}
	return convAny(v)
}

func convInt(v any) (any, error) {
	switch x := v.(type) {
	case int32:
		return x, nil
	case int8:
		return int32(x), nil
	case int16:
		return int32(x), nil
	case uint8:
		return int32(x), nil
	case uint16:
		return int32(x), nil
	}
	return nil, fmt.Errorf("unexpected %T for int", v)
}

func convLong(v any) (any, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return nil, fmt.Errorf("value %d out of range for long", x)
		}
		return int64(x), nil
	case *big.Int:
		if !x.IsInt64() {
			return nil, fmt.Errorf("value %s out of range for long", x)
		}
		return x.Int64(), nil
	}
	return nil, fmt.Errorf("unexpected %T for long", v)
}

func convReal(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	}
	return nil, fmt.Errorf("unexpected %T for real", v)
}

func convDecimal(v any) (any, error) {
	switch x := v.(type) {
	case duckdb.Decimal:
		return x.String(), nil
	case *big.Int:
		return x.String(), nil
	}
	return nil, fmt.Errorf("unexpected %T for decimal", v)
}

func convTime(v any) (any, error) {
	if t, ok := v.(time.Time); ok {
		return t.UTC(), nil
	}
	return nil, fmt.Errorf("unexpected %T for datetime", v)
}

// DuckDB counts a month as 30 days when it compares or sums intervals; so
// do we when an interval with months becomes a duration.
const monthDays = 30

func convInterval(v any) (any, error) {
	iv, ok := v.(duckdb.Interval)
	if !ok {
		return nil, fmt.Errorf("unexpected %T for timespan", v)
	}
	days := int64(iv.Months)*monthDays + int64(iv.Days)
	const maxDays = math.MaxInt64 / int64(24*time.Hour)
	if days > maxDays || days < -maxDays {
		return nil, fmt.Errorf("interval of %d days out of range for timespan", days)
	}
	d := time.Duration(days) * 24 * time.Hour
	if iv.Micros > math.MaxInt64/1000 || iv.Micros < math.MinInt64/1000 {
		return nil, fmt.Errorf("interval out of range for timespan")
	}
	m := time.Duration(iv.Micros) * time.Microsecond
	sum := d + m
	if (d > 0 && m > 0 && sum < 0) || (d < 0 && m < 0 && sum > 0) {
		return nil, fmt.Errorf("interval out of range for timespan")
	}
	return sum, nil
}

// convClock reads a TIME of day as the timespan since midnight.
func convClock(v any) (any, error) {
	t, ok := v.(time.Time)
	if !ok {
		return nil, fmt.Errorf("unexpected %T for time", v)
	}
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second +
		time.Duration(t.Nanosecond()), nil
}

func convGUID(v any) (any, error) {
	var b [16]byte
	switch x := v.(type) {
	case []byte:
		if len(x) != 16 {
			return nil, fmt.Errorf("UUID of %d bytes", len(x))
		}
		copy(b[:], x)
	case duckdb.UUID:
		b = x
	case string:
		return x, nil
	default:
		return nil, fmt.Errorf("unexpected %T for guid", v)
	}
	return uuidString(b), nil
}

func uuidString(b [16]byte) string {
	u := duckdb.UUID(b)
	return u.String()
}

// convJSON turns JSON text (from the wrapping SELECT) into a RawMessage,
// and anything else the driver decoded into JSON as a fallback.
func convJSON(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return json.RawMessage(x), nil
	case []byte:
		return json.RawMessage(append([]byte(nil), x...)), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cannot render as JSON: %w", err)
	}
	return json.RawMessage(b), nil
}
