package duckdb

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"runtime"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// segmentEncoder writes one table's rows as a Parquet file, encoding each
// value once, straight from the rows into a page (PLAIN values, definition
// levels as one bit-packed run) that is compressed with zstd and kept
// with its column's other pages until the row group is written.
// An Arrow-based writer copied every value twice more and cost more than
// normalizing the events; this one writes only what DuckDB reads: one
// row group per segmentRowGroup rows, data pages of about pageTarget
// bytes, min/max statistics for numbers, times and short strings.
//
// Encoders are reused from batch to batch (encoderCache): their buffers
// are a page or two per column, not a batch.
type segmentEncoder struct {
	table *schema.Table
	cols  []schema.Column // the schema's columns, then the ingestion time
	ts    int             // index of the Timestamp column, -1 if none

	state  []chunkState // per column, the chunk being encoded
	page   []byte       // levels and values of a nullable column's page
	comp   []byte       // the compressed page
	head   thriftWriter
	foot   thriftWriter
	groups []rowGroupMeta
	w      *bufio.Writer
	pos    int64
}

// Parquet's physical types, encodings and page type used here.
const (
	ptBoolean   = 0
	ptInt32     = 1
	ptInt64     = 2
	ptDouble    = 5
	ptByteArray = 6
	ptFixed     = 7

	encPlain = 0
	encRLE   = 3

	codecZstd = 6
)

// pageTarget is the size of a page's values before it is cut: big enough
// for zstd to find repeats, small enough to stay in cache.
var pageTarget = 1 << 20

// segmentRowGroup is DuckDB's own row group size.
var segmentRowGroup = 122_880

// statMax bounds a string column's min and max statistics: longer values
// (command lines, JSON) are rarely compared by range, so no statistics.
const statMax = 128

var segmentZstd = sync.OnceValue(func() *zstd.Encoder {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)), zstd.WithEncoderCRC(false))
	if err != nil {
		panic(err) // only for invalid options
	}
	return enc
})

type rowGroupMeta struct {
	rows   int64
	chunks []chunkMeta
}

type chunkMeta struct {
	offset             int64 // of the first page
	compressed, plain  int64 // bytes, page headers included
	values, nulls      int64
	min, max           []byte // PLAIN statistics; nil when none
	minValue, maxValue any
}

func newSegmentEncoder(t *schema.Table) *segmentEncoder {
	e := &segmentEncoder{table: t, ts: -1}
	for i, c := range t.Columns {
		e.cols = append(e.cols, c)
		if c.Name == "Timestamp" && c.Type == schema.DateTime {
			e.ts = i
		}
	}
	e.cols = append(e.cols, schema.Column{Name: schema.IngestionTimeColumn, Type: schema.DateTime})
	return e
}

// encode writes rows (schema column order; canonical unless validate) as
// a Parquet file to w, checking every value as Append does, and returns
// what the manifest records. On an error the output is incomplete.
func (e *segmentEncoder) encode(w io.Writer, rows [][]any, ingest time.Time, validate bool) (segmentStats, error) {
	t := e.table
	var st segmentStats
	for r, row := range rows {
		if len(row) != len(t.Columns) {
			return st, widthErrorCols(t.Name, r, row, t)
		}
	}
	if e.w == nil {
		e.w = bufio.NewWriterSize(w, 256<<10)
	} else {
		e.w.Reset(w)
	}
	e.pos = 0
	e.groups = e.groups[:0]
	if err := e.write([]byte("PAR1")); err != nil {
		return st, err
	}
	for start := 0; start < len(rows); start += segmentRowGroup {
		grp := rows[start:min(start+segmentRowGroup, len(rows))]
		g, err := e.encodeGroup(grp, start, ingest, validate)
		if err != nil {
			return st, err
		}
		if e.ts >= 0 {
			if cm := g.chunks[e.ts]; cm.minValue != nil {
				lo, hi := cm.minValue.(time.Time), cm.maxValue.(time.Time)
				if st.minTime.IsZero() || lo.Before(st.minTime) {
					st.minTime = lo
				}
				if hi.After(st.maxTime) {
					st.maxTime = hi
				}
			}
		}
		e.groups = append(e.groups, g)
	}
	e.footer(int64(len(rows)))
	if err := e.write(e.foot.b); err != nil {
		return st, err
	}
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], uint32(len(e.foot.b)))
	copy(tail[4:], "PAR1")
	if err := e.write(tail[:]); err != nil {
		return st, err
	}
	if err := e.w.Flush(); err != nil {
		return st, err
	}
	e.w.Reset(nil)
	st.rows = int64(len(rows))
	return st, nil
}

func (e *segmentEncoder) write(b []byte) error {
	n, err := e.w.Write(b)
	e.pos += int64(n)
	return err
}

// chunkState is a column chunk being encoded.
type chunkState struct {
	col       schema.Column
	cm        chunkMeta
	values    []byte // the current page's PLAIN values
	defs      []byte // the current page's definition levels, a bit per row
	pages     []byte // the chunk's finished pages, headers included
	rows      int    // rows in the current page
	present   int    // non-null values in the current page
	lo, hi    int64
	slo, shi  string
	hasInt    bool
	hasStr    bool
	strStatOK bool
}

// blockRows is how many rows the encoder takes at a time, every column
// of them before the next block: the rows stay in cache, where a whole
// column at a time missed it on every value. A multiple of 8, so pages
// end on whole bytes of definition levels.
const blockRows = 64

// encodeGroup encodes one row group (rows, the first being row base of
// the batch): each column's pages are kept until the group is done, then
// written column after column.
func (e *segmentEncoder) encodeGroup(rows [][]any, base int, ingest time.Time, validate bool) (rowGroupMeta, error) {
	g := rowGroupMeta{rows: int64(len(rows))}
	if len(e.state) != len(e.cols) {
		e.state = make([]chunkState, len(e.cols))
	}
	for ci := range e.state {
		cs := &e.state[ci]
		*cs = chunkState{col: e.cols[ci], values: cs.values[:0], defs: cs.defs[:0], pages: cs.pages[:0],
			strStatOK: e.cols[ci].Type == schema.String}
	}
	last := len(e.table.Columns) // the ingestion time
	for lo := 0; lo < len(rows); lo += blockRows {
		block := rows[lo:min(lo+blockRows, len(rows))]
		for ci := range e.state {
			cs := &e.state[ci]
			for r, row := range block {
				var v any
				if ci == last {
					v = ingest
				} else {
					v = row[ci]
					if validate {
						n, err := store.Normalize(cs.col, v)
						if err != nil {
							return g, positioned(err, e.table.Name, base+lo+r)
						}
						v = n
					}
				}
				present, err := cs.add(v)
				if err != nil {
					return g, positioned(err, e.table.Name, base+lo+r)
				}
				if cs.rows%8 == 0 {
					cs.defs = append(cs.defs, 0)
				}
				if present {
					cs.defs[cs.rows/8] |= 1 << (cs.rows % 8)
					cs.present++
				} else {
					cs.cm.nulls++
				}
				cs.rows++
			}
			if len(cs.values) >= pageTarget {
				e.finishPage(cs)
			}
		}
	}
	for ci := range e.state {
		cs := &e.state[ci]
		if cs.rows > 0 || cs.cm.values == 0 {
			e.finishPage(cs)
		}
		cs.cm.offset = e.pos
		if err := e.write(cs.pages); err != nil {
			return g, err
		}
		cs.finishStats()
		g.chunks = append(g.chunks, cs.cm)
	}
	return g, nil
}

// add appends v's PLAIN encoding to the page and reports whether it is
// present (not null).
func (cs *chunkState) add(v any) (bool, error) {
	col := cs.col
	t := col.Type
	if t == schema.String || t == schema.Dynamic {
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case json.RawMessage:
			if t != schema.Dynamic {
				return false, wrongType(col, v)
			}
			cs.values = binary.LittleEndian.AppendUint32(cs.values, uint32(len(x)))
			cs.values = append(cs.values, x...)
			return true, nil
		case nil:
			if t == schema.Dynamic {
				return false, nil
			}
			// KQL strings are never null: a missing one is stored as ''.
		default:
			return false, wrongType(col, v)
		}
		cs.values = binary.LittleEndian.AppendUint32(cs.values, uint32(len(s)))
		cs.values = append(cs.values, s...)
		if cs.strStatOK {
			switch {
			case len(s) > statMax:
				cs.strStatOK = false
			case !cs.hasStr:
				cs.slo, cs.shi, cs.hasStr = s, s, true
			case s < cs.slo:
				cs.slo = s
			case s > cs.shi:
				cs.shi = s
			}
		}
		return true, nil
	}
	if v == nil {
		return false, nil
	}
	var ok bool
	var iv int64
	isInt := false
	switch t {
	case schema.Int:
		var x int32
		if x, ok = v.(int32); ok {
			cs.values = binary.LittleEndian.AppendUint32(cs.values, uint32(x))
			iv, isInt = int64(x), true
		}
	case schema.Long:
		var x int64
		if x, ok = v.(int64); ok {
			cs.values = binary.LittleEndian.AppendUint64(cs.values, uint64(x))
			iv, isInt = x, true
		}
	case schema.Real:
		var x float64
		if x, ok = v.(float64); ok {
			cs.values = binary.LittleEndian.AppendUint64(cs.values, math.Float64bits(x))
		}
	case schema.Bool:
		var x bool
		if x, ok = v.(bool); ok {
			// PLAIN booleans are bit-packed, least significant bit first.
			if cs.present%8 == 0 {
				cs.values = append(cs.values, 0)
			}
			if x {
				cs.values[len(cs.values)-1] |= 1 << (cs.present % 8)
			}
		}
	case schema.DateTime:
		var x time.Time
		if x, ok = v.(time.Time); ok {
			iv, isInt = x.UnixMicro(), true
			cs.values = binary.LittleEndian.AppendUint64(cs.values, uint64(iv))
		}
	case schema.TimeSpan:
		var x time.Duration
		if x, ok = v.(time.Duration); ok {
			// Microseconds, as the base table's INTERVAL keeps them.
			iv, isInt = x.Microseconds(), true
			cs.values = binary.LittleEndian.AppendUint64(cs.values, uint64(iv))
		}
	case schema.Decimal:
		var x string
		if x, ok = v.(string); ok {
			n, reason := decimalToBig(x)
			if reason != "" {
				return false, &store.ValueError{Column: col.Name, Want: t, Got: "string", Reason: reason}
			}
			cs.values = appendDecimal16(cs.values, n)
		}
	case schema.GUID:
		var x string
		if x, ok = v.(string); ok {
			u := parseUUID(x)
			cs.values = append(cs.values, u[:]...)
		}
	}
	if !ok {
		return false, wrongType(col, v)
	}
	if isInt {
		switch {
		case !cs.hasInt:
			cs.lo, cs.hi, cs.hasInt = iv, iv, true
		case iv < cs.lo:
			cs.lo = iv
		case iv > cs.hi:
			cs.hi = iv
		}
	}
	return true, nil
}

var twoTo128 = new(big.Int).Lsh(big.NewInt(1), 128)

// appendDecimal16 appends n as Parquet's DECIMAL in 16 bytes: two's
// complement, big-endian.
func appendDecimal16(b []byte, n *big.Int) []byte {
	var buf [16]byte
	if n.Sign() < 0 {
		n = new(big.Int).Add(n, twoTo128)
	}
	n.FillBytes(buf[:])
	return append(b, buf[:]...)
}

func wrongType(col schema.Column, v any) error {
	return &store.ValueError{Column: col.Name, Want: col.Type, Got: fmt.Sprintf("%T", v),
		Reason: "not the canonical value of the column's type"}
}

// finishPage compresses the current page into the chunk's pages.
func (e *segmentEncoder) finishPage(cs *chunkState) {
	body := cs.values
	if cs.col.Type != schema.String {
		// Definition levels (bit width 1): one RLE run when every value is
		// present, else the bitmap as one bit-packed run of ceil(n/8) groups.
		lv := e.page[:0]
		lv = append(lv, 0, 0, 0, 0)
		if cs.present == cs.rows {
			lv = binary.AppendUvarint(lv, uint64(cs.rows)<<1)
			lv = append(lv, 1)
		} else {
			groups := (cs.rows + 7) / 8
			lv = binary.AppendUvarint(lv, uint64(groups)<<1|1)
			lv = append(lv, cs.defs[:groups]...)
		}
		binary.LittleEndian.PutUint32(lv, uint32(len(lv)-4))
		lv = append(lv, cs.values...)
		e.page, body = lv, lv
	}
	e.comp = segmentZstd().EncodeAll(body, e.comp[:0])
	h := &e.head
	h.reset()
	h.i32(1, 0) // DATA_PAGE
	h.i32(2, int32(len(body)))
	h.i32(3, int32(len(e.comp)))
	h.begin(5)
	h.i32(1, int32(cs.rows))
	h.i32(2, encPlain)
	h.i32(3, encRLE)
	h.i32(4, encRLE)
	h.end()
	h.stop()
	cs.pages = append(cs.pages, h.b...)
	cs.pages = append(cs.pages, e.comp...)
	cs.cm.plain += int64(len(h.b) + len(body))
	cs.cm.compressed += int64(len(h.b) + len(e.comp))
	cs.cm.values += int64(cs.rows)
	cs.rows, cs.present = 0, 0
	cs.values, cs.defs = cs.values[:0], cs.defs[:0]
}

// finishStats sets the chunk's PLAIN-encoded min and max.
func (cs *chunkState) finishStats() {
	col := cs.col
	switch {
	case cs.hasInt && col.Type == schema.Int:
		cs.cm.min = binary.LittleEndian.AppendUint32(nil, uint32(cs.lo))
		cs.cm.max = binary.LittleEndian.AppendUint32(nil, uint32(cs.hi))
	case cs.hasInt:
		cs.cm.min = binary.LittleEndian.AppendUint64(nil, uint64(cs.lo))
		cs.cm.max = binary.LittleEndian.AppendUint64(nil, uint64(cs.hi))
		if col.Type == schema.DateTime {
			cs.cm.minValue, cs.cm.maxValue = time.UnixMicro(cs.lo).UTC(), time.UnixMicro(cs.hi).UTC()
		}
	case cs.hasStr && cs.strStatOK:
		cs.cm.min, cs.cm.max = []byte(cs.slo), []byte(cs.shi)
	}
}

// parquetType is the Parquet physical type of a column of type t: one
// DuckDB reads back as the base table's type (JSON, UUID, DECIMAL and
// TIMESTAMP through their logical types), except timespans, which Parquet
// holds only as milliseconds: they are stored as microseconds in a BIGINT
// and the view converts.
func parquetType(t schema.Type) int32 {
	switch t {
	case schema.Int:
		return ptInt32
	case schema.Long, schema.TimeSpan, schema.DateTime:
		return ptInt64
	case schema.Real:
		return ptDouble
	case schema.Bool:
		return ptBoolean
	case schema.Decimal, schema.GUID:
		return ptFixed
	}
	return ptByteArray
}

// footer builds the FileMetaData.
func (e *segmentEncoder) footer(rows int64) {
	f := &e.foot
	f.reset()
	f.i32(1, 2) // version
	f.list(2, tcStruct, len(e.cols)+1)
	f.elemStruct()
	f.str(4, "schema")
	f.i32(5, int32(len(e.cols)))
	f.end()
	for _, c := range e.cols {
		f.elemStruct()
		f.i32(1, parquetType(c.Type))
		if c.Type == schema.Decimal || c.Type == schema.GUID {
			f.i32(2, 16)
		}
		// Strings are never null (stored as ''): a required column has no
		// definition levels to encode.
		if c.Type == schema.String {
			f.i32(3, 0)
		} else {
			f.i32(3, 1)
		}
		f.str(4, c.Name)
		switch c.Type {
		case schema.String:
			f.i32(6, 0) // UTF8
			f.begin(10)
			f.begin(1) // STRING
			f.end()
			f.end()
		case schema.Dynamic:
			f.i32(6, 19) // JSON
			f.begin(10)
			f.begin(12) // JSON
			f.end()
			f.end()
		case schema.Decimal:
			f.i32(6, 5) // DECIMAL
			f.i32(7, decimalScale)
			f.i32(8, 38)
			f.begin(10)
			f.begin(5)
			f.i32(1, decimalScale)
			f.i32(2, 38)
			f.end()
			f.end()
		case schema.GUID:
			f.begin(10)
			f.begin(14) // UUID
			f.end()
			f.end()
		case schema.DateTime:
			// Not adjusted to UTC: DuckDB's TIMESTAMP, not TIMESTAMPTZ.
			f.begin(10)
			f.begin(8)
			f.boolean(1, false)
			f.begin(2)
			f.begin(2) // MICROS
			f.end()
			f.end()
			f.end()
			f.end()
		}
		f.end()
	}
	f.i64(3, rows)
	f.list(4, tcStruct, len(e.groups))
	for gi, g := range e.groups {
		f.elemStruct()
		f.list(1, tcStruct, len(g.chunks))
		var plain, compressed int64
		for ci, cm := range g.chunks {
			plain += cm.plain
			compressed += cm.compressed
			f.elemStruct()
			f.i64(2, 0) // file_offset: deprecated, 0 as the format asks
			f.begin(3)
			f.i32(1, parquetType(e.cols[ci].Type))
			f.list(2, tcI32, 2)
			f.elemI32(encPlain)
			f.elemI32(encRLE)
			f.list(3, tcBinary, 1)
			f.elemStr(e.cols[ci].Name)
			f.i32(4, codecZstd)
			f.i64(5, cm.values)
			f.i64(6, cm.plain)
			f.i64(7, cm.compressed)
			f.i64(9, cm.offset)
			f.begin(12)
			f.i64(3, cm.nulls)
			if cm.min != nil {
				f.binary(5, cm.max)
				f.binary(6, cm.min)
			}
			f.end()
			f.end()
			f.end()
		}
		f.i64(2, plain)
		f.i64(3, g.rows)
		f.i64(5, g.chunks[0].offset)
		f.i64(6, compressed)
		f.field(7, 4) // i16 ordinal
		f.b = binary.AppendVarint(f.b, int64(gi))
		f.end()
	}
	f.str(6, "vigil")
	f.list(7, tcStruct, len(e.cols))
	for range e.cols {
		f.elemStruct()
		f.begin(1) // TYPE_ORDER
		f.end()
		f.end()
	}
	f.stop()
}

// encoderCache keeps one idle segmentEncoder per table, so a table's
// buffers are reused from batch to batch.
type encoderCache struct {
	mu   sync.Mutex
	idle map[*schema.Table]*segmentEncoder
}

func (c *encoderCache) get(t *schema.Table) *segmentEncoder {
	c.mu.Lock()
	e := c.idle[t]
	delete(c.idle, t)
	c.mu.Unlock()
	if e != nil {
		return e
	}
	return newSegmentEncoder(t)
}

func (c *encoderCache) put(e *segmentEncoder) {
	c.mu.Lock()
	if c.idle == nil {
		c.idle = map[*schema.Table]*segmentEncoder{}
	}
	c.idle[e.table] = e
	c.mu.Unlock()
}

// drop forgets the idle encoders once ingest pauses.
func (c *encoderCache) drop() {
	c.mu.Lock()
	c.idle = nil
	c.mu.Unlock()
}
