package duckdb

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"strings"
	"testing"
)

func TestDecompressUDFs(t *testing.T) {
	zlibOf := func(s string) string {
		var b bytes.Buffer
		w := zlib.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return base64.StdEncoding.EncodeToString(b.Bytes())
	}
	gzipOf := func(s string, name string) string {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Name = name // a name sets FLG.FNAME, which Kusto refuses
		w.Write([]byte(s))
		w.Close()
		return base64.StdEncoding.EncodeToString(b.Bytes())
	}
	z, g := textUDFs["vigil_zlib_decompress_b64"], textUDFs["vigil_gzip_decompress_b64"]
	for _, c := range []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{"zlib, Kusto's example", z, "eJwLSS0uUSguKcrMS1cwNDIGACxqBQ4=", "Test string 123"},
		{"zlib, round trip", z, zlibOf("héllo, wörld"), "héllo, wörld"},
		{"zlib, not base64", z, "x0x0x0", ""},
		{"zlib, not zlib", z, base64.StdEncoding.EncodeToString([]byte("plain text")), ""},
		{"zlib, truncated", z, zlibOf("some text to cut")[:12], ""},
		{"zlib, not UTF-8", z, zlibOf("\xff\xfe"), ""},
		{"zlib, a bomb", z, zlibOf(strings.Repeat("a", MaxDecompressed+1)), ""},
		{"zlib, at the bound", z, zlibOf(strings.Repeat("b", 1000)), strings.Repeat("b", 1000)},
		{"gzip, Kusto's example", g, "H4sIAAAAAAAA/wEUAOv/MTIzNDU2Nzg5MHF3ZXJ0eXVpb3A6m7f2FAAAAA==", "1234567890qwertyuiop"},
		{"gzip, round trip", g, gzipOf("abc", ""), "abc"},
		{"gzip, FLG not 0", g, gzipOf("abc", "f.txt"), ""},
		{"gzip, zlib data", g, zlibOf("abc"), ""},
		{"gzip, empty", g, "", ""},
	} {
		if got := c.fn(c.in); got != c.want {
			if len(got) > 40 {
				got = got[:40] + "..."
			}
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// FuzzInflate: any text gives a string (UTF-8, within the bound), never a
// panic or a hang.
func FuzzInflate(f *testing.F) {
	f.Add("eJwLSS0uUSguKcrMS1cwNDIGACxqBQ4=")
	f.Add("H4sIAAAAAAAA/wEUAOv/MTIzNDU2Nzg5MHF3ZXJ0eXVpb3A6m7f2FAAAAA==")
	f.Add("x0x0x0")
	f.Fuzz(func(t *testing.T, s string) {
		for _, fn := range textUDFs {
			if out := fn(s); len(out) > MaxDecompressed {
				t.Fatalf("%d bytes out", len(out))
			}
		}
	})
}
