package duckdb

import (
	"context"
	"time"
)

// loop is a background task the store runs on a ticker until Close:
// retention, checkpoints, compaction.
type loop struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// every runs f every d until the loop stops; f's errors, unless the loop
// is stopping, go to Options.OnError.
func (s *Store) every(d time.Duration, f func(ctx context.Context, now time.Time) error) *loop {
	ctx, cancel := context.WithCancel(context.Background())
	l := &loop{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				if err := f(ctx, now); err != nil && ctx.Err() == nil && s.opts.OnError != nil {
					s.opts.OnError(err)
				}
			}
		}
	}()
	return l
}

// stop ends the loop and waits for its current run; nil and stopped
// loops are fine.
func (l *loop) stop() {
	if l != nil {
		l.cancel()
		<-l.done
	}
}
