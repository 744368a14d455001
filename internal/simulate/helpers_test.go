package simulate

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// memSink is the in-memory appender the tests generate into: it checks
// each batch as a store would (every value normalizes for its column, in
// its canonical Go type) and keeps the rows.
type memSink struct {
	t      testing.TB
	rows   []tableRow
	checks int
}

type tableRow struct {
	table string
	vals  []any
}

func (m *memSink) Append(_ context.Context, b store.Batch) error {
	m.t.Helper()
	for _, tr := range b.Tables {
		st, ok := schema.Lookup(tr.Table)
		if !ok {
			m.t.Fatalf("batch names unknown table %q", tr.Table)
		}
		for _, r := range tr.Rows {
			if len(r) != len(st.Columns) {
				m.t.Fatalf("%s row has %d values, the table %d columns", tr.Table, len(r), len(st.Columns))
			}
			for i, v := range r {
				if v == nil {
					continue
				}
				m.checks++
				nv, err := store.Normalize(st.Columns[i], v)
				if err != nil {
					m.t.Fatalf("%s.%s = %#v: %v", tr.Table, st.Columns[i].Name, v, err)
				}
				if !sameValue(nv, v) {
					m.t.Fatalf("%s.%s = %#v (%T) is not in canonical form (%#v)", tr.Table, st.Columns[i].Name, v, v, nv)
				}
			}
			m.rows = append(m.rows, tableRow{tr.Table, r})
		}
	}
	return nil
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case json.RawMessage:
		y, ok := b.(json.RawMessage)
		return ok && string(x) == string(y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y) && y.Location() == time.UTC
	}
	return a == b
}

// col returns a row's value by column name.
func (r tableRow) col(name string) any {
	st, _ := schema.Lookup(r.table)
	_, i, ok := st.Column(name)
	if !ok {
		panic("no column " + name + " in " + r.table)
	}
	return r.vals[i]
}

func (r tableRow) str(name string) string {
	s, _ := r.col(name).(string)
	return s
}

func (r tableRow) time() time.Time { return r.col("Timestamp").(time.Time) }

func (r tableRow) reportID() int64 {
	switch v := r.col("ReportId").(type) {
	case int64:
		return v
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			panic(err)
		}
		return n
	}
	panic("no ReportId")
}

// smallOrg is the organisation most tests use: big enough for every
// scenario, small enough to generate hours of activity in well under a
// second.
func smallOrg(seed uint64) Config {
	return Config{Devices: 20, Users: 24, Seed: seed}
}

func newGen(t testing.TB, cfg Config) *Generator {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
