package windows

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/cespare/xxhash/v2"
	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// mapper adds the normalized rows of one kind of event. It reads fields
// with take, so that what it does not place ends up in AdditionalFields.
type mapper func(x *emitter)

// mappers are the normalized mappings per channel and event ID. Events
// not listed (PowerShell, WMI, unknown IDs) keep only their raw copy.
var mappers = map[string]map[int32]mapper{
	chSysmon:   sysmonMappers,
	chSecurity: securityMappers,
	chSystem:   systemMappers,
}

// core is what the three record shapes share once decoded: the mappings,
// the raw copies, and the memory of which hosts are domain controllers.
// It is safe for concurrent use.
type core struct {
	events  sync.Pool
	dcs     dcSet
	devices sync.Map // host name as recorded -> device
	nDevice atomic.Int64
}

// device is a host's DeviceId and DeviceName, also as interface values so
// that every row does not box them again.
type device struct {
	id, name   string
	idv, namev any
}

// maxDevices bounds the device cache; past it, names are derived again.
const maxDevices = 100_000

func (c *core) device(host string) device {
	if d, ok := c.devices.Load(host); ok {
		return d.(device)
	}
	d := device{id: ingest.DeviceID(host), name: strings.ToLower(strings.TrimSpace(host))}
	d.idv, d.namev = d.id, d.name
	if c.nDevice.Add(1) <= maxDevices {
		c.devices.Store(host, d)
	}
	return d
}

type decodeFunc func(v *fastjson.Value, e *Event) error

// needsOrder is what onDC panics with when records are normalized out of
// order (see ingest.Input.Unordered): whether the host is a domain
// controller may depend on the records before this one.
type needsOrder struct{}

func (c *core) normalize(in *ingest.Input, out *ingest.RowSet, decode decodeFunc) (err error) {
	if in.JSON == nil || in.JSON.Type() != fastjson.TypeObject {
		return errors.New("record is not a JSON object")
	}
	e, _ := c.events.Get().(*Event)
	if e == nil {
		e = &Event{}
	}
	defer c.events.Put(e)
	e.reset()
	if err := decode(in.JSON, e); err != nil {
		return err
	}
	if e.Time.IsZero() {
		return errors.New("no timestamp")
	}
	if strings.TrimSpace(e.Computer) == "" {
		return errors.New("no computer name")
	}
	dev := c.device(e.Computer)
	x := emitter{e: e, out: out, seed: recordHash(in.Data), dcs: &c.dcs, extra: &e.extra,
		dev: dev, unordered: in.Unordered}
	if in.Unordered {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(needsOrder); !ok {
					panic(r)
				}
				err = ingest.ErrNeedsOrder
			}
		}()
	}
	if m := mappers[e.Channel][e.EventID]; m != nil {
		m(&x)
		x.finish()
	}
	x.raw()
	return nil
}

// emitter builds the rows of one event.
type emitter struct {
	e       *Event
	out     *ingest.RowSet
	seed    uint64
	n       int
	dev     device
	dcs     *dcSet
	primary *ingest.Row
	extra   *jsonObject // the event's buffer for AdditionalFields
	// unordered: records are normalized out of order, so what dcs says
	// about this host may not include the records before this one yet.
	unordered bool
}

// recordHash seeds a record's ReportIds: xxHash64, a fixed algorithm (ids
// must not change between runs) an order of magnitude faster than CRC-64.
func recordHash(b []byte) uint64 { return xxhash.Sum64(b) }

// reportID derives a row's ReportId from the record's bytes and the row's
// position, so that replaying a file gives the same ids.
func (x *emitter) reportID() int64 {
	x.n++
	h := x.seed ^ uint64(x.n)*0x9E3779B97F4A7C15
	h ^= h >> 31
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 29
	if h&math.MaxInt64 == 0 {
		h = 1
	}
	return int64(h & math.MaxInt64)
}

// device starts a row of a Device* table.
func (x *emitter) device(table, action string) *ingest.Row {
	r := x.out.New(table)
	r.SetTime("Timestamp", x.e.Time)
	r.Set("DeviceId", x.dev.idv)
	if x.dev.name != "" {
		r.Set("DeviceName", x.dev.namev)
	}
	r.SetString("ActionType", action)
	r.SetLong("ReportId", x.reportID())
	if x.primary == nil {
		x.primary = r
	}
	return r
}

// identity starts a row of an Identity* table, recorded by the domain
// controller that logged the event.
func (x *emitter) identity(table, action string) *ingest.Row {
	r := x.out.New(table)
	r.Set("Timestamp", x.e.Time)
	r.Set("ActionType", action)
	r.Set("Application", "Active Directory")
	r.Set("ReportId", strconv.FormatInt(x.reportID(), 10))
	r.SetString("DestinationDeviceName", x.dev.name)
	if x.primary == nil {
		x.primary = r
	}
	return r
}

// finish writes AdditionalFields on the primary row: the mapper's extras,
// then every event-data field no column took.
func (x *emitter) finish() {
	r := x.primary
	if r == nil {
		return
	}
	col, _, ok := r.Table.Column("AdditionalFields")
	if !ok {
		return
	}
	spans := x.e.spans[:0]
	for j, f := range x.e.Data {
		if x.e.isUsed(j) {
			continue
		}
		if v := clean(f.Value); v != "" {
			lo, hi := x.extra.strSpan(f.Name, f.Value)
			spans = append(spans, [3]int{j, lo, hi})
		}
	}
	x.e.spans = spans
	if x.extra.empty() {
		return
	}
	// Copied into the record arena, which the row may point at.
	text := arenaBytes(x.e, x.extra.closed())
	for _, s := range spans {
		x.e.Data[s[0]].json = text[s[1]:s[2]:s[2]]
	}
	if col.Type == schema.Dynamic {
		r.SetCanonicalJSON(col.Name, text)
	} else {
		r.SetCanonicalText(col.Name, unsafe.String(&text[0], len(text)))
	}
}

// Setters that leave a column null when the value is absent or unreadable.

func setStr(r *ingest.Row, col, v string) { r.SetString(col, clean(v)) }

func setLong(r *ingest.Row, col, s string) {
	if n, ok := number(s); ok {
		r.SetLong(col, n)
	}
}

func setInt(r *ingest.Row, col, s string) {
	if n, ok := number(s); ok && n >= math.MinInt32 && n <= math.MaxInt32 {
		r.Set(col, int32(n))
	}
}

func setPort(r *ingest.Row, col, s string) {
	if p, ok := port(s); ok {
		r.Set(col, p)
	}
}

func setTime(r *ingest.Row, col, s string) {
	if t, ok := ingest.ParseTime(s); ok {
		r.SetTime(col, t)
	}
}

// setPath fills a folder column with the full path (Defender's FolderPath
// includes the file name) and a file column with the last element.
func setPath(r *ingest.Row, folderCol, fileCol, p string) {
	p = clean(p)
	if p == "" {
		return
	}
	if folderCol != "" && strings.ContainsAny(p, `\/`) {
		r.SetString(folderCol, p)
	}
	r.SetString(fileCol, baseName(p))
}

// setAccount fills domain and name columns from DOMAIN\user.
func setAccount(r *ingest.Row, domainCol, nameCol, user string) {
	d, n := splitAccount(user)
	r.SetString(domainCol, d)
	r.SetString(nameCol, n)
}

// setIP fills an address column (canonical text) and, when given, its
// type column; text that is not an address is kept as written.
func setIP(r *ingest.Row, col, typeCol, s string) {
	if txt, a, ok := parseIP(s); ok {
		r.SetString(col, txt)
		if typeCol != "" {
			r.Set(typeCol, ingest.IPTypeAddr(a))
		}
		return
	}
	r.SetString(col, clean(s))
}

// initiating fills the InitiatingProcess* columns from an image path, a
// process ID and a DOMAIN\user, each named by its event-data field.
func (x *emitter) initiating(r *ingest.Row, image, pid, user string) {
	setPath(r, "InitiatingProcessFolderPath", "InitiatingProcessFileName", x.e.take(image))
	setLong(r, "InitiatingProcessId", x.e.take(pid))
	if user != "" {
		setAccount(r, "InitiatingProcessAccountDomain", "InitiatingProcessAccountName", x.e.take(user))
	}
}

// hashes fills SHA1/SHA256/MD5 (with a column prefix) from a Sysmon hash
// list, keeping the import hash in AdditionalFields.
func (x *emitter) hashes(r *ingest.Row, prefix, field string) {
	h := parseHashes(x.e.take(field))
	r.SetString(prefix+"SHA1", h.sha1)
	r.SetString(prefix+"SHA256", h.sha256)
	r.SetString(prefix+"MD5", h.md5)
	if h.imphash != "" && strings.Trim(h.imphash, "0") != "" {
		x.extra.str("Imphash", h.imphash)
	}
}

// subject fills the account columns of the event's subject (the account
// that acted) into the given columns.
func (x *emitter) subject(r *ingest.Row, prefix string) {
	r.SetString(prefix+"AccountName", x.e.take("SubjectUserName"))
	r.SetString(prefix+"AccountDomain", x.e.take("SubjectDomainName"))
	r.SetString(prefix+"AccountSid", x.e.take("SubjectUserSid"))
}

// dcSet remembers hosts seen acting as domain controllers.
type dcSet struct {
	mu sync.Mutex
	m  map[string]struct{}
}

// maxDCs bounds the memory; past it, new hosts are judged by their own
// events and names only.
const maxDCs = 10_000

func (d *dcSet) has(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.m[key]
	return ok
}

func (d *dcSet) add(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]struct{}{}
	}
	if len(d.m) < maxDCs {
		d.m[key] = struct{}{}
	}
}
