package config

import (
	"strings"
	"testing"
	"time"
)

func TestIncidentSettings(t *testing.T) {
	c, err := load(t, "incidents:\n  windows:\n    ip: 2h\n    url: 0s\n  sequence_window: 12h\n  max_entities: 800\n  prevalence_share: 0.1\n"+
		"  domain_controllers: [DC01, dc02.corp.local]\n  ignored_accounts: []\n  flush_after: 0s\n", nil, "--data", "/d")
	if err != nil {
		t.Fatal(err)
	}
	i := c.Incidents
	if len(i.Windows) != 2 || i.Windows["ip"] != Duration(2*time.Hour) || i.Windows["url"] != 0 || *i.SequenceWindow != Duration(12*time.Hour) ||
		*i.MaxEntities != 800 || *i.PrevalenceShare != 0.1 || len(i.DomainControllers) != 2 || i.IgnoredAccounts == nil ||
		len(*i.IgnoredAccounts) != 0 || *i.FlushAfter != 0 || i.MaxAlerts != nil || i.MaxRefsPerKey != nil {
		t.Errorf("parsed: %+v", i)
	}
	// Nothing said: every setting is the engine's default.
	c, err = load(t, "", nil, "--data", "/d")
	if err != nil || c.Incidents.Windows != nil || c.Incidents.SequenceWindow != nil || c.Incidents.IgnoredAccounts != nil {
		t.Errorf("defaults: %+v %v", c.Incidents, err)
	}

	f := func(file string, want ...string) {
		t.Helper()
		_, err := load(t, file, nil, "--data", "/d")
		if err == nil {
			t.Fatalf("no error for %q", file)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %q lacks %q", file, err, w)
			}
		}
	}
	f("incidents:\n  windows:\n    host: 1h\n", "setting incidents.windows.host", "not an entity kind")
	f("incidents:\n  windows:\n    ip: 60d\n", "setting incidents.windows.ip", "outside 0..30d")
	f("incidents:\n  windows:\n    ip: -1h\n", "setting incidents.windows.ip", "outside")
	f("incidents:\n  sequence_window: 31d\n", "setting incidents.sequence_window")
	f("incidents:\n  max_entities: 0\n", "setting incidents.max_entities", "outside 1..")
	f("incidents:\n  max_alerts: 2000000\n", "setting incidents.max_alerts")
	f("incidents:\n  max_refs_per_key: -3\n", "setting incidents.max_refs_per_key")
	f("incidents:\n  prevalence_min_devices: 0\n", "setting incidents.prevalence_min_devices")
	f("incidents:\n  prevalence_share: 0\n", "setting incidents.prevalence_share", "(0, 1]")
	f("incidents:\n  prevalence_share: 1.5\n", "setting incidents.prevalence_share")
	f("incidents:\n  prevalence_share: .nan\n", "setting incidents.prevalence_share")
	f("incidents:\n  flush_after: 2h\n", "setting incidents.flush_after", "0..1h")
	f("incidents:\n  domain_controllers: [dc1, \"  \"]\n", "setting incidents.domain_controllers", "entry 1 is empty")
	f("incidents:\n  ignored_accounts: [\"\"]\n", "setting incidents.ignored_accounts")
	f("incidents:\n  max_entity: 3\n", "setting config", "max_entity")
	f("incidents:\n  max_entities: many\n", "setting config")
	// All at once.
	f("incidents:\n  max_entities: 0\n  max_alerts: 0\n  flush_after: 5h\n", "incidents.max_entities", "incidents.max_alerts", "incidents.flush_after")
}
