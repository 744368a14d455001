package api

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
)

// ingestSlots bounds concurrent ingest requests; a request that cannot get
// a slot in time is told to retry (backpressure instead of a growing
// queue in memory).
type ingestSlots chan struct{}

func (s ingestSlots) acquire(ctx context.Context, wait time.Duration) bool {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case s <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (s ingestSlots) release() { <-s }

func errBusy() *Error {
	return &Error{http.StatusTooManyRequests, "busy", "the server is ingesting at capacity; retry after the delay in Retry-After"}
}

// ingestNative accepts rows already in the schema's shape for one table:
// POST /api/v1/ingest/{Table}, NDJSON, optionally gzip or zstd.
func (s *Server) ingestNative(w http.ResponseWriter, r *http.Request) {
	s.ingestLines(w, r, ingest.Options{Format: "ndjson", Table: r.PathValue("table")}, "api/"+r.PathValue("table"))
}

// ingestRecords accepts records in any supported format:
// POST /api/v1/ingest?format=auto|<format>[&table=T][&source=NAME][&line=N].
// `vigil ingest --server` uses it; line numbers in errors count from
// line (default 1) so they point into the sender's file.
func (s *Server) ingestRecords(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	source := q.Get("source")
	if source == "" {
		source = "api"
	}
	if len(source) > 256 {
		s.writeError(w, r, errInvalid("source is longer than 256 bytes"))
		return
	}
	s.ingestLines(w, r, ingest.Options{Format: q.Get("format"), Table: q.Get("table")}, source)
}

func (s *Server) ingestLines(w http.ResponseWriter, r *http.Request, opts ingest.Options, source string) {
	first := int64(1)
	if v := r.URL.Query().Get("line"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			s.writeError(w, r, errInvalid("line must be a positive integer"))
			return
		}
		first = n
	}
	if !s.ingestSlots.acquire(r.Context(), 2*time.Second) {
		w.Header().Set("Retry-After", "1")
		s.writeError(w, r, errBusy())
		return
	}
	defer s.ingestSlots.release()

	// One request is one atomic append: all its accepted rows are stored
	// or none, so a sender's retry never duplicates. The body limit bounds
	// the memory this takes.
	opts.BatchRows = math.MaxInt
	opts.Enrichers = s.enrichers
	p, err := ingest.NewPipeline(s.formats, s.events, opts)
	if err != nil {
		s.writeError(w, r, errInvalid(err.Error()))
		return
	}
	body := &limitedBody{r: r.Body}
	err = ingest.ReadLines(r.Context(), p, source, body, nil)
	if body.tooLarge != nil {
		s.writeError(w, r, body.tooLarge)
		return
	}
	if err == nil {
		err = p.Flush(r.Context())
	}
	if err != nil {
		// Nothing of this request is acknowledged: the sender retries it.
		s.log.ErrorContext(r.Context(), "ingest failed", "requestId", requestID(r.Context()), "err", err)
		w.Header().Set("Retry-After", "5")
		s.writeError(w, r, &Error{http.StatusServiceUnavailable, CodeUnavailable, "the event store did not accept the batch; nothing of this request was stored, retry it"})
		return
	}
	sum := p.Summary()
	if first != 1 {
		for i := range sum.Errors {
			sum.Errors[i].Line += first - 1
		}
	}
	writeJSON(w, http.StatusOK, sum)
}

// limitedBody notes when the body exceeds the server's limit: ReadLines
// would report that as a broken stream, but it is the whole request's
// fault (413), and nothing of it is stored.
type limitedBody struct {
	r        io.Reader
	tooLarge error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		b.tooLarge = err
	}
	return n, err
}
