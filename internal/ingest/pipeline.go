package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Appender is the part of the event store the pipeline writes to.
type Appender interface {
	Append(ctx context.Context, batch store.Batch) error
}

// Options configure a pipeline.
type Options struct {
	// Format is "" or "auto" to detect each record's source, or a
	// registered format, or "ndjson" (rows in the schema's shape) with
	// Table.
	Format string
	Table  string
	// BatchRows is how many rows are buffered before an append (default
	// 20,000). Callers that acknowledge records call Flush first.
	BatchRows int
	// MaxErrors caps the rejected records kept in the summary (default
	// 1,000); all are counted.
	MaxErrors int
	// MaxRecordBytes rejects larger records (default 1 MiB).
	MaxRecordBytes int
	// IngestionTime, when set, is stamped on every row (replays).
	IngestionTime time.Time
	// Enrichers run over each record's rows after normalization, in
	// order. They may be shared by concurrent pipelines.
	Enrichers []Enricher
}

// Enricher adds what the record alone cannot say: a device's first
// appearance, an account's SID or name seen elsewhere, an IP's class. It
// may add rows to the set (a DeviceInfo row) and fill empty columns; it
// never overwrites what the source said.
type Enricher interface {
	Enrich(rows *RowSet)
}

// RecordError says why a record was rejected, and where it was.
type RecordError struct {
	File   string `json:"file"`
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
}

func (e *RecordError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason) }

// Summary counts what a pipeline did. Rows counts rows durably written.
type Summary struct {
	Records  int64            `json:"records"`
	Rows     map[string]int64 `json:"rows"`
	Rejected int64            `json:"rejected"`
	Errors   []RecordError    `json:"errors"`
}

// Pipeline normalizes records and appends their rows in batches. It is
// used by one goroutine at a time.
//
// A full batch is appended in the background while the next one is
// normalized, so decoding and the store's write path run on two cores;
// at most one append is in flight, bounding memory to two batches. Flush
// waits for it, so what Flush acknowledges is durable as before.
type Pipeline struct {
	reg    *Registry
	fixed  Normalizer // nil: detect per record
	out    Appender
	opts   Options
	parser fastjson.Parser
	rs     RowSet

	pending      map[string]*store.TableRows
	order        []string
	pendingRows  int
	pendingCount map[string]int64
	sum          Summary

	// inflight receives the result of the append running in the
	// background (nil: none); inflightCount are its rows per table,
	// counted in the summary once it is durable.
	inflight      chan error
	inflightCount map[string]int64
}

// NewPipeline builds a pipeline writing to out.
func NewPipeline(reg *Registry, out Appender, opts Options) (*Pipeline, error) {
	if opts.BatchRows <= 0 {
		opts.BatchRows = 20_000
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = 1000
	}
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = 1 << 20
	}
	p := &Pipeline{reg: reg, out: out, opts: opts,
		pending: map[string]*store.TableRows{}, pendingCount: map[string]int64{},
		sum: Summary{Rows: map[string]int64{}, Errors: []RecordError{}}}
	switch opts.Format {
	case "", "auto":
		if opts.Table != "" {
			return nil, fmt.Errorf("a table is given only with format ndjson")
		}
	case "ndjson":
		if opts.Table == "" {
			return nil, fmt.Errorf("format ndjson needs a table")
		}
		n, err := NewNative(opts.Table)
		if err != nil {
			return nil, err
		}
		p.fixed = n
	default:
		n, err := reg.Lookup(opts.Format)
		if err != nil {
			return nil, err
		}
		p.fixed = n
	}
	return p, nil
}

// Add normalizes one record into the pending batch, appending when the
// batch is full. A rejected record returns its RecordError (also kept in
// the summary); the error return is a store failure (of this batch's
// append or of the one before, which ran in the background), after which
// the pending rows are lost and nothing must be acknowledged.
func (p *Pipeline) Add(ctx context.Context, rec Record) (*RecordError, error) {
	p.sum.Records++
	if reason := p.normalize(rec); reason != "" {
		re := RecordError{File: rec.Source, Line: rec.Line, Reason: reason}
		p.reject(re)
		return &re, nil
	}
	for _, r := range p.rs.Rows() {
		name := r.Table.Name
		tr, ok := p.pending[name]
		if !ok {
			tr = &store.TableRows{Table: name}
			p.pending[name] = tr
			p.order = append(p.order, name)
		}
		tr.Rows = append(tr.Rows, r.Values)
		p.pendingCount[name]++
		p.pendingRows++
	}
	if p.pendingRows >= p.opts.BatchRows {
		return nil, p.dispatch(ctx)
	}
	return nil, nil
}

// Reject counts a record the framing layer could not even read (an
// overlong line, a broken gzip stream).
func (p *Pipeline) Reject(source string, line int64, reason string) {
	p.sum.Records++
	p.reject(RecordError{File: source, Line: line, Reason: reason})
}

func (p *Pipeline) reject(re RecordError) {
	p.sum.Rejected++
	if len(p.sum.Errors) < p.opts.MaxErrors {
		p.sum.Errors = append(p.sum.Errors, re)
	}
}

// normalize fills p.rs with the record's rows, or returns why not.
func (p *Pipeline) normalize(rec Record) (reason string) {
	p.rs.Reset()
	if len(rec.Data) > p.opts.MaxRecordBytes {
		return fmt.Sprintf("record of %d bytes exceeds the limit of %d", len(rec.Data), p.opts.MaxRecordBytes)
	}
	in := Input{Record: rec}
	if first := firstByte(rec.Data); first == '{' {
		v, err := p.parser.ParseBytes(rec.Data)
		if err != nil {
			return "malformed JSON: " + err.Error()
		}
		in.JSON = v
	} else if first == 0 {
		return "empty record"
	}
	n := p.fixed
	if n == nil {
		var ok bool
		if n, ok = p.reg.Detect(&in); !ok {
			return "unrecognised record: not a known source format"
		}
	} else if !n.Detect(&in) {
		return "not a " + n.Format() + " record"
	}
	defer func() {
		if r := recover(); r != nil {
			p.rs.Reset()
			reason = fmt.Sprintf("internal error in the %s normalizer: %v", n.Format(), r)
		}
	}()
	if err := n.Normalize(&in, &p.rs); err != nil {
		p.rs.Reset()
		return err.Error()
	}
	if len(p.rs.Rows()) == 0 {
		return n.Format() + " normalizer produced no row"
	}
	for _, e := range p.opts.Enrichers {
		e.Enrich(&p.rs)
	}
	// Check every value here, record by record, so that one bad value
	// rejects its record and not the whole batch at append time.
	for _, r := range p.rs.Rows() {
		for i, v := range r.Values {
			if v == nil {
				continue
			}
			if raw, ok := v.(json.RawMessage); ok && fastCanonical && r.Table.Columns[i].Type == schema.Dynamic && canonicalJSON(raw) {
				// What store.Normalize would return, without its slow
				// scan; copied, since a normalizer's slice may alias the
				// record, which the reader reuses.
				r.Values[i] = append(json.RawMessage(nil), raw...)
				continue
			}
			cv, err := store.Normalize(r.Table.Columns[i], v)
			if err != nil {
				p.rs.Reset()
				var ve *store.ValueError
				if errors.As(err, &ve) {
					return fmt.Sprintf("%s.%s: want %s, got %s %s", r.Table.Name, ve.Column, ve.Want, ve.Got, ve.Reason)
				}
				return fmt.Sprintf("%s: %v", r.Table.Name, err)
			}
			r.Values[i] = cv
		}
	}
	return ""
}

// fastCanonical enables the canonicalJSON shortcut (tests turn it off to
// compare against the slow path).
var fastCanonical = true

func firstByte(b []byte) byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c
		}
	}
	return 0
}

// Flush appends the pending rows and returns once every row added so far
// is durable (or the store failed).
func (p *Pipeline) Flush(ctx context.Context) error {
	if err := p.dispatch(ctx); err != nil {
		return err
	}
	return p.wait()
}

// dispatch waits for the append in flight, then starts appending the
// pending rows in the background. A store error, from that earlier
// append, is returned here and the pending rows are dropped with it.
func (p *Pipeline) dispatch(ctx context.Context) error {
	err := p.wait()
	if p.pendingRows == 0 {
		return err
	}
	// Every value was normalized when its record was checked.
	b := store.Batch{IngestionTime: p.opts.IngestionTime, Canonical: true}
	for _, name := range p.order {
		b.Tables = append(b.Tables, *p.pending[name])
	}
	counts := p.pendingCount
	p.pending = map[string]*store.TableRows{}
	p.pendingCount = map[string]int64{}
	p.order = p.order[:0]
	p.pendingRows = 0
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	p.inflight, p.inflightCount = done, counts
	go func() { done <- p.out.Append(ctx, b) }()
	return nil
}

// wait returns the result of the append in flight, if any, counting its
// rows once they are durable.
func (p *Pipeline) wait() error {
	if p.inflight == nil {
		return nil
	}
	err := <-p.inflight
	if err == nil {
		for name, n := range p.inflightCount {
			p.sum.Rows[name] += n
		}
	}
	p.inflight, p.inflightCount = nil, nil
	return err
}

// Summary returns the counts so far; rows of a batch still being
// appended are counted once Flush (or a later batch) has waited for it.
func (p *Pipeline) Summary() Summary { return p.sum }
