package parser

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// The corpora live beside the repository in CI (../shared); the tests skip
// when they are absent. Product code never reads them.
const (
	conformancePath = "../../../../shared/kql/conformance.jsonl"
	huntingPath     = "../../../../shared/kql/hunting-queries.jsonl"
)

type corpusQuery struct {
	ID           string `json:"id"`
	Query        string `json:"query"`
	SyntaxErrors *int   `json:"syntax_errors"` // Microsoft's analyzer verdict (hunting corpus only)
}

func loadCorpus(tb testing.TB, path string) []corpusQuery {
	tb.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skipf("corpus %s not found", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var qs []corpusQuery
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q corpusQuery
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return qs
}

// parseWithWatchdog parses src and fails the test if parsing hangs.
func parseWithWatchdog(tb testing.TB, id, src string) error {
	tb.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := Parse(src)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil && strings.Contains(err.Error(), internalError) {
			tb.Errorf("%s: parser panicked: %v", id, err)
		}
		return err
	case <-time.After(10 * time.Second):
		tb.Fatalf("%s: parser did not finish within 10s", id)
		return nil
	}
}

// conformanceSkips lists the documented examples that are deliberately not
// parsed, each with the reason. Every entry is checked: one that starts
// parsing must be removed.
var conformanceSkips = map[string]string{}

func TestConformanceCorpus(t *testing.T) {
	qs := loadCorpus(t, conformancePath)
	parsed := 0
	for _, q := range qs {
		err := parseWithWatchdog(t, q.ID, q.Query)
		if reason, skip := conformanceSkips[q.ID]; skip {
			if err == nil {
				t.Errorf("%s is in conformanceSkips (%s) but parses: remove it", q.ID, reason)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v\n%s", q.ID, err, q.Query)
			continue
		}
		parsed++
	}
	t.Logf("conformance corpus: parsed %d/%d (%d deliberately skipped)", parsed, len(qs), len(conformanceSkips))
}

// huntingAccepted lists the queries that Microsoft's analyzer reports
// syntax errors for but that Vigil accepts, each with the reason. Every
// entry is checked.
var huntingAccepted = map[string]string{}

func TestHuntingCorpus(t *testing.T) {
	qs := loadCorpus(t, huntingPath)
	var clean, cleanOK, bad, badRejected int
	for _, q := range qs {
		if q.SyntaxErrors == nil {
			t.Fatalf("%s: no syntax_errors verdict", q.ID)
		}
		err := parseWithWatchdog(t, q.ID, q.Query)
		if *q.SyntaxErrors == 0 {
			clean++
			if err != nil {
				t.Errorf("%s: Microsoft accepts this query, Vigil does not: %v\n%s", q.ID, err, q.Query)
			} else {
				cleanOK++
			}
			continue
		}
		bad++
		reason, accepted := huntingAccepted[q.ID]
		switch {
		case err != nil && accepted:
			t.Errorf("%s is in huntingAccepted (%s) but is rejected: remove it", q.ID, reason)
		case err != nil:
			badRejected++
		case !accepted:
			t.Errorf("%s: Microsoft reports %d syntax errors, Vigil accepts it:\n%s", q.ID, *q.SyntaxErrors, q.Query)
		}
	}
	t.Logf("hunting corpus: syntax-clean parsed %d/%d; syntax-error queries rejected %d/%d", cleanOK, clean, badRejected, bad)
}
