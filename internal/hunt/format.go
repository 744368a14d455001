package hunt

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/jsonenc"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// Result bodies in the shapes Microsoft documents:
//
//   - Defender's advanced hunting API (POST /api/advancedhunting/run):
//     {"Stats":{...},"Schema":[{"Name","Type"}],"Results":[{col:value}]}
//   - Microsoft Graph's runHuntingQuery:
//     {"schema":[{"name","type"}],"results":[{col:value}]}
//
// Both use .NET type names for the schema (String, Int32, Int64, Double,
// Decimal, Boolean, DateTime, TimeSpan, Guid, Object) and the same value
// encoding: datetimes as ISO 8601 UTC with up to 7 fraction digits and
// trailing zeros trimmed ("2024-01-01T10:00:00Z",
// "2020-08-30T06:38:35.7664356Z"), timespans as Kusto prints them
// ([-][d.]hh:mm:ss[.fffffff]), dynamic values as embedded JSON, decimals
// as JSON numbers, guids as strings, null as null. Each result object
// keeps the query's column order.

var typeNames = [...]string{
	schema.Bool:     "Boolean",
	schema.Int:      "Int32",
	schema.Long:     "Int64",
	schema.Real:     "Double",
	schema.Decimal:  "Decimal",
	schema.DateTime: "DateTime",
	schema.TimeSpan: "TimeSpan",
	schema.String:   "String",
	schema.GUID:     "Guid",
	schema.Dynamic:  "Object",
}

// TypeName is the .NET type name Defender reports for a KQL type.
func TypeName(t schema.Type) string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "Object"
}

// ParseTypeName is TypeName's inverse; it also accepts KQL type names.
func ParseTypeName(name string) (schema.Type, bool) {
	for t, n := range typeNames {
		if n != "" && strings.EqualFold(n, name) {
			return schema.Type(t), true
		}
	}
	if strings.EqualFold(name, "SByte") { // Kusto's bool in some clients
		return schema.Bool, true
	}
	return schema.ParseType(name)
}

// FormatDateTime prints a datetime as Defender does: UTC, ISO 8601, with
// the fraction of a second trimmed of trailing zeros (none when whole).
func FormatDateTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.9999999Z")
}

// FormatTimeSpan prints a timespan as Kusto does: [-][d.]hh:mm:ss, then
// .fffffff (seven digits, 100ns ticks) when there is a fraction.
func FormatTimeSpan(d time.Duration) string {
	var b strings.Builder
	// Work in 100ns ticks on the magnitude; math.MinInt64 ns has a
	// magnitude that fits in ticks.
	ticks := d / 100
	if ticks < 0 {
		b.WriteByte('-')
		ticks = -ticks
	}
	const perSec = int64(time.Second / 100)
	t := int64(ticks)
	frac := t % perSec
	secs := t / perSec
	days := secs / 86400
	secs %= 86400
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10))
		b.WriteByte('.')
	}
	fmt.Fprintf(&b, "%02d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	if frac > 0 {
		fmt.Fprintf(&b, ".%07d", frac)
	}
	return b.String()
}

// ParseTimeSpan reads FormatTimeSpan's output back.
func ParseTimeSpan(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a timespan of the form [-][d.]hh:mm:ss[.fffffff]", s)
	neg := strings.HasPrefix(s, "-")
	rest := strings.TrimPrefix(s, "-")
	var days int64
	if dot, colon := strings.IndexByte(rest, '.'), strings.IndexByte(rest, ':'); dot >= 0 && dot < colon {
		n, err := strconv.ParseInt(rest[:dot], 10, 64)
		if err != nil || n < 0 {
			return 0, bad
		}
		days, rest = n, rest[dot+1:]
	}
	clock, frac, hasFrac := strings.Cut(rest, ".")
	parts := strings.Split(clock, ":")
	if len(parts) != 3 {
		return 0, bad
	}
	var hms [3]int64
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 || len(p) == 0 || len(p) > 2 {
			return 0, bad
		}
		hms[i] = n
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 59 {
		return 0, bad
	}
	var ticks int64
	if hasFrac {
		if frac == "" || len(frac) > 7 {
			return 0, bad
		}
		n, err := strconv.ParseInt(frac+strings.Repeat("0", 7-len(frac)), 10, 64)
		if err != nil || n < 0 {
			return 0, bad
		}
		ticks = n
	}
	const maxDays = math.MaxInt64 / int64(24*time.Hour)
	if days > maxDays {
		return 0, bad
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(hms[0])*time.Hour +
		time.Duration(hms[1])*time.Minute + time.Duration(hms[2])*time.Second + time.Duration(ticks)*100
	if d < 0 {
		return 0, bad
	}
	if neg {
		d = -d
	}
	return d, nil
}

// AppendJSONValue appends v, a value of KQL type t as Result rows hold
// it, in Defender's JSON encoding.
func AppendJSONValue(b []byte, v any, t schema.Type) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		if t == schema.Decimal && isJSONNumber(x) {
			return append(b, x...)
		}
		return jsonenc.AppendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		return appendFloat(b, x)
	case float32:
		return appendFloat(b, float64(x))
	case json.Number:
		if isJSONNumber(string(x)) {
			return append(b, x...)
		}
		return jsonenc.AppendString(b, string(x))
	case time.Time:
		return jsonenc.AppendString(b, FormatDateTime(x))
	case time.Duration:
		return jsonenc.AppendString(b, FormatTimeSpan(x))
	case json.RawMessage:
		if !json.Valid(x) {
			return jsonenc.AppendString(b, string(x))
		}
		var buf bytes.Buffer
		if json.Compact(&buf, x) != nil {
			return append(b, x...)
		}
		return append(b, buf.Bytes()...)
	case [16]byte:
		return jsonenc.AppendString(b, formatGUID(x))
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return jsonenc.AppendString(b, fmt.Sprint(v))
	}
	return append(b, raw...)
}

// TextValue renders a value for the table and CSV outputs: what the JSON
// encoding shows, without quotes around strings; null is empty.
func TextValue(v any, t schema.Type) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return string(x)
	case time.Time:
		return FormatDateTime(x)
	case time.Duration:
		return FormatTimeSpan(x)
	}
	out := AppendJSONValue(nil, v, t)
	if len(out) > 0 && out[0] == '"' {
		// A scalar written as a JSON string (NaN, a guid): show its text.
		var text string
		if json.Unmarshal(out, &text) == nil {
			return text
		}
	}
	return string(out)
}

func formatGUID(u [16]byte) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b.WriteByte('-')
		}
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// appendFloat writes a double as a JSON number, or as the strings
// "NaN", "Infinity" and "-Infinity" that Kusto writes for the values JSON
// cannot hold.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// isJSONNumber reports whether s is a number in JSON's grammar.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	n := digits()
	if n == 0 || (n > 1 && s[start] == '0') {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// appendSchema writes [{"Name":..,"Type":..},...] with the given keys.
func appendSchema(b []byte, cols []check.Column, nameKey, typeKey string) []byte {
	b = append(b, '[')
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"`...)
		b = append(b, nameKey...)
		b = append(b, `":`...)
		b = jsonenc.AppendString(b, c.Name)
		b = append(b, `,"`...)
		b = append(b, typeKey...)
		b = append(b, `":`...)
		b = jsonenc.AppendString(b, TypeName(c.Type))
		b = append(b, '}')
	}
	return append(b, ']')
}

// AppendRows writes the result rows as a JSON array of objects, each
// with the columns in the query's order.
func AppendRows(b []byte, res *Result) []byte {
	b = append(b, '[')
	keys := make([][]byte, len(res.Columns))
	for j, c := range res.Columns {
		keys[j] = append(jsonenc.AppendString(nil, c.Name), ':')
	}
	for i, row := range res.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for j, c := range res.Columns {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, keys[j]...)
			var v any
			if j < len(row) {
				v = row[j]
			}
			b = AppendJSONValue(b, v, c.Type)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// AppendSchema writes Defender's Schema array: [{"Name","Type"}].
func AppendSchema(b []byte, cols []check.Column) []byte {
	return appendSchema(b, cols, "Name", "Type")
}

// DefenderJSON builds the body of Defender's POST
// /api/advancedhunting/run. Stats holds ExecutionTime (seconds, as
// Defender), resource_usage.cpu and input_dataset_statistics.rows when
// the store measured them, dataset_statistics (the rows returned and the bytes of
// Results) and Truncated, Vigil's flag for a result cut at the row limit;
// Visualization carries a final render operator's chart and properties.
func DefenderJSON(res *Result) []byte {
	rows := AppendRows(nil, res)
	b := make([]byte, 0, len(rows)+256+64*len(res.Columns))
	b = append(b, `{"Stats":{"ExecutionTime":`...)
	b = appendFloat(b, math.Round(res.Elapsed.Seconds()*1e6)/1e6)
	if res.CPU > 0 {
		// Defender's shapes for what the query used: CPU as a timespan,
		// and the rows read from tables.
		b = append(b, `,"resource_usage":{"cpu":{"total cpu":"`...)
		b = append(b, FormatTimeSpan(res.CPU)...)
		b = append(b, `"}},"input_dataset_statistics":{"rows":{"scanned":`...)
		b = strconv.AppendInt(b, res.RowsScanned, 10)
		b = append(b, `}}`...)
	}
	b = append(b, `,"dataset_statistics":[{"table_row_count":`...)
	b = strconv.AppendInt(b, int64(len(res.Rows)), 10)
	b = append(b, `,"table_size":`...)
	b = strconv.AppendInt(b, int64(len(rows)), 10)
	b = append(b, `}],"Truncated":`...)
	b = strconv.AppendBool(b, res.Truncated)
	b = append(b, '}')
	if res.Render != nil {
		// A query ending in render gets its chart beside the result,
		// for the portal to draw: {"Type":"timechart","Properties":{...}}.
		vis, _ := json.Marshal(struct {
			Type       string
			Properties map[string]any `json:",omitempty"`
		}{res.Render.Visualization, res.Render.Props})
		b = append(b, `,"Visualization":`...)
		b = append(b, vis...)
	}
	b = append(b, `,"Schema":`...)
	b = AppendSchema(b, res.Columns)
	b = append(b, `,"Results":`...)
	b = append(b, rows...)
	return append(b, "}\n"...)
}

// GraphJSON builds the body of Microsoft Graph's runHuntingQuery:
// {"schema":[{"name","type"}],"results":[...]}, with the same type names
// and value encoding as Defender's.
func GraphJSON(res *Result) []byte {
	var b []byte
	b = append(b, `{"schema":`...)
	b = appendSchema(b, res.Columns, "name", "type")
	b = append(b, `,"results":`...)
	b = AppendRows(b, res)
	return append(b, "}\n"...)
}

// WriteCSV writes the result as CSV with a header row of column names.
func WriteCSV(w io.Writer, res *Result) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(res.Columns))
	for j, c := range res.Columns {
		rec[j] = c.Name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, row := range res.Rows {
		for j, c := range res.Columns {
			rec[j] = ""
			if j < len(row) {
				rec[j] = TextValue(row[j], c.Type)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// maxCell bounds a table cell's width; longer values end in "…".
const maxCell = 120

// WriteTable writes the result as aligned columns for a terminal, a
// header line and one line per row. Control characters in values are
// escaped so a value cannot break the layout or drive the terminal.
func WriteTable(w io.Writer, res *Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	line := make([]string, len(res.Columns))
	for j, c := range res.Columns {
		line[j] = cell(c.Name)
	}
	fmt.Fprintln(tw, strings.Join(line, "\t"))
	for j, c := range res.Columns {
		line[j] = strings.Repeat("-", max(utf8.RuneCountInString(cell(c.Name)), 1))
	}
	fmt.Fprintln(tw, strings.Join(line, "\t"))
	for _, row := range res.Rows {
		for j, c := range res.Columns {
			line[j] = ""
			if j < len(row) {
				line[j] = cell(TextValue(row[j], c.Type))
			}
		}
		fmt.Fprintln(tw, strings.Join(line, "\t"))
	}
	return tw.Flush()
}

func cell(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == maxCell {
			b.WriteString("…")
			break
		}
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}

// ParseTimespan reads the Timespan of a hunting request, as Graph's
// runHuntingQuery documents it: an ISO 8601 duration back from now
// ("P30D", "PT12H", "P1DT6H30M"; a year counts 365 days, a month 30), or
// a start time ("2024-02-01T08:00:00Z") up to now. The forms with an end
// time ("start/end", "duration/end", "start/duration") are not
// supported: they are an error, never a silently different window.
func ParseTimespan(s string, now time.Time) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		return 0, fmt.Errorf("Timespan %q: intervals with an end time are not supported; give a duration such as P30D or a start time such as 2024-02-01T08:00:00Z", s)
	}
	if strings.HasPrefix(s, "P") || strings.HasPrefix(s, "p") {
		d, err := parseISODuration(s)
		if err != nil {
			return 0, fmt.Errorf("Timespan %q: %v", s, err)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("Timespan %q is neither an ISO 8601 duration (P30D) nor a start time (2024-02-01T08:00:00Z)", s)
	}
	if !t.Before(now) {
		return 0, fmt.Errorf("Timespan %q starts in the future", s)
	}
	return now.Sub(t), nil
}

// parseISODuration reads PnYnMnWnDTnHnMnS (each part optional, seconds
// may have a fraction); the result must be positive.
func parseISODuration(s string) (time.Duration, error) {
	const day = 24 * time.Hour
	rest := strings.ToUpper(s[1:])
	if rest == "" || rest == "T" || strings.HasSuffix(rest, "T") {
		return 0, errors.New("empty duration")
	}
	var total float64
	inTime := false
	seen := map[string]bool{}
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return 0, errors.New("a second T")
			}
			inTime, rest = true, rest[1:]
			continue
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, errors.New("expected a number followed by a unit letter")
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, errors.New("bad number " + rest[:i])
		}
		unit := string(rest[i])
		key := unit
		if inTime {
			key = "T" + unit
		}
		if seen[key] {
			return 0, errors.New("unit " + unit + " repeated")
		}
		seen[key] = true
		var per time.Duration
		switch {
		case !inTime && unit == "Y":
			per = 365 * day
		case !inTime && unit == "M":
			per = 30 * day
		case !inTime && unit == "W":
			per = 7 * day
		case !inTime && unit == "D":
			per = day
		case inTime && unit == "H":
			per = time.Hour
		case inTime && unit == "M":
			per = time.Minute
		case inTime && unit == "S":
			per = time.Second
		default:
			return 0, errors.New("unknown unit " + unit)
		}
		total += n * float64(per)
		rest = rest[i+1:]
	}
	if total < float64(time.Microsecond) || total > float64(100*365*day) {
		return 0, errors.New("the duration must be positive and below 100 years")
	}
	return time.Duration(total), nil
}
