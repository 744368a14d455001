package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Chunks sent per request: small enough to stay far below the server's
// body limit, large enough to amortise a request.
const (
	chunkLines = 10_000
	chunkBytes = 8 << 20
)

// remoteSummary accumulates the server's per-request summaries, plus
// rejections found while reading locally.
type remoteSummary struct{ sum ingest.Summary }

func (r *remoteSummary) Reject(source string, line int64, reason string) {
	r.sum.Records++
	r.sum.Rejected++
	r.sum.Errors = append(r.sum.Errors, ingest.RecordError{File: source, Line: line, Reason: reason})
}

func (r *remoteSummary) merge(s ingest.Summary) {
	r.sum.Records += s.Records
	r.sum.Rejected += s.Rejected
	for t, n := range s.Rows {
		r.sum.Rows[t] += n
	}
	if room := 1000 - len(r.sum.Errors); room > 0 {
		if len(s.Errors) > room {
			s.Errors = s.Errors[:room]
		}
		r.sum.Errors = append(r.sum.Errors, s.Errors...)
	}
}

func ingestRemote(ctx context.Context, base, token, caFile, format, table string, files []string, progress *progress) (ingest.Summary, error) {
	client, err := apiClient(caFile)
	if err != nil {
		return ingest.Summary{}, err
	}
	rs := &remoteSummary{sum: ingest.Summary{Rows: map[string]int64{}, Errors: []ingest.RecordError{}}}
	progress.records = func() int64 { return rs.sum.Records }
	for _, name := range files {
		err := readFile(name, func(r io.Reader) error {
			return sendFile(ctx, client, base, token, format, table, name, r, rs, progress)
		}, rs)
		if err != nil {
			return rs.sum, err
		}
		progress.fileDone()
	}
	return rs.sum, nil
}

func apiClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pemBytes, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read --ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemBytes) {
			return nil, fmt.Errorf("--ca %s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 5 * time.Minute}, nil
}

func sendFile(ctx context.Context, client *http.Client, base, token, format, table, name string, r io.Reader, rs *remoteSummary, progress *progress) error {
	rc, _, err := ingest.Decompress(&countReader{r: r, p: progress})
	if err != nil {
		rs.Reject(name, 1, "cannot read: "+err.Error())
		return nil
	}
	defer rc.Close()
	lr := ingest.NewLineReader(rc, ingest.MaxLineBytes)
	var buf bytes.Buffer
	var first, lines int64
	flush := func() error {
		if lines == 0 {
			return nil
		}
		s, err := postChunk(ctx, client, base, token, format, table, name, first, buf.Bytes())
		if err != nil {
			return err
		}
		rs.merge(s)
		buf.Reset()
		lines = 0
		return nil
	}
	for {
		line, no, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A chunk holds consecutive lines so the server can number
			// them; send what precedes the bad line first.
			if ferr := flush(); ferr != nil {
				return ferr
			}
			if errors.Is(err, ingest.ErrLineTooLong) {
				rs.Reject(name, no, err.Error())
				continue
			}
			rs.Reject(name, no, fmt.Sprintf("stream broken off: %v", err))
			return nil
		}
		if lines > 0 && no != first+lines {
			// Blank lines were skipped: keep numbering exact by sending
			// them as empty lines (the server skips them too).
			for i := first + lines; i < no; i++ {
				buf.WriteByte('\n')
				lines++
			}
		}
		if lines == 0 {
			first = no
		}
		buf.Write(line)
		buf.WriteByte('\n')
		lines++
		if lines >= chunkLines || buf.Len() >= chunkBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func postChunk(ctx context.Context, client *http.Client, base, token, format, table, source string, first int64, body []byte) (ingest.Summary, error) {
	q := url.Values{"format": {format}, "source": {source}, "line": {strconv.FormatInt(first, 10)}}
	if table != "" {
		q.Set("table", table)
	}
	target := base + "/api/v1/ingest?" + q.Encode()
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			return ingest.Summary{}, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := client.Do(req)
		if err != nil {
			return ingest.Summary{}, fmt.Errorf("sending to %s: %w", base, err)
		}
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			var s ingest.Summary
			if err := json.Unmarshal(data, &s); err != nil {
				return s, fmt.Errorf("unreadable answer from %s: %w", base, err)
			}
			return s, nil
		case (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) && attempt < 10:
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			select {
			case <-time.After(time.Duration(max(wait, 1)) * time.Second):
			case <-ctx.Done():
				return ingest.Summary{}, ctx.Err()
			}
		default:
			return ingest.Summary{}, fmt.Errorf("server answered %s: %s", resp.Status, bytes.TrimSpace(data))
		}
	}
}

type countReader struct {
	r io.Reader
	p *progress
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.Add(int64(n))
	return n, err
}
