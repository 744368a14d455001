package geoip

import (
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
)

func TestRanges(t *testing.T) {
	for _, tc := range []struct {
		line string
		want map[string]any // nil: rejected
	}{
		{`1.0.0.0,1.0.0.255,AU`, map[string]any{"StartNumber": int64(1 << 24), "EndNumber": int64(1<<24 + 255), "Country": "AU"}},
		{`"20.0.0.0","20.255.255.255","OC","AU","New South Wales","Sydney","-33.8","151.2"`, map[string]any{"City": "Sydney", "Latitude": -33.8, "StartAddress": "20.0.0.0"}},
		{`16777216,16777471,AU,Australia,Queensland,Brisbane,-27.4,153.0`, map[string]any{"StartAddress": "1.0.0.0", "EndAddress": "1.0.0.255", "State": "Queensland"}},
		{`2a03:2880::,2a03:2880:ffff::,IE`, map[string]any{"StartNumber": nil, "Country": "IE"}},
		{`1.0.0.9,1.0.0.1,AU`, nil},
		{`1.0.0.0,2a03::1,AU`, nil},
		{`nonsense`, nil},
		{`1.0.0.0,1.0.0.1,AU,x,y,z,north,0`, nil},
	} {
		var rs ingest.RowSet
		err := Ranges{}.Normalize(&ingest.Input{Record: ingest.Record{Source: "f.csv", Data: []byte(tc.line)}}, &rs)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s: accepted", tc.line)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		row := rs.Rows()[0]
		for k, v := range tc.want {
			if got := row.Get(k); got != v {
				t.Errorf("%s: %s = %v (%T), want %v", tc.line, k, got, got, v)
			}
		}
	}
}

func FuzzRanges(f *testing.F) {
	f.Add(`1.0.0.0,1.0.0.255,AU`)
	f.Add(`"20.0.0.0","20.255.255.255","OC","AU","NSW","Sydney","-33.8","151.2"`)
	f.Fuzz(func(t *testing.T, line string) {
		var rs ingest.RowSet
		_ = Ranges{}.Normalize(&ingest.Input{Record: ingest.Record{Data: []byte(line)}}, &rs)
	})
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`1.0.0.0,1.0.0.255,AU`: true,
		`16777216,16777471,AU,Australia,Queensland,Brisbane,-27.4,153.0`: true,
		`1,2,3`:                false,
		`{"a":1}`:              false,
		`<13>Oct 11 host x: y`: false,
	} {
		if got := (Ranges{}).Detect(&ingest.Input{Record: ingest.Record{Data: []byte(line)}}); got != want {
			t.Errorf("Detect(%s) = %v", line, got)
		}
	}
}
