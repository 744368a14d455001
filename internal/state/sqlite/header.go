package sqlite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/vigilsec/vigil/internal/state"
)

// sqliteMagic opens every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// createPrivate creates path with mode 0600 if it does not exist. The store
// holds password and token hashes, so it must not be world-readable under
// the usual umask; SQLite gives the -wal and -shm files the database file's
// mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	return f.Close()
}

// checkHeader rejects an existing, non-empty file that is not SQLite before
// the driver opens it, so that a mistyped path (a config file, a DuckDB
// file) is reported as such and never gets -wal and -shm files beside it.
// A missing or empty file is a new store.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0 && err == io.EOF:
		return nil
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: %w (%d bytes, shorter than a SQLite header)", path, state.ErrCorrupt, n)
	case err != nil:
		return fmt.Errorf("sqlite: read %s: %w", path, err)
	case !bytes.Equal(head, sqliteMagic):
		return fmt.Errorf("%s: %w (not a SQLite database)", path, state.ErrCorrupt)
	}
	return nil
}
