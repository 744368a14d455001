package syslog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

// goldenNow is the receipt clock of the golden cases.
var goldenNow = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

func goldenOptions() Options {
	return Options{Now: func() time.Time { return goldenNow }, Collector: "vigil-collector"}
}

// goldenRecord is one input line's outcome in output.json.
type goldenRecord struct {
	Line   int64            `json:"line"`
	Source string           `json:"source,omitempty"`
	Format string           `json:"format"` // "" when no normalizer detects it
	Error  string           `json:"error,omitempty"`
	Rows   []ingesttest.Row `json:"rows,omitempty"`
}

// TestGolden runs testdata/<case>/input.log through detection and the
// normalizers and compares with output.json (go test -update rewrites
// it). In input.log, "# source: S" sets the Record.Source of the lines
// after it (the listeners' "syslog/udp ADDR" form carries the peer), and
// other lines starting with '#' are comments.
func TestGolden(t *testing.T) { ingesttest.Cases(t, "input.log", runGolden) }

func runGolden(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return nil
	}
	opts := goldenOptions()
	// Detection must not depend on the registry's order.
	regA := ingest.NewRegistry(NewCEF(opts), NewSyslog(opts))
	regB := ingest.NewRegistry(NewSyslog(opts), NewCEF(opts))
	var records []goldenRecord
	source := filepath.Base(filepath.Dir(path)) + ".log"
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	var line int64
	for sc.Scan() {
		line++
		text := sc.Text()
		if s, ok := strings.CutPrefix(text, "# source: "); ok {
			source = s
			continue
		}
		if strings.HasPrefix(text, "#") || strings.TrimSpace(text) == "" {
			continue
		}
		rec := goldenRecord{Line: line, Source: source}
		in := &ingest.Input{Record: ingest.Record{Source: source, Line: line, Data: []byte(text)}}
		na, okA := regA.Detect(in)
		nb, okB := regB.Detect(in)
		if okA != okB || (okA && na.Format() != nb.Format()) {
			t.Errorf("line %d: detection depends on order: %v/%v", line, na, nb)
		}
		if !okA {
			records = append(records, rec)
			continue
		}
		rec.Format = na.Format()
		var rs ingest.RowSet
		if err := na.Normalize(in, &rs); err != nil {
			rec.Error = err.Error()
			records = append(records, rec)
			continue
		}
		rec.Rows = ingesttest.CheckRows(t, fmt.Sprintf("line %d", line), rs.Rows())
		records = append(records, rec)
	}
	b, err := json.MarshalIndent(records, "", "  ")
	if err != nil {
		t.Error(err)
	}
	return append(b, '\n')
}
