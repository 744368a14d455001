package ingesttest

import (
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
)

// SeedFuzz adds every line of the golden inputs testdata/<case>/input.ndjson
// of the given cases (all cases when none is given) to a fuzzer's corpus,
// and an empty object and a line that is not JSON.
func SeedFuzz(f *testing.F, cases ...string) {
	f.Helper()
	var paths []string
	if len(cases) == 0 {
		paths, _ = filepath.Glob(filepath.Join("testdata", "*", "input.ndjson"))
	}
	for _, c := range cases {
		paths = append(paths, filepath.Join("testdata", c, "input.ndjson"))
	}
	for _, p := range paths {
		for _, l := range ReadLines(f, p) {
			if l != nil {
				f.Add(l)
			}
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`not json`))
}

// FuzzOne runs data through every normalizer of ns as a forced format
// would, in order and out of order (Input.Unordered, as the pipeline's
// workers call them): Normalize may fail but must not panic, and its rows
// must hold values the store accepts.
func FuzzOne(t *testing.T, ns []ingest.Normalizer, data []byte) {
	t.Helper()
	for _, unordered := range []bool{false, true} {
		in := Input("fuzz", 1, data)
		in.Unordered = unordered
		for _, n := range ns {
			n.Detect(in)
			var rs ingest.RowSet
			if err := n.Normalize(in, &rs); err != nil {
				continue
			}
			if err := ValidateRows(rs.Rows()); err != nil {
				t.Fatalf("%s (unordered %v): %v", n.Format(), unordered, err)
			}
		}
	}
}

// Fuzz fuzzes ns with FuzzOne, seeded with every golden input (SeedFuzz).
func Fuzz(f *testing.F, ns []ingest.Normalizer) {
	SeedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte) { FuzzOne(t, ns, data) })
}
