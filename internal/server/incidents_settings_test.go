package server

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/incident"
)

func TestIncidentSettings(t *testing.T) {
	def := incident.Defaults()
	if got := incidentSettings(config.Incidents{}); got.MaxEntities != def.MaxEntities || got.FlushAfter != def.FlushAfter ||
		len(got.Windows) != len(def.Windows) || len(got.IgnoredAccounts) != len(def.IgnoredAccounts) {
		t.Errorf("nothing set changed the defaults: %+v", got)
	}
	d := config.Duration(time.Hour)
	zero := config.Duration(0)
	n, share := 42, 0.2
	none := []string{}
	got := incidentSettings(config.Incidents{Windows: map[string]config.Duration{"ip": d, "url": 0}, SequenceWindow: &zero, MaxEntities: &n,
		PrevalenceShare: &share, DomainControllers: []string{"dc1"}, IgnoredAccounts: &none, FlushAfter: &d})
	if got.Windows["ip"] != time.Hour || got.Windows["url"] != 0 || got.Windows["device"] != def.Windows["device"] || got.SequenceWindow != 0 ||
		got.MaxEntities != 42 || got.MaxAlerts != def.MaxAlerts || got.PrevalenceShare != 0.2 || len(got.DomainControllers) != 1 ||
		len(got.IgnoredAccounts) != 0 || got.FlushAfter != time.Hour {
		t.Errorf("applied: %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
	// The defaults' map is not shared between calls.
	if incident.Defaults().Windows["ip"] == time.Hour {
		t.Error("incidentSettings changed the defaults")
	}
}
