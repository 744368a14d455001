// Package geoip reads IP geolocation range files into the GeoIPRanges
// reference table, which geo_info_from_ip_address() reads. Vigil ships no
// location data and fetches none: an administrator imports a file with
// `vigil ingest --format dbip-csv FILE`.
//
// Accepted lines (CSV, optionally quoted):
//
//	start,end,country                                  DB-IP country lite
//	start,end,continent,country,state,city,lat,lon     DB-IP city lite
//	from,to,code,country,state,city,lat,lon            IP2Location LITE DB5 (numeric from/to)
package geoip

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Ranges is the dbip-csv format.
type Ranges struct{}

// Format implements ingest.Normalizer.
func (Ranges) Format() string { return "dbip-csv" }

// Detect implements ingest.Normalizer: a CSV line of 3 or 8 fields that
// starts with two addresses (two numbers only in the 8-field form).
func (Ranges) Detect(in *ingest.Input) bool {
	if in.JSON != nil {
		return false
	}
	f, err := csv.NewReader(bytes.NewReader(in.Data)).Read()
	if err != nil || len(f) != 3 && len(f) != 8 {
		return false
	}
	for _, field := range f[:2] {
		if _, err := netip.ParseAddr(strings.TrimSpace(field)); err != nil {
			if _, nerr := strconv.ParseUint(strings.TrimSpace(field), 10, 32); nerr != nil || len(f) != 8 {
				return false
			}
		}
	}
	return true
}

// Normalize implements ingest.Normalizer.
func (Ranges) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	r := csv.NewReader(bytes.NewReader(in.Data))
	f, err := r.Read()
	if err != nil {
		return fmt.Errorf("not a CSV line: %v", err)
	}
	if len(f) != 3 && len(f) != 8 {
		return fmt.Errorf("want 3 or 8 fields, got %d", len(f))
	}
	start, startNum, err := address(f[0])
	if err != nil {
		return fmt.Errorf("start: %v", err)
	}
	end, endNum, err := address(f[1])
	if err != nil {
		return fmt.Errorf("end: %v", err)
	}
	if (startNum == nil) != (endNum == nil) || startNum != nil && *endNum < *startNum {
		return fmt.Errorf("range %s - %s is not an IPv4 or IPv6 range in order", start, end)
	}
	row := out.New("GeoIPRanges")
	row.SetString("StartAddress", start).SetString("EndAddress", end).SetString("Source", in.Source)
	if startNum != nil {
		row.Set("StartNumber", *startNum).Set("EndNumber", *endNum)
	}
	if len(f) == 3 {
		row.SetString("Country", f[2])
		return nil
	}
	row.SetString("Country", f[3]).SetString("State", f[4]).SetString("City", f[5])
	for i, col := range []string{"Latitude", "Longitude"} {
		if s := strings.TrimSpace(f[6+i]); s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("%s: %v", strings.ToLower(col), err)
			}
			row.Set(col, v)
		}
	}
	return nil
}

// address reads an address, or an IPv4 address written as a number, and
// returns its text and, for IPv4, its number.
func address(s string) (string, *int64, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > 0xFFFFFFFF {
			return "", nil, fmt.Errorf("%s is not an IPv4 number", s)
		}
		a := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
		return a.String(), &n, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", nil, err
	}
	if a.Is4() || a.Is4In6() {
		b := a.Unmap().As4()
		n := int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3])
		return a.Unmap().String(), &n, nil
	}
	return a.String(), nil, nil
}
