package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

var canonicalCases = []struct {
	in   string
	want bool
}{
	{`{}`, true}, {`[]`, true}, {`{"a":"b"}`, true}, {`{"a":1,"b":[true,false,null],"c":{"d":-0.5e+10}}`, true},
	{`"text"`, true}, {`0`, true}, {`-1`, true}, {`1.25`, true}, {`1E9`, true}, {`12e-3`, true},
	{`"\u00e9\n\t\\\"\/"`, true}, {`"é ü 中"`, true}, {`[{"a":[]},{}]`, true}, {`{"":""}`, true},
	// Not canonical or not JSON: store.Normalize decides.
	{``, false}, {`null`, false}, {` {}`, false}, {`{} `, false}, {`{"a": 1}`, false}, {`[1, 2]`, false},
	{`{"a":1,}`, false}, {`[1,]`, false}, {`{"a"}`, false}, {`{a:1}`, false}, {`{"a":1`, false},
	{`"abc`, false}, {"\"a\x01b\"", false}, {`"\x"`, false}, {`"\u12"`, false}, {`"\u12g4"`, false},
	{`01`, false}, {`-`, false}, {`1.`, false}, {`.5`, false}, {`1e`, false}, {`1e+`, false}, {`+1`, false},
	{`tru`, false}, {`nul`, false}, {`truex`, false}, {`{}{}`, false}, {`[]]`, false},
	{"\"\xff\"", false}, {`NaN`, false}, {`[` + string(bytes.Repeat([]byte{'['}, 300)) + `]`, false},
}

func TestCanonicalJSON(t *testing.T) {
	for _, c := range canonicalCases {
		if got := canonicalJSON([]byte(c.in)); got != c.want {
			t.Errorf("canonicalJSON(%q) = %v, want %v", c.in, got, c.want)
		}
		checkCanonical(t, []byte(c.in))
	}
}

var dynamicColumn = schema.Column{Name: "EventData", Type: schema.Dynamic}

// checkCanonical is the property the pipeline relies on: text
// canonicalJSON accepts is exactly what store.Normalize returns for it.
func checkCanonical(t *testing.T, b []byte) {
	t.Helper()
	if !canonicalJSON(b) {
		return
	}
	got, err := store.Normalize(dynamicColumn, json.RawMessage(b))
	if err != nil {
		t.Fatalf("canonicalJSON accepted %q, store.Normalize: %v", b, err)
	}
	if raw, ok := got.(json.RawMessage); !ok || !bytes.Equal(raw, b) {
		t.Fatalf("canonicalJSON accepted %q, store.Normalize returned %q", b, got)
	}
}

// FuzzCanonicalJSON checks the property on any input, seeded with the
// table above and real EventData objects.
func FuzzCanonicalJSON(f *testing.F) {
	for _, c := range canonicalCases {
		f.Add([]byte(c.in))
	}
	for _, s := range realDynamicSeeds(f, 20) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkCanonical(t, b)
	})
}

// realDynamicSeeds returns the first n lines of a real recording, made
// compact (a whole OTRF record is a JSON object like an EventData).
func realDynamicSeeds(tb testing.TB, n int) [][]byte {
	f, err := os.Open("../../../shared/datasets/attack/metasploit_comsvcs_lsass_memory_dump.ndjson.gz")
	if err != nil {
		return nil
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() && len(out) < n {
		var buf bytes.Buffer
		if json.Compact(&buf, sc.Bytes()) == nil {
			out = append(out, buf.Bytes())
		}
	}
	return out
}

// Real records are accepted, so the fast path is the common one.
func TestCanonicalJSONRealRecords(t *testing.T) {
	seeds := realDynamicSeeds(t, 500)
	if len(seeds) == 0 {
		t.Skip("shared datasets not present")
	}
	for _, s := range seeds {
		if !canonicalJSON(s) {
			t.Fatalf("real compact record not accepted: %.200s", s)
		}
		checkCanonical(t, s)
	}
}

func BenchmarkCanonicalJSON(b *testing.B) {
	seeds := realDynamicSeeds(b, 200)
	if len(seeds) == 0 {
		b.Skip("shared datasets not present")
	}
	var n int64
	for _, s := range seeds {
		n += int64(len(s))
	}
	b.Run("canonicalJSON", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			for _, s := range seeds {
				canonicalJSON(s)
			}
		}
	})
	b.Run("store.Normalize", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			for _, s := range seeds {
				store.Normalize(dynamicColumn, json.RawMessage(s))
			}
		}
	})
}
