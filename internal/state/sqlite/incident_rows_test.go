package sqlite

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigilsec/vigil/internal/state"
)

func TestIncidentRowFormat(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 123456000, time.UTC)
	ents := []state.IncidentEntity{
		{Kind: "device", Value: "ws1.corp.local", Keys: []string{"dev:ws1", "devid:x"}, Role: "Impacted"},
		{Kind: "file", Value: "cmd.exe"}, // a system file: no keys
		{Kind: "account", Value: `corp\"q"` + "\u2028\x00\xff", Keys: []string{`acct:corp\q`}},
	}
	reasons := []state.LinkReason{
		{Kind: "entity", EntityKind: "device", EntityValue: "ws1", Key: "dev:ws1", OtherAlert: "a0", OtherTime: at.Add(-time.Hour), AlertTime: at},
		{Kind: "entity", EntityKind: "device", EntityValue: "ws1", Key: "dev:ws1", OtherAlert: "a9", OtherTime: at.Add(time.Minute), AlertTime: at,
			Note: "also links to incident 7, not merged"},
		{Kind: "entity", EntityKind: "", EntityValue: "ws1", Key: "dev:ws2", AlertTime: at.Add(-time.Second)},
		{Kind: "opened", FromID: 12, Note: "links to incident 3 but it is at its cap"},
		{Kind: "manual", FromID: 1 << 40},
	}
	roundTrip := func(ents []state.IncidentEntity, rs []state.LinkReason) {
		t.Helper()
		e := appendEntities(nil, ents)
		r := appendReasons(nil, rs, at)
		if !json.Valid(e) || !json.Valid(r) {
			t.Fatalf("not JSON: %s %s", e, r)
		}
		ge, err := decodeEntities(string(e))
		if err != nil {
			t.Fatal(err)
		}
		gr, err := decodeReasons(string(r), at)
		if err != nil {
			t.Fatal(err)
		}
		// Invalid UTF-8 reads back as U+FFFD, as encoding/json's would.
		wantE, wantR := viaJSON(t, ents), viaJSON(t, rs)
		if d := cmp.Diff(wantE, ge); d != "" && len(ents) > 0 {
			t.Errorf("entities (-want +got):\n%s", d)
		}
		if d := cmp.Diff(wantR, gr); d != "" && len(rs) > 0 {
			t.Errorf("reasons (-want +got):\n%s\n%s", d, r)
		}
	}
	roundTrip(ents, reasons)
	roundTrip(nil, nil)
	// The usual reason repeats nothing but its note and other alert.
	if got := string(appendReasons(nil, reasons[:2], at)); got != `[["entity","device","ws1","dev:ws1","a0",-3600000000,0,0,""],["entity",0,0,0,"a9",60000000,0,0,"also links to incident 7, not merged"]]` {
		t.Errorf("format: %s", got)
	}
	// Rows written before: arrays of objects.
	old, _ := json.Marshal(reasons)
	if gr, err := decodeReasons(string(old), at); err != nil || !cmp.Equal(viaJSON(t, reasons), gr) {
		t.Errorf("old reasons: %v %+v", err, gr)
	}
	oldE, _ := json.Marshal(ents)
	if ge, err := decodeEntities(string(oldE)); err != nil || len(ge) != 3 || ge[0].Keys[1] != "devid:x" {
		t.Errorf("old entities: %v %+v", err, ge)
	}
	for _, bad := range []string{`[[1,2]]`, `[["a","b",["k"],3]]`, `[["a","b","k","r"]]`, `[["entity",0,0,0,"a",null,null,1.5,""]]`,
		`[["entity","x","y","z","a","t",null,0,""]]`, `[[`, `{}`, `[["opened","","","","",null,null,0,""]] x`} {
		_, err1 := decodeEntities(bad)
		_, err2 := decodeReasons(bad, at)
		if err1 == nil || err2 == nil {
			t.Errorf("%s: accepted (%v, %v)", bad, err1, err2)
		}
	}
}

// viaJSON is v as an encoding/json round trip reads it back.
func viaJSON[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func FuzzIncidentRowFormat(f *testing.F) {
	f.Add("device", "ws1", "dev:ws1", "a1", int64(-5), "note", int64(3))
	f.Add("", "\xff\"", "", "", int64(0), "\u2028", int64(-1))
	f.Fuzz(func(t *testing.T, kind, value, key, other string, dt int64, note string, from int64) {
		dt %= 1e12 // within 11 days either way
		at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		ents := []state.IncidentEntity{{Kind: kind, Value: value, Keys: []string{key}, Role: note}, {Kind: kind, Value: value}}
		rs := []state.LinkReason{{Kind: kind, EntityKind: kind, EntityValue: value, Key: key, OtherAlert: other, FromID: from, Note: note,
			OtherTime: at.Add(time.Duration(dt) * time.Microsecond), AlertTime: at},
			{Kind: kind, EntityKind: kind, EntityValue: value, Key: key, Note: note, AlertTime: at.Add(time.Second)}}
		ge, err := decodeEntities(string(appendEntities(nil, ents)))
		if err != nil {
			t.Fatal(err)
		}
		gr, err := decodeReasons(string(appendReasons(nil, rs, at)), at)
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(viaJSON(t, ents), ge) || !cmp.Equal(viaJSON(t, rs)[1:], gr[1:]) || gr[0].OtherTime != rs[0].OtherTime ||
			gr[0].FromID != from || gr[0].Note != viaJSON(t, rs)[0].Note {
			t.Fatalf("round trip: %+v %+v", ge, gr)
		}
		// Arbitrary column text: an error or a value, never a panic.
		decodeEntities(value)
		decodeReasons(value, at)
	})
}
