package hunt

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// huntingFloor is the number of clean hunting queries that run and
// return exactly their result schema today; fewer fails.
const huntingFloor = 877

var huntingReport = flag.String("hunting.report", "", "write one JSON line per hunting query to this file")

type huntingCase struct {
	ID             string                        `json:"id"`
	Query          string                        `json:"query"`
	SyntaxErrors   int                           `json:"syntax_errors"`
	SemanticErrors int                           `json:"semantic_errors"`
	ResultSchema   []struct{ Name, Type string } `json:"result_schema"`
}

// TestHuntingQueries runs every clean query of the public hunting
// collections on an empty store: each must compile, run, and return the
// schema Microsoft's analyzer reports.
func TestHuntingQueries(t *testing.T) {
	f, err := os.Open("../../../shared/kql/hunting-queries.jsonl")
	if err != nil {
		t.Skipf("hunting corpus not available: %v", err)
	}
	defer f.Close()
	var cases []huntingCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c huntingCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		if c.SyntaxErrors == 0 && c.SemanticErrors == 0 {
			cases = append(cases, c)
		}
	}
	var report *os.File
	if *huntingReport != "" {
		if report, err = os.Create(*huntingReport); err != nil {
			t.Fatal(err)
		}
		defer report.Close()
	}
	// Threat feeds read with externaldata come from an offline mirror
	// that has them empty: the queries must still run.
	eng := &Engine{Store: openTestStore(t), External: &External{
		AllowedPrefixes: []string{"https://", "http://"},
		Client:          &http.Client{Transport: emptyFeeds{}},
	}}
	pass := 0
	for _, c := range cases {
		reason := runHunting(eng, &c)
		if reason == "" {
			pass++
		}
		if report != nil {
			b, _ := json.Marshal(map[string]string{"id": c.ID, "reason": reason})
			fmt.Fprintln(report, string(b))
		}
	}
	t.Logf("hunting queries: %d/%d (%.1f%%) run with the expected schema", pass, len(cases), pct(pass, len(cases)))
	if pass < huntingFloor {
		t.Errorf("hunting queries fell below the floor: %d < %d", pass, huntingFloor)
	}
}

func runHunting(eng *Engine, c *huntingCase) (reason string) {
	defer func() {
		if r := recover(); r != nil {
			reason = fmt.Sprintf("panic: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := eng.Run(ctx, Request{Query: c.Query, Timeout: 20 * time.Second})
	if err != nil {
		return err.Error()
	}
	var got, want []string
	for _, col := range res.Columns {
		got = append(got, col.Name+":"+col.Type.String())
	}
	for _, col := range c.ResultSchema {
		ty, _ := schema.ParseType(col.Type)
		want = append(want, col.Name+":"+ty.String())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		return "schema: got " + strings.Join(got, ",") + "; want " + strings.Join(want, ",")
	}
	return ""
}

// emptyFeeds answers every request with an empty 200 response.
type emptyFeeds struct{}

func (emptyFeeds) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: req}, nil
}
