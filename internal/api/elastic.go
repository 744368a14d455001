package api

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/ingest"
)

// Elasticsearch compatibility: log shippers (Beats, Logstash, Fluent Bit,
// Vector) point their Elasticsearch output at Vigil unchanged. They probe
// the cluster at start (GET /, license, templates, ILM) and then send
// _bulk requests; each document is normalized like any other record (the
// Windows normalizer recognises Winlogbeat's ECS documents, for example)
// and answered per item exactly as Elasticsearch answers.

// esVersion is reported to clients that do not say what they are; Beats
// get their own version back, as they refuse an older cluster.
const esVersion = "8.19.0"

var beatAgent = regexp.MustCompile(`(?i)^(?:Elastic-)?[a-z]*beat/(\d+\.\d+\.\d+)`)

func reportedVersion(r *http.Request) string {
	if m := beatAgent.FindStringSubmatch(r.Header.Get("User-Agent")); m != nil {
		return m[1]
	}
	return esVersion
}

// esAuth authenticates a shipper: Elasticsearch clients send basic auth
// (any user name, the token as password), an API key (`ApiKey
// base64(id:token)` or the token itself) or a bearer token.
func (s *Server) esAuth(r *http.Request) (*auth.Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return nil, errUnauthenticated()
		}
		_, pw, _ := strings.Cut(string(raw), ":")
		return s.auth.AuthenticateToken(r.Context(), pw)
	case "apikey":
		if strings.HasPrefix(cred, auth.TokenPrefix) {
			return s.auth.AuthenticateToken(r.Context(), cred)
		}
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return nil, errUnauthenticated()
		}
		_, key, _ := strings.Cut(string(raw), ":")
		return s.auth.AuthenticateToken(r.Context(), key)
	case "bearer":
		return s.auth.AuthenticateToken(r.Context(), cred)
	}
	return nil, errUnauthenticated()
}

// esError writes an error in Elasticsearch's shape, which shippers log.
func esError(w http.ResponseWriter, status int, typ, reason string) {
	writeJSON(w, status, map[string]any{
		"error":  map[string]any{"root_cause": []any{map[string]string{"type": typ, "reason": reason}}, "type": typ, "reason": reason},
		"status": status,
	})
}

// esRequire authenticates an Elasticsearch-compatible call and checks the
// ingest permission.
func (s *Server) esRequire(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.esAuth(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="vigil", ApiKey`)
			esError(w, http.StatusUnauthorized, "security_exception", "missing or invalid credentials: use an ingest token as the password or API key")
			return
		}
		if !p.Can(auth.PermIngest) {
			s.denied(r, p, auth.PermIngest)
			esError(w, http.StatusForbidden, "security_exception", "the token's role lacks "+string(auth.PermIngest))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), keyPrincipal, p)))
	}
}

func (s *Server) esRoot(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	v := reportedVersion(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"name":         "vigil",
		"cluster_name": "vigil",
		"cluster_uuid": "vigil-elasticsearch-compatible-ingest",
		"version": map[string]any{
			"number": v, "build_flavor": "default", "build_type": "vigil", "build_hash": "vigil",
			"build_date": "2025-01-01T00:00:00.000Z", "build_snapshot": false, "lucene_version": "9.12.0",
			"minimum_wire_compatibility_version": "7.17.0", "minimum_index_compatibility_version": "7.0.0",
		},
		"tagline": "You Know, for Search",
	})
}

func (s *Server) esLicense(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"license": map[string]any{
		"status": "active", "uid": "vigil", "type": "basic", "issue_date_in_millis": 0,
		"max_nodes": 1000, "issued_to": "vigil", "issuer": "vigil", "start_date_in_millis": -1,
	}})
}

func (s *Server) esXPack(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"build":    map[string]any{"hash": "vigil", "date": "2025-01-01T00:00:00.000Z"},
		"license":  map[string]any{"uid": "vigil", "type": "basic", "mode": "basic", "status": "active"},
		"features": map[string]any{"ilm": map[string]any{"available": true, "enabled": true}},
	})
}

// esSetup acknowledges template, pipeline, ILM and data-stream set-up
// calls: Vigil's schema is fixed, so there is nothing to set up, and
// shippers only need to hear that it exists.
func (s *Server) esSetup(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodHead:
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		name := r.PathValue("name")
		switch {
		case strings.HasPrefix(r.URL.Path, "/_index_template"):
			writeJSON(w, http.StatusOK, map[string]any{"index_templates": []any{map[string]any{"name": name, "index_template": map[string]any{"index_patterns": []string{name + "*"}}}}})
		case strings.HasPrefix(r.URL.Path, "/_data_stream"):
			writeJSON(w, http.StatusOK, map[string]any{"data_streams": []any{map[string]any{"name": name}}})
		default:
			writeJSON(w, http.StatusOK, map[string]any{name: map[string]any{}})
		}
	default:
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true})
	}
}

// bulkItem is one action of a _bulk request and its answer.
type bulkItem struct {
	action string // index, create, update, delete
	index  string
	id     string
	status int
	errTyp string
	reason string
}

// esBulk implements POST /_bulk and POST /{index}/_bulk.
func (s *Server) esBulk(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if !s.ingestSlots.acquire(r.Context(), 2*time.Second) {
		w.Header().Set("Retry-After", "1")
		esError(w, http.StatusTooManyRequests, "es_rejected_execution_exception", "rejected execution: the server is ingesting at capacity")
		return
	}
	defer s.ingestSlots.release()

	rc, _, err := ingest.Decompress(r.Body)
	if err != nil {
		esError(w, http.StatusBadRequest, "parse_exception", "request body: "+err.Error())
		return
	}
	defer rc.Close()
	p, _ := ingest.NewPipeline(s.formats, s.events, ingest.Options{BatchRows: math.MaxInt, Enrichers: s.enrichers})
	lr := ingest.NewLineReader(rc, ingest.MaxLineBytes)
	defaultIndex := r.PathValue("index")
	var items []bulkItem
	var parser fastjson.Parser
	// Documents are normalized in chunks on every core (AddMany); each
	// keeps its item's place for the per-item result.
	var pending []ingest.Record
	var pendingItem []int
	flush := func() bool {
		if len(pending) == 0 {
			return true
		}
		errs, err := p.AddMany(r.Context(), pending)
		if err != nil {
			s.bulkUnavailable(w, r, err)
			return false
		}
		for i, re := range errs {
			it := &items[pendingItem[i]]
			if re != nil {
				it.status, it.errTyp, it.reason = http.StatusBadRequest, "document_parsing_exception", "[line "+itoa(pending[i].Line)+"] "+re.Reason
			} else {
				it.status = http.StatusCreated
			}
		}
		pending, pendingItem = pending[:0], pendingItem[:0]
		return true
	}
	for {
		line, no, err := lr.Next()
		if err == io.EOF {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			esError(w, http.StatusRequestEntityTooLarge, "content_too_long_exception", "request body is larger than the server's limit")
			return
		}
		if err != nil && !errors.Is(err, ingest.ErrLineTooLong) {
			esError(w, http.StatusBadRequest, "parse_exception", "request body: "+err.Error())
			return
		}
		if err != nil { // an overlong action line: the request is malformed
			esError(w, http.StatusBadRequest, "illegal_argument_exception", "line "+itoa(no)+": "+err.Error())
			return
		}
		meta, perr := parser.ParseBytes(line)
		if perr != nil || meta.Type() != fastjson.TypeObject {
			esError(w, http.StatusBadRequest, "illegal_argument_exception", "Malformed action/metadata line ["+itoa(no)+"], expected START_OBJECT")
			return
		}
		it := bulkItem{index: defaultIndex}
		o, _ := meta.Object()
		o.Visit(func(k []byte, v *fastjson.Value) {
			it.action = string(k)
			it.index = firstNonEmpty(string(v.GetStringBytes("_index")), defaultIndex)
			it.id = string(v.GetStringBytes("_id"))
		})
		if o.Len() != 1 {
			esError(w, http.StatusBadRequest, "illegal_argument_exception", "Malformed action/metadata line ["+itoa(no)+"], expected a single action")
			return
		}
		switch it.action {
		case "delete":
			// Telemetry is append-only: a delete finds nothing.
			it.status, it.errTyp = http.StatusNotFound, ""
			items = append(items, it)
			continue
		case "index", "create", "update":
		default:
			esError(w, http.StatusBadRequest, "illegal_argument_exception", "Malformed action/metadata line ["+itoa(no)+"], expected one of [create, delete, index, update] but found ["+it.action+"]")
			return
		}
		doc, dno, derr := lr.Next()
		if derr == io.EOF {
			esError(w, http.StatusBadRequest, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]")
			return
		}
		if derr != nil {
			it.status, it.errTyp, it.reason = http.StatusBadRequest, "document_parsing_exception", derr.Error()
			items = append(items, it)
			continue
		}
		if it.action == "update" {
			// {"doc": {...}} or {"script": ...}: only a full document can be stored.
			if v, err := parser.ParseBytes(doc); err == nil && v.Exists("doc") {
				doc = v.Get("doc").MarshalTo(nil)
			} else {
				it.status, it.errTyp, it.reason = http.StatusBadRequest, "illegal_argument_exception", "updates need a full document in \"doc\"; Vigil stores events, it does not update them"
				items = append(items, it)
				continue
			}
		}
		if it.id == "" {
			sum := sha1.Sum(doc)
			it.id = hex.EncodeToString(sum[:10])
		}
		source := "_bulk"
		if it.index != "" {
			source = it.index
		}
		// The line reader reuses its buffer: the record keeps a copy.
		items = append(items, it)
		pending = append(pending, ingest.Record{Source: source, Line: dno, Data: append([]byte(nil), doc...)})
		pendingItem = append(pendingItem, len(items)-1)
		if len(pending) == bulkChunk && !flush() {
			return
		}
	}
	if !flush() {
		return
	}
	if err := p.Flush(r.Context()); err != nil {
		s.bulkUnavailable(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, bulkResponse(items, time.Since(start)))
}

// bulkChunk is how many documents go to the pipeline at once.
const bulkChunk = 2048

// bulkUnavailable answers when the store refused the batch: nothing of the
// request was stored, and 429 makes every shipper retry it whole.
func (s *Server) bulkUnavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "bulk ingest failed", "requestId", requestID(r.Context()), "err", err)
	w.Header().Set("Retry-After", "5")
	esError(w, http.StatusTooManyRequests, "es_rejected_execution_exception", "the event store did not accept the batch; nothing of this request was stored, retry it")
}

func bulkResponse(items []bulkItem, took time.Duration) map[string]any {
	out := make([]any, 0, len(items))
	hasErrors := false
	for i, it := range items {
		body := map[string]any{"_index": it.index, "_id": it.id, "status": it.status}
		switch {
		case it.errTyp != "":
			hasErrors = true
			body["error"] = map[string]any{"type": it.errTyp, "reason": it.reason}
		case it.status == http.StatusNotFound:
			body["_version"], body["result"] = 1, "not_found"
			body["_shards"] = map[string]int{"total": 1, "successful": 1, "failed": 0}
		default:
			body["_version"], body["result"] = 1, "created"
			body["_shards"] = map[string]int{"total": 1, "successful": 1, "failed": 0}
			body["_seq_no"], body["_primary_term"] = i, 1
		}
		out = append(out, map[string]any{it.action: body})
	}
	return map[string]any{"took": took.Milliseconds(), "errors": hasErrors, "items": out}
}

// esHealth answers Vector's and others' health checks.
func (s *Server) esHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"cluster_name": "vigil", "status": "green", "timed_out": false,
		"number_of_nodes": 1, "number_of_data_nodes": 1, "active_primary_shards": 1, "active_shards": 1})
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
