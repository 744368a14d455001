package sigma

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Reason classifies why a rule does not compile, for the summary a bulk
// import prints.
type Reason string

// The reasons a rule does not compile.
const (
	ReasonInvalid     Reason = "invalid rule"
	ReasonCondition   Reason = "condition"
	ReasonLogsource   Reason = "unsupported logsource"
	ReasonField       Reason = "field without a mapping"
	ReasonModifier    Reason = "unsupported modifier use"
	ReasonValue       Reason = "value"
	ReasonPlaceholder Reason = "placeholder without a value"
	ReasonQuery       Reason = "query rejected"
	ReasonCorrelation Reason = "correlation"
)

// Error is a rule that does not compile; Line points into the file when
// the problem has a place.
type Error struct {
	Line   int
	Reason Reason
	Msg    string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Reason, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Reason, e.Msg)
}

func errAt(n *yaml.Node, r Reason, format string, a ...any) *Error {
	e := &Error{Reason: r, Msg: fmt.Sprintf(format, a...)}
	if n != nil {
		e.Line = n.Line
	}
	return e
}
