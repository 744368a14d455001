package printer

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/parser"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// ignorePos compares trees without their positions.
var ignorePos = cmp.Comparer(func(a, b token.Pos) bool { return true })

// roundTrip parses src, prints the tree and parses the result again. It
// fails when the second parse fails or yields a different tree. It returns
// the printed text.
func roundTrip(t *testing.T, name, src string) string {
	t.Helper()
	q1, err := parser.Parse(src)
	if err != nil {
		t.Errorf("%s: parse: %v", name, err)
		return ""
	}
	out := Print(q1)
	q2, err := parser.Parse(out)
	if err != nil {
		t.Errorf("%s: the printed query does not parse: %v\n--- input\n%s\n--- printed\n%s", name, err, src, out)
		return out
	}
	if diff := cmp.Diff(q1, q2, ignorePos); diff != "" {
		t.Errorf("%s: the printed query parses differently (-original +reparsed):\n%s\n--- printed\n%s", name, diff, out)
		return out
	}
	// Printing is idempotent: the printed form prints to itself.
	if again := Print(q2); again != out {
		t.Errorf("%s: printing is not stable:\n--- first\n%s\n--- second\n%s", name, out, again)
	}
	return out
}

const (
	conformancePath = "../../../../shared/kql/conformance.jsonl"
	huntingPath     = "../../../../shared/kql/hunting-queries.jsonl"
)

type corpusQuery struct {
	ID           string `json:"id"`
	Query        string `json:"query"`
	SyntaxErrors *int   `json:"syntax_errors"`
}

func loadCorpus(t *testing.T, path string) []corpusQuery {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("corpus %s not found", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []corpusQuery
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q corpusQuery
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return qs
}

// TestRoundTripCorpora round-trips every query of both corpora that
// parses. A watchdog bounds each case.
func TestRoundTripCorpora(t *testing.T) {
	for _, path := range []string{conformancePath, huntingPath} {
		qs := loadCorpus(t, path)
		n := 0
		for _, q := range qs {
			if q.SyntaxErrors != nil && *q.SyntaxErrors > 0 {
				continue
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				roundTrip(t, q.ID, q.Query)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: round trip did not finish within 10s", q.ID)
			}
			n++
		}
		t.Logf("%s: round-tripped %d queries", path, n)
	}
}

// TestPrintPartialTree checks that trees with missing parts (from queries
// with errors) print without panicking.
func TestPrintPartialTree(t *testing.T) {
	for _, src := range []string{
		"T | where", "T | join (", "print (1", "T | summarize by", "let f = (x:", "T | make-series",
		"T | mv-apply on", "T | scan with (", "T | graph-match (a)-[", "datatable(a:", "T | parse x with",
		"T | render", "T | top-nested", "T | extend x = ,", "T | evaluate", "declare pattern p = (a:string) {",
	} {
		q, err := parser.Parse(src)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", src)
		}
		_ = Print(q)
		ast.Inspect(q, func(n ast.Node) bool {
			if n == nil {
				return false
			}
			_ = Print(n)
			_, _ = n.Pos(), n.End()
			return true
		})
	}
}
