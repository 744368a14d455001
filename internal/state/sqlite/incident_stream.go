package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
	items chan streamItem
	end   chan streamEnd
	done  chan error
}

// streamItem is one Add.
type streamItem struct {
	alerts []state.IncidentAlert
	merges []state.MergeRow
}

// streamEnd is how a stream ends: the rest of the change, or abort.
type streamEnd struct {
	ch     *state.IncidentChange
	audits []state.Audit
	abort  bool
}

// BeginIncidentChange starts a change written while it is built.
func (s *Store) BeginIncidentChange(ctx context.Context, rederivable bool) state.IncidentChangeWriter {
	st := &incidentStream{items: make(chan streamItem, 64), end: make(chan streamEnd, 1), done: make(chan error, 1)}
	go st.run(ctx, s, rederivable)
	return st
}

func (st *incidentStream) run(ctx context.Context, s *Store, rederivable bool) {
	now := s.now()
	var end streamEnd
	ended := false
	var merged []*state.Incident
	var staged []memoUpdate
	var spans map[int64]span
	err := s.writeFor(rederivable)(ctx, func(tx *sql.Tx) error {
		ai := newAlertInserter(s)
		defer ai.close()
		w := incidentWriter{tx: tx, now: now, memos: &s.memos}
		defer w.close()
		for it := range st.items {
			for _, mr := range it.merges {
				m := mr.Merge
				if mr.Source.ID != m.Source || mr.Source.RedirectTo != m.Target || m.Source == m.Target {
					return fmt.Errorf("sqlite: merge of incident %d into %d: the row given does not redirect it there", m.Source, m.Target)
				}
				if err := w.writeIncident(ctx, mr.Source); err != nil {
					return err
				}
				merged = append(merged, mr.Source)
			}
			if err := ai.insert(ctx, tx, it.alerts, now); err != nil {
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
		err := w.save(ctx, s, end.ch, end.audits)
		staged, spans = w.staged, ai.spans.staged
		return err
	})
	// Failed before the end (no transaction, a row refused): take the
	// rest of what the caller sends, so that it never blocks.
	for range st.items {
	}
	if !ended {
		end = <-st.end
	}
	switch {
	case end.abort:
		err = nil
	case err == nil:
		s.memos.record(staged)
		s.spans.record(spans)
		bumpVersions(end.ch, now)
		bumpVersions(&state.IncidentChange{Incidents: merged}, now)
	}
	st.done <- err
}

func (st *incidentStream) Add(alerts []state.IncidentAlert, merges []state.MergeRow) {
	if len(alerts) > 0 || len(merges) > 0 {
		st.items <- streamItem{alerts: alerts, merges: merges}
	}
}

func (st *incidentStream) Commit(ch *state.IncidentChange, audits []state.Audit) error {
	close(st.items)
	st.end <- streamEnd{ch: ch, audits: audits}
	return <-st.done
}

func (st *incidentStream) Abort() {
	close(st.items)
	st.end <- streamEnd{abort: true}
	<-st.done
}
