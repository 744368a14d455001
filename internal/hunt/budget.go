package hunt

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Defaults of the per-user CPU budget: a third of a 2-core machine's
// processor time over any quarter hour, so one analyst's heavy hunting
// leaves room for the detections and the others.
const (
	DefaultCPUBudget       = 10 * time.Minute
	DefaultCPUBudgetWindow = 15 * time.Minute
)

// ErrCPUBudget: the user spent the CPU budget of the window; the query is
// refused until older runs age out of it.
var ErrCPUBudget = errors.New("CPU budget exhausted")

// CPUBudget bounds the processor time one user's queries use over a
// sliding window, as Defender's advanced hunting quotas do. A query that
// starts within budget runs to its end; the next one waits for the
// window to slide. Safe for concurrent use.
type CPUBudget struct {
	limit  time.Duration
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	users map[string][]charge // oldest first
}

type charge struct {
	at  time.Time
	cpu time.Duration
}

// NewCPUBudget allows limit of CPU per user over window (the defaults
// when <= 0).
func NewCPUBudget(limit, window time.Duration) *CPUBudget {
	if limit <= 0 {
		limit = DefaultCPUBudget
	}
	if window <= 0 {
		window = DefaultCPUBudgetWindow
	}
	return &CPUBudget{limit: limit, window: window, now: time.Now, users: map[string][]charge{}}
}

// Limit and Window are the budget's settings.
func (b *CPUBudget) Limit() time.Duration  { return b.limit }
func (b *CPUBudget) Window() time.Duration { return b.window }

// Check fails with ErrCPUBudget when user has spent the budget, saying
// when enough of it frees up again.
func (b *CPUBudget) Check(user string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	cs := b.prune(user, now)
	var used time.Duration
	for _, c := range cs {
		used += c.cpu
	}
	if used < b.limit {
		return nil
	}
	// The budget frees up when enough of the oldest charges age out.
	over := used - b.limit
	var freed time.Duration
	at := now
	for _, c := range cs {
		freed += c.cpu
		at = c.at.Add(b.window)
		if freed > over {
			break
		}
	}
	return fmt.Errorf("%w: %s used %s of CPU in the last %s, the budget per user; retry after %s (in %s)",
		ErrCPUBudget, user, used.Round(time.Millisecond), b.window, at.UTC().Format(time.RFC3339), at.Sub(now).Round(time.Second))
}

// RetryAfter is how long until user may run a query again (0: now).
func (b *CPUBudget) RetryAfter(user string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	cs := b.prune(user, now)
	var used time.Duration
	for _, c := range cs {
		used += c.cpu
	}
	for _, c := range cs {
		if used < b.limit {
			break
		}
		used -= c.cpu
		if used < b.limit {
			return c.at.Add(b.window).Sub(now)
		}
	}
	return 0
}

// Charge records cpu spent by one of user's queries now.
func (b *CPUBudget) Charge(user string, cpu time.Duration) {
	if cpu <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.users[user] = append(b.prune(user, now), charge{at: now, cpu: cpu})
}

// Used is the CPU user spent in the current window.
func (b *CPUBudget) Used(user string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	var used time.Duration
	for _, c := range b.prune(user, b.now()) {
		used += c.cpu
	}
	return used
}

// prune drops user's charges older than the window; the caller holds mu.
func (b *CPUBudget) prune(user string, now time.Time) []charge {
	cs := b.users[user]
	i := 0
	for i < len(cs) && !cs[i].at.After(now.Add(-b.window)) {
		i++
	}
	if i == len(cs) {
		delete(b.users, user)
		return nil
	}
	if i > 0 {
		cs = append(cs[:0:0], cs[i:]...)
		b.users[user] = cs
	}
	return cs
}
