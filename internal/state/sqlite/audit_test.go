package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigilsec/vigil/internal/state"
)

func TestRecordRoundTrip(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	at := time.Date(2031, 5, 6, 7, 8, 9, 999, time.UTC)
	in := state.Audit{Time: at, Actor: "user:alice", Action: "user.login", Target: "user:alice",
		Remote: "192.0.2.1", RequestID: "req-1", Outcome: "failure", Details: json.RawMessage(`{"reason":"bad password"}`)}
	if err := s.Record(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, state.Audit{Actor: "system", Action: "x"}); err != nil {
		t.Fatal(err)
	}
	es, err := s.ListAudit(ctx, state.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	in.Time = round(at)
	want := []state.AuditEntry{
		{ID: 2, Audit: state.Audit{Time: es[0].Time, Actor: "system", Action: "x", Outcome: "success"}},
		{ID: 1, Audit: in},
	}
	if diff := cmp.Diff(want, es); diff != "" {
		t.Errorf("ListAudit (-want +got):\n%s", diff)
	}
	if time.Since(es[0].Time) > time.Minute || es[0].Time.Location() != time.UTC {
		t.Errorf("zero Time not defaulted to now in UTC: %v", es[0].Time)
	}
}

func TestListAuditFilter(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	// id i+1 has time base+i minutes.
	rows := []struct{ actor, action string }{
		{"user:alice", "user.login"},     // 1
		{"user:alice", "token.create"},   // 2
		{"user:bob", "token.revoke"},     // 3
		{"token:x (ci)", "token_create"}, // 4: '_' must not act as a wildcard
		{"user:bob", "tokens.list"},      // 5
		{"user:alice", "TOKEN.create"},   // 6: prefixes are case-sensitive
		{"system", "user.create"},        // 7
	}
	for i, r := range rows {
		a := state.Audit{Time: base.Add(time.Duration(i) * time.Minute), Actor: r.actor, Action: r.action}
		if err := s.Record(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	f := func(filter state.AuditFilter, want ...int64) {
		t.Helper()
		es, err := s.ListAudit(ctx, filter)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, e := range es {
			got = append(got, e.ID)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ListAudit(%+v) (-want +got):\n%s", filter, diff)
		}
	}
	min := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	f(state.AuditFilter{}, 7, 6, 5, 4, 3, 2, 1)
	f(state.AuditFilter{Actor: "user:alice"}, 6, 2, 1)
	f(state.AuditFilter{Actor: "user:ALICE"})
	f(state.AuditFilter{Action: "token.create"}, 2)
	f(state.AuditFilter{Action: "token."}, 3, 2)
	f(state.AuditFilter{Action: "token"})
	f(state.AuditFilter{Action: "user."}, 7, 1)
	f(state.AuditFilter{Since: min(2)}, 7, 6, 5, 4, 3)
	f(state.AuditFilter{Until: min(2)}, 2, 1)
	f(state.AuditFilter{Since: min(1), Until: min(3)}, 3, 2)
	f(state.AuditFilter{BeforeID: 3}, 2, 1)
	f(state.AuditFilter{Limit: 2}, 7, 6)
	f(state.AuditFilter{Limit: 2, BeforeID: 6}, 5, 4)
	f(state.AuditFilter{Actor: "user:bob", Action: "token.", Since: min(0), Until: min(10)}, 3)
	f(state.AuditFilter{Actor: "user:alice", BeforeID: 2}, 1)
}

func TestListAuditLimits(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	// One transaction: 1,100 separately committed records would cost 1,100 fsyncs.
	err := s.write(ctx, func(tx *sql.Tx) error {
		for i := range 1100 {
			if err := s.insertAudit(ctx, tx, state.Audit{Actor: "system", Action: fmt.Sprintf("a.%d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ limit, want int }{
		{0, 100}, {-5, 100}, {1, 1}, {999, 999}, {1000, 1000}, {1001, 1000}, {1 << 30, 1000},
	} {
		es, err := s.ListAudit(ctx, state.AuditFilter{Limit: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != c.want {
			t.Errorf("Limit %d: %d entries, want %d", c.limit, len(es), c.want)
		}
		if es[0].ID != 1100 {
			t.Errorf("Limit %d: first ID %d, want newest (1100)", c.limit, es[0].ID)
		}
	}
}

// Not even a raw statement can change or remove an audit entry.
func TestAuditAppendOnly(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	if err := s.Record(ctx, state.Audit{Actor: "system", Action: "x"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE audit_log SET actor = 'mallory'",
		"DELETE FROM audit_log",
	} {
		if _, err := s.w.ExecContext(context.Background(), q); err == nil {
			t.Errorf("%s: succeeded", q)
		}
	}
	if e := lastAudit(t, s); e.Actor != "system" {
		t.Errorf("audit entry changed: %+v", e)
	}
}
