package detect

import (
	"context"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Device groups, Defender's: a device's group is the MachineGroup its
// DeviceInfo rows report (sensors and connectors set it; a device
// without one is in Defender's default group). A rule or an indicator
// scoped to device groups raises alerts only on devices of those groups,
// in the stream and in scheduled runs alike; the group is the device's
// at the time the alert is raised.

// UngroupedDevices is the group of a device whose DeviceInfo names none.
const UngroupedDevices = "Ungrouped devices (default)"

// DeviceGroups maps devices (by id and by name) to their group. It is
// safe for concurrent use; its size is the number of devices.
type DeviceGroups struct {
	mu     sync.RWMutex
	byID   map[string]string
	byName map[string]string
}

// NewDeviceGroups starts an empty map.
func NewDeviceGroups() *DeviceGroups {
	return &DeviceGroups{byID: map[string]string{}, byName: map[string]string{}}
}

// LoadDeviceGroups reads each device's latest MachineGroup from an event
// store's DeviceInfo.
func LoadDeviceGroups(ctx context.Context, st store.Store) (*DeviceGroups, error) {
	g := NewDeviceGroups()
	res, err := st.Query(ctx, store.Query{SQL: `SELECT "DeviceId", "DeviceName", arg_max("MachineGroup", "Timestamp") FROM "DeviceInfo"
WHERE "MachineGroup" IS NOT NULL AND "MachineGroup" <> '' GROUP BY 1, 2`, MaxRows: 10_000_000})
	if err != nil {
		return nil, err
	}
	for _, r := range res.Rows {
		g.set(str(r[0]), str(r[1]), str(r[2]))
	}
	return g, nil
}

func (g *DeviceGroups) set(id, name, group string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if id != "" {
		g.byID[id] = group
	}
	if name != "" {
		g.byName[strings.ToLower(name)] = group
	}
}

// Observe learns groups from DeviceInfo rows (in the table's schema
// column order) as they are ingested.
func (g *DeviceGroups) Observe(table string, rows [][]any) {
	if g == nil || table != "DeviceInfo" {
		return
	}
	t, _ := schema.Lookup(table)
	_, gi, ok := t.Column("MachineGroup")
	if !ok {
		return
	}
	_, ii, _ := t.Column("DeviceId")
	_, ni, _ := t.Column("DeviceName")
	for _, r := range rows {
		if grp, _ := r[gi].(string); grp != "" {
			id, _ := r[ii].(string)
			name, _ := r[ni].(string)
			g.set(id, name, grp)
		}
	}
}

// Of returns a device's group.
func (g *DeviceGroups) Of(id, name string) string {
	if g != nil {
		g.mu.RLock()
		defer g.mu.RUnlock()
		if grp, ok := g.byID[id]; ok && id != "" {
			return grp
		}
		if grp, ok := g.byName[strings.ToLower(name)]; ok && name != "" {
			return grp
		}
	}
	return UngroupedDevices
}

// inScope reports whether an alert scoped to device groups is about a
// device of one of them.
func (g *DeviceGroups) inScope(a *Alert) bool {
	return len(a.DeviceGroups) == 0 || g.onDeviceOf(a, a.DeviceGroups)
}

// onDeviceOf reports whether an alert names a device of one of groups;
// an alert naming no device is on none.
func (g *DeviceGroups) onDeviceOf(a *Alert, groups []string) bool {
	for _, e := range a.Evidence {
		if e.EntityType != "Machine" {
			continue
		}
		id, _ := e.Fields["DeviceId"].(string)
		name, _ := e.Fields["DeviceName"].(string)
		grp := g.Of(id, name)
		for _, want := range groups {
			if strings.EqualFold(want, grp) {
				return true
			}
		}
	}
	return false
}
