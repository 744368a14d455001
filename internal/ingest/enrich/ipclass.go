package enrich

import (
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// IPClasses fills the *IPType columns from their IP columns.
type IPClasses struct{}

var ipPairs = [][2]string{{"LocalIP", "LocalIPType"}, {"RemoteIP", "RemoteIPType"}}

func (IPClasses) Enrich(rows *ingest.RowSet) {
	for _, r := range rows.Rows() {
		for _, pair := range columnsOf(r.Table).ips {
			ii, ti := pair[0], pair[1]
			if r.Values[ti] != nil {
				continue
			}
			if ip, ok := r.Values[ii].(string); ok {
				if t := ingest.IPType(ip); t != "" {
					r.Values[ti] = t
				}
			}
		}
	}
}

// Fills implements ingest.ColumnFiller: the IP type columns.
func (IPClasses) Fills(t *schema.Table) []int {
	var out []int
	for _, pair := range columnsOf(t).ips {
		out = append(out, pair[1])
	}
	return out
}

var (
	_ ingest.Enricher     = IPClasses{}
	_ ingest.ColumnFiller = IPClasses{}
)
