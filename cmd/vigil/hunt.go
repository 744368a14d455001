package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/server"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

const huntUsage = `usage: vigil hunt (--data DIR | --server URL --token T) [--timespan P30D] [--format table|json|csv] [--max-rows N] QUERY
       ('-' as QUERY reads it from stdin)
   or: vigil hunt (--data DIR | --server URL --token T) [--timespan P30D] --batch FILE
       (FILE holds JSON lines {"id":..,"query":".."}; one JSON line is written per query)`

// runHunt runs KQL on the event store, directly or through a server's
// advanced hunting API. The json format prints the body of Defender's
// POST /api/advancedhunting/run.
func runHunt(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hunt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data dir to query directly (the server must not be running on it)")
	serverURL := fs.String("server", "", "query through a running server's API instead, e.g. https://127.0.0.1:8443")
	token := fs.String("token", os.Getenv("VIGIL_TOKEN"), "API token with the hunting permission (env VIGIL_TOKEN)")
	caFile := fs.String("ca", "", "PEM certificate to trust for --server (e.g. DATA/tls/cert.pem)")
	timespan := fs.String("timespan", "", "read only this far back: an ISO 8601 duration (P30D, PT12H) or a start time (default: 30 days unless the query filters on Timestamp)")
	format := fs.String("format", "table", "output: table, json (Defender's API body) or csv")
	maxRows := fs.Int("max-rows", hunt.APIMaxRows, "return at most N rows")
	batch := fs.String("batch", "", "run the queries of a JSON lines FILE ('-' for stdin)")
	fs.Usage = func() { fmt.Fprintln(stderr, huntUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	switch {
	case (*data == "") == (*serverURL == ""):
		return usageError{"give exactly one of --data and --server\n" + huntUsage}
	case *serverURL != "" && *token == "":
		return usageError{"--server needs --token (or VIGIL_TOKEN)"}
	case *format != "table" && *format != "json" && *format != "csv":
		return usageError{"--format must be table, json or csv"}
	case *maxRows < 1:
		return usageError{"--max-rows must be at least 1"}
	case *batch != "" && fs.NArg() > 0:
		return usageError{"--batch takes no QUERY argument"}
	case *batch == "" && fs.NArg() != 1:
		return usageError{"give one QUERY (quote it), or '-' to read it from stdin\n" + huntUsage}
	}
	var span time.Duration
	if *timespan != "" {
		d, err := hunt.ParseTimespan(*timespan, time.Now())
		if err != nil {
			return usageError{"--timespan: " + err.Error()}
		}
		span = d
	}

	var h hunter
	if *serverURL != "" {
		client, err := apiClient(*caFile)
		if err != nil {
			return err
		}
		h = &remoteHunter{client: client, base: strings.TrimRight(*serverURL, "/"), token: *token, timespan: *timespan, maxRows: *maxRows}
	} else {
		lh, err := openLocalHunter(*data, span, *maxRows)
		if err != nil {
			return err
		}
		defer lh.close()
		h = lh
	}

	if *batch != "" {
		return runHuntBatch(ctx, h, *batch, stdout, stderr)
	}
	query := fs.Arg(0)
	if query == "-" {
		b, err := io.ReadAll(io.LimitReader(os.Stdin, hunt.MaxQueryBytes+1))
		if err != nil {
			return fmt.Errorf("reading the query from stdin: %w", err)
		}
		query = string(b)
	}
	if strings.TrimSpace(query) == "" {
		return usageError{"the query is empty"}
	}
	res, err := h.hunt(ctx, query)
	if err != nil {
		var qe *hunt.Error
		if errors.As(err, &qe) {
			return errors.New(describeQueryError(query, qe))
		}
		return err
	}
	switch *format {
	case "json":
		_, err = stdout.Write(hunt.DefenderJSON(res))
	case "csv":
		err = hunt.WriteCSV(stdout, res)
	default:
		err = hunt.WriteTable(stdout, res)
	}
	if err != nil {
		return err
	}
	if res.Truncated {
		fmt.Fprintf(stderr, "vigil hunt: results truncated at %d rows (--max-rows)\n", len(res.Rows))
	}
	return nil
}

// describeQueryError shows a query error with the line it is on and a
// caret under its column.
func describeQueryError(query string, qe *hunt.Error) string {
	if qe.Line < 1 {
		return qe.Error()
	}
	lines := strings.Split(query, "\n")
	if qe.Line > len(lines) {
		return qe.Error()
	}
	line := strings.TrimRight(lines[qe.Line-1], "\r")
	caret := ""
	if qe.Column >= 1 {
		// Columns count characters; tabs keep their width on screen.
		prefix := []rune(line)
		if n := qe.Column - 1; n < len(prefix) {
			prefix = prefix[:n]
		}
		for _, r := range prefix {
			if r == '\t' {
				caret += "\t"
			} else {
				caret += " "
			}
		}
		caret = "\n    " + caret + "^"
	}
	return fmt.Sprintf("%s\n    %s%s", qe.Error(), line, caret)
}

// hunter runs one query, locally or through a server.
type hunter interface {
	hunt(ctx context.Context, query string) (*hunt.Result, error)
}

type localHunter struct {
	events   store.Store
	state    state.Store // nil when the data dir has none (ingest only)
	eng      *hunt.Engine
	timespan time.Duration
	maxRows  int
	actor    *auth.Principal
}

func openLocalHunter(dataDir string, span time.Duration, maxRows int) (*localHunter, error) {
	// Opening would create an empty store: a typo in --data must not
	// quietly answer "no rows".
	if _, err := os.Stat(filepath.Join(dataDir, duckdb.FileName)); err != nil {
		return nil, fmt.Errorf("no event store in %s (%s not found): give the data dir of vigil serve or vigil ingest", dataDir, duckdb.FileName)
	}
	events, err := server.OpenEvents(dataDir, store.Options{RetentionInterval: -1})
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return nil, fmt.Errorf("%w\n(while a server runs on the data dir, query through it: vigil hunt --server URL --token T)", err)
		}
		return nil, err
	}
	l := &localHunter{events: events, eng: &hunt.Engine{Store: events}, timespan: span, maxRows: maxRows, actor: auth.CLIPrincipal(osUser())}
	// Runs are audited as the server's are, when the data dir has a state
	// store (one filled only by vigil ingest has none).
	if _, err := os.Stat(server.StatePath(dataDir)); err == nil {
		if l.state, err = server.OpenState(dataDir); err != nil {
			events.Close()
			return nil, err
		}
	}
	return l, nil
}

func (l *localHunter) close() error {
	var err error
	if l.state != nil {
		err = l.state.Close()
	}
	return errors.Join(l.events.Close(), err)
}

func (l *localHunter) hunt(ctx context.Context, query string) (*hunt.Result, error) {
	start := time.Now()
	res, err := l.eng.Run(ctx, hunt.Request{Query: query, Timespan: l.timespan, MaxRows: l.maxRows, Timeout: hunt.PortalTimeout, User: l.actor.Actor()})
	if l.state != nil {
		hash := hunt.QueryHash(query)
		details := map[string]any{"api": "cli", "queryHash": hash, "durationMs": time.Since(start).Milliseconds()}
		a := state.Audit{Actor: l.actor.Actor(), Action: "hunting.run", Target: "query:" + hash[:16], Remote: "local"}
		if res != nil {
			details["rows"], details["truncated"] = len(res.Rows), res.Truncated
		}
		if err != nil {
			a.Outcome, details["error"] = "failure", err.Error()
		}
		a.Details, _ = json.Marshal(details)
		if aerr := l.state.Record(context.WithoutCancel(ctx), a); aerr != nil && err == nil {
			return nil, fmt.Errorf("cannot write the audit record of the query: %w", aerr)
		}
	}
	return res, err
}

// remoteHunter sends queries to POST /api/advancedhunting/run. The API
// returns up to hunt.APIMaxRows rows; --max-rows cuts the rest here.
type remoteHunter struct {
	client   *http.Client
	base     string
	token    string
	timespan string
	maxRows  int
}

func (rh *remoteHunter) hunt(ctx context.Context, query string) (*hunt.Result, error) {
	body, _ := json.Marshal(map[string]string{"Query": query, "Timespan": rh.timespan})
	var resp *http.Response
	var data []byte
	// The user's other queries may hold every slot (429): wait for one.
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, rh.base+"/api/advancedhunting/run", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+rh.token)
		req.Header.Set("Content-Type", "application/json")
		if resp, err = rh.client.Do(req); err != nil {
			return nil, fmt.Errorf("sending to %s: %w", rh.base, err)
		}
		data, err = io.ReadAll(io.LimitReader(resp.Body, 1<<30))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the answer of %s: %w", rh.base, err)
		}
		if resp.StatusCode != http.StatusTooManyRequests || attempt == 10 {
			break
		}
		wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		select {
		case <-time.After(time.Duration(max(wait, 1)) * time.Second):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Code, Message string
				Line, Column  int
			}
		}
		if json.Unmarshal(data, &e) == nil && e.Error.Code == "BadRequest" && e.Error.Message != "" {
			return nil, &hunt.Error{Message: e.Error.Message, Line: e.Error.Line, Column: e.Error.Column}
		}
		if e.Error.Message != "" {
			return nil, fmt.Errorf("server answered %s: %s", resp.Status, e.Error.Message)
		}
		return nil, fmt.Errorf("server answered %s: %s", resp.Status, bytes.TrimSpace(data))
	}
	res, err := decodeDefenderBody(data)
	if err != nil {
		return nil, fmt.Errorf("unreadable answer from %s: %w", rh.base, err)
	}
	if len(res.Rows) > rh.maxRows {
		res.Rows, res.Truncated = res.Rows[:rh.maxRows], true
	}
	return res, nil
}

// decodeDefenderBody reads a /api/advancedhunting/run body back into a
// Result whose values encode to the same JSON again.
func decodeDefenderBody(data []byte) (*hunt.Result, error) {
	var body struct {
		Stats struct {
			ExecutionTime float64
			Truncated     bool
		}
		Schema []struct {
			Name string
			Type string
		}
		Results []map[string]json.RawMessage
	}
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, err
	}
	res := &hunt.Result{Truncated: body.Stats.Truncated, Elapsed: time.Duration(body.Stats.ExecutionTime * float64(time.Second))}
	for _, c := range body.Schema {
		t, ok := hunt.ParseTypeName(c.Type)
		if !ok {
			return nil, fmt.Errorf("column %s has unknown type %q", c.Name, c.Type)
		}
		res.Columns = append(res.Columns, check.Column{Name: c.Name, Type: t})
	}
	res.Rows = make([][]any, 0, len(body.Results))
	for _, obj := range body.Results {
		row := make([]any, len(res.Columns))
		for j, c := range res.Columns {
			v, err := decodeValue(obj[c.Name], c.Type)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", c.Name, err)
			}
			row[j] = v
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

func decodeValue(raw json.RawMessage, t schema.Type) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if t == schema.Dynamic {
		return raw, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	s, isString := v.(string)
	switch {
	case t == schema.DateTime && isString:
		return time.Parse(time.RFC3339Nano, s)
	case t == schema.TimeSpan && isString:
		return hunt.ParseTimeSpan(s)
	}
	return v, nil // string, json.Number, bool
}

// runHuntBatch runs the queries of a JSON lines file, one answer line per
// query: {"id","Schema","Results"} (plus "Truncated":true when cut) or
// {"id","error":{"message","line","column"}}. Any failed query makes the
// command exit 1 after all ran.
func runHuntBatch(ctx context.Context, h hunter, name string, stdout, stderr io.Writer) error {
	var in io.Reader = os.Stdin
	if name == "-" {
		name = "stdin"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 2*hunt.MaxQueryBytes+4096)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	var total, failed, lineNo int
	for sc.Scan() {
		lineNo++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		total++
		var item struct {
			ID    json.RawMessage `json:"id"`
			Query string          `json:"query"`
		}
		id := json.RawMessage("null")
		var res *hunt.Result
		err := json.Unmarshal(text, &item)
		switch {
		case err != nil:
			err = fmt.Errorf("%s line %d is not a JSON object {\"id\",\"query\"}: %v", name, lineNo, err)
		case strings.TrimSpace(item.Query) == "":
			err = fmt.Errorf("%s line %d has no query", name, lineNo)
		default:
			if len(item.ID) > 0 {
				id = item.ID
			}
			res, err = h.hunt(ctx, item.Query)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b := append([]byte(`{"id":`), id...)
		if err != nil {
			failed++
			qe := &hunt.Error{Message: err.Error()}
			errors.As(err, &qe)
			m, _ := json.Marshal(struct {
				Message string `json:"message"`
				Line    int    `json:"line"`
				Column  int    `json:"column"`
			}{qe.Message, qe.Line, qe.Column})
			b = append(append(append(b, `,"error":`...), m...), "}\n"...)
		} else {
			b = append(b, `,"Schema":`...)
			b = hunt.AppendSchema(b, res.Columns)
			b = append(b, `,"Results":`...)
			b = hunt.AppendRows(b, res)
			if res.Truncated {
				b = append(b, `,"Truncated":true`...)
			}
			b = append(b, "}\n"...)
		}
		if _, err := out.Write(b); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if failed > 0 {
		out.Flush()
		return fmt.Errorf("%d of %d queries failed", failed, total)
	}
	return nil
}
