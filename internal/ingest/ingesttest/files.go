package ingesttest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Shared is where CI keeps the datasets and reference files, beside the
// repository, seen from internal/ingest/<package>.
const Shared = "../../../../shared"

// NeedShared returns the path of a file under Shared, and skips the test
// when it is not there.
func NeedShared(t testing.TB, path string) string {
	t.Helper()
	full := filepath.Join(Shared, path)
	if _, err := os.Stat(full); err != nil {
		t.Skipf("%s not present: %v", full, err)
	}
	return full
}

// Open opens a file for reading, decompressed when gzip or zstd.
func Open(t testing.TB, path string) io.ReadCloser {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := ingest.Decompress(f)
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	return readCloser{r, f}
}

// readCloser closes the decompressor and then the file.
type readCloser struct {
	io.ReadCloser
	file *os.File
}

func (r readCloser) Close() error {
	err := r.ReadCloser.Close()
	if ferr := r.file.Close(); err == nil {
		err = ferr
	}
	return err
}

// ReadLines returns the lines of a file, decompressed when gzip or zstd.
// A blank line is nil, so that line n is at index n-1.
func ReadLines(t testing.TB, path string) [][]byte {
	t.Helper()
	r := Open(t, path)
	defer r.Close()
	var lines [][]byte
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			lines = append(lines, append([]byte(nil), sc.Bytes()...))
		} else {
			lines = append(lines, nil)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// Samples reads a reference file of samples: one JSON object, possibly
// over several lines, of named records.
func Samples(t testing.TB, path string) map[string]json.RawMessage {
	t.Helper()
	var all []byte
	for _, l := range ReadLines(t, path) {
		all = append(all, l...)
	}
	var samples map[string]json.RawMessage
	if err := json.Unmarshal(all, &samples); err != nil {
		t.Fatal(err)
	}
	return samples
}

// sortedNames returns the names of the samples in order.
func sortedNames(samples map[string]json.RawMessage) []string {
	names := make([]string, 0, len(samples))
	for n := range samples {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
