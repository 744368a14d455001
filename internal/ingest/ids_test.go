package ingest

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"testing"
)

func TestReportID(t *testing.T) {
	rec := []byte(`{"a":1}`)
	for _, c := range []struct {
		data  []byte
		parts []int
		want  int64
	}{
		// FNV-64a over the data, then each part as 8 little-endian bytes,
		// the top bit cleared: replayed files must keep their ids.
		{rec, nil, 2035207969192994993},
		{rec, []int{0}, 3231879856571164881},
		{rec, []int{1}, 999564449603575472},
		{rec, []int{0, 1}, 6762647273914196688},
		{nil, nil, 5472609002491880229},
		{nil, []int{0}, 2938590176187398597},
	} {
		got := ReportID(c.data, c.parts...)
		if got != c.want {
			t.Errorf("ReportID(%s, %v) = %d, want %d", c.data, c.parts, got, c.want)
		}
		if s := ReportIDString(c.data, c.parts...); s != strconv.FormatInt(c.want, 10) {
			t.Errorf("ReportIDString(%s, %v) = %s, want %d", c.data, c.parts, s, c.want)
		}
	}
	seen := map[int64]bool{}
	for row := range 1000 {
		id := ReportID(rec, row)
		if id < 0 || seen[id] {
			t.Fatalf("row %d: id %d negative or repeated", row, id)
		}
		seen[id] = true
	}
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestDeviceID(t *testing.T) {
	for _, c := range []struct {
		host, short, hashed string // hashed: what DeviceID hashes
	}{
		{"WORKSTATION6", "WORKSTATION6", "workstation6"},
		{"workstation6.theshire.local", "workstation6", "workstation6"},
		{"WORKSTATION6.theshire.local", "WORKSTATION6", "workstation6"},
		{"  Dc1.Xdr.Test ", "Dc1", "dc1"},
		{"10.0.0.1", "10.0.0.1", "10.0.0.1"},
		{"::ffff:10.0.0.1", "::ffff:10.0.0.1", "::ffff:10.0.0.1"},
		{"fe80::1", "fe80::1", "fe80::1"},
		{".hidden", ".hidden", ".hidden"},
		{"trailing.", "trailing", "trailing"},
		{"", "", ""},
	} {
		if got := ShortHostName(c.host); got != c.short {
			t.Errorf("ShortHostName(%q) = %q, want %q", c.host, got, c.short)
		}
		if got, want := DeviceID(c.host), sha1Hex(c.hashed); got != want {
			t.Errorf("DeviceID(%q) = %s, want SHA-1 of %q", c.host, got, c.hashed)
		}
	}
	if got := DeviceID("WORKSTATION6"); got != "d086f99ec44e63f53157996699a0dccb3861e945" {
		t.Errorf("DeviceID(WORKSTATION6) = %s", got)
	}
	for _, c := range []struct{ host, hashed string }{
		{"dc1.xdr.test", "dc1.xdr.test"},
		{"DC1.XDR.test", "dc1.xdr.test"},
		{"Bastion", "bastion"},
		{" padded ", " padded "},
		{"", ""},
	} {
		if got, want := FullNameDeviceID(c.host), sha1Hex(c.hashed); got != want {
			t.Errorf("FullNameDeviceID(%q) = %s, want SHA-1 of %q", c.host, got, c.hashed)
		}
	}
	if got := FullNameDeviceID("dc1.xdr.test"); got != "ddacd6ac8daee695b623501c23d6759e5d45ce9b" || len(got) != 40 {
		t.Errorf("FullNameDeviceID(dc1.xdr.test) = %s", got)
	}
}
