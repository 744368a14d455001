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

// Counter reports bytes read, for progress display. ReadLines calls it
// from a goroutine of its own.
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
	return readChunks(ctx, p, source, NewLineReader(br, MaxLineBytes))
}

// readChunks reads lines on a goroutine of its own, one chunk ahead of the
// pipeline, so that reading and decompressing overlap normalization; two
// chunks take turns, bounding the memory. It returns only once that
// goroutine has stopped, so the stream is not read after it returns.
func readChunks(ctx context.Context, p *Pipeline, source string, lr *LineReader) error {
	ready := make(chan *lineChunk, 1)
	free := make(chan *lineChunk, 2)
	free <- &lineChunk{}
	free <- &lineChunk{}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			var c *lineChunk
			select {
			case c = <-free:
			case <-stop:
				return
			}
			if !c.fill(source, lr, stop) {
				return
			}
			select {
			case ready <- c:
			case <-stop:
				return
			}
			if c.end {
				return
			}
		}
	}()
	defer func() {
		close(stop)
		<-done
	}()
	for {
		var c *lineChunk
		select {
		case c = <-ready:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.flush(ctx, p); err != nil {
			return err
		}
		// Records keep their order: a line that could not be read comes
		// after the lines before it.
		if c.reason != "" {
			p.Reject(source, c.line, c.reason)
		}
		if c.end {
			return nil
		}
		free <- c
	}
}

// Chunks of lines handed to AddMany: large enough to keep every worker
// busy, small enough that a chunk's rows are a small part of a batch.
const (
	chunkLines = 2048
	chunkBytes = 8 << 20
)

// lineChunk collects consecutive lines, copied (the line reader reuses
// its buffer), for one AddMany call, then what stopped it: a line that
// could not be read (reason, line) and whether the stream ended.
type lineChunk struct {
	buf  []byte
	ends []int
	recs []Record

	line   int64
	reason string
	end    bool
}

// fill reads lines into an emptied chunk until it is full, a line cannot
// be read, or the stream ends; false when stop closed first.
func (c *lineChunk) fill(source string, lr *LineReader, stop <-chan struct{}) bool {
	c.buf, c.ends, c.recs = c.buf[:0], c.ends[:0], c.recs[:0]
	c.line, c.reason, c.end = 0, "", false
	for len(c.recs) < chunkLines && len(c.buf) < chunkBytes {
		select {
		case <-stop:
			return false
		default:
		}
		line, no, err := lr.Next()
		switch {
		case err == io.EOF:
			c.end = true
			return true
		case errors.Is(err, ErrLineTooLong):
			c.line, c.reason = no, err.Error()
			return true
		case err != nil:
			c.line, c.reason, c.end = no, fmt.Sprintf("stream broken off: %v", err), true
			return true
		}
		c.buf = append(c.buf, line...)
		c.ends = append(c.ends, len(c.buf))
		c.recs = append(c.recs, Record{Source: source, Line: no})
	}
	return true
}

// flush adds the chunk's lines to the pipeline.
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
