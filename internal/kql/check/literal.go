package check

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// TypedValue reads the body of a typed literal (datetime(...), time(...),
// int(...), guid(...), ...) the way Kusto does, into the Go value the
// store uses for the type: time.Time (UTC), time.Duration, int32, int64,
// float64, bool, string (guid, decimal). nil is KQL's null. Query
// execution reports the error for a body Kusto's engine would reject (the
// binder does not: Microsoft's analyzer accepts any body); SQL generation
// passes the value as a bind parameter.
func TypedValue(t schema.Type, body string) (any, error) {
	b := strings.TrimSpace(body)
	if b == "null" {
		return nil, nil
	}
	switch t {
	case schema.DateTime:
		return parseDatetime(b)
	case schema.TimeSpan:
		return ParseTimespan(b)
	case schema.Bool:
		switch strings.ToLower(b) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
	case schema.Int, schema.Long:
		n, err := strconv.ParseInt(b, 0, 64)
		if err == nil {
			if t == schema.Int {
				if n < math.MinInt32 || n > math.MaxInt32 {
					return nil, fmt.Errorf("%s is out of range for int", b)
				}
				return int32(n), nil
			}
			return n, nil
		}
	case schema.Real:
		switch strings.ToLower(b) {
		case "nan":
			return math.NaN(), nil
		case "+inf", "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
		if f, err := strconv.ParseFloat(b, 64); err == nil {
			return f, nil
		}
	case schema.Decimal:
		if _, err := strconv.ParseFloat(b, 64); err == nil {
			return b, nil
		}
	case schema.GUID:
		if isGUID(b) {
			return strings.ToLower(b), nil
		}
	case schema.String, schema.Dynamic:
		return b, nil
	}
	return nil, fmt.Errorf("'%s' is not a valid %s literal", b, t)
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// datetimeLayouts are the forms Kusto's datetime() accepts: ISO 8601 with
// optional time, fraction and zone, RFC 822 and RFC 850.
var datetimeLayouts = []string{
	"2006-01-02T15:04:05.9999999Z07:00",
	"2006-01-02T15:04:05.9999999",
	"2006-01-02 15:04:05.9999999Z07:00",
	"2006-01-02 15:04:05.9999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-01",
	"2006",
	"2006/01/02 15:04:05.9999999",
	"2006/01/02 15:04",
	"2006/01/02",
	"Mon, 2 Jan 06 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 06 15:04:05 MST",
	"2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 06 15:04 MST",
	"Monday, 02-Jan-06 15:04:05 MST",
	"Monday, 02-Jan-06 15:04 MST",
	"01/02/2006 15:04:05.9999999",
	"01/02/2006 15:04",
	"01/02/2006",
	"02-01-2006",
}

// isoDate matches ISO 8601 dates whose month, day and hour may have one
// digit (Kusto reads 1970-5-12 and 2024-1-2 3:04).
var isoDate = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$`)

func parseDatetime(s string) (any, error) {
	t, err := parseDatetimeText(s)
	if err != nil {
		return nil, err
	}
	// Kusto's datetime covers years 1 to 9999.
	if y := t.Year(); y < 1 || y > 9999 {
		return nil, fmt.Errorf("'%s' is outside the datetime range (years 1 to 9999)", s)
	}
	return t, nil
}

func parseDatetimeText(s string) (time.Time, error) {
	// The body may be quoted: datetime("2024-01-01") and datetime('...').
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if m := isoDate.FindStringSubmatch(s); m != nil {
		pad := func(v string) string {
			if v == "" {
				return "00"
			}
			if len(v) == 1 {
				return "0" + v
			}
			return v
		}
		norm := fmt.Sprintf("%s-%s-%sT%s:%s:%s%s", m[1], pad(m[2]), pad(m[3]), pad(m[4]), pad(m[5]), pad(m[6]), m[7])
		zone := m[8]
		if zone == "" {
			zone = "Z"
		} else if zone != "Z" && !strings.Contains(zone, ":") {
			zone = zone[:3] + ":" + zone[3:]
		}
		if t, err := time.Parse(time.RFC3339Nano, norm+zone); err == nil {
			return t.UTC(), nil
		}
	}
	for _, l := range datetimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	// datetime(2017 - 08 - 01): Kusto reads the parts with spaces
	// around the dashes.
	if spaced := spacedDash.ReplaceAllString(s, "$1-$2"); spaced != s {
		if t, err := parseDatetimeText(spaced); err == nil {
			return t, nil
		}
	}
	// datetime(2025, 6, 14[, h, m, s]): the parts as numbers.
	if m := commaDate.FindStringSubmatch(s); m != nil {
		var v [6]int
		for i := range v {
			if m[i+1] != "" {
				v[i], _ = strconv.Atoi(m[i+1])
			}
		}
		t := time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], 0, time.UTC)
		if t.Year() == v[0] && int(t.Month()) == v[1] && t.Day() == v[2] && t.Hour() == v[3] && t.Minute() == v[4] && t.Second() == v[5] {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("'%s' is not a valid datetime literal", s)
}

var (
	spacedDash = regexp.MustCompile(`(\d)\s+-\s+(\d)`)
	commaDate  = regexp.MustCompile(`^(\d{1,4})\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2}))?)?)?$`)
)

// timespanUnits are Kusto's timespan suffixes, longest first so that
// "ms" is not read as "m".
var timespanUnits = []struct {
	name string
	d    time.Duration
}{
	{"microseconds", time.Microsecond}, {"microsecond", time.Microsecond},
	{"milliseconds", time.Millisecond}, {"millisecond", time.Millisecond},
	{"nanoseconds", time.Nanosecond}, {"nanosecond", time.Nanosecond},
	{"seconds", time.Second}, {"second", time.Second},
	{"minutes", time.Minute}, {"minute", time.Minute},
	{"hours", time.Hour}, {"hour", time.Hour},
	{"days", 24 * time.Hour}, {"day", 24 * time.Hour},
	{"ticks", 100 * time.Nanosecond}, {"tick", 100 * time.Nanosecond},
	{"micros", time.Microsecond}, {"micro", time.Microsecond},
	{"millis", time.Millisecond}, {"milli", time.Millisecond},
	{"mins", time.Minute}, {"min", time.Minute}, {"secs", time.Second}, {"sec", time.Second},
	{"hrs", time.Hour}, {"hr", time.Hour},
	{"ms", time.Millisecond}, {"d", 24 * time.Hour}, {"h", time.Hour},
	{"m", time.Minute}, {"s", time.Second},
}

// ParseTimespan reads a timespan: a number with a unit (1d, 1.5h, 100ms,
// 10microsecond, 1tick), [-][d.]hh:mm[:ss[.fffffff]], or a bare number of
// days (time(2) is two days).
func ParseTimespan(s string) (time.Duration, error) {
	bad := fmt.Errorf("'%s' is not a valid timespan literal", s)
	t := strings.TrimSpace(s)
	if len(t) >= 2 && (t[0] == '"' || t[0] == '\'') && t[len(t)-1] == t[0] {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	var d time.Duration
	if strings.Contains(t, ":") {
		days := 0.0
		clock := t
		if dot := strings.Index(t, "."); dot >= 0 && dot < strings.Index(t, ":") {
			n, err := strconv.ParseUint(t[:dot], 10, 32)
			if err != nil {
				return 0, bad
			}
			days, clock = float64(n), t[dot+1:]
		}
		parts := strings.Split(clock, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return 0, bad
		}
		h, err1 := strconv.ParseUint(parts[0], 10, 8)
		m, err2 := strconv.ParseUint(parts[1], 10, 8)
		sec := 0.0
		var err3 error
		if len(parts) == 3 {
			sec, err3 = strconv.ParseFloat(parts[2], 64)
		}
		if err1 != nil || err2 != nil || err3 != nil || h > 23 || m > 59 || sec < 0 || sec >= 60 {
			return 0, bad
		}
		d = time.Duration((days*86400 + float64(h)*3600 + float64(m)*60 + sec) * float64(time.Second))
	} else {
		unit := 24 * time.Hour // a bare number counts days
		num := t
		for _, u := range timespanUnits {
			if strings.HasSuffix(strings.ToLower(t), u.name) {
				unit, num = u.d, t[:len(t)-len(u.name)]
				break
			}
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f)*float64(unit) > math.MaxInt64 {
			return 0, bad
		}
		d = time.Duration(f * float64(unit))
	}
	if neg {
		d = -d
	}
	return d, nil
}
