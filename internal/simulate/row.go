package simulate

import (
	"encoding/json"
	"math"
	"math/bits"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/jsonenc"
	"github.com/vigilsec/vigil/internal/schema"
)

// sym is a string computed once and written many times: a binary's path,
// a user's SID, a command line. It carries its JSON encoding and its boxed
// form so that neither encoder pays for it again.
type sym struct {
	s   string
	j   []byte // quoted, escaped JSON string
	a   any    // s as an interface value (no allocation per row)
	raw any    // json.RawMessage(s) when s is JSON text, for dynamic columns
}

func newSym(s string) *sym {
	return &sym{s: s, j: jsonenc.AppendString(nil, s), a: s}
}

// eventSym is a sym for text made for one event (a command line with a
// random argument): it skips the boxed form, which only the store path
// needs and can make when it does.
func eventSym(s string) *sym {
	return &sym{s: s, j: jsonenc.AppendString(nil, s)}
}

// jsonSym is a sym holding JSON text, for AdditionalFields and other
// columns typed dynamic in some tables and string in others.
func jsonSym(text string) *sym {
	if !json.Valid([]byte(text)) {
		panic("simulate: invalid JSON in jsonSym: " + text)
	}
	y := newSym(text)
	y.raw = json.RawMessage(text)
	return y
}

// kind tags a value. Which Go type it becomes is decided by the column's
// KQL type at encoding time (an int is int32 in an int column, int64 in a
// long one, decimal text in a string one).
type kind uint8

const (
	kSym  kind = iota + 1 // y
	kStr                  // s: text, or JSON text in a dynamic column
	kInt                  // n
	kBool                 // n != 0
	kTime                 // n: microseconds since the Unix epoch, UTC
	kReal                 // n: float64 bits
)

type value struct {
	k kind
	n int64
	s string
	y *sym
}

// row is a row being built: values by schema position and a bitmap of the
// positions set. Unset positions are null. A shard reuses one row per
// table, so building a row allocates nothing.
type row struct {
	t   *tab
	set [maxColumns / 64]uint64
	v   []value
	ts  int64     // Timestamp, applied (and clamped) at emit time
	dev *devState // nil for rows of no device
	// fast rows are only ever encoded as JSON: initiating() records the
	// process and the encoder writes its cached column runs (ip).
	fast bool
	ip   *proc
	head []byte // fast rows: the device's encoded DeviceId and DeviceName
}

func newRow(t *tab) *row { return &row{t: t, v: make([]value, len(t.s.Columns))} }

func (r *row) reset() {
	r.set = [maxColumns / 64]uint64{}
	r.dev = nil
	r.ts = 0
	r.ip = nil
	r.head = nil
}

func (r *row) mark(i int) { r.set[i>>6] |= 1 << (uint(i) & 63) }

func (r *row) isSet(i int) bool { return r.set[i>>6]&(1<<(uint(i)&63)) != 0 }

func (r *row) has(c colID) bool {
	i := r.t.idx[c]
	return i >= 0 && r.isSet(int(i))
}

func (r *row) sym(c colID, y *sym) {
	i := r.t.idx[c]
	if i < 0 || y == nil {
		return
	}
	v := &r.v[i]
	v.k, v.y = kSym, y
	r.mark(int(i))
}

// str sets a text column; empty text stays null, as absent and empty read
// the same in KQL.
func (r *row) str(c colID, s string) {
	i := r.t.idx[c]
	if i < 0 || s == "" {
		return
	}
	v := &r.v[i]
	v.k, v.s = kStr, s
	r.mark(int(i))
}

// setN stores a value kept in the n field (int, bool, time, real bits).
func (r *row) setN(c colID, k kind, n int64) {
	i := r.t.idx[c]
	if i < 0 {
		return
	}
	v := &r.v[i]
	v.k, v.n = k, n
	r.mark(int(i))
}

func (r *row) int(c colID, n int64) { r.setN(c, kInt, n) }

func (r *row) bool(c colID, b bool) {
	n := int64(0)
	if b {
		n = 1
	}
	r.setN(c, kBool, n)
}

func (r *row) time(c colID, us int64) { r.setN(c, kTime, us) }

func (r *row) real(c colID, f float64) { r.setN(c, kReal, int64(math.Float64bits(f))) }

// at sets a value by schema position (scenario rows).
func (r *row) at(i int, v value) {
	r.v[i] = v
	r.mark(i)
}

// forEach calls f for each set position in schema order.
func (r *row) forEach(f func(i int)) {
	for w, m := range r.set {
		for m != 0 {
			f(w<<6 | bits.TrailingZeros64(m))
			m &= m - 1
		}
	}
}

// appendJSON appends the row as one NDJSON line: {"$table":T, then the set
// columns in schema order. Null columns are left out.
func (r *row) appendJSON(b []byte, tc *timeCache) []byte {
	b = append(b, r.t.open...)
	set := r.set
	if r.head != nil {
		// Timestamp, then the device's DeviceId and DeviceName.
		b = append(b, r.t.keys[0]...)
		b = appendValueJSON(b, &r.v[0], r.t.types[0], tc)
		b = append(b, r.head...)
		set[0] &^= 1
	}
	if r.ip != nil {
		return r.appendJSONRuns(b, set, tc)
	}
	for w, m := range set {
		for m != 0 {
			i := w<<6 | bits.TrailingZeros64(m)
			m &= m - 1
			b = append(b, r.t.keys[i]...)
			b = appendValueJSON(b, &r.v[i], r.t.types[i], tc)
		}
	}
	return append(b, '}', '\n')
}

// appendJSONRuns is appendJSON for a row whose initiating process is
// known: at the start of each run of InitiatingProcess* columns it writes
// the process's encoding of the run, in the run's place in schema order.
// A process seen once in a table is encoded in place; from the second row
// on, its encoding is cached (long-running processes start most rows).
func (r *row) appendJSONRuns(b []byte, set [maxColumns / 64]uint64, tc *timeCache) []byte {
	t := r.t
	p := r.ip
	var f *procFrag
	if p.frags != nil {
		f = p.frags[t.ipSlot]
	}
	if f == nil && p.seen&(1<<uint(t.ipSlot)) != 0 {
		f = p.buildFrag(t, tc)
	}
	p.seen |= 1 << uint(t.ipSlot)
	// Visit the set columns and the run starts, in position order.
	for w := range set {
		m := set[w] | t.runStarts[w]
		for m != 0 {
			i := w<<6 | bits.TrailingZeros64(m)
			m &= m - 1
			if k := t.runAt[i]; k >= 0 {
				if f != nil {
					b = append(b, f.b[f.cut[k]:f.cut[k+1]]...)
				} else {
					b = p.appendRun(b, t, t.runs[k], tc)
				}
				continue
			}
			b = append(b, t.keys[i]...)
			b = appendValueJSON(b, &r.v[i], t.types[i], tc)
		}
	}
	return append(b, '}', '\n')
}

// procFrag is a process's JSON encoding of a table's InitiatingProcess*
// runs: run k is b[cut[k]:cut[k+1]].
type procFrag struct {
	b   []byte
	cut [8]int32
}

func (p *proc) buildFrag(t *tab, tc *timeCache) *procFrag {
	if p.frags == nil {
		p.frags = make([]*procFrag, ipSlots)
	}
	f := &procFrag{b: make([]byte, 0, 1400)}
	for k, run := range t.runs {
		f.b = p.appendRun(f.b, t, run, tc)
		f.cut[k+1] = int32(len(f.b))
	}
	p.frags[t.ipSlot] = f
	return f
}

// appendRun encodes the process's values for one run of columns, the same
// values row.initiating sets.
func (p *proc) appendRun(b []byte, t *tab, run ipRun, tc *timeCache) []byte {
	im := p.img
	a := p.acct
	for i := run.first; i <= run.last; i++ {
		var y *sym
		switch t.ipCol[i] {
		case cIPFileName:
			y = im.name
		case cIPFolderPath:
			y = im.path
		case cIPSHA1:
			y = im.sha1
		case cIPSHA256:
			y = im.sha256
		case cIPMD5:
			y = im.md5
		case cIPCompany:
			y = im.company
		case cIPProduct:
			y = im.product
		case cIPVersion:
			y = im.version
		case cIPInternal:
			y = im.internal
		case cIPOriginal:
			y = im.original
		case cIPDescription:
			y = im.desc
		case cIPCommandLine:
			y = p.cmd
		case cIPParentFileName:
			if p.parent != nil {
				y = p.parent.img.name
			}
		case cIPAccountDomain:
			if a != nil {
				y = a.domain
			}
		case cIPAccountName:
			if a != nil {
				y = a.name
			}
		case cIPAccountSid:
			if a != nil {
				y = a.sid
			}
		case cIPAccountUpn:
			if a != nil {
				y = a.upn
			}
		case cIPAccountObjectId:
			if a != nil {
				y = a.objectID
			}
		case cIPIntegrity:
			y = p.integ
		case cIPElevation:
			y = p.elev
		case cIPFileSize:
			b = append(b, t.keys[i]...)
			b = appendInt(b, im.size)
			continue
		case cIPId:
			b = append(b, t.keys[i]...)
			b = appendInt(b, p.pid)
			continue
		case cIPCreationTime:
			b = append(b, t.keys[i]...)
			b = tc.appendTime(b, p.created)
			continue
		case cIPParentId:
			if p.parent != nil {
				b = append(b, t.keys[i]...)
				b = appendInt(b, p.parent.pid)
			}
			continue
		case cIPParentCreation:
			if p.parent != nil {
				b = append(b, t.keys[i]...)
				b = tc.appendTime(b, p.parent.created)
			}
			continue
		case cIPLogonId:
			if p.logonID != 0 {
				b = append(b, t.keys[i]...)
				b = strconv.AppendInt(b, p.logonID, 10)
			}
			continue
		case cIPSessionId:
			if !im.linux {
				b = append(b, t.keys[i]...)
				b = appendInt(b, p.sessionID)
			}
			continue
		case cIPRemoteSession:
			if !im.linux {
				b = append(b, t.keys[i]...)
				b = append(b, "false"...)
			}
			continue
		}
		if y != nil {
			b = append(b, t.keys[i]...)
			b = append(b, y.j...)
		}
	}
	return b
}

func appendValueJSON(b []byte, v *value, t schema.Type, tc *timeCache) []byte {
	switch v.k {
	case kSym:
		if t == schema.Dynamic {
			return append(b, v.y.s...)
		}
		return append(b, v.y.j...)
	case kStr:
		if t == schema.Dynamic {
			return append(b, v.s...)
		}
		return jsonenc.AppendString(b, v.s)
	case kInt:
		if t == schema.String {
			b = append(b, '"')
			b = appendInt(b, v.n)
			return append(b, '"')
		}
		return appendInt(b, v.n)
	case kBool:
		if v.n != 0 {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case kTime:
		return tc.appendTime(b, v.n)
	case kReal:
		return strconv.AppendFloat(b, math.Float64frombits(uint64(v.n)), 'g', -1, 64)
	}
	return append(b, "null"...)
}

// values returns the row as store values in schema order, each in the
// canonical Go type of its column (see package store).
func (r *row) values() []any {
	out := make([]any, len(r.v))
	r.forEach(func(i int) { out[i] = valueAny(&r.v[i], r.t.types[i]) })
	return out
}

func valueAny(v *value, t schema.Type) any {
	switch v.k {
	case kSym:
		if t == schema.Dynamic {
			if v.y.raw != nil {
				return v.y.raw
			}
			return json.RawMessage(strconv.Quote(v.y.s))
		}
		if v.y.a == nil {
			return v.y.s
		}
		return v.y.a
	case kStr:
		if t == schema.Dynamic {
			return json.RawMessage(v.s)
		}
		return v.s
	case kInt:
		switch t {
		case schema.Int:
			return int32(v.n)
		case schema.String:
			return strconv.FormatInt(v.n, 10)
		case schema.Real:
			return float64(v.n)
		}
		return v.n
	case kBool:
		return v.n != 0
	case kTime:
		return time.UnixMicro(v.n).UTC()
	case kReal:
		return math.Float64frombits(uint64(v.n))
	}
	return nil
}

// appendInt is strconv.AppendInt with a fast path for the small numbers
// most columns hold (ports, process ids, sizes).
func appendInt(b []byte, n int64) []byte {
	switch {
	case n < 0 || n >= 100_000:
		return strconv.AppendInt(b, n, 10)
	case n < 10:
		return append(b, byte('0'+n))
	case n < 100:
		return append(b, byte('0'+n/10), byte('0'+n%10))
	case n < 1000:
		return append(b, byte('0'+n/100), byte('0'+n/10%10), byte('0'+n%10))
	case n < 10_000:
		return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
	}
	return append(b, byte('0'+n/10_000), byte('0'+n/1000%10), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

const hexDigits = "0123456789abcdef"

// timeCache formats timestamps as "2006-01-02T15:04:05.000000Z" without
// the time package: the date part is cached per day, the rest is digits.
type timeCache struct {
	day  int64
	date [11]byte // "2006-01-02T"
}

func (tc *timeCache) appendTime(b []byte, us int64) []byte {
	sec := floorDiv(us, 1e6)
	frac := us - sec*1e6
	day := floorDiv(sec, 86400)
	sod := sec - day*86400
	if day != tc.day || tc.date[0] == 0 {
		tc.day = day
		y, m, d := civil(day)
		put4(tc.date[0:4], y)
		tc.date[4] = '-'
		put2(tc.date[5:7], m)
		tc.date[7] = '-'
		put2(tc.date[8:10], d)
		tc.date[10] = 'T'
	}
	var buf [30]byte
	buf[0] = '"'
	copy(buf[1:12], tc.date[:])
	put2(buf[12:14], sod/3600)
	buf[14] = ':'
	put2(buf[15:17], sod/60%60)
	buf[17] = ':'
	put2(buf[18:20], sod%60)
	buf[20] = '.'
	for i := 26; i >= 21; i-- {
		buf[i] = byte('0' + frac%10)
		frac /= 10
	}
	buf[27] = 'Z'
	buf[28] = '"'
	return append(b, buf[:29]...)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func put2(b []byte, v int64) {
	b[0] = byte('0' + v/10)
	b[1] = byte('0' + v%10)
}

func put4(b []byte, v int64) {
	b[0] = byte('0' + v/1000%10)
	b[1] = byte('0' + v/100%10)
	b[2] = byte('0' + v/10%10)
	b[3] = byte('0' + v%10)
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days-to-civil).
func civil(z int64) (y, m, d int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}
