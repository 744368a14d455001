// Package hunt runs KQL queries on the event store: it parses, binds and
// compiles a query (packages kql/parser, kql/check, kql/sqlgen), runs the
// SQL with the query's limits, and returns typed rows with the result
// schema Kusto would report.
//
// Limits follow Defender's advanced hunting: a default time window of 30
// days unless the query filters on Timestamp itself, a row cap with a
// truncation flag, and a timeout.
package hunt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/kql/parser"
	"github.com/vigilsec/vigil/internal/kql/scanner"
	"github.com/vigilsec/vigil/internal/kql/sqlgen"
	"github.com/vigilsec/vigil/internal/kql/token"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Defaults of Defender's advanced hunting.
const (
	DefaultWindow = 30 * 24 * time.Hour
	PortalMaxRows = 30_000
	APIMaxRows    = 100_000
	PortalTimeout = 10 * time.Minute
	APITimeout    = 3 * time.Minute
	MaxQueryBytes = 1 << 20
)

// Engine runs queries on a store.
type Engine struct {
	Store store.Store
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// External allows externaldata; nil refuses it.
	External *External
	// Limiter bounds each user's concurrent queries; nil means no limit.
	Limiter *Limiter
	// Runs records every run for the resources report; nil records none.
	Runs *RunLog
	// Budget bounds each user's CPU time over a window; nil means none.
	Budget *CPUBudget
}

// Request is one query to run.
type Request struct {
	Query string
	// Timespan limits every table to rows with Timestamp within it
	// before now. Zero means DefaultWindow unless the query filters on
	// Timestamp; negative means no window.
	Timespan time.Duration
	// MaxRows caps the rows returned (0 means APIMaxRows).
	MaxRows int
	// Start and End, when set, read every table only within [Start, End)
	// by Timestamp, with now() at End: a scheduled detection's interval
	// (Timespan is then ignored).
	Start, End time.Time
	// Timeout bounds the run (0 means APITimeout).
	Timeout time.Duration
	// User names who runs the query, for the per-user limit and the
	// runs report ("user:alice", "token:... (name)", "cli:root").
	User string
}

// Result is a query's answer.
type Result struct {
	Columns   []check.Column
	Rows      [][]any
	Truncated bool
	Render    *sqlgen.Render
	Elapsed   time.Duration
	// RowsScanned and CPU are what the query cost the store (zero when
	// the store could not measure them).
	RowsScanned int64
	CPU         time.Duration
}

// ErrTimeout: the query ran longer than its Timeout.
var ErrTimeout = errors.New("query exceeded its time limit")

// Error is a query that cannot run: a syntax or binding error, or a
// construct not supported, at a line and column (1-based; 0 when
// unknown).
type Error struct {
	Message string
	Line    int
	Column  int
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Message)
	}
	return e.Message
}

// Compiled is a query ready to run.
type Compiled struct {
	Program *sqlgen.Program
}

// Compile parses, binds and compiles a query. Errors are *Error.
func Compile(query string, now time.Time, window time.Duration) (*sqlgen.Program, error) {
	return compile(query, sqlgen.Options{Now: now, Window: window})
}

func compile(query string, opts sqlgen.Options) (*sqlgen.Program, error) {
	window := opts.Window
	if len(query) > MaxQueryBytes {
		return nil, &Error{Message: fmt.Sprintf("query is %d bytes; the limit is %d", len(query), MaxQueryBytes)}
	}
	q, err := parser.Parse(query)
	if err != nil {
		return nil, firstError(err)
	}
	res, err := check.Check(q, &check.Env{Source: query})
	if err != nil {
		return nil, firstError(err)
	}
	if window == 0 && !filtersTimestamp(q) {
		window = DefaultWindow
	}
	if window < 0 {
		window = 0
	}
	opts.Window = window
	prog, err := sqlgen.Compile(q, res, opts)
	if err != nil {
		var ge *sqlgen.Error
		if errors.As(err, &ge) {
			e := &Error{Message: ge.Msg}
			if ge.Pos.IsValid() {
				p := token.NewFile(query).Position(ge.Pos)
				e.Line, e.Column = p.Line, p.Column
			}
			return nil, e
		}
		return nil, &Error{Message: err.Error()}
	}
	return prog, nil
}

// firstError turns a scanner.ErrorList into an *Error for its first
// problem.
func firstError(err error) error {
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		e := list[0]
		return &Error{Message: e.Msg, Line: e.Pos.Line, Column: e.Pos.Column}
	}
	return &Error{Message: err.Error()}
}

// filtersTimestamp reports whether a where clause of the query reads
// Timestamp: then Defender applies no default window.
func filtersTimestamp(q *ast.Query) bool {
	found := false
	ast.Inspect(q, func(n ast.Node) bool {
		if w, ok := n.(*ast.WhereOp); ok {
			ast.Inspect(w.Pred, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok && (id.Name == "Timestamp" || id.Name == "TimeGenerated") {
					found = true
				}
				return !found
			})
		}
		return !found
	})
	return found
}

// Run compiles and runs a query.
func (e *Engine) Run(ctx context.Context, req Request) (res *Result, err error) {
	if e.Limiter != nil {
		release, err := e.Limiter.Acquire(ctx, req.User)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	start := time.Now()
	if e.Runs != nil {
		defer func() {
			r := Run{User: req.User, QueryHash: QueryHash(req.Query), Query: QueryPrefix(req.Query),
				Start: start.UTC(), Duration: time.Since(start)}
			if res != nil {
				r.Rows, r.Truncated = len(res.Rows), res.Truncated
				r.RowsScanned, r.CPU = res.RowsScanned, res.CPU
			}
			if err != nil {
				r.Error = err.Error()
			}
			e.Runs.Add(r)
		}()
	}
	if e.Budget != nil {
		if err := e.Budget.Check(req.User); err != nil {
			return nil, err
		}
	}
	// A compiler bug must fail one query, not the process (the CLI has
	// no recovering HTTP middleware around it). Deferred last, so the run
	// is recorded with the error.
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("internal error while compiling or running the query (a bug in Vigil; please report it with the query): %v", p)
		}
	}()
	now := time.Now()
	if e.Now != nil {
		now = e.Now()
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = APITimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	opts := sqlgen.Options{Now: now, Window: req.Timespan}
	if !req.Start.IsZero() || !req.End.IsZero() {
		// An explicit interval: now() is its end, as it was when the
		// interval was live, and every table is read within it.
		if !req.End.IsZero() {
			opts.Now, opts.WindowEnd = req.End, req.End
		}
		opts.Window = -1
		if !req.Start.IsZero() {
			opts.Window = opts.Now.Sub(req.Start)
		}
	}
	if e.External != nil {
		opts.ExternalData = e.External.fetcher(ctx)
	}
	opts.Discover = func(sql string, args []any) ([][]any, error) {
		found, err := e.Store.Query(ctx, store.Query{SQL: sql, Args: args, MaxRows: 10_000})
		if err != nil {
			return nil, err
		}
		return found.Rows, nil
	}
	prog, err := compile(req.Query, opts)
	if err != nil {
		return nil, err
	}
	maxRows := req.MaxRows
	if maxRows <= 0 {
		maxRows = APIMaxRows
	}
	sres, err := e.Store.Query(ctx, store.Query{SQL: prog.SQL, Args: prog.Args, MaxRows: maxRows, Profile: e.Runs != nil || e.Budget != nil})
	if e.Budget != nil {
		// A failed or cancelled query has used the processor too; without
		// the store's measure, its wall time stands in.
		cpu := time.Since(start)
		if err == nil && sres.Stats != nil {
			cpu = sres.Stats.CPU
		}
		e.Budget.Charge(req.User, cpu)
	}
	if err != nil {
		if errors.Is(err, store.ErrCanceled) && ctx.Err() == context.DeadlineExceeded {
			return nil, fmt.Errorf("%w of %s: %w", ErrTimeout, timeout, err)
		}
		return nil, err
	}
	out := &Result{Columns: prog.Columns, Truncated: sres.Truncated, Render: prog.Render}
	if sres.Stats != nil {
		out.RowsScanned, out.CPU = sres.Stats.RowsScanned, sres.Stats.CPU
	}
	out.Rows = make([][]any, len(sres.Rows))
	for i, row := range sres.Rows {
		conv := make([]any, len(prog.Columns))
		for j := range prog.Columns {
			if j < len(row) {
				conv[j] = ConvertValue(row[j], prog.Columns[j].Type)
			}
		}
		out.Rows[i] = conv
	}
	out.Elapsed = time.Since(start)
	return out, nil
}

// ConvertValue gives a value read from the store the Go type of its KQL
// type (an INTEGER column holds int32, a string is never nil...).
func ConvertValue(v any, t schema.Type) any {
	switch t {
	case schema.String:
		if v == nil {
			return ""
		}
		if s, ok := v.(string); ok {
			return s
		}
		return fmt.Sprint(v)
	case schema.Int:
		switch n := v.(type) {
		case int64:
			return int32(n)
		case float64:
			return int32(n)
		}
	case schema.Long:
		switch n := v.(type) {
		case int32:
			return int64(n)
		case float64:
			return int64(n)
		}
	case schema.Dynamic, schema.Invalid:
		// The compiler sends dynamic values as JSON text.
		if s, ok := v.(string); ok {
			return json.RawMessage(s)
		}
	case schema.Real:
		switch n := v.(type) {
		case int64:
			return float64(n)
		case int32:
			return float64(n)
		}
	}
	return v
}
