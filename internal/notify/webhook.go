package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook posts each event as JSON to a URL, signed with HMAC-SHA256 so
// the receiver can tell it came from this Vigil and was not replayed:
//
//	X-Vigil-Event: incident.updated
//	X-Vigil-Delivery: <id, the same on retries>
//	X-Vigil-Timestamp: <unix seconds of this attempt>
//	X-Vigil-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// Receivers check the signature with Verify and reject old timestamps.
type Webhook struct {
	name   string
	url    string
	secret []byte
	client *http.Client
	agent  string
}

// NewWebhook makes a webhook target. The URL must be https, unless
// allowHTTP (a receiver on a trusted network or loopback). The secret
// must be at least 16 bytes.
func NewWebhook(name, rawURL string, secret []byte, allowHTTP bool, userAgent string) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("webhook %s: url: %v", name, err)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	case u.Scheme == "http":
		return nil, fmt.Errorf("webhook %s: url must be https (set allow_http for a plain-http receiver)", name)
	default:
		return nil, fmt.Errorf("webhook %s: url scheme %q is not http(s)", name, u.Scheme)
	}
	if u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("webhook %s: url needs a host and no user info (put credentials in the secret)", name)
	}
	if len(secret) < 16 {
		return nil, fmt.Errorf("webhook %s: secret must be at least 16 bytes", name)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // an environment proxy must not see signed incident data unasked
	return &Webhook{
		name: name, url: u.String(), secret: secret, agent: userAgent,
		client: &http.Client{
			Transport: tr,
			Timeout:   15 * time.Second,
			// A redirect would send the payload somewhere not configured.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// Name implements Target.
func (w *Webhook) Name() string { return w.name }

// Kind implements Target.
func (w *Webhook) Kind() string { return "webhook" }

// Body is what a webhook receives.
type Body struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	Time     time.Time `json:"time"`
	Subject  string    `json:"subject"`
	Title    string    `json:"title"`
	Severity string    `json:"severity,omitempty"`
	Data     any       `json:"data,omitempty"`
}

// Deliver implements Target: one POST. 2xx is success; 408, 429 and 5xx
// are retried (honouring Retry-After); other answers are permanent.
func (w *Webhook) Deliver(ctx context.Context, d Delivery) error {
	body, err := json.Marshal(Body{ID: d.ID, Type: d.Event.Type, Time: d.Event.Time.UTC(), Subject: d.Event.Subject,
		Title: d.Event.Title, Severity: d.Event.Severity, Data: d.Event.Data})
	if err != nil {
		return &PermanentError{fmt.Errorf("encode event: %w", err)}
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return &PermanentError{err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", w.agent)
	req.Header.Set("X-Vigil-Event", d.Event.Type)
	req.Header.Set("X-Vigil-Delivery", d.ID)
	req.Header.Set("X-Vigil-Attempt", strconv.Itoa(d.Attempt))
	req.Header.Set("X-Vigil-Timestamp", ts)
	req.Header.Set("X-Vigil-Signature", Sign(w.secret, ts, body))
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("webhook %s: HTTP %d", w.name, resp.StatusCode)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		if after, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return &RetryAfterError{Err: err, After: after}
		}
		return err
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return err
	}
	return &PermanentError{err}
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Sign is the X-Vigil-Signature value of a body sent at timestamp ts.
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature is a webhook request whose signature does not match.
var ErrBadSignature = errors.New("webhook signature does not match")

// ErrStale is a webhook request whose timestamp is outside the tolerance.
var ErrStale = errors.New("webhook timestamp outside the tolerance")

// Verify checks a received webhook's signature and that its timestamp is
// within tolerance of now, for receivers written in Go (and as the
// reference for others).
func Verify(secret []byte, ts, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrStale
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	if !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature)) {
		return ErrBadSignature
	}
	return nil
}
