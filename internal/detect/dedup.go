package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"
)

// Deduplication: the occurrences of one rule on the same impacted
// entities (device, user, mailbox) within one window are one alert, with
// a count and first and last activity (kept in the state store), instead
// of one alert per triggering row.
//
// Windows are fixed and aligned (with the default 24 h: one UTC day),
// not anchored at the first occurrence. That makes the alert an
// occurrence belongs to a function of the occurrence alone: replaying
// the same events in any order, through the stream or a scheduled run,
// yields the same alert ids and the same counts. The price is that two
// occurrences on either side of a window boundary are two alerts.
//
// The default of 24 h follows what analysts of Defender-like products
// expect of a noisy detection: at most one alert per rule and entity per
// day in the queue (the widest of Defender's custom-detection
// frequencies is 24 h, and Elastic's alert suppression and Sentinel's
// alert grouping offer windows of hours up to a day or more); the count
// and last activity say whether it is still going on.

// DefaultDedupWindow is the deduplication window when none is set.
const DefaultDedupWindow = 24 * time.Hour

// dedupBucket is the start of the window t falls in. time.Truncate
// counts from the zero time, a UTC midnight, so windows that divide a
// day start at UTC midnight.
func dedupBucket(t time.Time, w time.Duration) time.Time { return t.UTC().Truncate(w) }

// groupID is the id of the alert that stands for every occurrence of a
// rule on the impacted entities of ev within the window starting at
// bucket.
func groupID(rule string, bucket time.Time, ev []Evidence) string {
	h := sha256.New()
	fmt.Fprintf(h, "dedup\x00%s\x00%d", rule, bucket.UnixNano())
	for _, e := range ev {
		if e.EntityType != "Machine" && e.EntityType != "User" && e.EntityType != "Mailbox" {
			continue
		}
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(h, "\x00%s", e.EntityType)
		for _, k := range keys {
			fmt.Fprintf(h, "\x00%s=%v", k, e.Fields[k])
		}
	}
	return "vd" + hex.EncodeToString(h.Sum(nil))[:30]
}

// knownSet remembers alert ids known to be in the event store, bounded:
// when full it starts over, and the state store answers for what it
// forgot (so a restart loses nothing either).
type knownSet struct {
	m   map[string]struct{}
	max int
}

func (k *knownSet) has(id string) bool {
	_, ok := k.m[id]
	return ok
}

func (k *knownSet) add(id string) {
	if k.m == nil || len(k.m) >= k.max {
		k.m = make(map[string]struct{}, 1024)
	}
	k.m[id] = struct{}{}
}

func (k *knownSet) remove(id string) { delete(k.m, id) }

// maxKnown bounds the memory of alert ids known to exist.
const maxKnown = 100_000

// rowJSON is a triggering row as JSON; values JSON cannot hold (NaN, odd
// driver types) become their text.
func rowJSON(row map[string]any) json.RawMessage {
	// Empty columns say nothing and would be most of a wide row.
	m := make(map[string]any, len(row))
	for k, v := range row {
		if !empty(v) {
			m[k] = v
		}
	}
	if len(m) == 0 {
		return nil
	}
	if b, err := json.Marshal(m); err == nil {
		return b
	}
	safe := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				safe[k] = valueText(v)
				continue
			}
		}
		if _, err := json.Marshal(v); err != nil {
			safe[k] = valueText(v)
			continue
		}
		safe[k] = v
	}
	b, err := json.Marshal(safe)
	if err != nil {
		return nil
	}
	return b
}
