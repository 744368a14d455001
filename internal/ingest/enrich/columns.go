package enrich

import "github.com/vigilsec/vigil/internal/schema"

// tableCols are the positions of the columns the enrichers read in one
// table, found once per table rather than by name for every row.
type tableCols struct {
	accounts [][3]int // AccountSid, AccountName, AccountDomain and the like
	ips      [][2]int // an address and its type
	// DeviceId, DeviceName, Timestamp; -1 when the table lacks one.
	deviceID, deviceName, timestamp int
}

var tableColumns = func() map[*schema.Table]*tableCols {
	m := map[*schema.Table]*tableCols{}
	for _, t := range schema.Tables() {
		m[t] = findCols(t)
	}
	return m
}()

// columnsOf returns the positions for a table of the schema.
func columnsOf(t *schema.Table) *tableCols {
	if c, ok := tableColumns[t]; ok {
		return c
	}
	return findCols(t) // a table built outside the schema package
}

func findCols(t *schema.Table) *tableCols {
	idx := func(name string) int {
		_, i, ok := t.Column(name)
		if !ok {
			return -1
		}
		return i
	}
	c := &tableCols{deviceID: idx("DeviceId"), deviceName: idx("DeviceName"), timestamp: idx("Timestamp")}
	for _, cols := range accountCols {
		if si, ni, di := idx(cols[0]), idx(cols[1]), idx(cols[2]); si >= 0 && ni >= 0 && di >= 0 {
			c.accounts = append(c.accounts, [3]int{si, ni, di})
		}
	}
	for _, pair := range ipPairs {
		if ii, ti := idx(pair[0]), idx(pair[1]); ii >= 0 && ti >= 0 {
			c.ips = append(c.ips, [2]int{ii, ti})
		}
	}
	return c
}

// accountFills are the positions of the account columns, which Accounts
// fills.
func (c *tableCols) accountFills() []int {
	var out []int
	for _, a := range c.accounts {
		out = append(out, a[:]...)
	}
	return out
}
