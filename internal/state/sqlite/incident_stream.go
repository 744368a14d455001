package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigilsec/vigil/internal/state"
)

var _ state.IncidentStreamer = (*Store)(nil)

// errAborted ends the transaction of an aborted stream.
var errAborted = errors.New("sqlite: incident change aborted")

// incidentStream is a change written by a goroutine of its own: the
// transaction begins (and waits for the writer connection) while the
// caller places its first alerts, and each chunk of alert rows is
// inserted while the caller places the next.
type incidentStream struct {
	rows chan []state.IncidentAlert
	end  chan streamEnd
	done chan error
}

// streamEnd is how a stream ends: the rest of the change, or abort.
type streamEnd struct {
	ch     *state.IncidentChange
	audits []state.Audit
	abort  bool
}

// BeginIncidentChange starts a change written while it is built.
func (s *Store) BeginIncidentChange(ctx context.Context, rederivable bool) state.IncidentChangeWriter {
	st := &incidentStream{rows: make(chan []state.IncidentAlert, 64), end: make(chan streamEnd, 1), done: make(chan error, 1)}
	go st.run(ctx, s, rederivable)
	return st
}

func (st *incidentStream) run(ctx context.Context, s *Store, rederivable bool) {
	now := s.now()
	var end streamEnd
	ended := false
	err := s.writeFor(rederivable)(ctx, func(tx *sql.Tx) error {
		var ai alertInserter
		defer ai.close()
		for rows := range st.rows {
			if err := ai.insert(ctx, tx, rows, now); err != nil {
				return err
			}
		}
		end, ended = <-st.end, true
		switch {
		case end.abort:
			return errAborted
		case len(end.audits) == 0:
			return errors.New("sqlite: incident changes need an audit entry")
		}
		if err := ai.insert(ctx, tx, end.ch.Alerts, now); err != nil {
			return err
		}
		return s.saveChange(ctx, tx, end.ch, end.audits, now)
	})
	// Failed before the end (no transaction, a row refused): take the
	// rest of what the caller sends, so that it never blocks.
	for range st.rows {
	}
	if !ended {
		end = <-st.end
	}
	switch {
	case end.abort:
		err = nil
	case err == nil:
		bumpVersions(end.ch, now)
	}
	st.done <- err
}

func (st *incidentStream) AddAlerts(alerts []state.IncidentAlert) {
	if len(alerts) > 0 {
		st.rows <- alerts
	}
}

func (st *incidentStream) Commit(ch *state.IncidentChange, audits []state.Audit) error {
	close(st.rows)
	st.end <- streamEnd{ch: ch, audits: audits}
	return <-st.done
}

func (st *incidentStream) Abort() {
	close(st.rows)
	st.end <- streamEnd{abort: true}
	<-st.done
}
