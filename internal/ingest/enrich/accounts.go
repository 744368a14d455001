package enrich

import (
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// Accounts learns SID <-> DOMAIN\name pairs from rows that carry both and
// fills the missing half in rows that carry one (a Sysmon event names the
// user, a Security event gives the SID).
type Accounts struct {
	mu     sync.Mutex
	byName *lru[string] // "domain\name" (lower case) -> SID
	bySID  *lru[[2]string]
	// recent are (SID, name, domain) triples learned lately, by a hash of
	// the SID: an event's rows name one or two accounts, mostly those of
	// the events before it, already learned and touched.
	recent [8][3]string
	// lookups are recent lookups of a SID by name (sid "" when there was
	// none), by a hash of the name, valid while gen, which every change
	// of byName bumps, is theirs: most events name the same few accounts
	// without a SID (NT AUTHORITY\SYSTEM in every Sysmon event).
	lookups [8]nameLookup
	gen     uint64
}

type nameLookup struct {
	domain, name, sid string
	gen               uint64
}

// recentSlot is where sid's triple goes in Accounts.recent.
func recentSlot(sid string) int { return (len(sid) + int(sid[len(sid)-1])) & 7 }

// NewAccounts keeps at most max accounts each way.
func NewAccounts(max int) *Accounts {
	return &Accounts{byName: newLRU[string](max), bySID: newLRU[[2]string](max)}
}

// accountCols are the (SID, name, domain) column triples of the schema.
var accountCols = [][3]string{
	{"AccountSid", "AccountName", "AccountDomain"},
	{"InitiatingProcessAccountSid", "InitiatingProcessAccountName", "InitiatingProcessAccountDomain"},
}

// wellKnown SIDs are the same on every machine and never learned.
func wellKnown(sid string) bool {
	return strings.HasPrefix(sid, "S-1-5-") && strings.Count(sid, "-") <= 3
}

func (a *Accounts) Enrich(rows *ingest.RowSet) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range rows.Rows() {
		for _, cols := range columnsOf(r.Table).accounts {
			si, ni, di := cols[0], cols[1], cols[2]
			sid, _ := r.Values[si].(string)
			name, _ := r.Values[ni].(string)
			domain, _ := r.Values[di].(string)
			switch {
			case sid != "" && name != "":
				slot := &a.recent[recentSlot(sid)]
				if [3]string{sid, name, domain} == *slot {
					continue
				}
				if !wellKnown(sid) {
					key := strings.ToLower(domain + `\` + name)
					// Stored strings are cloned: a row's text may be a
					// slice of a larger buffer the cache would keep alive.
					// An unchanged entry is only touched, as put would.
					stored, ok := a.byName.get(key)
					if !ok || stored != sid {
						stored = strings.Clone(sid)
						a.byName.put(key, stored)
						a.gen++
					}
					nd, ok := a.bySID.get(sid)
					if !ok || nd != [2]string{name, domain} {
						nd = [2]string{strings.Clone(name), strings.Clone(domain)}
						a.bySID.put(stored, nd)
					}
					*slot = [3]string{stored, nd[0], nd[1]}
				}
			case sid != "" && name == "":
				if nd, ok := a.bySID.get(sid); ok {
					r.Values[ni] = nd[0]
					if domain == "" && nd[1] != "" {
						r.Values[di] = nd[1]
					}
				}
			case sid == "" && name != "" && domain != "":
				l := &a.lookups[recentSlot(name)]
				if l.gen != a.gen || l.name != name || l.domain != domain {
					s, _ := a.byName.get(strings.ToLower(domain + `\` + name))
					*l = nameLookup{domain: domain, name: name, sid: s, gen: a.gen}
				}
				if l.sid != "" {
					r.Values[si] = l.sid
				}
			}
		}
	}
}

// Fills implements ingest.ColumnFiller: the account columns.
func (a *Accounts) Fills(t *schema.Table) []int { return columnsOf(t).accountFills() }

var (
	_ ingest.Enricher     = (*Accounts)(nil)
	_ ingest.ColumnFiller = (*Accounts)(nil)
)
