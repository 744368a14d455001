package parser

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/scanner"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// The files in testdata/errors hold malformed queries with the expected
// errors written inline, after the offending token:
//
//	T | frobnicate /* ERROR "expected a query operator" */ x
//
// The quoted text is a regular expression the message must match. The
// error must be at the start of the token before the marker; with
// ERROR HERE it must be exactly where the marker is, so the marker is
// written right against what follows. KQL has no block comments: the markers are removed before
// parsing. Every error must be expected, and every expectation met, which
// also shows that the parser recovers and reports later errors.

var errorMarker = regexp.MustCompile(`/\* ERROR (HERE )?"((?:[^"\\]|\\.)*)" \*/`)

type expectedError struct {
	offset int
	rx     *regexp.Regexp
	src    string
}

// stripMarkers removes the markers and returns the clean query and the
// expected errors with their offsets in it.
func stripMarkers(t *testing.T, text string) (string, []expectedError) {
	var clean strings.Builder
	type marker struct {
		at   int
		here bool
		rx   string
	}
	var marks []marker
	last := 0
	for _, m := range errorMarker.FindAllStringSubmatchIndex(text, -1) {
		clean.WriteString(text[last:m[0]])
		rx := strings.ReplaceAll(text[m[4]:m[5]], `\"`, `"`)
		marks = append(marks, marker{at: clean.Len(), here: m[2] >= 0, rx: rx})
		last = m[1]
	}
	clean.WriteString(text[last:])
	src := clean.String()

	toks, _, _ := scanner.Tokenize(src)
	var want []expectedError
	for _, m := range marks {
		off := -1
		if m.here {
			off = m.at
		} else {
			for _, tk := range toks {
				if tk.Kind != token.EOF && tk.Pos.Offset() < m.at {
					off = tk.Pos.Offset()
				}
			}
		}
		rx, err := regexp.Compile(m.rx)
		if err != nil {
			t.Fatalf("bad ERROR pattern %q: %v", m.rx, err)
		}
		want = append(want, expectedError{offset: off, rx: rx, src: m.rx})
	}
	return src, want
}

func TestErrorFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.kql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no error test files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			src, want := stripMarkers(t, string(text))
			_, perr := Parse(src)
			var got scanner.ErrorList
			if perr != nil && !errors.As(perr, &got) {
				t.Fatalf("Parse returned %T, want scanner.ErrorList", perr)
			}
			file := token.NewFile(src)
			matched := make([]bool, len(got))
			for _, w := range want {
				found := false
				for i, e := range got {
					if !matched[i] && e.Pos.Offset == w.offset && w.rx.MatchString(e.Msg) {
						matched[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("%s: expected error matching %q", file.Position(token.At(w.offset)), w.src)
				}
			}
			for i, e := range got {
				if !matched[i] {
					t.Errorf("unexpected error: %v", e)
				}
			}
		})
	}
}
