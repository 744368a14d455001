package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/store"
)

// Advanced hunting, in the two shapes Microsoft publishes, so scripts
// written for Defender run against Vigil unchanged:
//
//	POST /api/advancedhunting/run       Defender XDR's API: {"Stats","Schema","Results"}
//	POST /v1.0/security/runHuntingQuery Microsoft Graph's:  {"schema","results"}
//	GET  /api/advancedhunting/resources who ran what, for administrators
//
// Both run routes take {"Query": "...", "Timespan": "P30D"} and apply the
// API's limits (hunt.APIMaxRows rows, hunt.APITimeout, capped by the
// server's request timeout) and the per-user concurrency limit. Errors
// keep Graph's shape, {"error":{"code","message"}}, with "line" and
// "column" for a query that does not compile:
//
//	400 BadRequest       malformed body, bad Timespan, syntax or binding error
//	408 Timeout          the query ran longer than its time limit
//	413 PayloadTooLarge  body over maxHuntBody
//	429 TooManyRequests  the caller already runs hunt.DefaultPerUser queries
//	500 QueryFailed      the store failed while running the query
//
// Every run is audited as "hunting.run" with the query's hash, duration
// and rows.

// maxHuntBody bounds a hunting request: a query of hunt.MaxQueryBytes,
// even with every byte JSON-escaped, fits.
const maxHuntBody = 2*hunt.MaxQueryBytes + 4096

// hunting is the engine behind the hunting routes and their limits.
type hunting struct {
	*hunt.Engine
	maxRows int
	timeout time.Duration
}

func newHunting(events store.Store, externalPrefixes []string, budget *hunt.CPUBudget) *hunting {
	var external *hunt.External
	if len(externalPrefixes) > 0 {
		external = &hunt.External{AllowedPrefixes: externalPrefixes}
	}
	return &hunting{
		Engine:  &hunt.Engine{Store: events, Limiter: hunt.NewLimiter(0, 0), Runs: hunt.NewRunLog(0), External: external, Budget: budget},
		maxRows: hunt.APIMaxRows,
		timeout: hunt.APITimeout,
	}
}

// huntRequest is the body both run routes take. JSON field names match
// case-insensitively, so "query" works as well as "Query".
type huntRequest struct {
	Query    string `json:"Query"`
	Timespan string `json:"Timespan"`
}

// huntError is an error of a hunting route, in Graph's shape.
type huntError struct {
	Status  int
	Code    string
	Message string
	Line    int
	Column  int
}

func (e *huntError) Error() string { return e.Code + ": " + e.Message }

func huntBadRequest(msg string) *huntError {
	return &huntError{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg}
}

// parseHuntRequest decodes a run request's body: one JSON object with a
// non-empty Query and an optional Timespan, nothing else.
func parseHuntRequest(body []byte, now time.Time) (hunt.Request, error) {
	var hr huntRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hr); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return hunt.Request{}, huntBadRequest("malformed JSON at byte " + itoa(se.Offset) + ": " + se.Error())
		case errors.As(err, &te):
			return hunt.Request{}, huntBadRequest("field " + te.Field + " must be a " + te.Type.String())
		case errors.Is(err, io.EOF):
			return hunt.Request{}, huntBadRequest(`the body must be a JSON object such as {"Query": "DeviceProcessEvents | take 10"}`)
		default:
			return hunt.Request{}, huntBadRequest("invalid JSON body: " + err.Error())
		}
	}
	if dec.More() {
		return hunt.Request{}, huntBadRequest("unexpected data after the JSON object at byte " + itoa(dec.InputOffset()))
	}
	if strings.TrimSpace(hr.Query) == "" {
		return hunt.Request{}, huntBadRequest("Query is required")
	}
	if len(hr.Query) > hunt.MaxQueryBytes {
		return hunt.Request{}, &huntError{Status: http.StatusRequestEntityTooLarge, Code: "PayloadTooLarge",
			Message: "the query is " + itoa(int64(len(hr.Query))) + " bytes; the limit is " + itoa(hunt.MaxQueryBytes)}
	}
	req := hunt.Request{Query: hr.Query}
	if hr.Timespan != "" {
		d, err := hunt.ParseTimespan(hr.Timespan, now)
		if err != nil {
			return hunt.Request{}, huntBadRequest(err.Error())
		}
		req.Timespan = d
	}
	return req, nil
}

func (s *Server) huntDefender(w http.ResponseWriter, r *http.Request) {
	s.runHunt(w, r, "defender", hunt.DefenderJSON)
}

func (s *Server) huntGraph(w http.ResponseWriter, r *http.Request) {
	s.runHunt(w, r, "graph", hunt.GraphJSON)
}

func (s *Server) runHunt(w http.ResponseWriter, r *http.Request, api string, encode func(*hunt.Result) []byte) {
	if s.hunting.Store == nil {
		s.writeHuntError(w, r, &huntError{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "no event store is open"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHuntBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeHuntError(w, r, &huntError{Status: http.StatusRequestEntityTooLarge, Code: "PayloadTooLarge",
				Message: "the request body is larger than " + itoa(maxHuntBody) + " bytes"})
			return
		}
		s.writeHuntError(w, r, huntBadRequest("cannot read the request body: "+err.Error()))
		return
	}
	now := time.Now()
	if s.hunting.Now != nil {
		now = s.hunting.Now()
	}
	req, err := parseHuntRequest(body, now)
	if err != nil {
		s.writeHuntError(w, r, err)
		return
	}
	p := principal(r.Context())
	req.User = p.Actor()
	req.MaxRows = s.hunting.maxRows
	req.Timeout = s.hunting.timeout
	if dl, ok := r.Context().Deadline(); ok {
		// Stop before the server's request timeout does, so the caller
		// learns which limit the query hit.
		if left := time.Until(dl) - time.Second; left < req.Timeout {
			req.Timeout = max(left, 100*time.Millisecond)
		}
	}
	start := time.Now()
	res, err := s.hunting.Run(r.Context(), req)
	s.auditHunt(r, p, api, req.Query, time.Since(start), res, err)
	if err != nil {
		s.writeHuntError(w, r, err)
		return
	}
	if res.Truncated {
		w.Header().Set("X-Vigil-Truncated", "true")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(encode(res))
}

// auditHunt records one run: who, the query's hash, how long, how many
// rows, and the error if any.
func (s *Server) auditHunt(r *http.Request, p *auth.Principal, api, query string, took time.Duration, res *hunt.Result, runErr error) {
	hash := hunt.QueryHash(query)
	a := audit(r, p, "hunting.run", "query:"+hash[:16])
	details := map[string]any{"api": api, "queryHash": hash, "durationMs": took.Milliseconds()}
	if res != nil {
		details["rows"] = len(res.Rows)
		details["truncated"] = res.Truncated
	}
	if runErr != nil {
		a.Outcome = "failure"
		details["error"] = runErr.Error()
	}
	a.Details = jsonRaw(details)
	// The request may have ended (client gone, timeout): the record must
	// still be written.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if err := s.state.Record(ctx, a); err != nil {
		s.log.WarnContext(r.Context(), "audit write failed", "err", err)
	}
}

// writeHuntError writes an error of a hunting route in Graph's shape:
// {"error":{"code","message","line","column","requestId"}}.
func (s *Server) writeHuntError(w http.ResponseWriter, r *http.Request, err error) {
	var he *huntError
	var qe *hunt.Error
	switch {
	case errors.As(err, &he):
	case errors.As(err, &qe):
		he = &huntError{Status: http.StatusBadRequest, Code: "BadRequest", Message: qe.Message, Line: qe.Line, Column: qe.Column}
	case errors.Is(err, hunt.ErrCPUBudget):
		wait := s.hunting.Budget.RetryAfter(principal(r.Context()).Actor())
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(wait.Seconds()+0.999))))
		he = &huntError{Status: http.StatusTooManyRequests, Code: "TooManyRequests", Message: err.Error()}
	case errors.Is(err, hunt.ErrTooManyQueries):
		w.Header().Set("Retry-After", "1")
		he = &huntError{Status: http.StatusTooManyRequests, Code: "TooManyRequests", Message: err.Error()}
	case errors.Is(err, hunt.ErrTimeout):
		he = &huntError{Status: http.StatusRequestTimeout, Code: "Timeout",
			Message: err.Error() + "; narrow the query (a shorter Timespan, a filter on Timestamp, fewer joins) and run it again"}
	case errors.Is(err, store.ErrCanceled), errors.Is(err, context.Canceled):
		he = &huntError{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "the query was cancelled"}
	default:
		s.log.ErrorContext(r.Context(), "hunting query failed", "requestId", requestID(r.Context()), "err", err)
		he = &huntError{Status: http.StatusInternalServerError, Code: "QueryFailed", Message: "the query failed while running: " + err.Error()}
	}
	type body struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		Line      int    `json:"line,omitempty"`
		Column    int    `json:"column,omitempty"`
		RequestID string `json:"requestId"`
	}
	writeJSON(w, he.Status, map[string]body{"error": {he.Code, he.Message, he.Line, he.Column, requestID(r.Context())}})
}

type huntLimitsView struct {
	PerUserConcurrency int     `json:"perUserConcurrency"`
	MaxRows            int     `json:"maxRows"`
	TimeoutSeconds     float64 `json:"timeoutSeconds"`
	// The CPU budget per user: CPUBudgetSeconds over CPUBudgetWindowSeconds.
	CPUBudgetSeconds       float64 `json:"cpuBudgetSeconds,omitempty"`
	CPUBudgetWindowSeconds float64 `json:"cpuBudgetWindowSeconds,omitempty"`
}

// huntUserView is a user's usage with the CPU spent in the budget's
// current window.
type huntUserView struct {
	hunt.UserUsage
	CPUWindowSeconds float64 `json:"cpuWindowSeconds"`
}

type huntResourcesView struct {
	Limits huntLimitsView `json:"limits"`
	Users  []huntUserView `json:"users"`
	Runs   []hunt.Run     `json:"runs"`
}

// huntResources reports the hunting runs kept in memory (the last
// hunt.DefaultRunLogSize), summed per user, and the queries running now.
func (s *Server) huntResources(w http.ResponseWriter, r *http.Request) {
	runs := s.hunting.Runs.Runs()
	v := huntResourcesView{
		Limits: huntLimitsView{PerUserConcurrency: s.hunting.Limiter.PerUser(), MaxRows: s.hunting.maxRows, TimeoutSeconds: s.hunting.timeout.Seconds()},
		Users:  []huntUserView{},
		Runs:   runs,
	}
	b := s.hunting.Budget
	if b != nil {
		v.Limits.CPUBudgetSeconds, v.Limits.CPUBudgetWindowSeconds = b.Limit().Seconds(), b.Window().Seconds()
	}
	for _, u := range hunt.Usage(runs, s.hunting.Limiter.Active()) {
		uv := huntUserView{UserUsage: u}
		if b != nil {
			uv.CPUWindowSeconds = b.Used(u.User).Seconds()
		}
		v.Users = append(v.Users, uv)
	}
	writeJSON(w, http.StatusOK, v)
}
