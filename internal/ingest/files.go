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
	var c lineChunk
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, no, err := lr.Next()
		switch {
		case err == io.EOF:
			return c.flush(ctx, p)
		case errors.Is(err, ErrLineTooLong):
			// Records keep their order: the lines before go first.
			if err := c.flush(ctx, p); err != nil {
				return err
			}
			p.Reject(source, no, err.Error())
			continue
		case err != nil:
			if err := c.flush(ctx, p); err != nil {
				return err
			}
			p.Reject(source, no, fmt.Sprintf("stream broken off: %v", err))
			return nil
		}
		c.add(source, no, line)
		if c.full() {
			if err := c.flush(ctx, p); err != nil {
				return err
			}
		}
	}
}

// Chunks of lines handed to AddMany: large enough to keep every worker
// busy, small enough that a chunk's rows are a small part of a batch.
const (
	chunkLines = 2048
	chunkBytes = 8 << 20
)

// lineChunk collects consecutive lines, copied (the line reader reuses
// its buffer), for one AddMany call.
type lineChunk struct {
	buf  []byte
	ends []int
	recs []Record
}

func (c *lineChunk) add(source string, no int64, line []byte) {
	c.buf = append(c.buf, line...)
	c.ends = append(c.ends, len(c.buf))
	c.recs = append(c.recs, Record{Source: source, Line: no})
}

func (c *lineChunk) full() bool { return len(c.recs) >= chunkLines || len(c.buf) >= chunkBytes }

// flush adds the collected lines and empties the chunk.
func (c *lineChunk) flush(ctx context.Context, p *Pipeline) error {
	if len(c.recs) == 0 {
		return nil
	}
	start := 0
	for i := range c.recs {
		c.recs[i].Data = c.buf[start:c.ends[i]:c.ends[i]]
		start = c.ends[i]
	}
	_, err := p.AddMany(ctx, c.recs)
	c.buf, c.ends, c.recs = c.buf[:0], c.ends[:0], c.recs[:0]
	return err
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
