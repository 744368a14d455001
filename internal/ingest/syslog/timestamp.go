package syslog

import (
	"time"
)

// yearTolerance is how far in the future of the receipt time a BSD
// timestamp (which has no year) may lie and still be read in the
// receipt's year: senders write local time, up to 14 hours ahead of UTC,
// and clocks drift. A stamp later than that belongs to the previous year
// (a "Dec 31 23:59:59" received on January 1st), and one just after New
// Year received on December 31st belongs to the next.
const yearTolerance = 48 * time.Hour

var months = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April,
	"may": time.May, "jun": time.June, "jul": time.July, "aug": time.August,
	"sep": time.September, "oct": time.October, "nov": time.November, "dec": time.December,
}

// monthAt reads a three-letter English month name, any case.
func monthAt(s string) (time.Month, bool) {
	if len(s) < 3 {
		return 0, false
	}
	var b [3]byte
	for i := 0; i < 3; i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c < 'a' || c > 'z' {
			return 0, false
		}
		b[i] = c
	}
	m, ok := months[string(b[:])]
	return m, ok
}

// digits reads exactly n decimal digits at s[i:].
func digits(s string, i, n int) (int, bool) {
	if i < 0 || i+n > len(s) {
		return 0, false
	}
	v := 0
	for k := i; k < i+n; k++ {
		if !isDigit(s[k]) {
			return 0, false
		}
		v = v*10 + int(s[k]-'0')
	}
	return v, true
}

// fraction reads the digits after a decimal point at s[i:] as
// nanoseconds; digits beyond the ninth are read and ignored.
func fraction(s string, i int) (ns, end int) {
	scale := 100_000_000
	for i < len(s) && isDigit(s[i]) {
		if scale > 0 {
			ns += int(s[i]-'0') * scale
			scale /= 10
		}
		i++
	}
	return ns, i
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// clock holds the fields of a timestamp before its zone is known.
type clock struct {
	year             int
	month            time.Month
	day              int
	hour, min, sec   int
	nsec             int
	hasYear, hasZone bool
	offset           int  // seconds east of UTC, when hasZone
	unset            bool // Cisco's '*': the device's clock is not set
}

func (c *clock) valid() bool {
	return c.month >= time.January && c.month <= time.December && c.day >= 1 &&
		c.hour <= 23 && c.min <= 59 && c.sec <= 59 &&
		(!c.hasYear || (c.year >= 1 && c.year <= 9999 && c.day <= daysIn(c.month, c.year)))
}

// time returns the instant in UTC: in the timestamp's own zone, else in
// loc; a missing year is inferred from ref.
func (c *clock) time(ref time.Time, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	if c.hasZone {
		loc = time.FixedZone("", c.offset)
	}
	if c.hasYear {
		return time.Date(c.year, c.month, c.day, c.hour, c.min, c.sec, c.nsec, loc).UTC(), true
	}
	// The latest year in which the stamp exists (29 February) and is not
	// later than ref plus the tolerance.
	limit := ref.Add(yearTolerance)
	y := ref.In(loc).Year() + 1
	for k := 0; k < 10; k++ {
		if c.day <= daysIn(c.month, y-k) {
			t := time.Date(y-k, c.month, c.day, c.hour, c.min, c.sec, c.nsec, loc)
			if !t.After(limit) && t.Year() >= 1 {
				return t.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// isoClock reads YYYY-MM-DD{T|t}hh:mm:ss[.frac][Z|±hh:mm|±hhmm] at the
// start of s; with space, a space may separate date and time. It returns
// the bytes consumed, or an error at an offset of s.
func isoClock(s string, space, emptyFraction bool) (clock, int, *ParseError) {
	var c clock
	var ok bool
	if c.year, ok = digits(s, 0, 4); !ok {
		return c, 0, errAt(0, "expected a four-digit year")
	}
	if len(s) < 5 || s[4] != '-' {
		return c, 0, errAt(4, "expected '-' after the year")
	}
	m, ok := digits(s, 5, 2)
	if !ok || len(s) < 8 || s[7] != '-' {
		return c, 0, errAt(5, "expected a two-digit month and '-'")
	}
	c.month = time.Month(m)
	if c.day, ok = digits(s, 8, 2); !ok {
		return c, 0, errAt(8, "expected a two-digit day")
	}
	if len(s) < 11 || !(s[10] == 'T' || s[10] == 't' || (space && s[10] == ' ')) {
		return c, 0, errAt(10, "expected 'T' between date and time")
	}
	c.hour, ok = digits(s, 11, 2)
	if ok && len(s) > 13 && s[13] == ':' {
		c.min, ok = digits(s, 14, 2)
	} else {
		ok = false
	}
	if ok && len(s) > 16 && s[16] == ':' {
		c.sec, ok = digits(s, 17, 2)
	} else {
		ok = false
	}
	if !ok {
		return c, 0, errAt(11, "expected hh:mm:ss")
	}
	c.hasYear = true
	i := 19
	if i < len(s) && s[i] == '.' {
		var end int
		c.nsec, end = fraction(s, i+1)
		if end == i+1 && !emptyFraction {
			return c, 0, errAt(i+1, "expected digits after '.'")
		}
		i = end
	}
	if i < len(s) {
		switch s[i] {
		case 'Z', 'z':
			c.hasZone = true
			i++
		case '+', '-':
			h, ok := digits(s, i+1, 2)
			j := i + 3
			if ok && j < len(s) && s[j] == ':' {
				j++
			}
			mm, ok2 := digits(s, j, 2)
			if !ok || !ok2 || h > 23 || mm > 59 {
				return c, 0, errAt(i, "invalid time zone offset")
			}
			c.offset = h*3600 + mm*60
			if s[i] == '-' {
				c.offset = -c.offset
			}
			c.hasZone = true
			i = j + 2
		}
	}
	if !c.valid() {
		return c, 0, errAt(0, "date or time out of range")
	}
	return c, i, nil
}

// zoneNames are the zone abbreviations devices print after a BSD
// timestamp (Cisco's "service timestamps ... show-timezone"). Only these
// are consumed, so that a TAG such as "CRON:" is never taken for a zone.
var zoneNames = map[string]bool{
	"EST": true, "EDT": true, "CST": true, "CDT": true, "MST": true, "MDT": true,
	"PST": true, "PDT": true, "AKST": true, "AKDT": true, "HST": true,
	"WET": true, "WEST": true, "BST": true, "CET": true, "CEST": true, "MET": true,
	"MEST": true, "EET": true, "EEST": true, "MSK": true, "IST": true, "SGT": true,
	"HKT": true, "JST": true, "KST": true, "AEST": true, "AEDT": true, "ACST": true,
	"ACDT": true, "AWST": true, "NZST": true, "NZDT": true,
}

// bsdClock reads a BSD timestamp and the variants devices write at the
// start of s:
//
//	[*|.]Mmm [d]d [yyyy ]hh:mm:ss[.frac][ yyyy][ ZONE][:]
//
// '*' and '.' are Cisco's marks of an unset or unsynchronised clock; the
// year before the time is Cisco ASA's, after it Linksys's; a trailing
// colon is Cisco's too. ZONE is read only when it is UTC or GMT, or a
// known abbreviation followed by a colon (Cisco's "PST:"); zones other
// than UTC fall back to the configured location, since abbreviations are
// ambiguous (CST, IST). It returns the
// bytes consumed, or false when s does not start with such a timestamp.
func bsdClock(s string) (clock, int, bool) {
	var c clock
	i := 0
	if i < len(s) && (s[i] == '*' || s[i] == '.') {
		c.unset = s[i] == '*'
		i++
	}
	m, ok := monthAt(s[i:])
	if !ok {
		return c, 0, false
	}
	c.month = m
	i += 3
	if i >= len(s) || s[i] != ' ' {
		return c, 0, false
	}
	i++
	if i < len(s) && s[i] == ' ' {
		i++
	}
	switch {
	case i+1 < len(s) && isDigit(s[i]) && isDigit(s[i+1]):
		c.day = int(s[i]-'0')*10 + int(s[i+1]-'0')
		i += 2
	case i < len(s) && isDigit(s[i]):
		c.day = int(s[i] - '0')
		i++
	default:
		return c, 0, false
	}
	if i >= len(s) || s[i] != ' ' {
		return c, 0, false
	}
	i++
	if y, ok := digits(s, i, 4); ok && i+4 < len(s) && s[i+4] == ' ' {
		c.year, c.hasYear = y, true
		i += 5
	}
	h, ok1 := digits(s, i, 2)
	mm, ok2 := digits(s, i+3, 2)
	sec, ok3 := digits(s, i+6, 2)
	if !ok1 || !ok2 || !ok3 || s[i+2] != ':' || s[i+5] != ':' {
		return c, 0, false
	}
	c.hour, c.min, c.sec = h, mm, sec
	i += 8
	if i < len(s) && s[i] == '.' {
		c.nsec, i = fraction(s, i+1)
	}
	if !c.hasYear && i+5 <= len(s) && s[i] == ' ' {
		if y, ok := digits(s, i+1, 4); ok && y >= 1970 && y <= 2100 && (i+5 == len(s) || s[i+5] == ' ') {
			c.year, c.hasYear = y, true
			i += 5
		}
	}
	if i < len(s) && s[i] == ' ' {
		j := i + 1
		for j < len(s) && j-i <= 6 && s[j] >= 'A' && s[j] <= 'Z' {
			j++
		}
		zone := s[i+1 : j]
		end := j == len(s) || s[j] == ' ' || s[j] == ':'
		switch {
		case end && (zone == "UTC" || zone == "GMT" || zone == "UT"):
			c.hasZone = true
			i = j
		case zoneNames[zone] && j < len(s) && s[j] == ':':
			i = j // named zone: consumed, read in the configured location
		}
	}
	if i < len(s) && s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ') {
		i++
	}
	if i < len(s) && s[i] != ' ' {
		return c, 0, false
	}
	if !c.valid() || c.day > 31 {
		return c, 0, false
	}
	return c, i, true
}
