package duckdb

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

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

// writeSegment writes a segment file to path durably with encode: a
// temporary file in the same directory, synced, renamed over path, so
// after a crash path is either absent or complete. It returns the size.
func writeSegment(path string, encode func(io.Writer) error) (int64, error) {
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
	if err := encode(f); err != nil {
		return 0, fmt.Errorf("duckdb: segment %s: %w", filepath.Base(path), err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("duckdb: segment: sync %s: %w", filepath.Base(path), err)
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("duckdb: segment: %w", err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("duckdb: segment: %w", err)
	}
	ok = true
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
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
