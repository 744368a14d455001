package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"time"
)

// Policy is how deliveries to one target are queued and retried.
type Policy struct {
	// MaxAttempts per delivery, the first included.
	MaxAttempts int
	// Backoff is the wait after the first failure; it doubles after each
	// further one, up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// QueueSize bounds the events waiting for the target; when full, the
	// oldest is dropped (and counted), so memory stays bounded when a
	// receiver is down for long.
	QueueSize int
}

// DefaultPolicy retries for about 20 minutes (1 s, 2 s, ... 5 min) and
// queues 10,000 events.
var DefaultPolicy = Policy{MaxAttempts: 10, Backoff: time.Second, MaxBackoff: 5 * time.Minute, QueueSize: 10_000}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultPolicy.MaxAttempts
	}
	if p.Backoff <= 0 {
		p.Backoff = DefaultPolicy.Backoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultPolicy.MaxBackoff
	}
	if p.QueueSize <= 0 {
		p.QueueSize = DefaultPolicy.QueueSize
	}
	return p
}

// wait is the pause before attempt n+1 after n failed attempts.
func (p Policy) wait(n int) time.Duration {
	d := p.Backoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

// Subscription is a target with the events it wants and its policy.
type Subscription struct {
	Target Target
	// Events are the event types sent; empty means all.
	Events []string
	Policy Policy
}

// Status is what an administrator sees of a target.
type Status struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Events    []string  `json:"events"`
	Delivered uint64    `json:"delivered"`
	Failed    uint64    `json:"failed"`  // given up after retries, or refused for good
	Dropped   uint64    `json:"dropped"` // pushed out of a full queue
	Pending   int       `json:"pending"`
	Retrying  bool      `json:"retrying"`
	LastOK    time.Time `json:"lastSuccess,omitzero"`
	LastError string    `json:"lastError,omitempty"`
	LastErrAt time.Time `json:"lastErrorTime,omitzero"`
}

// GiveUp describes a delivery abandoned for good.
type GiveUp struct {
	Target string
	Kind   string
	Delivery
	Err error
}

// ErrQueueFull is the reason of a delivery dropped from a full queue.
var ErrQueueFull = errors.New("queue full: the oldest waiting event was dropped")

// ErrClosed is the reason of deliveries still queued when the dispatcher
// closed.
var ErrClosed = errors.New("dispatcher closed before delivery")

// Dispatcher fans events out to targets. It is safe for concurrent use.
type Dispatcher struct {
	workers []*worker
	// OnGiveUp, when set before the first Notify, is told of every
	// delivery abandoned, so it reaches the audit log and the logs.
	OnGiveUp func(GiveUp)
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	closed   sync.Once
	sleep    func(ctx context.Context, d time.Duration) error
}

type worker struct {
	d      *Dispatcher
	sub    Subscription
	mu     sync.Mutex
	queue  []Delivery
	wake   chan struct{}
	status Status
	done   bool
	// inflight: queue[0] is being delivered, so a full queue drops the
	// next oldest instead.
	inflight bool
}

// NewDispatcher starts one worker per subscription. Close stops them.
func NewDispatcher(subs []Subscription) *Dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{ctx: ctx, cancel: cancel, sleep: sleepCtx}
	for _, s := range subs {
		s.Policy = s.Policy.withDefaults()
		w := &worker{d: d, sub: s, wake: make(chan struct{}, 1),
			status: Status{Name: s.Target.Name(), Kind: s.Target.Kind(), Events: slices.Clone(s.Events)}}
		if w.status.Events == nil {
			w.status.Events = slices.Clone(EventTypes)
		}
		d.workers = append(d.workers, w)
	}
	for _, w := range d.workers {
		d.wg.Add(1)
		go w.run()
	}
	return d
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Notify queues ev for every target subscribed to its type. It never
// blocks on a receiver.
func (d *Dispatcher) Notify(ev Event) {
	if d == nil || len(d.workers) == 0 {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now().UTC()
	}
	id := newID()
	for _, w := range d.workers {
		if len(w.sub.Events) > 0 && !slices.Contains(w.sub.Events, ev.Type) {
			continue
		}
		w.push(Delivery{ID: id, Event: ev})
	}
}

// ErrNoTarget is a test sent to a target that is not configured.
var ErrNoTarget = errors.New("no such notification target")

// Test queues a "test" event for the named target only, whatever it
// subscribes to, so an administrator can check the receiver end to end.
func (d *Dispatcher) Test(name string, ev Event) error {
	if d != nil {
		for _, w := range d.workers {
			if w.sub.Target.Name() == name {
				ev.Type = TestEvent
				if ev.Time.IsZero() {
					ev.Time = time.Now().UTC()
				}
				w.push(Delivery{ID: newID(), Event: ev})
				return nil
			}
		}
	}
	return ErrNoTarget
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Status reports every target, in configuration order.
func (d *Dispatcher) Status() []Status {
	if d == nil {
		return []Status{}
	}
	out := make([]Status, 0, len(d.workers))
	for _, w := range d.workers {
		w.mu.Lock()
		s := w.status
		s.Pending = len(w.queue)
		w.mu.Unlock()
		out = append(out, s)
	}
	return out
}

// Close stops accepting events, lets the workers deliver what is queued
// until ctx ends, then abandons the rest (reported to OnGiveUp).
func (d *Dispatcher) Close(ctx context.Context) {
	if d == nil {
		return
	}
	d.closed.Do(func() {
		for _, w := range d.workers {
			w.mu.Lock()
			w.done = true
			w.mu.Unlock()
			w.signal()
		}
		finished := make(chan struct{})
		go func() { d.wg.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-ctx.Done():
			d.cancel()
			<-finished
		}
		d.cancel()
	})
}

func (w *worker) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *worker) push(dl Delivery) {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		w.giveUp(dl, ErrClosed, false)
		return
	}
	var dropped *Delivery
	i, waiting := 0, len(w.queue)
	if w.inflight {
		i, waiting = 1, waiting-1
	}
	if waiting >= w.sub.Policy.QueueSize {
		old := w.queue[i]
		dropped = &old
		w.queue = append(w.queue[:i:i], w.queue[i+1:]...)
		w.status.Dropped++
	}
	w.queue = append(w.queue, dl)
	w.mu.Unlock()
	if dropped != nil {
		w.giveUp(*dropped, ErrQueueFull, false)
	}
	w.signal()
}

// run delivers the queue in order. A failing delivery is retried before
// the next is tried, so a SIEM sees events in the order they happened.
func (w *worker) run() {
	defer w.d.wg.Done()
	for {
		w.mu.Lock()
		if len(w.queue) == 0 {
			done := w.done
			w.mu.Unlock()
			if done {
				return
			}
			select {
			case <-w.wake:
			case <-w.d.ctx.Done():
				return
			}
			continue
		}
		dl := w.queue[0]
		w.inflight = true
		w.mu.Unlock()
		if !w.deliver(dl) {
			// Cancelled: what is left is abandoned.
			w.mu.Lock()
			rest := w.queue
			w.queue = nil
			w.mu.Unlock()
			for _, r := range rest {
				w.giveUp(r, ErrClosed, true)
			}
			return
		}
		w.mu.Lock()
		w.inflight = false
		w.queue = w.queue[1:]
		w.mu.Unlock()
	}
}

// deliver tries dl until it succeeds or is given up; false means the
// dispatcher was cancelled first.
func (w *worker) deliver(dl Delivery) bool {
	p := w.sub.Policy
	for attempt := 1; ; attempt++ {
		dl.Attempt = attempt
		ctx, cancel := context.WithTimeout(w.d.ctx, 30*time.Second)
		err := w.sub.Target.Deliver(ctx, dl)
		cancel()
		now := time.Now().UTC()
		if err == nil {
			w.mu.Lock()
			w.status.Delivered++
			w.status.LastOK = now
			w.status.Retrying = false
			w.mu.Unlock()
			return true
		}
		if w.d.ctx.Err() != nil {
			return false
		}
		w.mu.Lock()
		w.status.LastError = err.Error()
		w.status.LastErrAt = now
		w.mu.Unlock()
		if permanent(err) || attempt >= p.MaxAttempts {
			w.giveUp(dl, err, true)
			w.mu.Lock()
			w.status.Retrying = false
			w.mu.Unlock()
			return true
		}
		wait := p.wait(attempt)
		if ra, ok := retryAfter(err); ok && ra > wait {
			wait = min(ra, p.MaxBackoff)
		}
		w.mu.Lock()
		w.status.Retrying = true
		w.mu.Unlock()
		if w.d.sleep(w.d.ctx, wait) != nil {
			return false
		}
	}
}

func (w *worker) giveUp(dl Delivery, err error, count bool) {
	if count {
		w.mu.Lock()
		w.status.Failed++
		w.mu.Unlock()
	}
	if f := w.d.OnGiveUp; f != nil {
		f(GiveUp{Target: w.sub.Target.Name(), Kind: w.sub.Target.Kind(), Delivery: dl, Err: err})
	}
}
