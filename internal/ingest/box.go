package ingest

import (
	"encoding/json"
	"time"
	"unsafe"
)

// Boxing. Putting a string, a number or a time in a row's []any allocates
// a copy of it on the heap, for every value: tens of small allocations per
// event, and as many objects for the garbage collector to mark. A RowSet
// keeps those copies in slabs instead, one allocation for a thousand
// values, and makes the interface value point into the slab. As with the
// value slab, a slot is written once and never reused, so a value never
// changes under a row that holds it; the slab lives as long as any row
// does.

// eface is the layout of an empty interface value: its dynamic type and a
// pointer to its data (for these types, never stored in the word itself).
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// boxSlabLen is the values per slab: a few dozen records' worth.
const boxSlabLen = 1024

// boxSlab holds boxed values of one type.
type boxSlab[T any] struct {
	buf []T
	typ unsafe.Pointer // T's type word, taken from the first value
}

// box returns v as an interface value whose data is v's copy in the slab.
func (b *boxSlab[T]) box(v T) any {
	if len(b.buf) == cap(b.buf) {
		b.buf = make([]T, 0, boxSlabLen)
	}
	if b.typ == nil {
		var x any = v
		b.typ = (*eface)(unsafe.Pointer(&x)).typ
	}
	b.buf = append(b.buf, v)
	var out any
	e := (*eface)(unsafe.Pointer(&out))
	e.typ, e.data = b.typ, unsafe.Pointer(&b.buf[len(b.buf)-1])
	return out
}

// boxes are a RowSet's slabs.
type boxes struct {
	strs  boxSlab[string]
	longs boxSlab[int64]
	ints  boxSlab[int32]
	times boxSlab[time.Time]
	jsons boxSlab[json.RawMessage]
}

// boxIn boxes v in the slab of the row's set that pick chooses, or the
// plain way when the row has no set (any more: see RowSet.Reset).
func boxIn[T any](r *Row, pick func(*boxes) *boxSlab[T], v T) any {
	if r.set == nil {
		return v
	}
	return pick(&r.set.boxes).box(v)
}

func strSlab(b *boxes) *boxSlab[string]           { return &b.strs }
func longSlab(b *boxes) *boxSlab[int64]           { return &b.longs }
func intSlab(b *boxes) *boxSlab[int32]            { return &b.ints }
func timeSlab(b *boxes) *boxSlab[time.Time]       { return &b.times }
func jsonSlab(b *boxes) *boxSlab[json.RawMessage] { return &b.jsons }
