package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
	"unicode/utf8"

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
	// 50,000: the store writes a bulk batch as a file per table, and at
	// 20,000 rows most tables' files were small enough to be merged again
	// in the background, which cost 75% more CPU per event in
	// BenchmarkIngestSysmon). Callers that acknowledge records call Flush
	// first.
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
	// Workers is how many goroutines AddMany normalizes on (default
	// GOMAXPROCS); 1 normalizes every record on the caller's goroutine.
	// The rows, their order, the errors and the summary are the same
	// whatever the number.
	Workers int
}

// Enricher adds what the record alone cannot say: a device's first
// appearance, an account's SID or name seen elsewhere, an IP's class. It
// may add rows to the set (a DeviceInfo row) and fill empty columns; it
// never overwrites what the source said. The pipeline calls it record by
// record in input order, and checks only the values it filled or added
// (the normalizer's were checked before).
type Enricher interface {
	Enrich(rows *RowSet)
}

// A ColumnFiller is an Enricher that says which columns of a table it may
// fill (their positions; none when it only adds rows), and fills no
// other. When every enricher says so, the pipeline checks only those
// columns after enrichment instead of every column that was empty.
type ColumnFiller interface {
	Fills(t *schema.Table) []int
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
	reg   *Registry
	fixed Normalizer // nil: detect per record
	out   Appender
	opts  Options
	seq   worker // normalizes on the caller's goroutine
	// records counts records handled, for progress shown from another
	// goroutine (Records); the summary's count is the same number.
	records atomic.Int64
	// enr is the record being enriched; nilCols are its columns that were
	// empty before enrichment, the only ones enrichers may fill.
	enr     RowSet
	nilCols [][2]int32
	// fills are the columns per table the enrichers may fill, when every
	// one is a ColumnFiller (nil otherwise: any empty column may be).
	fills map[*schema.Table][]int
	// par is AddMany's scratch, kept between calls.
	par parallel

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
		opts.BatchRows = 50_000
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = 1000
	}
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = 1 << 20
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	p := &Pipeline{reg: reg, out: out, opts: opts,
		pending: map[string]*store.TableRows{}, pendingCount: map[string]int64{},
		sum: Summary{Rows: map[string]int64{}, Errors: []RecordError{}}}
	p.fills = map[*schema.Table][]int{}
	for _, e := range opts.Enrichers {
		if _, ok := e.(ColumnFiller); !ok {
			p.fills = nil
			break
		}
	}
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
	reason, _ := p.seq.normalize(p, rec, false)
	return p.merge(ctx, rec, reason, p.seq.rs.Rows())
}

// merge finishes a record normalized by a worker, in input order:
// enrichment (which remembers what it saw, so it runs record by record in
// order), the check of what it filled in, and the rows' place in the
// batch. rows are the record's rows when reason is "".
func (p *Pipeline) merge(ctx context.Context, rec Record, reason string, rows []*Row) (*RecordError, error) {
	p.sum.Records++
	p.records.Add(1)
	if reason == "" {
		reason = p.enrich(rows)
	}
	if reason != "" {
		re := RecordError{File: rec.Source, Line: rec.Line, Reason: reason}
		p.reject(re)
		return &re, nil
	}
	for _, r := range p.enr.Rows() {
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
	p.enr.Reset()
	if p.pendingRows >= p.opts.BatchRows {
		return nil, p.dispatch(ctx)
	}
	return nil, nil
}

// enrich runs the enrichers over a record's rows (left in p.enr) and
// checks the values they filled in or added; the normalizer's own values
// were checked by the worker.
func (p *Pipeline) enrich(rows []*Row) (reason string) {
	p.enr.rows = append(p.enr.rows[:0], rows...)
	if len(p.opts.Enrichers) == 0 {
		return ""
	}
	// Enrichers only fill empty columns and add rows, so only those can
	// hold a value not yet checked.
	p.nilCols = p.nilCols[:0]
	for ri, r := range rows {
		if p.fills == nil {
			for i, v := range r.Values {
				if v == nil {
					p.nilCols = append(p.nilCols, [2]int32{int32(ri), int32(i)})
				}
			}
			continue
		}
		for _, i := range p.filledIn(r.Table) {
			if r.Values[i] == nil {
				p.nilCols = append(p.nilCols, [2]int32{int32(ri), int32(i)})
			}
		}
	}
	for _, e := range p.opts.Enrichers {
		e.Enrich(&p.enr)
	}
	all := p.enr.Rows()
	for _, c := range p.nilCols {
		if r := all[c[0]]; r.Values[c[1]] != nil {
			if reason = checkValue(r, int(c[1])); reason != "" {
				p.enr.Reset()
				return reason
			}
		}
	}
	for _, r := range all[len(rows):] {
		if reason = checkRow(r); reason != "" {
			p.enr.Reset()
			return reason
		}
	}
	return ""
}

// filledIn returns the columns of t the enrichers may fill, asking them
// once per table.
func (p *Pipeline) filledIn(t *schema.Table) []int {
	cols, ok := p.fills[t]
	if !ok {
		seen := map[int]bool{}
		cols = []int{}
		for _, e := range p.opts.Enrichers {
			for _, i := range e.(ColumnFiller).Fills(t) {
				if !seen[i] && i >= 0 && i < len(t.Columns) {
					seen[i] = true
					cols = append(cols, i)
				}
			}
		}
		p.fills[t] = cols
	}
	return cols
}

// Records returns how many records the pipeline has handled so far. Unlike
// Summary it may be called from any goroutine (for progress display).
func (p *Pipeline) Records() int64 { return p.records.Load() }

// Reject counts a record the framing layer could not even read (an
// overlong line, a broken gzip stream).
func (p *Pipeline) Reject(source string, line int64, reason string) {
	p.sum.Records++
	p.records.Add(1)
	p.reject(RecordError{File: source, Line: line, Reason: reason})
}

func (p *Pipeline) reject(re RecordError) {
	p.sum.Rejected++
	if len(p.sum.Errors) < p.opts.MaxErrors {
		p.sum.Errors = append(p.sum.Errors, re)
	}
}

// worker is what normalizing one record at a time needs; each goroutine
// that normalizes has its own.
type worker struct {
	parser fastjson.Parser
	rs     RowSet
}

// normalize fills w.rs with the record's rows, every value checked, or
// returns why not. With unordered set, records are being normalized out
// of order, and a normalizer that needs the records before this one
// answers ErrNeedsOrder (needsOrder): the caller then normalizes the
// record again, in order.
func (w *worker) normalize(p *Pipeline, rec Record, unordered bool) (reason string, needsOrder bool) {
	w.rs.Reset()
	if len(rec.Data) > p.opts.MaxRecordBytes {
		return fmt.Sprintf("record of %d bytes exceeds the limit of %d", len(rec.Data), p.opts.MaxRecordBytes), false
	}
	in := Input{Record: rec, Unordered: unordered}
	if first := firstByte(rec.Data); first == '{' {
		v, err := w.parser.ParseBytes(rec.Data)
		if err != nil {
			return "malformed JSON: " + err.Error(), false
		}
		in.JSON = v
	} else if first == 0 {
		return "empty record", false
	}
	n := p.fixed
	if n == nil {
		var ok bool
		if n, ok = p.reg.Detect(&in); !ok {
			return "unrecognised record: not a known source format", false
		}
	} else if !n.Detect(&in) {
		return "not a " + n.Format() + " record", false
	}
	defer func() {
		if r := recover(); r != nil {
			w.rs.Reset()
			reason = fmt.Sprintf("internal error in the %s normalizer: %v", n.Format(), r)
		}
	}()
	if err := n.Normalize(&in, &w.rs); err != nil {
		w.rs.Reset()
		if unordered && errors.Is(err, ErrNeedsOrder) {
			return "", true
		}
		return err.Error(), false
	}
	if len(w.rs.Rows()) == 0 {
		return n.Format() + " normalizer produced no row", false
	}
	// Check every value here, record by record, so that one bad value
	// rejects its record and not the whole batch at append time.
	for _, r := range w.rs.Rows() {
		if reason := checkRow(r); reason != "" {
			w.rs.Reset()
			return reason, false
		}
	}
	return "", false
}

// checkRow puts every value of a row in the store's canonical form, or
// says why one cannot be stored.
func checkRow(r *Row) string {
	for i, v := range r.Values {
		if v == nil || (fastCanonical && i < 64 && r.checked&(1<<i) != 0) {
			continue
		}
		if reason := checkValue(r, i); reason != "" {
			return reason
		}
	}
	return ""
}

// checkValue puts one value in the store's canonical form, or says why it
// cannot be stored.
func checkValue(r *Row, i int) string {
	v := r.Values[i]
	// The common values already canonical, as store.Normalize would find
	// them, without its dispatch.
	switch x := v.(type) {
	case string:
		if r.Table.Columns[i].Type == schema.String && utf8.ValidString(x) {
			return ""
		}
	case int64:
		if r.Table.Columns[i].Type == schema.Long {
			return ""
		}
	case int32:
		if r.Table.Columns[i].Type == schema.Int {
			return ""
		}
	case bool:
		if r.Table.Columns[i].Type == schema.Bool {
			return ""
		}
	case time.Time:
		// Already UTC (what the normalizers parse): no new copy to box.
		if y := x.Year(); r.Table.Columns[i].Type == schema.DateTime && x.UTC() == x && y >= 1 && y <= 9999 {
			return ""
		}
	}
	if raw, ok := v.(json.RawMessage); ok && fastCanonical && r.Table.Columns[i].Type == schema.Dynamic && canonicalJSON(raw) {
		// What store.Normalize would return, without its slow scan;
		// copied, since a normalizer's slice may alias the record, which
		// the reader reuses.
		r.Values[i] = append(json.RawMessage(nil), raw...)
		return ""
	}
	cv, err := store.Normalize(r.Table.Columns[i], v)
	if err != nil {
		var ve *store.ValueError
		if errors.As(err, &ve) {
			return fmt.Sprintf("%s.%s: want %s, got %s %s", r.Table.Name, ve.Column, ve.Want, ve.Got, ve.Reason)
		}
		return fmt.Sprintf("%s: %v", r.Table.Name, err)
	}
	r.Values[i] = cv
	return ""
}

// fastCanonical enables the canonicalJSON shortcut and trusts
// SetCanonicalJSON (tests turn it off to compare against the slow path).
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
