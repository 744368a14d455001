package duckdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// readSegmentFooter reads the row groups of a segment file this package
// wrote (created_by "vigil"), so merges can copy its column chunks as
// they are. A file written by anything else (DuckDB merges it with COPY)
// or one that does not parse is reported as not ours.
func readSegmentFooter(path string, columns int) ([]rowGroupMeta, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, fmt.Errorf("duckdb: segment: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("duckdb: segment: %w", err)
	}
	size := fi.Size()
	var tail [8]byte
	if size < 12 {
		return nil, false, nil
	}
	if _, err := f.ReadAt(tail[:], size-8); err != nil {
		return nil, false, fmt.Errorf("duckdb: segment: %w", err)
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if string(tail[4:]) != "PAR1" || n > size-12 || n > 64<<20 {
		return nil, false, nil
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-8-n); err != nil {
		return nil, false, fmt.Errorf("duckdb: segment: %w", err)
	}
	groups, createdBy, err := parseFileMeta(buf)
	if err != nil || createdBy != "vigil" {
		return nil, false, nil
	}
	for _, g := range groups {
		if len(g.chunks) != columns {
			return nil, false, nil
		}
		for _, c := range g.chunks {
			if c.offset < 4 || c.offset+c.compressed > size-8-n {
				return nil, false, nil
			}
		}
	}
	return groups, true, nil
}

// thriftReader reads Thrift's compact protocol: the fields a merge needs,
// skipping the others.
type thriftReader struct {
	b   []byte
	pos int
	err error
}

var errThrift = errors.New("malformed footer")

func (r *thriftReader) byte() byte {
	if r.pos >= len(r.b) {
		r.err = errThrift
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *thriftReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b[min(r.pos, len(r.b)):])
	if n <= 0 {
		r.err = errThrift
		r.pos = len(r.b)
		return 0
	}
	r.pos += n
	return v
}

func (r *thriftReader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (r *thriftReader) binary() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)-r.pos) {
		r.err = errThrift
		r.pos = len(r.b)
		return nil
	}
	v := r.b[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return v
}

// fields calls f for each field of a struct with its id and type code,
// f must consume the value (or call skip).
func (r *thriftReader) fields(depth int, f func(id int16, typ byte)) {
	if depth > 16 {
		r.err = errThrift
		return
	}
	var last int16
	for r.err == nil {
		h := r.byte()
		if h == 0 || r.err != nil {
			return
		}
		typ := h & 0x0f
		id := last + int16(h>>4)
		if h>>4 == 0 {
			id = int16(r.varint())
		}
		last = id
		f(id, typ)
	}
}

// list reads a list header: element type and count.
func (r *thriftReader) list() (byte, int) {
	h := r.byte()
	n := int(h >> 4)
	if n == 15 {
		u := r.uvarint()
		if u > uint64(len(r.b)) {
			r.err = errThrift
			return 0, 0
		}
		n = int(u)
	}
	return h & 0x0f, n
}

// skip consumes a value of type typ.
func (r *thriftReader) skip(typ byte, depth int) {
	if depth > 16 {
		r.err = errThrift
		return
	}
	switch typ {
	case tcTrue, tcFalse:
	case 3: // byte
		r.byte()
	case 4, tcI32, tcI64:
		r.uvarint()
	case 7: // double
		r.pos += 8
		if r.pos > len(r.b) {
			r.err = errThrift
		}
	case tcBinary:
		r.binary()
	case tcList, 10: // list, set
		et, n := r.list()
		for i := 0; i < n && r.err == nil; i++ {
			r.elem(et, depth+1)
		}
	case 11: // map
		n := r.uvarint()
		if n == 0 {
			return
		}
		kv := r.byte()
		for i := uint64(0); i < n && r.err == nil; i++ {
			r.elem(kv>>4, depth+1)
			r.elem(kv&0x0f, depth+1)
		}
	case tcStruct:
		r.fields(depth+1, func(_ int16, t byte) { r.skip(t, depth+1) })
	default:
		r.err = errThrift
	}
}

// elem consumes a list element (booleans in lists take a byte).
func (r *thriftReader) elem(typ byte, depth int) {
	if typ == tcTrue || typ == tcFalse {
		r.byte()
		return
	}
	r.skip(typ, depth)
}

// parseFileMeta reads FileMetaData's row groups and created_by.
func parseFileMeta(b []byte) ([]rowGroupMeta, string, error) {
	r := &thriftReader{b: b}
	var groups []rowGroupMeta
	var createdBy string
	r.fields(0, func(id int16, typ byte) {
		switch {
		case id == 4 && typ == tcList:
			_, n := r.list()
			for i := 0; i < n && r.err == nil; i++ {
				groups = append(groups, r.rowGroup())
			}
		case id == 6 && typ == tcBinary:
			createdBy = string(r.binary())
		default:
			r.skip(typ, 1)
		}
	})
	if r.err != nil {
		return nil, "", r.err
	}
	return groups, createdBy, nil
}

func (r *thriftReader) rowGroup() rowGroupMeta {
	var g rowGroupMeta
	r.fields(2, func(id int16, typ byte) {
		switch {
		case id == 1 && typ == tcList:
			_, n := r.list()
			for i := 0; i < n && r.err == nil; i++ {
				g.chunks = append(g.chunks, r.columnChunk())
			}
		case id == 3 && typ == tcI64:
			g.rows = r.varint()
		default:
			r.skip(typ, 3)
		}
	})
	return g
}

func (r *thriftReader) columnChunk() chunkMeta {
	var c chunkMeta
	r.fields(4, func(id int16, typ byte) {
		if id != 3 || typ != tcStruct {
			r.skip(typ, 5)
			return
		}
		r.fields(5, func(id int16, typ byte) {
			switch {
			case id == 5 && typ == tcI64:
				c.values = r.varint()
			case id == 6 && typ == tcI64:
				c.plain = r.varint()
			case id == 7 && typ == tcI64:
				c.compressed = r.varint()
			case id == 9 && typ == tcI64:
				c.offset = r.varint()
			case id == 12 && typ == tcStruct:
				r.fields(6, func(id int16, typ byte) {
					switch {
					case id == 3 && typ == tcI64:
						c.nulls = r.varint()
					case id == 5 && typ == tcBinary:
						c.max = r.binary()
					case id == 6 && typ == tcBinary:
						c.min = r.binary()
					default:
						r.skip(typ, 7)
					}
				})
			default:
				r.skip(typ, 6)
			}
		})
	})
	return c
}

// concatSegments writes the row groups of files (this package's, with the
// encoder's columns, footers read by readSegmentFooter) into one file at
// path, their column chunks copied byte for byte: a merge of small
// segments costs a file copy, not a decode and an encode.
func (e *segmentEncoder) concatSegments(w io.Writer, files []string, footers [][]rowGroupMeta) error {
	e.pos = 0
	e.groups = e.groups[:0]
	n, err := w.Write([]byte("PAR1"))
	e.pos += int64(n)
	if err != nil {
		return err
	}
	var rows int64
	for i, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		for _, g := range footers[i] {
			out := rowGroupMeta{rows: g.rows, chunks: make([]chunkMeta, len(g.chunks))}
			for ci, c := range g.chunks {
				if _, err := f.Seek(c.offset, io.SeekStart); err != nil {
					f.Close()
					return err
				}
				copied, err := io.CopyN(w, f, c.compressed)
				e.pos += copied
				if err != nil {
					f.Close()
					return err
				}
				c.offset = e.pos - copied
				out.chunks[ci] = c
			}
			rows += g.rows
			e.groups = append(e.groups, out)
		}
		f.Close()
	}
	e.footer(rows)
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], uint32(len(e.foot.b)))
	copy(tail[4:], "PAR1")
	for _, b := range [][]byte{e.foot.b, tail[:]} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
