package hunt

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// benchQueries pairs representative hunting queries with the DuckDB SQL
// an expert would write by hand for the same answer.
var benchQueries = []struct{ name, kql, sql string }{
	{"has term", `DeviceProcessEvents | where ProcessCommandLine has "healthcheck" | count`,
		`SELECT count(*) AS "Count" FROM "DeviceProcessEvents" WHERE contains(lower("ProcessCommandLine"), 'healthcheck') AND regexp_matches("ProcessCommandLine", '(?i)(?:^|[^0-9A-Za-z])healthcheck(?:$|[^0-9A-Za-z])')`},
	{"contains, top devices", `DeviceProcessEvents | where ProcessCommandLine contains "unattended" | summarize count() by DeviceName | sort by count_ desc, DeviceName asc | take 10`,
		`SELECT "DeviceName", count(*) AS count_ FROM "DeviceProcessEvents" WHERE contains(lower("ProcessCommandLine"), 'unattended') GROUP BY 1 ORDER BY 2 DESC, 1 ASC LIMIT 10`},
	{"in~ names", `DeviceProcessEvents | where FileName in~ ("curl", "WGET", "powershell.exe") | summarize dcount(DeviceId) by FileName`,
		`SELECT "FileName", count(DISTINCT "DeviceId") FROM "DeviceProcessEvents" WHERE lower("FileName") IN ('curl', 'wget', 'powershell.exe') GROUP BY 1`},
	{"arg_max by device", `DeviceProcessEvents | summarize arg_max(Timestamp, FileName, ProcessCommandLine) by DeviceId`,
		`SELECT "DeviceId", max("Timestamp"), arg_max("FileName", "Timestamp"), arg_max("ProcessCommandLine", "Timestamp") FROM "DeviceProcessEvents" GROUP BY 1`},
	{"time bins", `DeviceNetworkEvents | where RemotePort == 389 | summarize count() by bin(Timestamp, 1h)`,
		`SELECT time_bucket(INTERVAL 1 hour, "Timestamp", TIMESTAMP '2000-01-01'), count(*) FROM "DeviceNetworkEvents" WHERE "RemotePort" = 389 GROUP BY 1`},
	{"failed connections", `DeviceNetworkEvents | where ActionType == "ConnectionFailed" | summarize Failures = count() by DeviceName, RemoteIP | sort by Failures desc, DeviceName asc, RemoteIP asc | take 20`,
		`SELECT "DeviceName", "RemoteIP", count(*) AS f FROM "DeviceNetworkEvents" WHERE "ActionType" = 'ConnectionFailed' GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 20`},
	{"by IP type", `DeviceNetworkEvents | summarize Connections = count(), Ports = dcount(RemotePort) by RemoteIPType`,
		`SELECT "RemoteIPType", count(*), count(DISTINCT "RemotePort") FROM "DeviceNetworkEvents" GROUP BY 1`},
	{"process-network join", `DeviceProcessEvents | where FileName == "curl" | project DeviceId, ProcessId | join kind=inner (DeviceNetworkEvents | where InitiatingProcessFileName == "curl" | project DeviceId, InitiatingProcessId, RemoteIP) on DeviceId, $left.ProcessId == $right.InitiatingProcessId | summarize count() by RemoteIP`,
		`SELECT n."RemoteIP", count(*) FROM "DeviceProcessEvents" p JOIN "DeviceNetworkEvents" n ON p."DeviceId" = n."DeviceId" AND p."ProcessId" = n."InitiatingProcessId" WHERE p."FileName" = 'curl' AND n."InitiatingProcessFileName" = 'curl' GROUP BY 1`},
	{"mv-expand dns answers", `DeviceEvents | where ActionType == "DnsQueryResponse" | extend d = parse_json(AdditionalFields) | mv-expand r = d.DnsQueryResult | summarize count() by t = tostring(r.DnsQueryTypeName)`,
		`SELECT coalesce(json_extract_string(r, '$.DnsQueryTypeName'), ''), count(*) FROM (SELECT unnest(CAST(json_extract("AdditionalFields", '$.DnsQueryResult') AS JSON[])) AS r FROM "DeviceEvents" WHERE "ActionType" = 'DnsQueryResponse') GROUP BY 1`},
	{"top dns names", `DeviceEvents | where ActionType == "DnsQueryResponse" | extend Q = tostring(parse_json(AdditionalFields).DnsQueryString) | summarize count() by Q | sort by count_ desc, Q asc | take 10`,
		`SELECT coalesce(json_extract_string("AdditionalFields", '$.DnsQueryString'), '') AS q, count(*) FROM "DeviceEvents" WHERE "ActionType" = 'DnsQueryResponse' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`},
	{"daily average per device", `DeviceProcessEvents | summarize c = count() by bin(Timestamp, 1d), DeviceName | summarize avg(c) by DeviceName | sort by avg_c desc, DeviceName asc | take 5`,
		`SELECT "DeviceName", avg(c) FROM (SELECT date_trunc('day', "Timestamp"), "DeviceName", count(*) AS c FROM "DeviceProcessEvents" GROUP BY 1, 2) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`},
	{"registry run keys", `DeviceRegistryEvents | where RegistryKey has "Run" | summarize count() by ActionType`,
		`SELECT "ActionType", count(*) FROM "DeviceRegistryEvents" WHERE contains(lower("RegistryKey"), 'run') AND regexp_matches("RegistryKey", '(?i)(?:^|[^0-9A-Za-z])Run(?:$|[^0-9A-Za-z])') GROUP BY 1`},
	{"rare image loads", `DeviceImageLoadEvents | summarize Loads = count() by FileName | where Loads < 1000 | count`,
		`SELECT count(*) FROM (SELECT "FileName", count(*) AS n FROM "DeviceImageLoadEvents" GROUP BY 1) WHERE n < 1000`},
	{"single-device hashes", `DeviceProcessEvents | summarize Devices = dcount(DeviceId) by SHA1 | where Devices == 1 | count`,
		`SELECT count(*) FROM (SELECT "SHA1", count(DISTINCT "DeviceId") AS d FROM "DeviceProcessEvents" GROUP BY 1) WHERE d = 1`},
	{"public destinations", `DeviceNetworkEvents | where RemoteIPType == "Public" | summarize count() by RemoteIP | sort by count_ desc, RemoteIP asc | take 10`,
		`SELECT "RemoteIP", count(*) FROM "DeviceNetworkEvents" WHERE "RemoteIPType" = 'Public' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`},
	{"has_any", `DeviceProcessEvents | where ProcessCommandLine has_any ("-enc", "bypass", "hidden", "download") | count`,
		`SELECT count(*) FROM "DeviceProcessEvents" WHERE regexp_matches("ProcessCommandLine", '(?i)(-enc(?:$|[^0-9A-Za-z])|(?:^|[^0-9A-Za-z])(bypass|hidden|download)(?:$|[^0-9A-Za-z]))')`},
	{"admin ports", `DeviceNetworkEvents | where RemotePort in (22, 3389, 445) | summarize dcount(RemoteIP) by DeviceName | sort by dcount_RemoteIP desc, DeviceName asc | take 10`,
		`SELECT "DeviceName", count(DISTINCT "RemoteIP") AS d FROM "DeviceNetworkEvents" WHERE "RemotePort" IN (22, 3389, 445) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`},
	{"!in accounts", `DeviceProcessEvents | where AccountName !in ("system", "root") | summarize count() by AccountName`,
		`SELECT "AccountName", count(*) FROM "DeviceProcessEvents" WHERE "AccountName" NOT IN ('system', 'root') GROUP BY 1`},
	{"short-lived files", `DeviceFileEvents | summarize FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by FileName | where LastSeen - FirstSeen < 1h | count`,
		`SELECT count(*) FROM (SELECT "FileName", min("Timestamp") AS f, max("Timestamp") AS l FROM "DeviceFileEvents" GROUP BY 1) WHERE l - f < INTERVAL 1 hour`},
	{"union", `union DeviceProcessEvents, DeviceFileEvents | where FileName == "curl" | summarize count() by ActionType`,
		`SELECT "ActionType", count(*) FROM (SELECT "ActionType", "FileName" FROM "DeviceProcessEvents" UNION ALL SELECT "ActionType", "FileName" FROM "DeviceFileEvents") WHERE "FileName" = 'curl' GROUP BY 1`},
	{"between dates", `DeviceNetworkEvents | where Timestamp between (datetime(2026-10-20) .. datetime(2026-10-21)) | summarize count() by ActionType`,
		`SELECT "ActionType", count(*) FROM "DeviceNetworkEvents" WHERE "Timestamp" BETWEEN TIMESTAMP '2026-10-20' AND TIMESTAMP '2026-10-21' GROUP BY 1`},
	{"startswith", `DeviceProcessEvents | where FileName startswith "python" | summarize count() by FileName, AccountName`,
		`SELECT "FileName", "AccountName", count(*) FROM "DeviceProcessEvents" WHERE starts_with(lower("FileName"), 'python') GROUP BY 1, 2`},
	{"action types", `DeviceEvents | summarize count() by ActionType | order by count_ desc`,
		`SELECT "ActionType", count(*) FROM "DeviceEvents" GROUP BY 1 ORDER BY 2 DESC`},
	{"regex", `DeviceProcessEvents | where ProcessCommandLine matches regex @"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+" | count`,
		`SELECT count(*) FROM "DeviceProcessEvents" WHERE regexp_matches("ProcessCommandLine", '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+')`},
	{"last event per device", `DeviceNetworkEvents | summarize arg_max(Timestamp, *) by DeviceId | count`,
		`SELECT count(*) FROM (SELECT "DeviceId" FROM "DeviceNetworkEvents" GROUP BY 1)`},
	{"parent-child pairs", `DeviceProcessEvents | summarize count() by InitiatingProcessFileName, FileName | where count_ < 50 | count`,
		`SELECT count(*) FROM (SELECT "InitiatingProcessFileName", "FileName", count(*) AS c FROM "DeviceProcessEvents" GROUP BY 1, 2) WHERE c < 50`},
	{"distinct devices", `DeviceNetworkEvents | where RemotePort == 443 | distinct DeviceName | count`,
		`SELECT count(DISTINCT "DeviceName") FROM "DeviceNetworkEvents" WHERE "RemotePort" = 443`},
	{"extend and filter", `DeviceProcessEvents | extend Len = strlen(ProcessCommandLine) | where Len > 100 | summarize max(Len) by FileName`,
		`SELECT "FileName", max(length("ProcessCommandLine")) FROM "DeviceProcessEvents" WHERE length("ProcessCommandLine") > 100 GROUP BY 1`},
	{"case-insensitive equality", `DeviceProcessEvents | where InitiatingProcessFileName =~ "SVCHOST.EXE" | summarize count() by FileName`,
		`SELECT "FileName", count(*) FROM "DeviceProcessEvents" WHERE lower("InitiatingProcessFileName") = 'svchost.exe' GROUP BY 1`},
	{"hourly connections per device", `DeviceNetworkEvents | where ActionType == "ConnectionSuccess" | summarize c = count() by DeviceId, bin(Timestamp, 1h) | summarize max(c) by DeviceId | count`,
		`SELECT count(*) FROM (SELECT "DeviceId", max(c) FROM (SELECT "DeviceId", date_trunc('hour', "Timestamp"), count(*) AS c FROM "DeviceNetworkEvents" WHERE "ActionType" = 'ConnectionSuccess' GROUP BY 1, 2) GROUP BY 1)`},
	{"logon failures", `DeviceLogonEvents | where ActionType == "LogonFailed" | summarize count() by AccountName, DeviceName`,
		`SELECT "AccountName", "DeviceName", count(*) FROM "DeviceLogonEvents" WHERE "ActionType" = 'LogonFailed' GROUP BY 1, 2`},
}

// TestHuntingBenchmark times the queries above through Vigil and their
// hand-written SQL on a store given by VIGIL_BENCH_DATA (a data dir: see
// docs/BENCHMARKS.md), after checking that both give the same answer.
func TestHuntingBenchmark(t *testing.T) {
	dir := os.Getenv("VIGIL_BENCH_DATA")
	if dir == "" {
		t.Skip("set VIGIL_BENCH_DATA to a data dir to run the hunting benchmark")
	}
	st, err := duckdb.Open(dir, store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The engine as the API runs it: each query profiled for the runs
	// report and charged to a CPU budget (large enough never to refuse).
	eng := &Engine{Store: st, Runs: NewRunLog(0), Budget: NewCPUBudget(1000*time.Hour, time.Hour)}
	ctx := context.Background()
	stats, _ := st.Stats(ctx)
	var total int64
	for _, n := range stats.Rows {
		total += n
	}
	t.Logf("store: %d rows", total)
	runs := 11
	var ratios []float64
	var vigilTimes []time.Duration
	var b strings.Builder
	b.WriteString("| query | Vigil | hand-written SQL | ratio |\n|---|---:|---:|---:|\n")
	for _, q := range benchQueries {
		var vt, st2 []time.Duration
		var vres *Result
		var sres *store.Result
		for i := 0; i < runs; i++ {
			start := time.Now()
			vres, err = eng.Run(ctx, Request{Query: q.kql, Timespan: -1, Timeout: 10 * time.Minute})
			if err != nil {
				t.Fatalf("%s: %v", q.name, err)
			}
			vt = append(vt, time.Since(start))
			start = time.Now()
			sres, err = st.Query(ctx, store.Query{SQL: q.sql})
			if err != nil {
				t.Fatalf("%s (SQL): %v", q.name, err)
			}
			st2 = append(st2, time.Since(start))
		}
		if err := sameAnswer(vres, sres); err != nil {
			t.Errorf("%s: Vigil and the SQL disagree: %v", q.name, err)
		}
		v, s := median(vt), median(st2)
		ratio := float64(v) / float64(s)
		ratios = append(ratios, ratio)
		vigilTimes = append(vigilTimes, v)
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f |\n", q.name, v.Round(time.Millisecond), s.Round(time.Millisecond), ratio)
	}
	sort.Float64s(ratios)
	fmt.Fprintf(&b, "\nqueries: %d; median ratio Vigil/SQL: %.2f; median Vigil time: %s\n", len(ratios), ratios[len(ratios)/2], median(vigilTimes).Round(time.Millisecond))
	t.Log("\n" + b.String())
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// sameAnswer compares the rows as multisets, by Vigil's column types.
func sameAnswer(v *Result, s *store.Result) error {
	types := make([]schema.Type, len(v.Columns))
	for i, c := range v.Columns {
		types[i] = c.Type
	}
	canon := func(rows [][]any) []string {
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = canonRow(r, types, false)
		}
		sort.Strings(out)
		return out
	}
	a, b := canon(v.Rows), canon(s.Rows)
	if len(a) != len(b) {
		return fmt.Errorf("%d rows vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Errorf("row %s vs %s", a[i], b[i])
		}
	}
	return nil
}
