package ingest

import (
	"errors"
	"fmt"
	"sort"

	"github.com/valyala/fastjson"
)

// Record is one input record and where it came from.
type Record struct {
	Source string // file name, "-", or an endpoint such as "_bulk"
	Line   int64  // 1-based line in a file, or item number in a request
	Data   []byte // the record's bytes; valid only during the call
}

// Input is a record as normalizers see it: its bytes and, when they are a
// JSON object, the parsed object (parsed once, by the pipeline).
type Input struct {
	Record
	JSON *fastjson.Value // nil when Data is not a JSON object
	// Unordered is set when records are normalized out of order, on
	// several goroutines. A normalizer whose rows for a record depend on
	// the records before it (what it learned from them) must then return
	// ErrNeedsOrder rather than guess; the pipeline calls it again for
	// that record once every earlier record is done.
	Unordered bool
}

// ErrNeedsOrder is returned by a normalizer, for an Input marked
// Unordered, when the record's rows depend on the records before it.
var ErrNeedsOrder = errors.New("record needs the records before it normalized first")

// Normalizer maps one source's records to rows. Implementations are safe
// for concurrent use: pipelines share them, and a pipeline normalizes on
// several goroutines (see Input.Unordered).
type Normalizer interface {
	// Format is the name used by --format and in summaries.
	Format() string
	// Detect reports whether a record has this source's shape. It must be
	// cheap: auto-detection asks every normalizer in turn.
	Detect(in *Input) bool
	// Normalize adds the record's rows to out, or returns an error that
	// rejects the record (the rows added are then discarded).
	Normalize(in *Input, out *RowSet) error
}

// Registry holds normalizers in detection order: the most specific shape
// first, a catch-all last.
type Registry struct {
	list     []Normalizer
	byFormat map[string]Normalizer
}

// NewRegistry returns a registry of the given normalizers, in order.
func NewRegistry(ns ...Normalizer) *Registry {
	r := &Registry{byFormat: map[string]Normalizer{}}
	for _, n := range ns {
		if _, dup := r.byFormat[n.Format()]; dup {
			panic("ingest: format registered twice: " + n.Format())
		}
		r.list = append(r.list, n)
		r.byFormat[n.Format()] = n
	}
	return r
}

// Lookup returns the normalizer of a format.
func (r *Registry) Lookup(format string) (Normalizer, error) {
	n, ok := r.byFormat[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (known: auto, ndjson, %v)", format, r.Formats())
	}
	return n, nil
}

// Formats lists the registered formats, sorted.
func (r *Registry) Formats() []string {
	out := make([]string, 0, len(r.list))
	for _, n := range r.list {
		out = append(out, n.Format())
	}
	sort.Strings(out)
	return out
}

// Detect returns the first normalizer whose Detect accepts the record.
func (r *Registry) Detect(in *Input) (Normalizer, bool) {
	for _, n := range r.list {
		if n.Detect(in) {
			return n, true
		}
	}
	return nil, false
}
