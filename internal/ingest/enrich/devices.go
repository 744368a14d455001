package enrich

import (
	"encoding/json"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// Devices is the device registry: the first time a DeviceId is seen, or
// when its name or platform changes, it adds a DeviceInfo row to the
// record's rows, so DeviceInfo answers "which machines exist" as in
// Defender.
type Devices struct {
	mu    sync.Mutex
	known *lru[device]
}

type device struct {
	name, platform string
}

// NewDevices keeps at most max devices in memory; a forgotten device gets
// a new DeviceInfo row when it reappears, which is harmless.
func NewDevices(max int) *Devices {
	return &Devices{known: newLRU[device](max)}
}

// Seed records a device already described in the store, so a restart does
// not re-announce every host.
func (d *Devices) Seed(id, name, platform string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.known.put(id, device{name, platform})
}

// platformOf guesses the OS platform from the table a row came from: only
// Windows sources name Windows tables' raw copies.
func platformOf(rows *ingest.RowSet) string {
	for _, r := range rows.Rows() {
		switch r.Table.Name {
		case "SecurityEvent", "WindowsEvent":
			return "Windows"
		case "Syslog":
			return "Linux"
		}
	}
	return ""
}

func (d *Devices) Enrich(rows *ingest.RowSet) {
	type seen struct {
		id, name string
		ts       time.Time
	}
	var buf [4]seen
	found := buf[:0]
	for _, r := range rows.Rows() {
		if r.Table.Name == "DeviceInfo" {
			continue
		}
		c := columnsOf(r.Table)
		if c.deviceID < 0 || c.deviceName < 0 {
			continue
		}
		id, _ := r.Values[c.deviceID].(string)
		name, _ := r.Values[c.deviceName].(string)
		if id == "" || name == "" {
			continue
		}
		var ts time.Time
		if c.timestamp >= 0 {
			ts, _ = r.Values[c.timestamp].(time.Time)
		}
		found = append(found, seen{id, name, ts})
	}
	if len(found) == 0 {
		return
	}
	platform := platformOf(rows)
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, f := range found {
		cur, ok := d.known.get(f.id)
		if ok && strings.EqualFold(cur.name, f.name) && (platform == "" || cur.platform == platform) {
			continue
		}
		platform := platform
		if platform == "" {
			platform = cur.platform
		}
		d.known.put(f.id, device{f.name, platform})
		ts := f.ts
		if ts.IsZero() {
			ts = time.Now().UTC()
		}
		row := rows.New("DeviceInfo")
		row.Set("Timestamp", ts)
		row.Set("DeviceId", f.id)
		row.Set("DeviceName", f.name)
		row.SetString("OSPlatform", platform)
		row.Set("ReportId", reportID(f.id, f.name, platform))
		extra, _ := json.Marshal(map[string]string{"Source": "Vigil device registry", "Reason": reason(ok)})
		row.Set("AdditionalFields", string(extra))
	}
}

func reason(known bool) string {
	if known {
		return "DeviceChanged"
	}
	return "DeviceFirstSeen"
}

func reportID(parts ...string) int64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int64(h.Sum64() & (1<<63 - 1))
}

// Fills implements ingest.ColumnFiller: Devices only adds rows.
func (d *Devices) Fills(*schema.Table) []int { return nil }

var (
	_ ingest.Enricher     = (*Devices)(nil)
	_ ingest.ColumnFiller = (*Devices)(nil)
)
