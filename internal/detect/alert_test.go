package detect

import (
	"crypto/sha256"
	"regexp"
	"slices"
	"testing"
	"time"
)

func TestAlertIDsSortByTime(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	ev := []Evidence{{EntityType: "Machine", Fields: map[string]any{"DeviceName": "ws1"}}}
	shape := regexp.MustCompile(`^vc[0-9a-f]{30}$`)
	var ids []string
	for _, d := range []time.Duration{0, time.Microsecond, 2 * time.Microsecond, time.Second, time.Hour, 30 * 24 * time.Hour} {
		for _, rule := range []string{"r2", "r1"} {
			id := alertID(rule, t0.Add(d), "7", ev)
			if !shape.MatchString(id) {
				t.Fatalf("%q: not vc and 30 hex digits", id)
			}
			if again := alertID(rule, t0.Add(d), "7", ev); again != id {
				t.Fatalf("same rule and row, ids %q and %q", id, again)
			}
			ids = append(ids, id)
		}
	}
	// Ids of later alerts sort after earlier ones'; two rules at one
	// time differ.
	for i := 2; i < len(ids); i += 2 {
		if !(max(ids[i-2], ids[i-1]) < min(ids[i], ids[i+1])) || ids[i] == ids[i+1] {
			t.Errorf("ids out of time order or alike: %v", ids[i-2:i+2])
		}
	}
	if slices.Contains(ids[:2], alertID("r1", t0, "8", ev)) || alertID("r1", t0, "7", nil) == ids[1] {
		t.Error("another report or other entities gave the same id")
	}
	// Before 1970 and after 2112: still the shape, at the ends.
	sum := sha256.Sum256([]byte("x"))
	if lo, hi := AlertID(time.Unix(-5, 0), sum[:]), AlertID(time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), sum[:]); !shape.MatchString(lo) ||
		!shape.MatchString(hi) || lo[:15] != "vc0000000000000" || hi[:15] != "vcfffffffffffff" {
		t.Errorf("clamped ids %q %q", lo, hi)
	}
	if id := AlertID(t0, []byte{1}); !shape.MatchString(id) {
		t.Errorf("short sum: %q", id)
	}
}
