// Package store defines the event store: where telemetry rows live, one
// table per hunting-schema table. Implementations: store/duckdb (embedded
// default); ClickHouse later. Nothing outside an implementation's package
// sees its driver's types, so the rest of Vigil depends only on this
// interface (and links no database driver).
//
// Values. A row is a []any in the table's schema column order
// (schema.Table.Columns). By column type, a value is:
//
//	string    string
//	int       int32 (int and int64 accepted when in range)
//	long      int64 (int and int32 accepted)
//	real      float64 (float32 accepted)
//	decimal   string holding a decimal number, or float64
//	bool      bool
//	datetime  time.Time (stored in UTC)
//	timespan  time.Duration
//	guid      string in canonical form, or [16]byte
//	dynamic   json.RawMessage or string holding JSON text, or any value
//	          encoding/json can marshal
//	nil       null, for every type
//
// Query results use the canonical type of each column: string, int32,
// int64, float64, string (decimal), bool, time.Time, time.Duration, string
// (guid), json.RawMessage (dynamic).
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Store is an event store. Its methods are safe for concurrent use.
type Store interface {
	// Dialect names the SQL dialect Query accepts ("duckdb",
	// "clickhouse"), for the KQL compiler to choose its SQL generator.
	Dialect() string

	// Append writes a batch atomically and durably: when it returns nil,
	// every row of the batch is committed and survives a crash; when it
	// returns an error, no row of the batch is visible. Every row gets the
	// same ingestion time (schema.IngestionTimeColumn), the time of the
	// call, unless the batch sets IngestionTime.
	Append(ctx context.Context, batch Batch) error

	// Query runs SQL in the store's dialect. User-supplied values reach it
	// only through Args (bind parameters), never in the SQL text. The
	// query is cancelled when ctx ends; at most MaxRows rows are returned.
	Query(ctx context.Context, q Query) (*Result, error)

	// EnforceRetention deletes rows whose ingestion time is older than
	// their table's retention at now, and returns the rows deleted per
	// table. Implementations also run it continuously in the background.
	EnforceRetention(ctx context.Context, now time.Time) (map[string]int64, error)

	// Stats reports row counts per table and the bytes the store uses on
	// disk.
	Stats(ctx context.Context) (Stats, error)

	// Close stops background work and releases the store. Appends that
	// returned before Close are durable.
	Close() error
}

// Batch is a set of rows for one or more tables, written atomically.
type Batch struct {
	Tables []TableRows
	// IngestionTime overrides the ingestion time of every row (zero means
	// now). Replays of recordings use it; live ingest leaves it zero.
	IngestionTime time.Time
	// Canonical says every value already is what Normalize returns for
	// its column (the ingest pipeline checks each record that way), so
	// Append need not normalize again. A value that is not canonical then
	// fails the whole batch in the driver instead of with a ValueError.
	Canonical bool
}

// TableRows are rows for one table, each in schema column order.
type TableRows struct {
	Table string
	Rows  [][]any
}

// Len returns the number of rows in the batch.
func (b Batch) Len() int {
	n := 0
	for _, t := range b.Tables {
		n += len(t.Rows)
	}
	return n
}

// Query is a read request.
type Query struct {
	SQL  string
	Args []any
	// MaxRows caps the rows returned; 0 means DefaultMaxRows. Result.Truncated
	// says whether more rows were available.
	MaxRows int
	// Profile asks for Result.Stats: what the query cost the store.
	Profile bool
}

// DefaultMaxRows is the row cap of a Query that sets none. Defender caps
// advanced hunting results at 100,000 rows too.
const DefaultMaxRows = 100_000

// ResultColumn names a result column and its KQL type.
type ResultColumn struct {
	Name string
	Type schema.Type
}

// Result is the answer to a Query.
type Result struct {
	Columns   []ResultColumn
	Rows      [][]any
	Truncated bool
	// Stats is set when the Query asked for a profile and the store could
	// measure it.
	Stats *QueryStats
}

// QueryStats is what one query cost the store.
type QueryStats struct {
	// RowsScanned counts the rows read from tables, over every scan.
	RowsScanned int64
	// CPU is the processor time of the query's operators over all threads.
	CPU time.Duration
}

// Stats describes the store's contents.
type Stats struct {
	Rows      map[string]int64 // per table
	DiskBytes int64
}

// Options configure an event store.
type Options struct {
	// Retention per table; tables not listed keep DefaultRetention.
	Retention map[string]time.Duration
	// DefaultRetention applies to tables without their own; 0 means 30 days.
	DefaultRetention time.Duration
	// RetentionInterval is how often retention runs in the background; 0
	// means every 10 minutes, negative disables the background loop.
	RetentionInterval time.Duration
	// BulkMinRows: a batch of at least this many rows takes the
	// implementation's bulk write path (DuckDB: Parquet segments); 0 means
	// the implementation's default, negative never (benchmarks measure the
	// row path with it).
	BulkMinRows int
	// Logger-free by design: implementations report background errors
	// through OnError when it is set.
	OnError func(error)
}

// ReferenceTables hold reference data an administrator imports (IP
// geolocation), not events: retention keeps them unless configured.
var ReferenceTables = map[string]bool{"GeoIPRanges": true}

// referenceRetention is "keep" for reference tables.
const referenceRetention = 100 * 365 * 24 * time.Hour

// RetentionFor returns the retention of a table under these options.
func (o Options) RetentionFor(table string) time.Duration {
	if d, ok := o.Retention[table]; ok && d > 0 {
		return d
	}
	if ReferenceTables[table] {
		return referenceRetention
	}
	if o.DefaultRetention > 0 {
		return o.DefaultRetention
	}
	return DefaultRetention
}

// DefaultRetention is how long rows are kept when nothing else is set.
const DefaultRetention = 30 * 24 * time.Hour

// Errors with stable identities, for errors.Is.
var (
	// ErrLocked: the store's files are held by another process.
	ErrLocked = errors.New("event store is locked by another process")
	// ErrCorrupt: the store's files cannot be read as a store.
	ErrCorrupt = errors.New("event store files are corrupt or not a Vigil event store")
	// ErrUnknownTable: a batch names a table the schema lacks.
	ErrUnknownTable = errors.New("unknown table")
	// ErrCanceled: the query's context was cancelled or its deadline passed.
	ErrCanceled = errors.New("query cancelled or timed out")
)

// ValueError reports a value that does not fit its column, with its
// position in the batch.
type ValueError struct {
	Table  string
	Row    int // index within the table's rows
	Column string
	Want   schema.Type
	Got    string // Go type of the value
	Reason string
}

func (e *ValueError) Error() string {
	msg := fmt.Sprintf("%s row %d column %s: want %s, got %s", e.Table, e.Row, e.Column, e.Want, e.Got)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}
