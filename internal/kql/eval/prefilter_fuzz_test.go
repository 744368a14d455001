package eval

import (
	"strings"
	"testing"
)

// FuzzRegexRequired checks that the literals required() proves for a
// pattern are in every ASCII text the pattern matches.
func FuzzRegexRequired(f *testing.F) {
	for _, s := range []struct{ re, text string }{
		{`(?i)-enc\s+[a-z]{4}`, "x -ENC abcd"}, {"abc|xyz", "xyz"}, {"(ab)?cd", "cd"}, {"(?:fooo)+bar", "fooobar"},
		{`\\cmd\.exe$`, `C:\cmd.exe`}, {"a{2,}b", "aab"}, {`"(?:\{\d\})+"\s*-f`, `"{0}{1}" -f`}, {"(?:x+yz)+q", "xyzxxyzq"}, {"(?i)ſ", "S"}, {"x(?:a|b)y", "xby"}, {"^$", ""},
	} {
		f.Add(s.re, s.text)
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 200 || !isASCII(text) {
			return
		}
		re, err := compileRegex(pattern)
		if err != nil || !re.MatchString(text) {
			return
		}
		cs := regexClause(0, pattern)
		if cs == nil {
			return
		}
		low := strings.ToLower(text)
		for _, a := range cs[0] {
			if strings.Contains(low, a.lit) {
				return
			}
		}
		t.Errorf("%q matches %q but contains none of %v", pattern, text, cs[0])
	})
}

// FuzzACMatcher compares the matcher with strings.Contains.
func FuzzACMatcher(f *testing.F) {
	f.Add("abc,bc,c", "xABCx")
	f.Add("he,she,his,hers", "ushers")
	f.Add(`\cmd.exe,.exe`, `C:\Windows\CMD.EXE`)
	f.Fuzz(func(t *testing.T, pats, text string) {
		seen := map[string]bool{}
		var list []string
		for _, p := range strings.Split(strings.ToLower(pats), ",") {
			if p != "" && isASCII(p) && !seen[p] {
				seen[p] = true
				list = append(list, p)
			}
		}
		if len(list) == 0 {
			return
		}
		m := newACMatcher(list)
		hits, ok := m.scan(text, nil)
		if ok != isASCII(text) {
			t.Fatalf("scan(%q) ok = %v", text, ok)
		}
		if !ok {
			return
		}
		got := map[int32]bool{}
		for _, h := range hits {
			got[h] = true
		}
		for i, p := range list {
			if want := strings.Contains(strings.ToLower(text), p); want != got[int32(i)] {
				t.Errorf("patterns %q in %q: %q found %v, want %v", list, text, p, got[int32(i)], want)
			}
		}
	})
}
