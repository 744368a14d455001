package hunt

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestExternalAllowed(t *testing.T) {
	x := &External{AllowedPrefixes: []string{"https://feeds.example.org/"}}
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://feeds.example.org/iocs.csv", true},
		{"https://feeds.example.org.evil.test/iocs.csv", false},
		{"https://feeds.example.org@10.0.0.1/iocs.csv", false},
		{"http://feeds.example.org/iocs.csv", false},
		{"file:///etc/passwd", false},
		{"https://169.254.169.254/latest/meta-data", false},
		{"::", false},
	} {
		if err := x.Allowed(tc.url); (err == nil) != tc.ok {
			t.Errorf("Allowed(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

func TestExternalDataRuns(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/iocs.csv":
			w.Write([]byte("Hash,Score\nabc,5\ndef,\n"))
		case "/big.txt":
			w.Write([]byte(strings.Repeat("x", 2048)))
		case "/redirect":
			http.Redirect(w, r, "http://elsewhere.invalid/", http.StatusFound)
		}
	}))
	defer srv.Close()
	eng := &Engine{Store: openTestStore(t), External: &External{AllowedPrefixes: []string{srv.URL + "/"}, MaxBytes: 1024}}
	run := func(q string) (*Result, error) {
		return eng.Run(context.Background(), Request{Query: q, Timeout: 10 * time.Second})
	}
	res, err := run(`externaldata(Hash:string, Score:long)["` + srv.URL + `/iocs.csv"] with (format="csv", ignoreFirstRecord=true) | order by Hash asc`)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 || res.Rows[0][0] != "abc" || res.Rows[0][1] != int64(5) || res.Rows[1][1] != nil {
		t.Fatalf("rows = %v", res.Rows)
	}
	for _, q := range []string{
		`externaldata(x:string)["` + srv.URL + `/big.txt"] with (format="txt")`,
		`externaldata(x:string)["` + srv.URL + `/redirect"] with (format="txt")`,
		`externaldata(x:string)["https://not-allowed.invalid/x"] with (format="txt")`,
	} {
		if _, err := run(q); err == nil {
			t.Errorf("%s: no error", q)
		}
	}
	off := &Engine{Store: eng.Store}
	if _, err := off.Run(context.Background(), Request{Query: `externaldata(x:string)["` + srv.URL + `/iocs.csv"]`}); err == nil || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("without a policy: %v", err)
	}
}

func TestFileProfileFromTelemetry(t *testing.T) {
	st := openTestStore(t)
	appendRows(t, st, "DeviceFileEvents", []map[string]any{
		{"Timestamp": fuzzNow.Add(-2 * time.Hour), "DeviceId": "d1", "SHA1": "aaa", "SHA256": "A256", "FileName": "evil.exe", "FileSize": int64(10)},
		{"Timestamp": fuzzNow.Add(-1 * time.Hour), "DeviceId": "d2", "SHA1": "aaa", "FileName": "evil.exe", "FileSize": int64(10)},
		{"Timestamp": fuzzNow.Add(-1 * time.Hour), "DeviceId": "d2", "SHA1": "bbb", "FileName": "notes.txt"},
	})
	appendRows(t, st, "DeviceFileCertificateInfo", []map[string]any{
		{"Timestamp": fuzzNow.Add(-1 * time.Hour), "SHA1": "aaa", "IsSigned": true, "IsTrusted": false, "Signer": "Evil Corp"},
	})
	eng := &Engine{Store: st, Now: func() time.Time { return fuzzNow }}
	res, err := eng.Run(context.Background(), Request{Query: `DeviceFileEvents | distinct SHA1 | invoke FileProfile() | project SHA1, SHA256, GlobalPrevalence, Signer, SignatureState, IsExecutable | order by SHA1 asc`})
	if err != nil {
		t.Fatal(err)
	}
	want := "[[aaa A256 2 Evil Corp SignedInvalid true] [bbb  1  Unknown false]]"
	if got := fmt.Sprint(res.Rows); got != want {
		t.Errorf("FileProfile rows = %s, want %s", got, want)
	}
}

func TestPivotAndBagUnpack(t *testing.T) {
	eng := &Engine{Store: openTestStore(t)}
	for _, tc := range []struct{ q, want string }{
		{`datatable(d:string, a:string, n:long)["x","p",1, "x","q",2, "y","p",3] | evaluate pivot(a, sum(n)) | order by d asc`, "[[x 1 2] [y 3 <nil>]]"},
		{`datatable(d:string, a:string)["x","p", "x","q", "x","q"] | evaluate pivot(a)`, "[[x 1 2]]"},
		{`datatable(b:dynamic)[dynamic({"k":1,"j":"s"}), dynamic({"k":2})] | evaluate bag_unpack(b) | project j = tostring(j), k = tolong(k) | order by k asc`, "[[s 1] [ 2]]"},
	} {
		res, err := eng.Run(context.Background(), Request{Query: tc.q})
		if err != nil {
			t.Errorf("%s: %v", tc.q, err)
			continue
		}
		if got := fmt.Sprint(res.Rows); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.q, got, tc.want)
		}
	}
}

func TestGeoInfoFromImportedRanges(t *testing.T) {
	st := openTestStore(t)
	eng := &Engine{Store: st}
	q := `print a = geo_info_from_ip_address("20.53.203.50"), b = geo_info_from_ip_address("10.0.0.1"), c = geo_info_from_ip_address("2a03:2880::1")`
	res, err := eng.Run(context.Background(), Request{Query: q})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Rows[0]); got != "[<nil> <nil> <nil>]" {
		t.Errorf("before an import: %s", got)
	}
	appendRows(t, st, "GeoIPRanges", []map[string]any{
		{"StartAddress": "20.0.0.0", "EndAddress": "20.255.255.255", "StartNumber": int64(20 << 24), "EndNumber": int64(21<<24 - 1), "Country": "Australia", "State": "New South Wales", "City": "Sydney", "Latitude": -33.8, "Longitude": 151.2},
	})
	res, err = eng.Run(context.Background(), Request{Query: q})
	if err != nil {
		t.Fatal(err)
	}
	if got := remarshal(res.Rows[0][0].(json.RawMessage)); got != `{"city":"Sydney","country":"Australia","latitude":-33.8,"longitude":151.2,"state":"New South Wales"}` {
		t.Errorf("after an import: %s", got)
	}
	if res.Rows[0][1] != nil || res.Rows[0][2] != nil {
		t.Errorf("private and IPv6 addresses: %v", res.Rows[0][1:])
	}
}
