package detect

import (
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/kql/eval"
	"github.com/vigilsec/vigil/internal/kql/parser"
	"github.com/vigilsec/vigil/internal/schema"
)

// Compiled is a validated rule, ready to run.
type Compiled struct {
	Rule    *Rule
	Columns []check.Column
	// Table is the one table a continuous rule reads.
	Table  string
	native *eval.Program
	col    map[string]int
}

// Compile validates a rule: its fields, its query (syntax and binding,
// with the position of an error), the columns Defender requires, the
// title's placeholders and entity columns, and, for a continuous rule,
// that the native evaluator can run it.
func Compile(r *Rule) (*Compiled, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	prog, err := hunt.Compile(r.Query, time.Now(), -1)
	if err != nil {
		return nil, queryError(err)
	}
	c := &Compiled{Rule: r, Columns: prog.Columns, col: map[string]int{}}
	for i, col := range prog.Columns {
		c.col[col.Name] = i
	}
	if i, ok := c.col["Timestamp"]; !ok || prog.Columns[i].Type != schema.DateTime {
		return nil, &RuleError{Msg: "the query's result needs a Timestamp column of type datetime"}
	}
	if _, ok := c.col["ReportId"]; !ok {
		return nil, &RuleError{Msg: "the query's result needs a ReportId column"}
	}
	if c.first(deviceColumns) == "" && c.first(mailboxColumns) == "" && c.first(userColumns) == "" {
		return nil, &RuleError{Msg: "the query's result needs a column naming an impacted entity: one of DeviceId, DeviceName, RemoteDeviceName, RecipientEmailAddress, SenderFromAddress, SenderMailFromAddress, RecipientObjectId, AccountObjectId, AccountSid, AccountUpn, InitiatingProcessAccountSid, InitiatingProcessAccountUpn, InitiatingProcessAccountObjectId"}
	}
	for _, m := range placeholder.FindAllStringSubmatch(r.Title, -1) {
		if _, ok := c.col[m[1]]; !ok {
			return nil, &RuleError{Msg: fmt.Sprintf("the title's placeholder {{%s}} is not a column of the query's result", m[1])}
		}
	}
	for _, ec := range []struct{ what, name string }{{"device", r.DeviceColumn}, {"user", r.UserColumn}, {"mailbox", r.MailboxColumn}} {
		if _, ok := c.col[ec.name]; ec.name != "" && !ok {
			return nil, &RuleError{Msg: fmt.Sprintf("the %s column %q is not a column of the query's result", ec.what, ec.name)}
		}
	}
	if r.Frequency == Continuous {
		table, err := sourceTable(r.Query)
		if err != nil {
			return nil, err
		}
		native, err := eval.CompileText(r.Query, table)
		if err != nil {
			return nil, queryError(err)
		}
		c.Table, c.native = table, native
	}
	return c, nil
}

// first returns the first of names the result has.
func (c *Compiled) first(names []string) string {
	for _, n := range names {
		if _, ok := c.col[n]; ok {
			return n
		}
	}
	return ""
}

// sourceTable finds the table a single-table query reads.
func sourceTable(query string) (string, error) {
	q, err := parser.Parse(query)
	if err != nil {
		return "", queryError(err)
	}
	for i := len(q.Stmts) - 1; i >= 0; i-- {
		es, ok := q.Stmts[i].(*ast.ExprStmt)
		if !ok {
			continue
		}
		e := es.X
		for {
			switch x := e.(type) {
			case *ast.PipeExpr:
				e = x.Source
				continue
			case *ast.ParenExpr:
				e = x.X
				continue
			case *ast.Ident:
				return x.Name, nil
			}
			break
		}
		break
	}
	return "", &RuleError{Msg: "a continuous rule must read one table by name"}
}

// queryError turns a compile error into a RuleError with its position.
func queryError(err error) error {
	var he *hunt.Error
	if errors.As(err, &he) {
		return &RuleError{Msg: he.Message, Line: he.Line, Column: he.Column}
	}
	var ee *eval.Error
	if errors.As(err, &ee) {
		return &RuleError{Msg: ee.Msg, Line: ee.Line, Column: ee.Column}
	}
	return &RuleError{Msg: err.Error()}
}

func checkColumn(c schema.Column) check.Column { return check.Column{Name: c.Name, Type: c.Type} }
