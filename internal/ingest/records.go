package ingest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
)

// recordsArray matches the start of a file that wraps its events in a
// top-level array, as CloudTrail's S3 files do: {"Records": [ ... ]}.
var recordsArray = regexp.MustCompile(`^\s*\{\s*"Records"\s*:\s*\[`)

// readRecordsArray streams the elements of the "Records" array as
// records, numbered from 1, so a file of any size is read a chunk of
// events at a time (normalized on every worker, as lines are) and one bad
// event rejects only itself.
func readRecordsArray(ctx context.Context, p *Pipeline, source string, r io.Reader) error {
	dec := json.NewDecoder(r)
	// Consume `{`, `"Records"`, `[`.
	for i := 0; i < 3; i++ {
		if _, err := dec.Token(); err != nil {
			p.Reject(source, 1, "malformed Records file: "+err.Error())
			return nil
		}
	}
	var chunk []Record
	size := 0
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		_, err := p.AddMany(ctx, chunk)
		chunk, size = chunk[:0], 0
		return err
	}
	for n := int64(1); dec.More(); n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			// The events before it, in order, then the rejection.
			if err := flush(); err != nil {
				return err
			}
			p.Reject(source, n, fmt.Sprintf("malformed Records element: %v", err))
			return nil
		}
		if len(raw) > p.opts.MaxRecordBytes {
			if err := flush(); err != nil {
				return err
			}
			p.Reject(source, n, fmt.Sprintf("record of %d bytes exceeds the limit of %d", len(raw), p.opts.MaxRecordBytes))
			continue
		}
		// Each element is its own allocation: the chunk may keep it.
		chunk = append(chunk, Record{Source: source, Line: n, Data: raw})
		if size += len(raw); len(chunk) == chunkLines || size >= chunkBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// isRecordsArray peeks at a stream's start without consuming it.
func isRecordsArray(br *bufio.Reader) bool {
	head, _ := br.Peek(256)
	return recordsArray.Match(head)
}
