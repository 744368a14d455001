package scanner

import (
	"errors"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/token"
)

func TestErrorList(t *testing.T) {
	var l ErrorList
	if l.Err() != nil {
		t.Fatal("empty list: Err() != nil")
	}
	l.Add(token.Position{Offset: 20, Line: 2, Column: 3}, "second")
	l.Add(token.Position{Offset: 5, Line: 1, Column: 6}, "first")
	l.Add(token.Position{Offset: 20, Line: 2, Column: 3}, "second, again")
	l.Sort()
	want := "1:6: first\n2:3: second\n2:3: second, again"
	if got := l.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var target ErrorList
	if err := l.Err(); !errors.As(err, &target) || len(target) != 3 {
		t.Errorf("errors.As(Err(), *ErrorList) failed: %v", err)
	}
	if got := (&Error{Msg: "no position"}).Error(); got != "no position" {
		t.Errorf("Error without position = %q", got)
	}
}
