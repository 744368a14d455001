package jsonenc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

func stdString(s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uo\te`, "\b\f\n\r\t\x00\x1f\x7f", "<a&b>", "é中文🙂", "\u2028\u2029", "bad\xff\xfeutf8", "\xed\xa0\x80"} {
		if got, want := AppendString(nil, s), stdString(s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00\u2028", "\xff", "C:\\Windows\\System32"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := AppendString(nil, s), stdString(s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}

// BenchmarkAppendString: Windows event data, a path-heavy value with
// backslashes every few bytes and a plain one.
func BenchmarkAppendString(b *testing.B) {
	for _, s := range []string{
		`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		`{1A2B3C4D-0000-1111-2222-333344445555} 0x1010 Microsoft-Windows-Sysmon/Operational NT AUTHORITY\SYSTEM`,
		`The quick brown fox jumps over the lazy dog, then runs a long plain ASCII sentence without anything to escape.`,
	} {
		b.Run(fmt.Sprint(len(s)), func(b *testing.B) {
			var buf []byte
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				buf = AppendString(buf[:0], s)
			}
		})
	}
}
