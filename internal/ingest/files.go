package ingest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
)

// MaxLineBytes is the longest line a file or request may hold; longer
// lines are rejected one by one (Elasticsearch's default http.max_content
// is 100 MB a request, but a single event of megabytes is an attack or a
// bug).
const MaxLineBytes = 4 << 20

// Counter reports bytes read, for progress display.
type Counter interface{ Add(n int64) }

// ReadLines feeds every line of r (plain, gzip or zstd) to the pipeline as
// records named source. Record-level problems (an overlong line, a stream
// that breaks off) are rejected with their line number; the returned error
// is a store failure or a cancelled context.
func ReadLines(ctx context.Context, p *Pipeline, source string, r io.Reader, progress Counter) error {
	rc, _, err := Decompress(&countingReader{r: r, c: progress})
	if err != nil {
		p.Reject(source, 1, "cannot read: "+err.Error())
		return nil
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	if isRecordsArray(br) {
		return readRecordsArray(ctx, p, source, br)
	}
	lr := NewLineReader(br, MaxLineBytes)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, no, err := lr.Next()
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, ErrLineTooLong):
			p.Reject(source, no, err.Error())
			continue
		case err != nil:
			p.Reject(source, no, fmt.Sprintf("stream broken off: %v", err))
			return nil
		}
		if _, err := p.Add(ctx, Record{Source: source, Line: no, Data: line}); err != nil {
			return err
		}
	}
}

type countingReader struct {
	r io.Reader
	c Counter
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if c.c != nil && n > 0 {
		c.c.Add(int64(n))
	}
	return n, err
}
