package hunt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
	"unicode/utf8"
)

// Defaults of the per-user concurrency limit and the runs report.
const (
	DefaultPerUser    = 5
	DefaultQueueWait  = 3 * time.Second
	DefaultRunLogSize = 500
	// QueryPrefixLen is how much of a query's text the runs report keeps.
	QueryPrefixLen = 200
)

// ErrTooManyQueries: the user already runs as many queries as the limit
// allows, and none finished within the queue wait.
var ErrTooManyQueries = errors.New("too many concurrent queries")

// Limiter bounds the queries one user runs at once. A query over the
// limit waits up to Wait for a slot, then fails with ErrTooManyQueries.
// The zero value is not usable; use NewLimiter.
type Limiter struct {
	perUser int
	wait    time.Duration

	mu    sync.Mutex
	users map[string]*userSlots
}

type userSlots struct {
	slots chan struct{}
	refs  int // holders and waiters; the entry is dropped at zero
}

// NewLimiter allows perUser concurrent queries per user (DefaultPerUser
// when <= 0); more wait up to wait (DefaultQueueWait when <= 0).
func NewLimiter(perUser int, wait time.Duration) *Limiter {
	if perUser <= 0 {
		perUser = DefaultPerUser
	}
	if wait <= 0 {
		wait = DefaultQueueWait
	}
	return &Limiter{perUser: perUser, wait: wait, users: map[string]*userSlots{}}
}

// PerUser is the limit.
func (l *Limiter) PerUser() int { return l.perUser }

// Acquire takes a slot for user, waiting up to the limiter's wait. The
// returned release must be called once the query ends.
func (l *Limiter) Acquire(ctx context.Context, user string) (release func(), err error) {
	l.mu.Lock()
	u := l.users[user]
	if u == nil {
		u = &userSlots{slots: make(chan struct{}, l.perUser)}
		l.users[user] = u
	}
	u.refs++
	l.mu.Unlock()
	drop := func() {
		l.mu.Lock()
		u.refs--
		if u.refs == 0 {
			delete(l.users, user)
		}
		l.mu.Unlock()
	}

	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case u.slots <- struct{}{}:
		var once sync.Once
		return func() {
			once.Do(func() {
				<-u.slots
				drop()
			})
		}, nil
	case <-t.C:
		drop()
		return nil, fmt.Errorf("%w: %s already runs %d queries, the limit per user; retry when one finishes", ErrTooManyQueries, user, l.perUser)
	case <-ctx.Done():
		drop()
		return nil, ctx.Err()
	}
}

// Active returns the queries running per user (users with none are
// absent).
func (l *Limiter) Active() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for name, u := range l.users {
		if n := len(u.slots); n > 0 {
			out[name] = n
		}
	}
	return out
}

// Run is one query run, as the runs report shows it.
type Run struct {
	User      string        `json:"user"`
	QueryHash string        `json:"queryHash"`
	Query     string        `json:"query"` // the first QueryPrefixLen bytes
	Start     time.Time     `json:"start"`
	Duration  time.Duration `json:"-"`
	Seconds   float64       `json:"seconds"` // Duration, set by RunLog.Add
	Rows      int           `json:"rows"`
	Truncated bool          `json:"truncated"`
	// RowsScanned and CPU: what the query cost the store.
	RowsScanned int64         `json:"rowsScanned"`
	CPU         time.Duration `json:"-"`
	CPUSeconds  float64       `json:"cpuSeconds"` // CPU, set by RunLog.Add
	Error       string        `json:"error,omitempty"`
}

// QueryHash identifies a query's text in the audit log and the runs
// report without storing it whole: hex SHA-256.
func QueryHash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}

// QueryPrefix is the first QueryPrefixLen bytes of a query, cut at a
// character boundary.
func QueryPrefix(query string) string {
	if len(query) <= QueryPrefixLen {
		return query
	}
	cut := QueryPrefixLen
	for cut > 0 && !utf8.RuneStart(query[cut]) {
		cut--
	}
	return query[:cut]
}

// RunLog keeps the last runs in memory, for administrators to see what
// uses the store's resources. Safe for concurrent use.
type RunLog struct {
	mu   sync.Mutex
	ring []Run
	next int
	full bool
}

// NewRunLog keeps the last n runs (DefaultRunLogSize when n <= 0).
func NewRunLog(n int) *RunLog {
	if n <= 0 {
		n = DefaultRunLogSize
	}
	return &RunLog{ring: make([]Run, n)}
}

// Add records a run.
func (l *RunLog) Add(r Run) {
	r.Seconds = r.Duration.Seconds()
	r.CPUSeconds = r.CPU.Seconds()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.next] = r
	l.next++
	if l.next == len(l.ring) {
		l.next, l.full = 0, true
	}
}

// Runs returns the recorded runs, newest first.
func (l *RunLog) Runs() []Run {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.next
	if l.full {
		n = len(l.ring)
	}
	out := make([]Run, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, l.ring[(l.next-i+len(l.ring))%len(l.ring)])
	}
	return out
}

// UserUsage sums one user's runs in the report.
type UserUsage struct {
	User    string  `json:"user"`
	Runs    int     `json:"runs"`
	Failed  int     `json:"failed"`
	Seconds float64 `json:"seconds"`
	Rows    int64   `json:"rows"`
	// RowsScanned and CPUSeconds sum what the user's runs cost the store.
	RowsScanned int64   `json:"rowsScanned"`
	CPUSeconds  float64 `json:"cpuSeconds"`
	Running     int     `json:"running"`
	// LastSeen is the start of the user's latest run (zero when only
	// running now).
	LastSeen time.Time `json:"lastSeen"`
}

// Usage sums the recorded runs per user, busiest (most seconds) first;
// active adds the queries running now (from Limiter.Active).
func Usage(runs []Run, active map[string]int) []UserUsage {
	by := map[string]*UserUsage{}
	get := func(user string) *UserUsage {
		u := by[user]
		if u == nil {
			u = &UserUsage{User: user}
			by[user] = u
		}
		return u
	}
	for _, r := range runs {
		u := get(r.User)
		u.Runs++
		if r.Error != "" {
			u.Failed++
		}
		u.Seconds += r.Duration.Seconds()
		u.Rows += int64(r.Rows)
		u.RowsScanned += r.RowsScanned
		u.CPUSeconds += r.CPU.Seconds()
		if r.Start.After(u.LastSeen) {
			u.LastSeen = r.Start
		}
	}
	for user, n := range active {
		get(user).Running = n
	}
	out := make([]UserUsage, 0, len(by))
	for _, u := range by {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Seconds != out[j].Seconds {
			return out[i].Seconds > out[j].Seconds
		}
		return out[i].User < out[j].User
	})
	return out
}
