package detect

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/store"
)

// A rule scoped to a device group raises alerts only on that group's
// devices, in the stream and in scheduled runs alike; groups come from
// DeviceInfo's MachineGroup.
func TestDeviceGroupScope(t *testing.T) {
	info := [][]any{
		tableRow("DeviceInfo", map[string]any{"Timestamp": t0.Add(-time.Hour), "DeviceId": "dev0", "DeviceName": "host0", "MachineGroup": "Servers", "ReportId": int64(1)}),
		tableRow("DeviceInfo", map[string]any{"Timestamp": t0.Add(-time.Hour), "DeviceId": "dev1", "DeviceName": "host1", "MachineGroup": "Workstations", "ReportId": int64(2)}),
	}
	rows := shadowRows()[:12] // 9 matches on dev0, dev1 and dev2 (no group)
	for _, scope := range []struct {
		groups []string
		want   []string
	}{
		{nil, []string{"host0", "host1", "host2"}},
		{[]string{"servers"}, []string{"host0"}},
		{[]string{"Workstations", UngroupedDevices}, []string{"host1", "host2"}},
	} {
		name := fmt.Sprint(scope.groups)
		// Stream: DeviceInfo arrives in the same store first.
		sf := newAlertFixture(t)
		r := shadowRule()
		r.Enabled, r.DeviceGroups = true, scope.groups
		c, err := Compile(r)
		if err != nil {
			t.Fatal(err)
		}
		s := NewStreaming(sf.ev, Static{c})
		s.Alerts = NewPipeline(DefaultDedupWindow, sf.st)
		s.Alerts.SetDeviceGroups(NewDeviceGroups())
		for _, tr := range []store.TableRows{{Table: "DeviceInfo", Rows: info}, {Table: "DeviceProcessEvents", Rows: rows}} {
			if err := s.Append(context.Background(), store.Batch{Tables: []store.TableRows{tr}}); err != nil {
				t.Fatal(err)
			}
		}
		// Scheduler: groups read back from the store.
		hf := newAlertFixture(t)
		if err := hf.ev.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "DeviceInfo", Rows: info}, {Table: "DeviceProcessEvents", Rows: rows}}}); err != nil {
			t.Fatal(err)
		}
		groups, err := LoadDeviceGroups(context.Background(), hf.ev)
		if err != nil {
			t.Fatal(err)
		}
		r2 := shadowRule()
		r2.Enabled, r2.Frequency, r2.DeviceGroups = true, Every1h, scope.groups
		c2, _ := Compile(r2)
		p := NewPipeline(DefaultDedupWindow, hf.st)
		p.SetDeviceGroups(groups)
		run := c2.RunInterval(context.Background(), &hunt.Engine{Store: hf.ev}, t0, t0.Add(24*time.Hour))
		if _, err := p.Raise(context.Background(), hf.ev, t0, run.Alerts); err != nil {
			t.Fatal(err)
		}
		for path, f := range map[string]alertFixture{"stream": sf, "scheduled": hf} {
			res, err := f.ev.Query(context.Background(), store.Query{SQL: `SELECT DISTINCT "DeviceName" FROM "AlertEvidence" WHERE "EntityType" = 'Machine' ORDER BY 1`})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range res.Rows {
				got = append(got, r[0].(string))
			}
			if fmt.Sprint(got) != fmt.Sprint(scope.want) {
				t.Errorf("%s, %s: alerts on %v, want %v", name, path, got, scope.want)
			}
		}
	}
}

// A tuning rule scoped to a device group hides only that group's alerts.
func TestTuningScopedToDeviceGroup(t *testing.T) {
	f := newAlertFixture(t)
	groups := NewDeviceGroups()
	groups.Observe("DeviceInfo", [][]any{tableRow("DeviceInfo", map[string]any{"DeviceId": "dev0", "DeviceName": "host0", "MachineGroup": "Lab"})})
	hide := tuningRule(t, `{"name":"lab","action":"Hide","deviceGroups":["lab"],"conditions":[{"field":"ruleId","operator":"equals","value":"r1"}]}`)
	hide.ID = "tun_lab"
	set, err := NewTuning([]*TuningRule{hide})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPipeline(DefaultDedupWindow, f.st)
	p.SetDeviceGroups(groups)
	p.SetTuning(set)
	c, _ := Compile(shadowRule())
	alerts, _, _ := c.Match(t0, "DeviceProcessEvents", shadowRows()[:12])
	got, err := p.Raise(context.Background(), f.ev, t0, alerts)
	if err != nil {
		t.Fatal(err)
	}
	var hosts []string
	for _, a := range got {
		hosts = append(hosts, fmt.Sprint(a.Row["DeviceName"]))
	}
	if fmt.Sprint(hosts) != "[host1 host2]" {
		t.Errorf("raised on %v, want host1 and host2 (host0 is in the lab)", hosts)
	}
	if _, err := ParseTuningRule([]byte(`{"name":"x","action":"Hide","deviceGroups":[" "],"conditions":[{"field":"ruleId","operator":"equals","value":"r1"}]}`)); err == nil {
		t.Error("an empty device group name was accepted")
	}
}
