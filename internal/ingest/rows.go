package ingest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Row is one row being built for a table, in schema column order.
type Row struct {
	Table  *schema.Table
	Values []any
	// checked marks columns (below 64) whose value is already in the
	// store's canonical form and owned by the row (SetCanonicalJSON).
	checked uint64
	// set is the RowSet that made the row, whose slabs box its values.
	set *RowSet
}

// Set puts v in the named column. An unknown column is a bug in a
// normalizer: it panics, and the pipeline turns the panic into a rejected
// record (tests exercise every normalizer, so it never ships).
func (r *Row) Set(column string, v any) *Row {
	_, i, ok := r.Table.Column(column)
	if !ok {
		panic(fmt.Sprintf("ingest: table %s has no column %s", r.Table.Name, column))
	}
	r.Values[i] = v
	r.unchecked(i)
	return r
}

// unchecked clears column i's mark of SetCanonicalJSON.
func (r *Row) unchecked(i int) {
	if i < 64 {
		r.checked &^= 1 << i
	}
}

// SetString sets a string column, leaving it null when s is empty so that
// absent and empty read the same way in KQL (strings are never null there;
// the query layer maps null to "").
func (r *Row) SetString(column, s string) *Row {
	if s == "" {
		return r
	}
	return r.Set(column, boxIn(r, strSlab, s))
}

// SetLong sets a long column (Set with the value boxed in the set's slab).
func (r *Row) SetLong(column string, n int64) *Row { return r.Set(column, boxIn(r, longSlab, n)) }

// SetInt sets an int column (Set with the value boxed in the set's slab).
func (r *Row) SetInt(column string, n int32) *Row { return r.Set(column, boxIn(r, intSlab, n)) }

// SetTime sets a datetime column (Set with the value boxed in the set's
// slab).
func (r *Row) SetTime(column string, t time.Time) *Row { return r.Set(column, boxIn(r, timeSlab, t)) }

// SetJSON stores v as JSON in a dynamic column, or as JSON text in a
// string column (Defender types AdditionalFields as string in some tables
// and dynamic in others). A nil or empty map leaves the column null.
func (r *Row) SetJSON(column string, v any) *Row {
	col, i, ok := r.Table.Column(column)
	if !ok {
		panic(fmt.Sprintf("ingest: table %s has no column %s", r.Table.Name, column))
	}
	var b []byte
	switch x := v.(type) {
	case nil:
		return r
	case json.RawMessage:
		b = x
	case map[string]any:
		if len(x) == 0 {
			return r
		}
		b, _ = json.Marshal(x)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			panic(fmt.Sprintf("ingest: %s.%s: %v", r.Table.Name, column, err))
		}
	}
	if col.Type == schema.Dynamic {
		r.Values[i] = json.RawMessage(b)
	} else {
		r.Values[i] = string(b)
	}
	r.unchecked(i)
	return r
}

// SetCanonicalJSON puts JSON text in a dynamic column (as json.RawMessage)
// or a string column (as a copy of its text), for text the normalizer
// wrote itself: compact, valid JSON in valid UTF-8, not null (what
// jsonenc writes). For a dynamic column b must be memory nothing else
// writes to afterwards. The pipeline then stores the value as it is,
// without scanning or copying it again; fuzzers and golden tests still
// check it with store.Normalize. Empty text leaves the column null.
func (r *Row) SetCanonicalJSON(column string, b []byte) *Row {
	col, i, ok := r.Table.Column(column)
	if !ok {
		panic(fmt.Sprintf("ingest: table %s has no column %s", r.Table.Name, column))
	}
	if len(b) == 0 {
		return r
	}
	if col.Type == schema.Dynamic {
		r.Values[i] = boxIn(r, jsonSlab, json.RawMessage(b))
	} else {
		r.Values[i] = string(b)
	}
	if i < 64 {
		r.checked |= 1 << i
	}
	return r
}

// SetCanonicalText puts JSON text the normalizer wrote itself (as for
// SetCanonicalJSON) in a string column without copying it: s must not
// change afterwards. Empty text leaves the column null.
func (r *Row) SetCanonicalText(column, s string) *Row {
	col, i, ok := r.Table.Column(column)
	if !ok || col.Type != schema.String {
		panic(fmt.Sprintf("ingest: table %s has no string column %s", r.Table.Name, column))
	}
	if s == "" {
		return r
	}
	r.Values[i] = boxIn(r, strSlab, s)
	if i < 64 {
		r.checked |= 1 << i
	}
	return r
}

// Get returns the value of the named column.
func (r *Row) Get(column string) any {
	_, i, ok := r.Table.Column(column)
	if !ok {
		panic(fmt.Sprintf("ingest: table %s has no column %s", r.Table.Name, column))
	}
	return r.Values[i]
}

// RowSet collects the rows of one record. The pipeline adds them to the
// batch only when the whole record normalized without error, so a record
// never leaves a partial set of rows.
type RowSet struct {
	rows []*Row
	// Rows and their values are carved from slabs, a few allocations for
	// many records instead of two per row. A slab is never handed out
	// twice: the batch keeps the values until they are appended.
	rowSlab []Row
	valSlab []any
	boxes   boxes
}

// Slab sizes: a few dozen records' rows.
const (
	rowSlabLen = 64
	valSlabLen = 2048
)

// New starts a row for a table of the schema.
func (s *RowSet) New(table string) *Row {
	t, ok := schema.Lookup(table)
	if !ok {
		panic("ingest: no table " + table)
	}
	n := len(t.Columns)
	if len(s.valSlab) < n {
		s.valSlab = make([]any, max(n, valSlabLen))
	}
	if len(s.rowSlab) == 0 {
		s.rowSlab = make([]Row, rowSlabLen)
	}
	r := &s.rowSlab[0]
	s.rowSlab = s.rowSlab[1:]
	// Capped, so that an append to one row's values never runs into the
	// next row's.
	*r = Row{Table: t, Values: s.valSlab[:n:n], set: s}
	s.valSlab = s.valSlab[n:]
	s.rows = append(s.rows, r)
	return r
}

// Rows returns the rows collected so far.
func (s *RowSet) Rows() []*Row { return s.rows }

// Reset empties the set for the next record.
func (s *RowSet) Reset() {
	// The rows now belong to a batch, or to nobody. Whoever fills them
	// in next (an enricher, on another goroutine) boxes values the plain
	// way: the set's slabs are for the goroutine that owns the set.
	for _, r := range s.rows {
		r.set = nil
	}
	clear(s.rows)
	s.rows = s.rows[:0]
}
