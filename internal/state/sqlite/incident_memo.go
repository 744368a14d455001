package sqlite

import (
	"hash/maphash"
	"sync"

	"github.com/vigilsec/vigil/internal/state"
)

// rowMemos remembers, per incident, the version the store last wrote and
// a hash of that row's thirteen list columns. Correlation rewrites an
// incident row about once per alert, and most alerts change only its
// counts and times: when the lists hash as they did at the version being
// updated, writeIncident leaves them out of the UPDATE (no JSON built or
// bound, per list). The memo is only a hint: the UPDATE is still
// conditional on the version, so a row changed since (another process,
// a rolled-back change) falls back to the full update. A memo is set
// only after its change commits.
type rowMemos struct {
	mu   sync.Mutex
	seed maphash.Seed
	m    map[int64]rowMemo
}

// rowMemo is a row as last written: its version and lists' hash.
type rowMemo struct {
	version int64
	lists   uint64
}

// memoUpdate is a memo to record once its change commits.
type memoUpdate struct {
	id int64
	rowMemo
}

// maxRowMemos bounds the memos: past it they start over (each costs a
// full update once).
const maxRowMemos = 200_000

// listsHash hashes an incident's list columns. 64 bits: two different
// lists hashing alike, which would leave the older lists in the row,
// has a chance of 2^-64 per write.
func (r *rowMemos) listsHash(in *state.Incident) uint64 {
	var h maphash.Hash
	h.SetSeed(r.seedOnce())
	var sep [1]byte
	for i, l := range [...][]string{in.Tags, in.SystemTags, in.Categories, in.Techniques, in.Devices, in.Users, in.Mailboxes,
		in.Apps, in.IPs, in.ServiceSources, in.DetectionSources, in.Investigations, in.Actions} {
		// Each list and member delimited by its length: ["a,b"] and
		// ["a", "b"] differ, as do a member moved between lists.
		sep[0] = byte(i)
		h.Write(sep[:])
		writeLen(&h, len(l))
		for _, s := range l {
			writeLen(&h, len(s))
			h.WriteString(s)
		}
	}
	return h.Sum64()
}

func writeLen(h *maphash.Hash, n int) {
	var b [8]byte
	for i := range b {
		b[i] = byte(n >> (8 * i))
	}
	h.Write(b[:])
}

func (r *rowMemos) seedOnce() maphash.Seed {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.seed = maphash.MakeSeed()
		r.m = map[int64]rowMemo{}
	}
	return r.seed
}

// unchanged reports whether in's lists are those stored at in.Version.
func (r *rowMemos) unchanged(in *state.Incident, lists uint64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.m[in.ID]
	return ok && in.Version > 0 && m.version == in.Version && m.lists == lists
}

// record keeps the memos of a committed change.
func (r *rowMemos) record(us []memoUpdate) {
	if len(us) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil || len(r.m)+len(us) > maxRowMemos {
		if r.m == nil {
			r.seed = maphash.MakeSeed()
		}
		r.m = make(map[int64]rowMemo, len(us))
	}
	for _, u := range us {
		r.m[u.id] = u.rowMemo
	}
}
