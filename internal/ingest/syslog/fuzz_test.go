package syslog

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

// seeds returns the inputs of the unit tables (the raw string literals of
// the parser tests that look like messages) and the golden inputs.
func seeds(t testing.TB) []string {
	var out []string
	lit := regexp.MustCompile("`([^`]*)`")
	for _, name := range []string{"rfc3164_test.go", "rfc5424_test.go", "cef_test.go"} {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			if s := m[1]; strings.HasPrefix(s, "<") || strings.HasPrefix(s, "CEF:") || (len(s) > 3 && s[3] == ' ') {
				out = append(out, s)
			}
		}
	}
	files, _ := filepath.Glob("testdata/*/input.log")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if l := sc.Text(); l != "" && l[0] != '#' {
				out = append(out, l)
			}
		}
	}
	return out
}

func checkParseError(t *testing.T, s string, err error) {
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("%q: error %v is not a *ParseError", s, err)
	}
	if pe.Offset < 0 || pe.Offset > len(s) {
		t.Fatalf("%q: error offset %d outside the input", s, pe.Offset)
	}
}

func checkTime(t *testing.T, s string, tm time.Time) {
	if !tm.IsZero() && (tm.Year() < 1 || tm.Year() > 9999 || tm.Location() != time.UTC) {
		t.Fatalf("%q: timestamp %v", s, tm)
	}
}

func FuzzParseRFC3164(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseRFC3164(s, ref, time.UTC)
		if err != nil {
			checkParseError(t, s, err)
			return
		}
		if m.Priority < -1 || m.Priority > 191 {
			t.Fatalf("%q: PRI %d", s, m.Priority)
		}
		checkTime(t, s, m.Timestamp)
		if !strings.HasSuffix(s, m.Text) {
			t.Fatalf("%q: MSG %q is not the input's tail", s, m.Text)
		}
		if strings.ContainsAny(m.AppName, " :[") || strings.ContainsAny(m.Hostname, " ") {
			t.Fatalf("%q: TAG %q HOSTNAME %q", s, m.AppName, m.Hostname)
		}
	})
}

func FuzzParseRFC5424(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseRFC5424(s, time.UTC)
		if err != nil {
			checkParseError(t, s, err)
			return
		}
		checkTime(t, s, m.Timestamp)
		if !strings.HasSuffix(s, m.Text) || !strings.Contains(s, m.StructuredText) {
			t.Fatalf("%q: MSG %q / SD %q not from the input", s, m.Text, m.StructuredText)
		}
		for _, f := range []string{m.Hostname, m.AppName, m.ProcID, m.MsgID} {
			for i := 0; i < len(f); i++ {
				if f[i] < 33 || f[i] > 126 {
					t.Fatalf("%q: header field %q", s, f)
				}
			}
		}
		for _, el := range m.StructuredData {
			if el.ID == "" || len(el.ID) > maxSDName {
				t.Fatalf("%q: SD-ID %q", s, el.ID)
			}
		}
	})
}

func FuzzParseCEF(f *testing.F) {
	for _, s := range seeds(f) {
		if k := strings.Index(s, "CEF:"); k >= 0 {
			s = s[k:]
		}
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseCEF(s)
		if err != nil {
			checkParseError(t, s, err)
			return
		}
		for _, kv := range e.Extension {
			if kv.Key == "" || strings.ContainsAny(kv.Key, " =\\") {
				t.Fatalf("%q: key %q", s, kv.Key)
			}
		}
	})
}

// FuzzNormalize: no panic, and every row passes the store's checks, for
// detected records and for records forced on either format.
func FuzzNormalize(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add([]byte(s), "syslog/udp 192.0.2.1:514")
	}
	f.Add([]byte("<13>x"), "")
	opts := goldenOptions()
	normalizers := []ingest.Normalizer{NewSyslog(opts), NewCEF(opts)}
	f.Fuzz(func(t *testing.T, data []byte, source string) {
		in := &ingest.Input{Record: ingest.Record{Source: source, Line: 1, Data: data}}
		detected := 0
		for _, n := range normalizers {
			if n.Detect(in) {
				detected++
			}
			var rs ingest.RowSet
			if err := n.Normalize(in, &rs); err != nil {
				if err.Error() == "" {
					t.Fatal("empty error")
				}
				continue
			}
			if len(rs.Rows()) == 0 {
				t.Fatalf("%s: no row and no error for %q", n.Format(), data)
			}
			if err := ingesttest.ValidateRows(rs.Rows()); err != nil {
				t.Fatalf("%s: %q: %v", n.Format(), data, err)
			}
		}
		if detected > 1 {
			t.Fatalf("both formats detect %q", data)
		}
	})
}

// FuzzFramer: any byte stream ends (no loop), and no message is longer
// than the limit.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("12 <13>hello!!5 <13>x"))
	f.Add([]byte("<13>a\n<13>b\r\n\n" + strings.Repeat("z", 100) + "\nlast"))
	f.Add([]byte("99999999999 x"))
	f.Add([]byte("3 abc\n\n4 abcd"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := newFramer(bytes.NewReader(data), 32)
		for i := 0; i <= len(data); i++ {
			msg, err := fr.next()
			if err == nil {
				if len(msg) > 32+2 {
					t.Fatalf("message of %d bytes", len(msg))
				}
				continue
			}
			if errors.Is(err, ErrFrameTooLong) {
				continue
			}
			if err != io.EOF && !errors.Is(err, ErrBadFrame) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		t.Fatalf("no end after %d reads of %d bytes", len(data)+1, len(data))
	})
}
