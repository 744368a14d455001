package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Target receives events: a webhook or a syslog receiver.
type Target interface {
	// Name is the operator's name for the target, unique among targets.
	Name() string
	// Kind is "webhook" or "syslog".
	Kind() string
	// Deliver makes one attempt to hand d to the receiver.
	Deliver(ctx context.Context, d Delivery) error
}

// Delivery is one event on its way to one target.
type Delivery struct {
	// ID is unique per event and target, the same on every retry, so a
	// receiver can drop duplicates.
	ID      string
	Event   Event
	Attempt int // 1 for the first
}

// PermanentError is a failure a retry cannot fix (the receiver refused
// the request as malformed or unauthorised).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// RetryAfterError is a failure whose receiver said when to try again.
type RetryAfterError struct {
	Err   error
	After time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}
func (e *RetryAfterError) Unwrap() error { return e.Err }

func permanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

func retryAfter(err error) (time.Duration, bool) {
	var r *RetryAfterError
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}
