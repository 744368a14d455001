package hunt

import (
	"sort"
	"strings"
	"testing"
	"time"
)

// TestPruneKeepsAnswers checks the column pruning of the SQL compiler
// (sqlgen's pipeNeeds) against the same queries with pruning blocked: an
// "as" after every operator is a no-op the analysis does not model, so
// every column is kept. Both must give the same rows.
func TestPruneKeepsAnswers(t *testing.T) {
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	const data = `let T = datatable(a:string, b:long, c:dynamic, d:datetime)[
		"x", 1, dynamic([1, 2]), datetime(2024-01-01),
		"x", 3, dynamic([3]), datetime(2024-01-02),
		"y", 2, dynamic([]), datetime(2024-01-03),
		"y", 5, dynamic(["p", "q", "r"]), datetime(2024-01-04),
		"z", long(null), dynamic({"k": 1}), datetime(null)];
		let f = (x:long) { x + 1 };
		`
	for _, q := range []string{
		`T | summarize arg_max(b, *) by a | count`,
		`T | summarize arg_max(b, *) by a | project a, c`,
		`T | summarize x = max(b), y = make_set(c), z = count() by a | project a, z`,
		`T | summarize max(b) by a | where max_b > 1 | count`,
		`T | summarize count(), dcount(b) | project count_`,
		`T | summarize dcount(b) | count`,
		`T | summarize dcount(b), count() | count`,
		`T | summarize take_any(*) by a | count`,
		`T | summarize m = max(b) by a | extend g = f(m) | project g`,
		`T | summarize m = max(b), n = min(d) by a | sort by m desc | take 2 | project a`,
		`union T, (T | extend e = 1) | where a == "x" | summarize count() by b`,
		`union withsource=src T, T | project src`,
		`union T, T | where a has "x" | count`,
		`union (T | project a, v = b), (T | project a, v = tostring(b)) | project v_long, a`,
		`union T, (T | extend e = 1) | summarize sum(e) by a`,
		`union T, (T | extend e = 1) | extend z = pack_all() | project z`,
		`union T, (T | extend e = 1) | extend z = column_ifexists("e", 0) | project z`,
		`T | mv-expand e = c | project e, a`,
		`T | mv-expand c | summarize count() by tostring(c)`,
		`T | mv-expand with_itemindex=i e = c | project i`,
		`T | sort by b desc | mv-expand e = c | project e`,
		`T | top 2 by b | mv-expand e = c | project e`,
		`T | mv-expand e = c to typeof(long) | summarize sum(e) by a`,
		`T | mv-expand e = c limit 1 | project a, e`,
		`T | extend k = pack_all() | mv-expand e = c | project k`,
		`T | serialize | extend r = row_number() | mv-expand e = c | project r, e`,
		`T | mv-expand e = c | extend s = strcat(a, "-", tostring(e)) | where s has "x" | project s`,
		`T | mv-expand e = c | distinct a`,
		`T | where b > 1 | mv-expand e = c | summarize dcount(tostring(e)) by bin(d, 1d)`,
	} {
		got, err := runOps(t, eng, data+q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		blocked := strings.ReplaceAll(q, " | ", " | as __keep | ")
		want, err := runOps(t, eng, data+blocked)
		if err != nil {
			t.Errorf("%s: %v", blocked, err)
			continue
		}
		if sortLines(got) != sortLines(want) {
			t.Errorf("%s:\npruned:\n%s\nunpruned:\n%s", q, got, want)
		}
	}
}

func sortLines(s string) string {
	l := strings.Split(s, "\n")
	sort.Strings(l)
	return strings.Join(l, "\n")
}

// TestPruneSQL checks that pruning happens: columns no later operator
// reads do not appear in the SQL at all.
func TestPruneSQL(t *testing.T) {
	for _, c := range []struct {
		kql    string
		absent string // a column name that must not be in the SQL
	}{
		{`union DeviceProcessEvents, DeviceFileEvents | where FileName == "curl" | summarize count() by ActionType`, `"ProcessCommandLine"`},
		{`DeviceNetworkEvents | summarize arg_max(Timestamp, *) by DeviceId | count`, `"RemoteIP"`},
		{`DeviceNetworkEvents | summarize n = dcount(RemoteIP), m = max(Timestamp) by DeviceId | project DeviceId, m`, `"RemoteIP"`},
		{`DeviceEvents | extend d = parse_json(AdditionalFields) | mv-expand r = d.DnsQueryResult | summarize count() by tostring(r.Type)`, `"InitiatingProcessSHA1"`},
	} {
		p, err := Compile(c.kql, time.Now(), -1)
		if err != nil {
			t.Fatalf("%s: %v", c.kql, err)
		}
		if strings.Contains(p.SQL, c.absent) {
			t.Errorf("%s: SQL names %s:\n%s", c.kql, c.absent, p.SQL)
		}
	}
}
