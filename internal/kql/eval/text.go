package eval

import (
	"fmt"

	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/kql/parser"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// CompileText parses, binds and compiles a rule's query for continuous
// evaluation on rows of table. A query the evaluator cannot run yields an
// *Error whose Line and Column point into query; syntax and binding
// errors are returned as the parser and binder report them.
func CompileText(query, table string) (*Program, error) {
	q, err := parser.Parse(query)
	if err != nil {
		return nil, err
	}
	res, err := check.Check(q, &check.Env{Source: query})
	if err != nil {
		return nil, err
	}
	prog, err := Compile(q, res, table)
	if e, ok := err.(*Error); ok && e.Pos.IsValid() {
		p := token.NewFile(query).Position(e.Pos)
		e.Line, e.Column = p.Line, p.Column
	}
	return prog, err
}

// String returns "line:col: message" when the position is known.
func (e *Error) String() string {
	if e.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg)
	}
	return e.Msg
}
