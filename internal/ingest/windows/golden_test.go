package windows

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestGolden normalizes testdata/<case>/input.ndjson, detecting each
// line's shape, and compares the rows (or the error) with output.json.
// Inputs are records picked from the attack datasets (one per shipper,
// channel and event ID) and hand-written Winlogbeat and Sentinel records.
func TestGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*/input.ndjson")
	if len(dirs) == 0 {
		t.Fatal("no golden cases")
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			done := make(chan []byte, 1)
			go func() { done <- goldenOutput(t, in) }()
			select {
			case got := <-done:
				checkGolden(t, filepath.Join(dir, "output.json"), got)
			case <-ctx.Done():
				t.Fatal("golden case timed out")
			}
		})
	}
}

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
			out = append(out, fmt.Sprintf(`{"line":%d,"format":%q,"error":%s}`, n, norm.Format(), appendJSONString(nil, err.Error())))
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
