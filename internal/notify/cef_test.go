package notify

import (
	"maps"
	"strings"
	"testing"
	"time"
)

func TestCEFGolden(t *testing.T) {
	ev := Event{Type: IncidentCreated, Time: time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC), Subject: "17",
		Title: `Ransomware | on "FS01"`, Severity: "High",
		Attrs: []Attr{{Key: "suser", Value: `CONTOSO\alice`}, {Key: "cs1", Label: "status", Value: "New"},
			{Key: "msg", Value: "a=b\nnext line"}, {Key: "bad key", Value: "dropped"}, {Key: "dhost", Value: ""}}}
	got := CEF(ev, "0.3.0")
	want := `CEF:0|Vigil|Vigil XDR|0.3.0|incident.created|Ransomware \| on "FS01"|8|rt=1795741323000 externalId=17 cat=incident.created suser=CONTOSO\\alice cs1=New cs1Label=status msg=a\=b\nnext line`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestCEFRoundTrip(t *testing.T) {
	values := []string{"", "plain", `back\slash`, "pipe|pipe", "eq=eq", "two words", "line\nbreak", "cr\rlf\r\n", "trailing ", " k=v lookalike", `\=`, "ünïcødé"}
	for _, v := range values {
		ev := Event{Type: "incident.updated", Title: v, Subject: v, Severity: "Low", Time: time.Unix(0, 0),
			Attrs: []Attr{{Key: "cs2", Label: v, Value: v + "x"}, {Key: "suser", Value: "u" + v}}}
		header, ext, err := ParseCEF(CEF(ev, "v|1"))
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		title := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(v)
		if len(header) != 7 || header[3] != "v|1" || header[5] != title || header[6] != "3" {
			t.Errorf("%q: header %q", v, header)
		}
		want := map[string]string{"rt": "0", "externalId": v, "cat": "incident.updated", "cs2": v + "x", "suser": "u" + v}
		if v != "" {
			want["cs2Label"] = v
		}
		if v == "" {
			delete(want, "externalId") // an empty value is written as "externalId=" and reads back empty
			want["externalId"] = ""
		}
		if !maps.Equal(ext, want) {
			t.Errorf("%q: ext %q, want %q", v, ext, want)
		}
	}
}

func TestParseCEFErrors(t *testing.T) {
	for _, in := range []string{"", "LEEF:1|x", "CEF:0|a|b", "CEF:0|a|b|c|d|e|5|=novalue", "CEF:0|a|b|c|d|e|5|k!=v"} {
		if _, _, err := ParseCEF(in); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}

// FuzzCEF: any event formats to a line that parses back to its values.
func FuzzCEF(f *testing.F) {
	f.Add("title", "sub", "value", "label")
	f.Add(`a\|b`, "x=y", "line\nbreak", `\`)
	f.Add("", "", " k=v", "=")
	f.Fuzz(func(t *testing.T, title, subject, value, label string) {
		ev := Event{Type: IncidentUpdated, Title: title, Subject: subject, Severity: "Medium", Time: time.Unix(1, 0),
			Attrs: []Attr{{Key: "cs1", Label: label, Value: value}}}
		line := CEF(ev, "1")
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("line break in %q", line)
		}
		_, ext, err := ParseCEF(line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if ext["externalId"] != subject || (value != "" && ext["cs1"] != value) || (value != "" && label != "" && ext["cs1Label"] != label) {
			t.Fatalf("%q: ext %q", line, ext)
		}
	})
}
