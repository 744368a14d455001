package duckdb

import (
	"encoding/binary"
)

// thriftWriter writes Thrift's compact protocol, the encoding of Parquet's
// page headers and file footer: just the field kinds those structures use.
// Fields must be written in increasing id order within a struct.
type thriftWriter struct {
	b     []byte
	last  int16   // id of the previous field of the current struct
	stack []int16 // enclosing structs' last ids
}

// Compact protocol type codes.
const (
	tcTrue   = 1
	tcFalse  = 2
	tcI32    = 5
	tcI64    = 6
	tcBinary = 8
	tcList   = 9
	tcStruct = 12
)

func (w *thriftWriter) reset() {
	w.b, w.last, w.stack = w.b[:0], 0, w.stack[:0]
}

func (w *thriftWriter) field(id int16, typ byte) {
	if d := id - w.last; d > 0 && d <= 15 {
		w.b = append(w.b, byte(d)<<4|typ)
	} else {
		w.b = append(w.b, typ)
		w.b = binary.AppendVarint(w.b, int64(id))
	}
	w.last = id
}

func (w *thriftWriter) i32(id int16, v int32) {
	w.field(id, tcI32)
	w.b = binary.AppendVarint(w.b, int64(v))
}

func (w *thriftWriter) i64(id int16, v int64) {
	w.field(id, tcI64)
	w.b = binary.AppendVarint(w.b, v)
}

func (w *thriftWriter) binary(id int16, v []byte) {
	w.field(id, tcBinary)
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}

func (w *thriftWriter) str(id int16, v string) {
	w.field(id, tcBinary)
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}

func (w *thriftWriter) boolean(id int16, v bool) {
	if v {
		w.field(id, tcTrue)
	} else {
		w.field(id, tcFalse)
	}
}

// begin opens a struct-valued field; end closes it (or a list element).
func (w *thriftWriter) begin(id int16) {
	w.field(id, tcStruct)
	w.push()
}

func (w *thriftWriter) push() {
	w.stack = append(w.stack, w.last)
	w.last = 0
}

func (w *thriftWriter) end() {
	w.b = append(w.b, 0) // stop
	w.last = w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
}

// list opens a list field of n elements of type elem. Scalar elements
// follow with the elem* methods; struct elements with elemStruct … end.
func (w *thriftWriter) list(id int16, elem byte, n int) {
	w.field(id, tcList)
	if n < 15 {
		w.b = append(w.b, byte(n)<<4|elem)
	} else {
		w.b = append(w.b, 0xf0|elem)
		w.b = binary.AppendUvarint(w.b, uint64(n))
	}
}

func (w *thriftWriter) elemI32(v int32) { w.b = binary.AppendVarint(w.b, int64(v)) }

func (w *thriftWriter) elemStr(v string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}

func (w *thriftWriter) elemStruct() { w.push() }

// stop ends the top-level struct.
func (w *thriftWriter) stop() { w.b = append(w.b, 0) }
