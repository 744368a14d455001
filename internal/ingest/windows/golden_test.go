package windows

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
	"github.com/vigilsec/vigil/internal/jsonenc"
)

// TestGolden normalizes testdata/<case>/input.ndjson, detecting each
// line's shape, and compares the rows (or the error) with output.json.
// Inputs are records picked from the attack datasets (one per shipper,
// channel and event ID) and hand-written Winlogbeat and Sentinel records.
func TestGolden(t *testing.T) { ingesttest.Cases(t, "input.ndjson", goldenOutput) }

func goldenOutput(t *testing.T, path string) []byte {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return nil
	}
	ns := normalizers()
	var out []string
	for i, line := range bytes.Split(src, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		n := i + 1
		in := parseInput(line)
		norm := detect(ns, in)
		if norm == nil {
			out = append(out, fmt.Sprintf(`{"line":%d,"error":"no Windows shape detected"}`, n))
			continue
		}
		rows, err := normalizeOne(norm, line)
		if err != nil {
			out = append(out, fmt.Sprintf(`{"line":%d,"format":%q,"error":%s}`, n, norm.Format(), jsonenc.AppendString(nil, err.Error())))
			continue
		}
		var lines []string
		for _, r := range rows {
			lines = append(lines, fmt.Sprintf(`{"line":%d,"format":%q,"row":%s}`, n, norm.Format(), rowJSON(r)))
		}
		sort.Strings(lines)
		out = append(out, lines...)
	}
	return []byte("[\n" + strings.Join(out, ",\n") + "\n]\n")
}
