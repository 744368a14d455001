// Package jsonenc appends JSON text without reflection, for the hot paths
// that write it by hand (simulated rows, normalized raw events, hunting
// results, incident rows). Its output is byte for byte encoding/json's
// with HTML escaping off, so every writer agrees with the store's
// canonical form.
package jsonenc

import (
	"math/bits"
	"unicode/utf8"
)

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

// skipSafe returns the index of the first byte from i that needs care
// (below 0x20 or from 0x80 on, a quote or a backslash), or len(s). It
// tests 8 bytes at a time with the usual zero-byte tests on a word: each
// term's high bit is set where a byte matches, and a false match can
// only follow a true one, so the lowest set bit is the first byte.
func skipSafe(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		q := x ^ ('"' * ones)
		bs := x ^ ('\\' * ones)
		if m := (x | (x - 0x20*ones) | (q-ones)&^q | (bs-ones)&^bs) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if !safe[s[i]] {
			return i
		}
	}
	return i
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
		if i = skipSafe(s, i); i == len(s) {
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
