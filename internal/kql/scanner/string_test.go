package scanner

import "testing"

func TestUnquote(t *testing.T) {
	f := func(lit, want string) {
		t.Helper()
		got, err := Unquote(lit)
		if err != nil {
			t.Errorf("Unquote(%s): %v", lit, err)
			return
		}
		if got != want {
			t.Errorf("Unquote(%s) = %q, want %q", lit, got, want)
		}
	}
	f(`'abc'`, "abc")
	f(`"abc"`, "abc")
	f(`''`, "")
	f(`"it's"`, "it's")
	f(`'say \"hi\"'`, `say "hi"`)
	f(`"a\tb\nc\\d\'e"`, "a\tb\nc\\d'e")
	f(`"\a\b\f\r\v"`, "\a\b\f\r\v")
	f(`"\u0041\x42\103"`, "ABC")
	f(`"\0"`, "\x00")
	f(`"\12"`, "\n")
	f(`"\477"`, "'7") // three octal digits only when the first is at most 3
	f(`"\U0001F600"`, "😀")
	f(`"\uD83D\uDE00"`, "😀") // a UTF-16 surrogate pair is one character
	f(`"\uD83D"`, "\uFFFD")
	f(`@"C:\Windows\System32"`, `C:\Windows\System32`)
	f(`@"a""b"`, `a"b`)
	f(`@'a''b'`, `a'b`)
	f(`h"secret"`, "secret")
	f(`H@'c:\x'`, `c:\x`)
	f("```multi\nline \\n```", "multi\nline \\n")
	f("h```x```", "x")
}

func TestUnquoteErrors(t *testing.T) {
	for _, lit := range []string{``, `'`, `"abc`, `'abc"`, `"\q"`, `"\U7FFFFFFF"`, "```abc", "abc"} {
		if v, err := Unquote(lit); err == nil {
			t.Errorf("Unquote(%q) = %q, want an error", lit, v)
		}
	}
}

func TestQuote(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		got := Quote(in)
		if got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
		// Every quoted string scans as one string token with the same value.
		toks, _, errs := Tokenize(got)
		if len(errs) > 0 || len(toks) != 2 || toks[0].Lit != got {
			t.Errorf("Quote(%q) = %s does not scan back: %v %v", in, got, toks, errs)
		}
		if v, err := Unquote(got); err != nil || v != in {
			t.Errorf("Unquote(Quote(%q)) = %q, %v", in, v, err)
		}
	}
	f("abc", `"abc"`)
	f(`a"b`, `"a\"b"`)
	f(`C:\x`, `"C:\\x"`)
	f("a\nb\tc\rd", `"a\nb\tc\rd"`)
	f("\x00\x1f\x7f", `"\u0000\u001f\u007f"`)
	f("é😀", `"é😀"`)
	f("'", `"'"`)
}
