package duckdb

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// colBuf holds one column of a segment in Arrow's memory layout, built
// straight from the rows: Arrow's builders grow their buffers by doubling
// and clear every new byte, which cost more than writing the Parquet file.
// The buffers are reused from batch to batch (recordBuilder's pool).
type colBuf struct {
	col   schema.Column
	n     int
	nulls int
	valid []byte  // validity bitmap, bit set = value present
	offs  []int64 // text columns: n+1 offsets into data
	data  []byte  // text bytes, or fixed-width little-endian values
	bits  []byte  // bool values
}

// reset empties the column and sizes its buffers for rows values of
// text bytes in all, so appends never copy.
func (c *colBuf) reset(rows, text int) {
	c.n, c.nulls = 0, 0
	c.valid = grow(c.valid, rows/8+1)
	c.bits = grow(c.bits, rows/8+1)
	switch c.col.Type {
	case schema.String, schema.Dynamic:
		c.data = grow(c.data, text)
		if cap(c.offs) < rows+1 {
			c.offs = make([]int64, 0, rows+1)
		}
		c.offs = append(c.offs[:0], 0)
	default:
		c.data = grow(c.data, rows*width(c.col.Type))
	}
}

// grow returns b emptied, with room for n bytes.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, 0, n)
	}
	return b[:0]
}

// mark records whether value n is present.
func (c *colBuf) mark(present bool) {
	if c.n%8 == 0 {
		c.valid = append(c.valid, 0)
	}
	if present {
		c.valid[c.n/8] |= 1 << (c.n % 8)
	} else {
		c.nulls++
	}
}

// width is the byte width of a fixed-width column's values.
func width(t schema.Type) int {
	switch t {
	case schema.Int:
		return 4
	case schema.Decimal, schema.GUID:
		return 16
	}
	return 8
}

// add appends a canonical value (or nil) of the column.
func (c *colBuf) add(v any) error {
	t := c.col.Type
	if t == schema.String || t == schema.Dynamic {
		switch x := v.(type) {
		case string:
			c.data = append(c.data, x...)
		case json.RawMessage:
			if t != schema.Dynamic {
				return c.wrongType(v)
			}
			c.data = append(c.data, x...)
		case nil:
			if t == schema.Dynamic {
				c.mark(false)
				c.offs = append(c.offs, int64(len(c.data)))
				c.n++
				return nil
			}
			// KQL strings are never null: a missing one is stored as ''.
		default:
			return c.wrongType(v)
		}
		c.mark(true)
		c.offs = append(c.offs, int64(len(c.data)))
		c.n++
		return nil
	}
	if v == nil {
		c.mark(false)
		if t == schema.Bool {
			c.setBit(false)
		} else {
			c.data = append(c.data, zeros[:width(t)]...)
		}
		c.n++
		return nil
	}
	var ok bool
	switch t {
	case schema.Int:
		var x int32
		if x, ok = v.(int32); ok {
			c.data = binary.LittleEndian.AppendUint32(c.data, uint32(x))
		}
	case schema.Long:
		var x int64
		if x, ok = v.(int64); ok {
			c.data = binary.LittleEndian.AppendUint64(c.data, uint64(x))
		}
	case schema.Real:
		var x float64
		if x, ok = v.(float64); ok {
			c.data = binary.LittleEndian.AppendUint64(c.data, math.Float64bits(x))
		}
	case schema.Bool:
		var x bool
		if x, ok = v.(bool); ok {
			c.setBit(x)
		}
	case schema.DateTime:
		var x time.Time
		if x, ok = v.(time.Time); ok {
			c.data = binary.LittleEndian.AppendUint64(c.data, uint64(x.UnixMicro()))
		}
	case schema.TimeSpan:
		var x time.Duration
		if x, ok = v.(time.Duration); ok {
			// Microseconds, as the base table's INTERVAL keeps them.
			c.data = binary.LittleEndian.AppendUint64(c.data, uint64(x.Microseconds()))
		}
	case schema.Decimal:
		var x string
		if x, ok = v.(string); ok {
			n, reason := decimalToBig(x)
			if reason != "" {
				return &store.ValueError{Column: c.col.Name, Want: t, Got: "string", Reason: reason}
			}
			// Two's complement, 16 bytes, little-endian: Arrow's decimal128.
			var b [16]byte
			num := decimal128.FromBigInt(n)
			binary.LittleEndian.PutUint64(b[:8], num.LowBits())
			binary.LittleEndian.PutUint64(b[8:], uint64(num.HighBits()))
			c.data = append(c.data, b[:]...)
		}
	case schema.GUID:
		var x string
		if x, ok = v.(string); ok {
			u := parseUUID(x)
			c.data = append(c.data, u[:]...)
		}
	}
	if !ok {
		return c.wrongType(v)
	}
	c.mark(true)
	c.n++
	return nil
}

var zeros [16]byte

func (c *colBuf) setBit(x bool) {
	if c.n%8 == 0 {
		c.bits = append(c.bits, 0)
	}
	if x {
		c.bits[c.n/8] |= 1 << (c.n % 8)
	}
}

func (c *colBuf) wrongType(v any) error {
	return &store.ValueError{Column: c.col.Name, Want: c.col.Type, Got: fmt.Sprintf("%T", v),
		Reason: "not the canonical value of the column's type"}
}

// array wraps the buffers as an Arrow array of type dt, without copying.
func (c *colBuf) array(dt arrow.DataType) arrow.Array {
	var valid *memory.Buffer
	if c.nulls > 0 {
		valid = memory.NewBufferBytes(c.valid)
	}
	switch c.col.Type {
	case schema.String, schema.Dynamic:
		offs := arrow.Int64Traits.CastToBytes(c.offs)
		storage := array.MakeFromData(array.NewData(arrow.BinaryTypes.LargeString, c.n,
			[]*memory.Buffer{valid, memory.NewBufferBytes(offs), memory.NewBufferBytes(c.data)}, nil, c.nulls, 0))
		if ext, ok := dt.(arrow.ExtensionType); ok {
			defer storage.Release()
			return array.NewExtensionArrayWithStorage(ext, storage)
		}
		return storage
	case schema.Bool:
		return array.MakeFromData(array.NewData(dt, c.n, []*memory.Buffer{valid, memory.NewBufferBytes(c.bits)}, nil, c.nulls, 0))
	case schema.GUID:
		storage := array.MakeFromData(array.NewData(&arrow.FixedSizeBinaryType{ByteWidth: 16}, c.n,
			[]*memory.Buffer{valid, memory.NewBufferBytes(c.data)}, nil, c.nulls, 0))
		defer storage.Release()
		return array.NewExtensionArrayWithStorage(dt.(arrow.ExtensionType), storage)
	}
	return array.MakeFromData(array.NewData(dt, c.n, []*memory.Buffer{valid, memory.NewBufferBytes(c.data)}, nil, c.nulls, 0))
}

// recordBuilder turns one table's rows into an Arrow record.
type recordBuilder struct {
	table  *schema.Table
	schema *arrow.Schema
	cols   []colBuf // the schema's columns, then the ingestion time
	ts     int      // index of the Timestamp column, -1 if none
}

// builderCache keeps one idle recordBuilder per table, so a table's
// buffers are reused from batch to batch (a sync.Pool would lose them at
// every garbage collection, and a batch's are tens of megabytes).
type builderCache struct {
	mu   sync.Mutex
	idle map[*schema.Table]*recordBuilder
}

func (bc *builderCache) get(t *schema.Table) *recordBuilder {
	bc.mu.Lock()
	b := bc.idle[t]
	delete(bc.idle, t)
	bc.mu.Unlock()
	if b != nil {
		return b
	}
	b = &recordBuilder{table: t, schema: segmentSchema(t), ts: -1}
	for i, c := range t.Columns {
		b.cols = append(b.cols, colBuf{col: c})
		if c.Name == "Timestamp" && c.Type == schema.DateTime {
			b.ts = i
		}
	}
	b.cols = append(b.cols, colBuf{col: schema.Column{Name: schema.IngestionTimeColumn, Type: schema.DateTime}})
	return b
}

// drop forgets the idle builders: a bulk import's buffers are tens of
// megabytes per table, not worth holding once ingest pauses.
func (bc *builderCache) drop() {
	bc.mu.Lock()
	bc.idle = nil
	bc.mu.Unlock()
}

func (bc *builderCache) put(b *recordBuilder) {
	bc.mu.Lock()
	if bc.idle == nil {
		bc.idle = map[*schema.Table]*recordBuilder{}
	}
	bc.idle[b.table] = b
	bc.mu.Unlock()
}

// build converts rows (schema column order; canonical unless validate)
// into a record, checking every value first as Append does, and returns
// the rows' Timestamp range. The record borrows b's buffers: release it
// before b is reused.
func (b *recordBuilder) build(rows [][]any, ingest time.Time, validate bool) (arrow.RecordBatch, segmentStats, error) {
	t := b.table
	for i := range b.cols {
		text := 0
		if i < len(t.Columns) && (t.Columns[i].Type == schema.String || t.Columns[i].Type == schema.Dynamic) {
			for _, row := range rows {
				if i < len(row) {
					switch v := row[i].(type) {
					case string:
						text += len(v)
					case json.RawMessage:
						text += len(v)
					}
				}
			}
		}
		b.cols[i].reset(len(rows), text)
	}
	var st segmentStats
	for r, row := range rows {
		if len(row) != len(t.Columns) {
			return nil, st, widthErrorCols(t.Name, r, row, t)
		}
		for i, v := range row {
			if validate {
				n, err := store.Normalize(t.Columns[i], v)
				if err != nil {
					return nil, st, positioned(err, t.Name, r)
				}
				v = n
			}
			if err := b.cols[i].add(v); err != nil {
				return nil, st, positioned(err, t.Name, r)
			}
			if i == b.ts {
				if tv, ok := v.(time.Time); ok {
					if st.minTime.IsZero() || tv.Before(st.minTime) {
						st.minTime = tv
					}
					if tv.After(st.maxTime) {
						st.maxTime = tv
					}
				}
			}
		}
		if err := b.cols[len(t.Columns)].add(ingest); err != nil {
			return nil, st, err
		}
	}
	st.rows = int64(len(rows))
	arrs := make([]arrow.Array, len(b.cols))
	for i := range b.cols {
		arrs[i] = b.cols[i].array(b.schema.Field(i).Type)
	}
	rec := array.NewRecordBatch(b.schema, arrs, int64(len(rows)))
	for _, a := range arrs {
		a.Release()
	}
	return rec, st, nil
}
