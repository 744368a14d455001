package scanner

import (
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/token"
)

// Error is a syntax error at a position in the query.
type Error struct {
	Pos token.Position
	Msg string
}

// Error returns "line:col: message".
func (e *Error) Error() string {
	if e.Pos.IsValid() {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Msg
}

// ErrorList collects the errors of one query. The scanner and the parser
// report every error they find instead of stopping at the first one.
type ErrorList []*Error

// Add appends an error.
func (l *ErrorList) Add(pos token.Position, msg string) {
	*l = append(*l, &Error{Pos: pos, Msg: msg})
}

// Len returns the number of errors.
func (l ErrorList) Len() int { return len(l) }

// Sort orders the errors by position, keeping the order of errors at the
// same position.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos.Offset < l[j].Pos.Offset })
}

// Error returns one "line:col: message" line per error.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns l as an error, or nil when it is empty, so that callers never
// hold a non-nil error interface wrapping an empty list.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
