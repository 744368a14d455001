package syslog

import (
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
)

// cefTime reads a CEF timestamp (rt, start, end): milliseconds since the
// epoch, "MMM dd[ yyyy] HH:mm:ss[.SSS][ zzz]", or RFC 3339 and the other
// shapes ingest.ParseTime knows. A stamp without a zone is read in loc; a
// zone is honoured when it is UTC/GMT/Z, a numeric offset or an IANA name.
// An abbreviation such as "PST" is ambiguous, and the stamp is then not
// read at all rather than read wrong.
func cefTime(s string, ref time.Time, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if isDigit(s[0]) && !strings.ContainsAny(s, "-:/ T") {
		return ingest.ParseTime(s) // epoch seconds or milliseconds
	}
	if c, n, ok := bsdClock(s); ok && !c.unset {
		zone := strings.TrimSpace(s[n:])
		if !c.hasZone && zone != "" {
			z, ok := zoneOf(zone)
			if !ok {
				return time.Time{}, false
			}
			loc = z
		}
		return c.time(ref, loc)
	}
	if c, n, err := isoClock(s, true, false); err == nil && n == len(s) {
		return c.time(ref, loc)
	}
	return ingest.ParseTime(s)
}

// zoneOf reads a numeric offset or an IANA zone name.
func zoneOf(z string) (*time.Location, bool) {
	switch z {
	case "Z", "UTC", "GMT", "UT":
		return time.UTC, true
	}
	if (z[0] == '+' || z[0] == '-') && (len(z) == 5 || len(z) == 6) {
		c, n, err := isoClock("2000-01-01T00:00:00"+z, false, false)
		if err != nil || n != 19+len(z) {
			return nil, false
		}
		return time.FixedZone("", c.offset), true
	}
	return ianaZone(z)
}

// zoneCache remembers IANA lookups (reading tzdata costs a file read);
// it is bounded because zone names come from the network.
var zoneCache struct {
	sync.Mutex
	m map[string]*time.Location
}

const maxZoneCache = 256

// ianaZone loads an IANA zone ("Europe/Berlin"). Only names with a slash
// are tried: bare abbreviations are ambiguous, and LoadLocation would
// accept only the few that are also file names ("EST", "MST").
func ianaZone(name string) (*time.Location, bool) {
	if !strings.Contains(name, "/") || len(name) > 64 || strings.Contains(name, "..") {
		return nil, false
	}
	zoneCache.Lock()
	defer zoneCache.Unlock()
	if l, ok := zoneCache.m[name]; ok {
		return l, l != nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = nil
	}
	if zoneCache.m == nil {
		zoneCache.m = map[string]*time.Location{}
	}
	if len(zoneCache.m) < maxZoneCache {
		zoneCache.m[name] = l
	}
	return l, l != nil
}
