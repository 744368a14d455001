package ingest

import (
	"encoding/json"
	"time"
	"unsafe"
)

// Boxing. Putting a string, a long or a time in a row's []any allocates a
// copy of it on the heap, for every value: tens of small allocations per
// event, and as many objects for the garbage collector to mark. A RowSet
// keeps those copies in slabs instead, one allocation for thousands of
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

func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

var (
	stringType = typeWord("")
	int64Type  = typeWord(int64(0))
	int32Type  = typeWord(int32(0))
	timeType   = typeWord(time.Time{})
	jsonType   = typeWord(json.RawMessage(nil))
)

// boxSlabLen is the values per slab: a few dozen records' worth.
const boxSlabLen = 1024

// boxSlab holds boxed values of one type.
type boxSlab[T any] struct{ buf []T }

// box returns v as an interface value of dynamic type typ (which must be
// T's) whose data is v's copy in the slab.
func (b *boxSlab[T]) box(typ unsafe.Pointer, v T) any {
	if len(b.buf) == cap(b.buf) {
		b.buf = make([]T, 0, boxSlabLen)
	}
	b.buf = append(b.buf, v)
	var out any
	e := (*eface)(unsafe.Pointer(&out))
	e.typ, e.data = typ, unsafe.Pointer(&b.buf[len(b.buf)-1])
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

func (r *Row) boxString(s string) any {
	if r.set == nil {
		return s
	}
	return r.set.boxes.strs.box(stringType, s)
}

func (r *Row) boxLong(n int64) any {
	if r.set == nil {
		return n
	}
	return r.set.boxes.longs.box(int64Type, n)
}

func (r *Row) boxTime(t time.Time) any {
	if r.set == nil {
		return t
	}
	return r.set.boxes.times.box(timeType, t)
}

func (r *Row) boxInt(n int32) any {
	if r.set == nil {
		return n
	}
	return r.set.boxes.ints.box(int32Type, n)
}

func (r *Row) boxJSON(b json.RawMessage) any {
	if r.set == nil {
		return b
	}
	return r.set.boxes.jsons.box(jsonType, b)
}
