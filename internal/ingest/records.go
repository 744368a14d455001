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
// records, numbered from 1, so a file of any size is read one event at a
// time and one bad event rejects only itself.
func readRecordsArray(ctx context.Context, p *Pipeline, source string, r io.Reader) error {
	dec := json.NewDecoder(r)
	// Consume `{`, `"Records"`, `[`.
	for i := 0; i < 3; i++ {
		if _, err := dec.Token(); err != nil {
			p.Reject(source, 1, "malformed Records file: "+err.Error())
			return nil
		}
	}
	for n := int64(1); dec.More(); n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			p.Reject(source, n, fmt.Sprintf("malformed Records element: %v", err))
			return nil
		}
		if len(raw) > p.opts.MaxRecordBytes {
			p.Reject(source, n, fmt.Sprintf("record of %d bytes exceeds the limit of %d", len(raw), p.opts.MaxRecordBytes))
			continue
		}
		if _, err := p.Add(ctx, Record{Source: source, Line: n, Data: raw}); err != nil {
			return err
		}
	}
	return nil
}

// isRecordsArray peeks at a stream's start without consuming it.
func isRecordsArray(br *bufio.Reader) bool {
	head, _ := br.Peek(256)
	return recordsArray.Match(head)
}
