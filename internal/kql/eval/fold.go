package eval

import "strings"

// Case-insensitive matching without allocating: when the haystack is
// ASCII (the common case), bytes are folded on the fly; otherwise it is
// lowercased with strings.ToLower, as the SQL path's lower() does.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// eqFold reports whether lower(h) == n for a lowercase n.
func eqFold(h, n string) bool {
	if !isASCII(h) {
		return strings.ToLower(h) == n
	}
	if len(h) != len(n) {
		return false
	}
	for i := 0; i < len(h); i++ {
		if lowerByte(h[i]) != n[i] {
			return false
		}
	}
	return true
}

// indexFoldASCII finds lowercase n in ASCII h from off, folding h.
func indexFoldASCII(h, n string, off int) int {
	if len(n) == 0 {
		return off
	}
	first := n[0]
	for i := off; i+len(n) <= len(h); i++ {
		if lowerByte(h[i]) != first {
			continue
		}
		j := 1
		for j < len(n) && lowerByte(h[i+j]) == n[j] {
			j++
		}
		if j == len(n) {
			return i
		}
	}
	return -1
}

// foldTest runs a string test case-insensitively for a lowercase needle.
func foldTest(base string, h, n string, startB, endB bool) bool {
	if !isASCII(h) {
		h = strings.ToLower(h)
		switch base {
		case "contains":
			return strings.Contains(h, n)
		case "startswith":
			return strings.HasPrefix(h, n)
		case "endswith":
			return strings.HasSuffix(h, n)
		}
		return hasTerm(h, n, startB, endB)
	}
	switch base {
	case "contains":
		return indexFoldASCII(h, n, 0) >= 0
	case "startswith":
		return len(h) >= len(n) && eqFoldASCII(h[:len(n)], n)
	case "endswith":
		return len(h) >= len(n) && eqFoldASCII(h[len(h)-len(n):], n)
	}
	return hasTermIdx(h, n, startB, endB, indexFoldASCII)
}

func eqFoldASCII(h, n string) bool {
	for i := 0; i < len(h); i++ {
		if lowerByte(h[i]) != n[i] {
			return false
		}
	}
	return true
}
