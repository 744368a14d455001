package windows

import (
	"github.com/vigilsec/vigil/internal/jsonenc"
	"strconv"
)

// jsonObject writes a JSON object key by key, in insertion order, so that
// the output is deterministic without sorting and costs no reflection.
type jsonObject struct {
	buf []byte
	n   int
}

func (o *jsonObject) reset() { o.buf, o.n = o.buf[:0], 0 }

func (o *jsonObject) key(k string) {
	o.next()
	o.buf = jsonenc.AppendString(o.buf, k)
	o.buf = append(o.buf, ':')
}

// next opens the object or separates the next member.
func (o *jsonObject) next() {
	if o.n == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	o.n++
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.buf = jsonenc.AppendString(o.buf, v)
}

// strSpan is str, returning where the member ("key":"value") is in buf.
func (o *jsonObject) strSpan(k, v string) (lo, hi int) {
	o.next()
	lo = len(o.buf)
	o.buf = jsonenc.AppendString(o.buf, k)
	o.buf = append(o.buf, ':')
	o.buf = jsonenc.AppendString(o.buf, v)
	return lo, len(o.buf)
}

// member writes a member already in JSON ("key":value).
func (o *jsonObject) member(m []byte) {
	o.next()
	o.buf = append(o.buf, m...)
}

func (o *jsonObject) int(k string, v int64) {
	o.key(k)
	o.buf = strconv.AppendInt(o.buf, v, 10)
}

func (o *jsonObject) bool(k string, v bool) {
	o.key(k)
	o.buf = strconv.AppendBool(o.buf, v)
}

func (o *jsonObject) strs(k string, vs []string) {
	o.key(k)
	o.buf = append(o.buf, '[')
	for i, v := range vs {
		if i > 0 {
			o.buf = append(o.buf, ',')
		}
		o.buf = jsonenc.AppendString(o.buf, v)
	}
	o.buf = append(o.buf, ']')
}

func (o *jsonObject) empty() bool { return o.n == 0 }

// closed returns the finished object ("{}" when empty) in the writer's
// buffer: valid until the next write or reset.
func (o *jsonObject) closed() []byte {
	if o.n == 0 {
		return []byte("{}")
	}
	b := append(o.buf, '}')
	o.buf = b[:len(b)-1]
	return b
}
