package duckdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// A segment file is one Parquet file of one table's rows: the schema's
// columns in order, then the ingestion time. Each column's Parquet type is
// one DuckDB reads back as the base table's type (JSON and UUID through
// their logical types), except timespans, which Parquet can only hold in
// milliseconds: they are stored as microseconds and the view converts.
var (
	arrowTime = &arrow.TimestampType{Unit: arrow.Microsecond} // no zone: DuckDB's TIMESTAMP
	arrowJSON = func() arrow.DataType {
		t, err := extensions.NewJSONType(arrow.BinaryTypes.LargeString)
		if err != nil {
			panic(err) // LargeString is a JSON storage type
		}
		return t
	}()
	arrowUUID = extensions.NewUUIDType()
	arrowDec  = &arrow.Decimal128Type{Precision: 38, Scale: decimalScale}
)

func arrowType(t schema.Type) arrow.DataType {
	switch t {
	case schema.Int:
		return arrow.PrimitiveTypes.Int32
	case schema.Long, schema.TimeSpan:
		return arrow.PrimitiveTypes.Int64
	case schema.Real:
		return arrow.PrimitiveTypes.Float64
	case schema.Decimal:
		return arrowDec
	case schema.Bool:
		return arrow.FixedWidthTypes.Boolean
	case schema.DateTime:
		return arrowTime
	case schema.GUID:
		return arrowUUID
	case schema.Dynamic:
		return arrowJSON
	}
	// 64-bit offsets: a batch's text may pass 2 GB.
	return arrow.BinaryTypes.LargeString
}

// segmentSchema is the Arrow schema of t's segment files.
func segmentSchema(t *schema.Table) *arrow.Schema {
	fields := make([]arrow.Field, 0, len(t.Columns)+1)
	for _, c := range t.Columns {
		// Strings are never null (stored as ''): a required column has no
		// definition levels to encode.
		fields = append(fields, arrow.Field{Name: c.Name, Type: arrowType(c.Type), Nullable: c.Type != schema.String})
	}
	fields = append(fields, arrow.Field{Name: schema.IngestionTimeColumn, Type: arrowTime})
	return arrow.NewSchema(fields, nil)
}

// segmentProps: zstd at its fastest level (writing is on the ingest path;
// compaction rewrites with DuckDB later), dictionaries and statistics on
// so DuckDB skips files and row groups by value.
var segmentProps = parquet.NewWriterProperties(
	parquet.WithCompression(segmentCodec),
	parquet.WithCompressionLevel(segmentLevel),
	parquet.WithDictionaryDefault(false),
	parquet.WithStats(true),
	parquet.WithMaxRowGroupLength(segmentRowGroup),
	parquet.WithCreatedBy("vigil"),
)

var (
	segmentCodec = compress.Codecs.Zstd
	segmentLevel = 1
)

// segmentRowGroup is DuckDB's own row group size.
const segmentRowGroup = 122_880

// segmentStats describes a written segment for the manifest.
type segmentStats struct {
	rows, bytes int64
	// minTime, maxTime bound the rows' Timestamp column (zero when the
	// table has none or every row's is null).
	minTime, maxTime time.Time
}

// positioned places a ValueError at row r of table.
func positioned(err error, table string, r int) error {
	var ve *store.ValueError
	if errors.As(err, &ve) {
		ve.Table, ve.Row = table, r
	}
	return err
}

// widthErrorCols is widthError for a schema table.
func widthErrorCols(table string, r int, row []any, t *schema.Table) error {
	return widthError(table, r, row, &layout{table: t})
}

// writeSegment writes rec to path durably: a temporary file in the same
// directory, synced, renamed over path, and the directory synced, so after
// a crash path is either absent or complete.
func writeSegment(path string, rec arrow.RecordBatch, mem memory.Allocator) (int64, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return 0, fmt.Errorf("duckdb: segment: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, segmentProps, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		return 0, fmt.Errorf("duckdb: segment %s: %w", filepath.Base(path), err)
	}
	if err := w.Write(rec); err != nil {
		w.Close()
		return 0, fmt.Errorf("duckdb: segment %s: %w", filepath.Base(path), err)
	}
	if err := w.Close(); err != nil { // also closes f
		return 0, fmt.Errorf("duckdb: segment %s: %w", filepath.Base(path), err)
	}
	ok = true
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("duckdb: segment: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("duckdb: segment: %w", err)
	}
	return fi.Size(), nil
}

// syncFile flushes a closed file's data to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("duckdb: segment: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("duckdb: segment: sync %s: %w", filepath.Base(path), err)
	}
	return nil
}

// syncDir makes renames and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("duckdb: segment: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("duckdb: segment: sync %s: %w", dir, err)
	}
	return nil
}
