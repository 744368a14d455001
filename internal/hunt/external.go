package hunt

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/kql/sqlgen"
	"github.com/vigilsec/vigil/internal/schema"
)

// External is the administrator's policy for externaldata. Vigil fetches
// nothing unless a URL starts with one of AllowedPrefixes: the operator
// would otherwise let any analyst make the server request any address
// (server-side request forgery).
type External struct {
	// AllowedPrefixes are URL prefixes ("https://feeds.example.org/").
	AllowedPrefixes []string
	// MaxBytes caps one fetch (default 16 MiB); MaxRows the rows of one
	// operator (default 100,000); Timeout one fetch (default 30 s).
	MaxBytes int64
	MaxRows  int
	Timeout  time.Duration
	// Client makes the requests; nil means a client that follows
	// redirects only to allowed prefixes.
	Client *http.Client
}

// Allowed reports whether a URL may be fetched: http or https, no user
// information, and a prefix match on its normalized form.
func (x *External) Allowed(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bad URL %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("URL %q: only http and https may be fetched", raw)
	}
	if u.User != nil {
		return fmt.Errorf("URL %q: user information is not allowed", raw)
	}
	norm := u.String()
	for _, p := range x.AllowedPrefixes {
		if p != "" && strings.HasPrefix(norm, p) {
			return nil
		}
	}
	return fmt.Errorf("URL %q is not under a prefix an administrator allowed", raw)
}

func (x *External) client() *http.Client {
	if x.Client != nil {
		return x.Client
	}
	return &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return x.Allowed(req.URL.String())
	}}
}

// fetcher returns the sqlgen hook that fetches and types rows under ctx.
func (x *External) fetcher(ctx context.Context) sqlgen.ExternalData {
	return func(req sqlgen.ExternalRequest) ([][]any, error) {
		maxRows := x.MaxRows
		if maxRows <= 0 {
			maxRows = 100_000
		}
		var rows [][]any
		for _, u := range req.URIs {
			if err := x.Allowed(u); err != nil {
				return nil, err
			}
			body, err := x.fetch(ctx, u)
			if err != nil {
				return nil, err
			}
			got, err := parseExternal(body, req)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", u, err)
			}
			rows = append(rows, got...)
			if len(rows) > maxRows {
				return nil, fmt.Errorf("more than %d rows", maxRows)
			}
		}
		return rows, nil
	}
}

func (x *External) fetch(ctx context.Context, u string) ([]byte, error) {
	timeout := x.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	maxBytes := x.MaxBytes
	if maxBytes <= 0 {
		maxBytes = 16 << 20
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := x.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > maxBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", u, maxBytes)
	}
	return b, nil
}

// parseExternal reads a fetched body in the operator's format: csv
// (default), tsv, txt (a line per row, one column), json or multijson
// (an object per row, fields by column name).
func parseExternal(body []byte, req sqlgen.ExternalRequest) ([][]any, error) {
	format := strings.ToLower(req.Props["format"])
	skipFirst := strings.EqualFold(req.Props["ignorefirstrecord"], "true")
	var records [][]string
	switch format {
	case "", "csv", "tsv", "tsve", "psv", "scsv":
		r := csv.NewReader(bytes.NewReader(body))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		switch format {
		case "tsv", "tsve":
			r.Comma = '\t'
		case "psv":
			r.Comma = '|'
		case "scsv":
			r.Comma = ';'
		}
		all, err := r.ReadAll()
		if err != nil {
			return nil, err
		}
		records = all
	case "txt", "raw":
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			records = append(records, []string{strings.TrimRight(sc.Text(), "\r")})
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	case "json", "multijson":
		return parseExternalJSON(body, req.Columns)
	default:
		return nil, fmt.Errorf("format %q is not supported", format)
	}
	if skipFirst && len(records) > 0 {
		records = records[1:]
	}
	rows := make([][]any, 0, len(records))
	for i, rec := range records {
		row := make([]any, len(req.Columns))
		for j, c := range req.Columns {
			if j >= len(rec) {
				continue
			}
			v, err := typedField(rec[j], c.Type)
			if err != nil {
				return nil, fmt.Errorf("record %d column %s: %v", i+1, c.Name, err)
			}
			row[j] = v
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func parseExternalJSON(body []byte, cols []check.Column) ([][]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var rows [][]any
	for {
		var obj map[string]json.RawMessage
		if err := dec.Decode(&obj); err == io.EOF {
			return rows, nil
		} else if err != nil {
			return nil, err
		}
		row := make([]any, len(cols))
		for j, c := range cols {
			raw, ok := obj[c.Name]
			if !ok || string(raw) == "null" {
				continue
			}
			if c.Type == schema.Dynamic {
				row[j] = string(raw)
				continue
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				s = string(raw)
			}
			v, err := typedField(s, c.Type)
			if err != nil {
				return nil, fmt.Errorf("column %s: %v", c.Name, err)
			}
			row[j] = v
		}
		rows = append(rows, row)
	}
}

// typedField converts one text field to its column's type; an empty
// field is null (or ” for a string).
func typedField(s string, t schema.Type) (any, error) {
	if t == schema.String {
		return s, nil
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if t == schema.Dynamic {
		if json.Valid([]byte(s)) {
			return s, nil
		}
		b, _ := json.Marshal(s)
		return string(b), nil
	}
	return check.TypedValue(t, s)
}
