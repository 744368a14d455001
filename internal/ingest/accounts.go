package ingest

import "strings"

// SplitAccount splits DOMAIN\user (at the first backslash) or, failing
// that, user@domain (at the last "@", not a leading one) into name and
// domain; other text is a name without domain. Note the order of the
// results: name first.
func SplitAccount(s string) (name, domain string) {
	if d, n, ok := strings.Cut(s, `\`); ok {
		return n, d
	}
	if i := strings.LastIndexByte(s, '@'); i > 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// SplitUPN is SplitAccount for text that is usually a user principal
// name: user@domain is tried first, then DOMAIN\user, so
// "DOM\a@b.example" is the user "DOM\a" of b.example.
func SplitUPN(s string) (name, domain string) {
	if i := strings.LastIndexByte(s, '@'); i > 0 {
		return s[:i], s[i+1:]
	}
	return SplitAccount(s)
}
