package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// Decompress detects gzip and zstd by their magic bytes and returns a
// reader of the plain bytes, and the compression's name ("" for none).
func Decompress(r io.Reader) (io.ReadCloser, string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(4)
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "gzip", fmt.Errorf("gzip: %w", err)
		}
		return zr, "gzip", nil
	case len(magic) == 4 && bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		// A bounded window so a hostile frame cannot ask for gigabytes.
		zr, err := zstd.NewReader(br, zstd.WithDecoderMaxWindow(64<<20), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, "zstd", fmt.Errorf("zstd: %w", err)
		}
		return zr.IOReadCloser(), "zstd", nil
	}
	return io.NopCloser(br), "", nil
}

// LineReader splits a stream into lines of at most a maximum length. An
// overlong line is reported (ErrLineTooLong) and skipped, and reading goes
// on with the next line, so one bad line costs only itself.
type LineReader struct {
	br      *bufio.Reader
	max     int
	line    int64
	buf     []byte
	ReadN   int64 // bytes consumed, for progress
	skipped bool
}

// ErrLineTooLong reports a line longer than the reader's maximum.
var ErrLineTooLong = errors.New("line too long")

// NewLineReader reads lines of at most max bytes (excluding the newline).
func NewLineReader(r io.Reader, max int) *LineReader {
	return &LineReader{br: bufio.NewReaderSize(r, 256<<10), max: max}
}

// Next returns the next non-blank line and its 1-based number. The slice is
// valid until the next call. At the end it returns io.EOF; a broken stream
// (truncated gzip) returns that error with the line it broke on.
func (l *LineReader) Next() ([]byte, int64, error) {
	for {
		l.buf = l.buf[:0]
		l.line++
		tooLong := false
		for {
			chunk, err := l.br.ReadSlice('\n')
			l.ReadN += int64(len(chunk))
			if !tooLong {
				if len(l.buf)+len(chunk) > l.max+2 { // allow for \r\n
					tooLong = true
					l.buf = l.buf[:0]
				} else {
					l.buf = append(l.buf, chunk...)
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF && len(l.buf) == 0 && !tooLong {
				if len(chunk) == 0 {
					return nil, l.line, io.EOF
				}
			}
			if err != nil && err != io.EOF {
				return nil, l.line, err
			}
			if tooLong {
				return nil, l.line, fmt.Errorf("%w: more than %d bytes", ErrLineTooLong, l.max)
			}
			line := bytes.TrimRight(l.buf, "\r\n")
			if len(bytes.TrimSpace(line)) == 0 {
				if err == io.EOF {
					return nil, l.line, io.EOF
				}
				break // blank line: not a record
			}
			return line, l.line, nil
		}
	}
}
