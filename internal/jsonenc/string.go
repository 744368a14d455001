// Package jsonenc appends JSON text without reflection, for the hot paths
// that write it by hand (simulated rows, normalized raw events, hunting
// results, incident rows). Its output is byte for byte encoding/json's
// with HTML escaping off, so every writer agrees with the store's
// canonical form.
package jsonenc

import "unicode/utf8"

// safe[c] says ASCII byte c needs no escaping inside a JSON string; bytes
// from 0x80 on take the UTF-8 path.
var safe = func() (t [256]bool) {
	for i := range t {
		t[i] = i >= 0x20 && i < utf8.RuneSelf && i != '"' && i != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// safe8 says none of the 8 bytes of s needs care: no byte below 0x20 or
// from 0x80 on, no quote, no backslash (the usual zero-byte tests on a
// word: each term's high bit is set exactly where a byte matches).
func safe8(s string) bool {
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	q := x ^ ('"' * ones)
	b := x ^ ('\\' * ones)
	bad := (x - 0x20*ones) | (q - ones) &^ q | (b - ones) &^ b
	return (bad|x)&highs == 0
}

// AppendString appends s as a quoted JSON string: quotes, backslashes and
// control characters escaped (\b \f \n \r \t short), invalid UTF-8
// replaced by U+FFFD, and U+2028 and U+2029 escaped so the text is also
// valid JavaScript. Text is almost always plain ASCII, so the loop only
// looks at bytes until one needs care.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight plain bytes at a time: most text has long safe runs.
		for i+8 <= len(s) && safe8(s[i:i+8]) {
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if safe[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
			case r == '\u2028' || r == '\u2029':
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			default:
				i += size
				continue
			}
			i += size
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
