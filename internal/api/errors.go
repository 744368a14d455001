package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/state"
)

// Error is an API error with a stable code. It is written as
// {"error":{"code","message","requestId"}}.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Stable error codes; clients switch on these, never on messages.
const (
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodePasswordChange  = "password_change_required"
	CodeCSRF            = "csrf_failed"
	CodeNotFound        = "not_found"
	CodeMethod          = "method_not_allowed"
	CodeInvalid         = "invalid_request"
	CodeConflict        = "conflict"
	CodeTooLarge        = "payload_too_large"
	CodeTimeout         = "timeout"
	CodeUnavailable     = "unavailable"
	CodeInternal        = "internal"
)

func errUnauthenticated() *Error {
	return &Error{http.StatusUnauthorized, CodeUnauthenticated, "valid credentials are required: a bearer token or a portal session"}
}

func errForbidden(perm auth.Permission) *Error {
	return &Error{http.StatusForbidden, CodeForbidden, "your role lacks the permission " + string(perm)}
}

func errInvalid(msg string) *Error { return &Error{http.StatusBadRequest, CodeInvalid, msg} }

// toAPIError maps domain errors to API errors; anything unknown is an
// internal error whose detail goes to the log, not to the client.
func toAPIError(err error) (*Error, bool) {
	var ae *Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.As(err, &mbe):
		return &Error{http.StatusRequestEntityTooLarge, CodeTooLarge, "request body is larger than the server's limit"}, true
	case errors.Is(err, auth.ErrUnauthenticated):
		return errUnauthenticated(), true
	case errors.Is(err, auth.ErrForbidden):
		return &Error{http.StatusForbidden, CodeForbidden, err.Error()}, true
	case errors.Is(err, auth.ErrInvalid):
		return errInvalid(err.Error()), true
	case errors.Is(err, state.ErrNotFound):
		return &Error{http.StatusNotFound, CodeNotFound, "no such object"}, true
	case errors.Is(err, state.ErrConflict):
		return &Error{http.StatusConflict, CodeConflict, "an object with that name already exists"}, true
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{http.StatusServiceUnavailable, CodeTimeout, "the request took longer than the server's limit"}, true
	}
	return &Error{http.StatusInternalServerError, CodeInternal, "internal error; the request id identifies it in the server log"}, false
}

type errorBody struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"requestId"`
	} `json:"error"`
}

// writeError writes err as JSON; unexpected errors are logged with the
// request id.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae, known := toAPIError(err)
	if !known {
		s.log.ErrorContext(r.Context(), "request failed", "requestId", requestID(r.Context()), "err", err)
	}
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.RequestID = ae.Code, ae.Message, requestID(r.Context())
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
	}
	writeJSON(w, ae.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// maxJSONBody bounds JSON bodies of the management API; ingestion has its
// own, larger limit.
const maxJSONBody = 1 << 20

// decodeJSON reads one JSON object into v, rejecting unknown fields and
// trailing data, with the byte offset of a syntax error.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return err
		case errors.As(err, &se):
			return errInvalid("malformed JSON at byte " + itoa(se.Offset) + ": " + se.Error())
		case errors.As(err, &te):
			return errInvalid("field " + te.Field + " at byte " + itoa(te.Offset) + " must be " + te.Type.String())
		default:
			return errInvalid("invalid JSON body: " + err.Error())
		}
	}
	if dec.More() {
		return errInvalid("unexpected data after the JSON object at byte " + itoa(dec.InputOffset()))
	}
	return nil
}
