package scanner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/token"
)

// FuzzScan checks the scanner's invariants on arbitrary input: it does not
// panic, every token is the exact source text at its position, tokens are
// in order and do not overlap, the last token is EOF at the end, errors
// have positions inside the input, and string literals decode.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"", "T | where x > 1", `print "a\tb", @'c''d', h"x", H@'y', ` + "```m\nl```",
		"datetime(2024-01-01 10:00) int(null) real(+inf)", "1d 1.5h 100ms 2mins 0x1F 1e5 5. 1..2",
		"mv-expand project-away !contains !in~ in~ a-b", "$left.x ['a b'] [\"c\"]", "// c\n|", "!", "'\\", "@", "\xff",
		"74be27de-1e4e-49d9-b579-fe0b331d3642", "\uFEFFa\u200bb",
	} {
		f.Add(s)
	}
	if files, _ := filepath.Glob(filepath.Join("..", "parser", "testdata", "*", "*.kql")); files != nil {
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		toks, file, errs := Tokenize(src)
		if len(toks) == 0 || toks[len(toks)-1].Kind != token.EOF {
			t.Fatalf("token list does not end with EOF: %v", toks)
		}
		if eof := toks[len(toks)-1]; eof.Pos.Offset() != len(src) && len(src) <= MaxQuerySize {
			t.Fatalf("EOF at %d, want %d", eof.Pos.Offset(), len(src))
		}
		prevEnd := 0
		for _, tk := range toks[:len(toks)-1] {
			off := tk.Pos.Offset()
			if off < prevEnd || off+len(tk.Lit) > len(src) || len(tk.Lit) == 0 {
				t.Fatalf("token %v at %d overlaps or leaves the input (previous end %d)", tk, off, prevEnd)
			}
			if src[off:off+len(tk.Lit)] != tk.Lit {
				t.Fatalf("token %v is not the source text at %d", tk, off)
			}
			// Nothing but white space and comments between tokens.
			if gap := strings.TrimSpace(src[prevEnd:off]); gap != "" && !strings.Contains(gap, "//") && strings.Trim(gap, "\u200b\u2060\ufeff\u00a0\u202f\u2028\u2029\u0085\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u205f\u3000") != "" {
				t.Fatalf("unscanned text %q before %v", gap, tk)
			}
			prevEnd = off + len(tk.Lit)
			if tk.Kind == token.STRING && len(errs) == 0 {
				v, err := Unquote(tk.Lit)
				if err != nil {
					t.Fatalf("Unquote(%s): %v", tk.Lit, err)
				}
				if back, err := Unquote(Quote(v)); err != nil || back != v {
					t.Fatalf("Quote(%q) does not round-trip: %q, %v", v, back, err)
				}
			}
		}
		if len(errs) > maxErrors {
			t.Fatalf("%d errors kept, want at most %d", len(errs), maxErrors)
		}
		for _, e := range errs {
			if !e.Pos.IsValid() || e.Pos.Offset > len(src) {
				t.Fatalf("error with a bad position: %v", e)
			}
			if p := file.Position(token.At(e.Pos.Offset)); p != e.Pos && len(src) <= MaxQuerySize {
				t.Fatalf("error position %v does not match the file's %v", e.Pos, p)
			}
		}
	})
}
