package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeTarget fails according to a script of errors, then succeeds.
type fakeTarget struct {
	mu     sync.Mutex
	script []error
	got    []Delivery
	block  chan struct{} // when set, Deliver waits for it
}

func (f *fakeTarget) Name() string { return "fake" }
func (f *fakeTarget) Kind() string { return "webhook" }
func (f *fakeTarget) Deliver(ctx context.Context, d Delivery) error {
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, d)
	if len(f.script) > 0 {
		err := f.script[0]
		f.script = f.script[1:]
		return err
	}
	return nil
}

func (f *fakeTarget) deliveries() []Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Delivery(nil), f.got...)
}

func newTestDispatcher(t *testing.T, subs []Subscription) (*Dispatcher, *[]time.Duration, *[]GiveUp) {
	t.Helper()
	d := NewDispatcher(subs)
	var mu sync.Mutex
	var waits []time.Duration
	var gave []GiveUp
	d.sleep = func(ctx context.Context, w time.Duration) error {
		mu.Lock()
		waits = append(waits, w)
		mu.Unlock()
		return ctx.Err()
	}
	d.OnGiveUp = func(g GiveUp) { mu.Lock(); gave = append(gave, g); mu.Unlock() }
	t.Cleanup(func() { d.Close(context.Background()) })
	return d, &waits, &gave
}

func closeAndWait(d *Dispatcher) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.Close(ctx)
}

func TestDispatchRetriesThenSucceeds(t *testing.T) {
	boom := errors.New("connection refused")
	ft := &fakeTarget{script: []error{boom, boom, &RetryAfterError{Err: boom, After: 30 * time.Second}}}
	d, waits, gave := newTestDispatcher(t, []Subscription{{Target: ft, Policy: Policy{MaxAttempts: 5, Backoff: time.Second, MaxBackoff: time.Minute}}})
	d.Notify(Event{Type: IncidentCreated, Subject: "inc-1"})
	closeAndWait(d)
	got := ft.deliveries()
	if len(got) != 4 {
		t.Fatalf("attempts = %d, want 4", len(got))
	}
	for i, g := range got {
		if g.Attempt != i+1 || g.ID != got[0].ID {
			t.Errorf("attempt %d: %+v", i, g)
		}
	}
	want := []time.Duration{time.Second, 2 * time.Second, 30 * time.Second}
	if fmt.Sprint(*waits) != fmt.Sprint(want) {
		t.Errorf("waits = %v, want %v", *waits, want)
	}
	st := d.Status()[0]
	if st.Delivered != 1 || st.Failed != 0 || st.LastError == "" || st.LastOK.IsZero() || len(*gave) != 0 {
		t.Errorf("status = %+v, gave up %v", st, *gave)
	}
}

func TestDispatchGivesUp(t *testing.T) {
	boom := errors.New("HTTP 500")
	tests := []struct {
		name     string
		script   []error
		attempts int
	}{
		{"exhausted", []error{boom, boom, boom}, 3},
		{"permanent", []error{&PermanentError{errors.New("HTTP 401")}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ft := &fakeTarget{script: tc.script}
			d, _, gave := newTestDispatcher(t, []Subscription{{Target: ft, Policy: Policy{MaxAttempts: 3}}})
			d.Notify(Event{Type: IncidentUpdated, Subject: "inc-2"})
			d.Notify(Event{Type: IncidentUpdated, Subject: "inc-3"})
			closeAndWait(d)
			got := ft.deliveries()
			if len(got) != tc.attempts+1 || got[len(got)-1].Event.Subject != "inc-3" {
				t.Fatalf("deliveries = %d (%+v)", len(got), got)
			}
			st := d.Status()[0]
			if st.Failed != 1 || st.Delivered != 1 || len(*gave) != 1 || (*gave)[0].Event.Subject != "inc-2" {
				t.Errorf("status %+v, gave up %+v", st, *gave)
			}
		})
	}
}

func TestDispatchFiltersAndOrders(t *testing.T) {
	all, created := &fakeTarget{}, &fakeTarget{}
	d, _, _ := newTestDispatcher(t, []Subscription{{Target: all}, {Target: created, Events: []string{IncidentCreated}}})
	for i := range 50 {
		typ := IncidentUpdated
		if i%10 == 0 {
			typ = IncidentCreated
		}
		d.Notify(Event{Type: typ, Subject: fmt.Sprint(i)})
	}
	closeAndWait(d)
	a := all.deliveries()
	if len(a) != 50 {
		t.Fatalf("all got %d", len(a))
	}
	for i, g := range a {
		if g.Event.Subject != fmt.Sprint(i) {
			t.Fatalf("out of order at %d: %s", i, g.Event.Subject)
		}
	}
	if c := created.deliveries(); len(c) != 5 {
		t.Errorf("created-only target got %d, want 5", len(c))
	}
}

func TestDispatchQueueFullDropsOldestWaiting(t *testing.T) {
	ft := &fakeTarget{block: make(chan struct{})}
	d, _, gave := newTestDispatcher(t, []Subscription{{Target: ft, Policy: Policy{QueueSize: 2}}})
	d.Notify(Event{Type: IncidentCreated, Subject: "0"})
	// Wait until "0" is in flight.
	for deadline := time.Now().Add(5 * time.Second); ; {
		d.workers[0].mu.Lock()
		inflight := d.workers[0].inflight
		d.workers[0].mu.Unlock()
		if inflight {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("delivery never started")
		}
		time.Sleep(time.Millisecond)
	}
	for i := 1; i <= 4; i++ {
		d.Notify(Event{Type: IncidentCreated, Subject: fmt.Sprint(i)})
	}
	close(ft.block)
	closeAndWait(d)
	var subjects []string
	for _, g := range ft.deliveries() {
		subjects = append(subjects, g.Event.Subject)
	}
	if fmt.Sprint(subjects) != "[0 3 4]" {
		t.Errorf("delivered %v, want [0 3 4]", subjects)
	}
	st := d.Status()[0]
	if st.Dropped != 2 || len(*gave) != 2 || !errors.Is((*gave)[0].Err, ErrQueueFull) {
		t.Errorf("status %+v gave %+v", st, *gave)
	}
}

func TestDispatchCloseAbandonsOnDeadline(t *testing.T) {
	ft := &fakeTarget{block: make(chan struct{})} // never unblocks
	d, _, gave := newTestDispatcher(t, []Subscription{{Target: ft}})
	d.Notify(Event{Type: IncidentCreated, Subject: "a"})
	d.Notify(Event{Type: IncidentCreated, Subject: "b"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	d.Close(ctx)
	if len(*gave) != 2 {
		t.Errorf("abandoned %d deliveries, want 2: %+v", len(*gave), *gave)
	}
	d.Notify(Event{Type: IncidentCreated, Subject: "late"}) // after close: reported, not queued
	if len(*gave) != 3 || !errors.Is((*gave)[2].Err, ErrClosed) {
		t.Errorf("late event: %+v", *gave)
	}
}

func TestPolicyWait(t *testing.T) {
	p := Policy{Backoff: time.Second, MaxBackoff: 10 * time.Second}
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, p.wait(n))
	}
	if fmt.Sprint(got) != "[1s 2s 4s 8s 10s 10s]" {
		t.Errorf("waits %v", got)
	}
}

func TestDispatchTestEvent(t *testing.T) {
	a, b := &fakeTarget{}, &fakeTarget{}
	d := NewDispatcher([]Subscription{{Target: a, Events: []string{IncidentCreated}}, {Target: namedTarget{b, "other"}}})
	if err := d.Test("fake", Event{Title: "ping"}); err != nil {
		t.Fatal(err)
	}
	if err := d.Test("missing", Event{}); !errors.Is(err, ErrNoTarget) {
		t.Errorf("missing target: %v", err)
	}
	closeAndWait(d)
	if got := a.deliveries(); len(got) != 1 || got[0].Event.Type != TestEvent {
		t.Errorf("a got %+v", got)
	}
	if got := b.deliveries(); len(got) != 0 {
		t.Errorf("b got %+v", got)
	}
}

type namedTarget struct {
	*fakeTarget
	name string
}

func (n namedTarget) Name() string { return n.name }
