package hunt

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// runOps runs a query on a fresh engine and renders its rows as text,
// one row per line, values separated by " | ".
func runOps(t *testing.T, eng *Engine, q string) (string, error) {
	t.Helper()
	res, err := eng.Run(context.Background(), Request{Query: q, Timespan: -1, Timeout: 20 * time.Second})
	if err != nil {
		return "", err
	}
	var lines []string
	for _, row := range res.Rows {
		parts := make([]string, len(row))
		for i, v := range row {
			switch x := v.(type) {
			case json.RawMessage:
				parts[i] = remarshal(x)
			case time.Time:
				parts[i] = x.UTC().Format(time.RFC3339Nano)
			default:
				parts[i] = fmt.Sprint(x)
			}
		}
		lines = append(lines, strings.Join(parts, " | "))
	}
	return strings.Join(lines, "\n"), nil
}

// TestOpsDebug runs the query in $KQL (or the SQL in $SQL) and prints it:
// a tool for development, skipped otherwise.
func TestOpsDebug(t *testing.T) {
	q, sqlText := os.Getenv("KQL"), os.Getenv("SQL")
	if q == "" && sqlText == "" {
		t.Skip("set KQL or SQL")
	}
	st := openTestStore(t)
	if sqlText != "" {
		res, err := st.Query(context.Background(), store.Query{SQL: sqlText, MaxRows: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Rows {
			for i, v := range r {
				if b, ok := v.([]byte); ok {
					r[i] = string(b)
				}
			}
			t.Logf("%v", r)
		}
		return
	}
	if prog, err := Compile(q, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), -1); err == nil {
		t.Logf("SQL:\n%s\nARGS: %v", prog.SQL, prog.Args)
	}
	eng := &Engine{Store: st, Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	out, err := runOps(t, eng, q)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out)
}

// TestOps runs the operator and window/series function cases on one
// store.
func TestOps(t *testing.T) {
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	for _, g := range []struct {
		name string
		f    func(*testing.T, *Engine)
	}{
		{"WindowFunctions", opsWindowFunctions},
		{"MakeSeries", opsMakeSeries},
		{"SeriesFunctions", opsSeriesFunctions},
		{"TopNested", opsTopNested},
		{"More", opsMore},
		{"Partition", opsPartition},
		{"Scan", opsScan},
	} {
		t.Run(g.name, func(t *testing.T) { g.f(t, eng) })
	}
}

type opsCase struct {
	name, query, want string
	err               string // a substring of the expected error
}

func runOpsCases(t *testing.T, eng *Engine, cases []opsCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := runOps(t, eng, c.query)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func opsWindowFunctions(t *testing.T, eng *Engine) {
	const nums = "datatable(k:string, v:long) [\"a\", 3, \"a\", 1, \"b\", 2, \"b\", 2, \"b\", 5]"
	runOpsCases(t, eng, []opsCase{
		{name: "row_number", query: nums + " | sort by v asc | extend n = row_number()",
			want: "a | 1 | 1\nb | 2 | 2\nb | 2 | 3\na | 3 | 4\nb | 5 | 5"},
		{name: "row_number start", query: nums + " | serialize n = row_number(10)",
			want: "a | 3 | 10\na | 1 | 11\nb | 2 | 12\nb | 2 | 13\nb | 5 | 14"},
		{name: "row_number restart", query: nums + " | serialize n = row_number(1, k != prev(k))",
			want: "a | 3 | 1\na | 1 | 2\nb | 2 | 1\nb | 2 | 2\nb | 5 | 3"},
		{name: "prev next defaults", query: nums + " | serialize p = prev(v), n = next(v, 2, -1), s = prev(k)",
			want: "a | 3 | <nil> | 2 | \na | 1 | 3 | 2 | a\nb | 2 | 1 | 5 | a\nb | 2 | 2 | -1 | b\nb | 5 | 2 | -1 | b"},
		{name: "numeric default of a datetime is ticks", query: "datatable(t:datetime)[datetime(2024-01-01), datetime(2024-01-02)] | serialize n = next(t, 1, 0), p = prev(t, 1, now(1d)) | project n, p",
			want: "2024-01-02T00:00:00Z | 2024-01-02T00:00:00Z\n0001-01-01T00:00:00Z | 2024-01-01T00:00:00Z"},
		{name: "where row_number", query: nums + " | serialize | where row_number() in (2, 4) | project v",
			want: "1\n2"},
		{name: "where after filter renumbers", query: nums + " | where v > 1 | serialize | extend n = row_number() | project n",
			want: "1\n2\n3\n4"},
		{name: "cumsum", query: nums + " | serialize c = row_cumsum(v), d = row_cumsum(v, k != prev(k)) | project c, d",
			want: "3 | 3\n4 | 4\n6 | 2\n8 | 4\n13 | 9"},
		{name: "rank dense and min", query: nums + " | sort by v desc | extend d = row_rank_dense(v), m = row_rank_min(v) | project v, d, m",
			want: "5 | 1 | 1\n3 | 2 | 2\n2 | 3 | 3\n2 | 3 | 3\n1 | 4 | 5"},
		{name: "project", query: nums + " | sort by v asc | project v, p = prev(v) + 100",
			want: "1 | <nil>\n2 | 101\n2 | 102\n3 | 102\n5 | 103"},
		{name: "ties follow output order", query: "range x from 1 to 6 step 1 | extend g = x % 2 | sort by g asc | extend n = row_number() | project n",
			want: "1\n2\n3\n4\n5\n6"},
		{name: "session max from first",
			query: "range i from 0 to 20 step 1 | extend t = datetime(2024-01-01) + i * 4m | extend s = row_window_session(t, 30m, 5m) | where row_number() == 1 or s != prev(s) | project i, s",
			want:  "0 | 2024-01-01T00:00:00Z\n8 | 2024-01-01T00:32:00Z\n16 | 2024-01-01T01:04:00Z"},
		{name: "session gaps and nulls",
			query: "datatable(t:datetime) [datetime(2024-01-01 00:00), datetime(2024-01-01 00:04), datetime(null), datetime(2024-01-01 00:06), datetime(2024-01-01 00:20)] | serialize s = row_window_session(t, 1h, 5m)",
			want:  "2024-01-01T00:00:00Z | 2024-01-01T00:00:00Z\n2024-01-01T00:04:00Z | 2024-01-01T00:00:00Z\n<nil> | <nil>\n2024-01-01T00:06:00Z | 2024-01-01T00:06:00Z\n2024-01-01T00:20:00Z | 2024-01-01T00:20:00Z"},
		{name: "not serialized", query: nums + " | distinct k | extend n = row_number()", err: "not serialized"},
		{name: "in summarize", query: nums + " | serialize | summarize max(prev(v))", err: "prev()"},
	})
}

func opsMakeSeries(t *testing.T, eng *Engine) {
	const data = `datatable(t:datetime, k:string, v:long) [
		datetime(2024-01-01 01:00), "a", 1,
		datetime(2024-01-01 02:00), "a", 2,
		datetime(2024-01-03 00:00), "a", 5,
		datetime(2024-01-02 12:00), "b", 7,
		datetime(2023-12-01 00:00), "c", 9]`
	runOpsCases(t, eng, []opsCase{
		{name: "by with from to",
			query: data + " | make-series n = count(), s = sum(v) default = -1 on t from datetime(2024-01-01) to datetime(2024-01-04) step 1d by k | order by k asc",
			want: `a | [2,0,1] | [3,-1,5] | ["2024-01-01T00:00:00.0000000Z","2024-01-02T00:00:00.0000000Z","2024-01-03T00:00:00.0000000Z"]` + "\n" +
				`b | [0,1,0] | [-1,7,-1] | ["2024-01-01T00:00:00.0000000Z","2024-01-02T00:00:00.0000000Z","2024-01-03T00:00:00.0000000Z"]` + "\n" +
				`c | [0,0,0] | [-1,-1,-1] | ["2024-01-01T00:00:00.0000000Z","2024-01-02T00:00:00.0000000Z","2024-01-03T00:00:00.0000000Z"]`},
		{name: "no from or to: per series",
			query: data + " | where k != 'c' | make-series max(v) on t step 1d by k | order by k asc",
			want: `a | [2,0,5] | ["2024-01-01T00:00:00.0000000Z","2024-01-02T00:00:00.0000000Z","2024-01-03T00:00:00.0000000Z"]` + "\n" +
				`b | [7] | ["2024-01-02T00:00:00.0000000Z"]`},
		{name: "in range includes stop",
			query: data + " | make-series count() on t in range(datetime(2024-01-01 06:00), datetime(2024-01-03), 1d)",
			want:  `[2,1,1] | ["2024-01-01T00:00:00.0000000Z","2024-01-02T00:00:00.0000000Z","2024-01-03T00:00:00.0000000Z"]`},
		{name: "numeric axis",
			query: "range x from 0 to 9 step 1 | make-series sum(x) on x from 0 to 10 step 5",
			want:  `[10,35] | [0,5]`},
		{name: "empty input", query: data + " | take 0 | make-series count() on t from datetime(2024-01-01) to datetime(2024-01-03) step 1d", want: ""},
		{name: "nonempty", query: data + " | take 0 | make-series kind=nonempty count() on t from datetime(2024-01-01) to datetime(2024-01-03) step 1d by k",
			want: ` | [0,0] | ["2024-01-01T00:00:00.0000000Z","2024-01-02T00:00:00.0000000Z"]`},
	})
}

func opsSeriesFunctions(t *testing.T, eng *Engine) {
	runOpsCases(t, eng, []opsCase{
		{name: "elementwise", query: "print a = dynamic([1, 2, null, 4]), b = dynamic([2, 2, 2]) | project series_add(a, b), series_subtract(a, 1), series_multiply(2.5, a), series_divide(a, b), series_less(a, b)",
			want: "[3,4,null,null] | [0,1,null,3] | [2.5,5,null,10] | [0.5,1,null,null] | [true,false,null,null]"},
		{name: "not an array", query: "print series_add(dynamic({'a':1}), 1), series_sum(dynamic(5))", want: "<nil> | <nil>"},
		{name: "aggregates", query: "print s = dynamic([3, 4, 'x']) | project series_sum(s), series_product(s), series_magnitude(s), series_dot_product(s, s)",
			want: "7 | 12 | 5 | 25"},
		{name: "stats", query: "print s = dynamic([1, 5, 3, null]) | project series_stats_dynamic(s), series_stats_dynamic(s, true)",
			want: `{"avg":null,"len":null,"max":null,"max_idx":null,"min":null,"min_idx":null,"stdev":null,"sum":null,"variance":null} | {"avg":3,"len":3,"max":5,"max_idx":1,"min":1,"min_idx":0,"stdev":2,"sum":9,"variance":4}`},
		{name: "fill", query: "print s = dynamic([null, 1, -1, null, 4, null]) | project f = series_fill_forward(s), b = series_fill_backward(s, -1), c = series_fill_const(s, 9), l = series_fill_linear(s, -1, false)",
			want: "[null,1,-1,-1,4,4] | [1,1,4,4,4,null] | [9,1,-1,9,4,9] | [null,1,2,3,4,null]"},
		{name: "fir", query: "print s = dynamic([0, 0, 10, 0, 0]) | project a = series_fir(s, dynamic([1, 1])), b = series_fir(s, dynamic([1, -1]), false), c = series_fir(s, dynamic([1, 1, 1]), true, true)",
			want: "[0,0,5,5,0] | [0,0,10,-10,0] | [0,3.3333333333333335,3.3333333333333335,3.3333333333333335,0]"},
		{name: "iir", query: "print series_iir(dynamic([1, 2, 3, 4]), dynamic([1]), dynamic([1, -1]))", want: "[1,3,6,10]"},
		{name: "seasonal", query: "print a = series_seasonal(dynamic([1, 10, 3, 12, 2, 11]), 2), b = series_seasonal(dynamic([1, 2]), 0)",
			want: "[2,11,2,11,2,11] | [0,0]"},
		{name: "seasonal detect", query: "print series_seasonal(dynamic([1, 2]))", err: "not supported"},
		{name: "stats columns", query: "print s = dynamic([1]) | extend series_stats(s)", err: "series_stats"},
	})
}

func opsTopNested(t *testing.T, eng *Engine) {
	const sales = `datatable(r:string, p:string, v:long) [
		"east", "ann", 10, "east", "bob", 5, "east", "cid", 1, "east", "ann", 3,
		"west", "dan", 7, "west", "eve", 8,
		"north", "fay", 2]`
	runOpsCases(t, eng, []opsCase{
		{name: "two levels",
			query: sales + " | top-nested 2 of r by s = sum(v), top-nested 1 of p by sum(v) | order by s desc",
			want:  "east | 19 | ann | 13\nwest | 15 | eve | 8"},
		{name: "asc and all",
			query: sales + " | top-nested of r by count() asc | order by aggregated_r asc, r asc",
			want:  "north | 1\nwest | 2\neast | 4"},
		{name: "others",
			query: sales + " | top-nested 1 of r with others = 'rest' by sum(v), top-nested 1 of p with others = 'more' by sum(v) | order by aggregated_r desc, aggregated_p desc",
			want:  "east | 19 | ann | 13\neast | 19 | more | 6\nrest | 17 |  | <nil>"},
		{name: "dcount",
			query: sales + " | top-nested 1 of r by dcount(p)",
			want:  "east | 3"},
		{name: "top-hitters",
			query: sales + " | top-hitters 2 of r",
			want:  "east | 4\nwest | 2"},
		{name: "top-hitters by",
			query: sales + " | top-hitters 1 of p by v",
			want:  "ann | 13"},
		{name: "sample-distinct",
			query: sales + " | sample-distinct 5 of r | order by r asc",
			want:  "east\nnorth\nwest"},
	})
}

func opsMore(t *testing.T, eng *Engine) {
	const people = `datatable(Name:string, Age:int, City:string, Country:string) ["Peter", 39, "New York", "USA"]`
	runOpsCases(t, eng, []opsCase{
		{name: "project-by-names patterns", query: people + ` | project-by-names "*e", "Name", "Missing", dynamic(["C*y"])`,
			want: "Peter | 39 | New York | USA"},
		{name: "project-by-names not constant", query: people + " | project-by-names strcat('N', 'ame')", err: "known when the query is compiled"},
		{name: "mv-expand limit", query: "print a = dynamic([1, 2, 3]), b = dynamic(['x']) | mv-expand with_itemindex=i a, b limit 2",
			want: "1 | \"x\" | 0\n2 | <nil> | 1"},
	})
}

func opsPartition(t *testing.T, eng *Engine) {
	const ev = `datatable(id:string, t:long, v:string) ["a", 1, "x", "a", 3, "y", "a", 2, "z", "b", 5, "w", "b", 4, "u", "c", 9, "q"]`
	runOpsCases(t, eng, []opsCase{
		{name: "top per partition", query: ev + " | partition hint.strategy=native by id (top 2 by t desc | project id, t) | order by id asc, t desc",
			want: "a | 3\na | 2\nb | 5\nb | 4\nc | 9"},
		{name: "where sort take", query: ev + " | partition by id (where t > 1 | sort by t asc | take 1 | extend w = strcat(v, '!')) | order by id asc",
			want: "a | 2 | z | z!\nb | 4 | u | u!\nc | 9 | q | q!"},
		{name: "summarize", query: ev + " | partition by id (summarize n = count(), m = max(t) by v | top 1 by m) | order by m asc",
			want: "y | 1 | 3\nw | 1 | 5\nq | 1 | 9"},
		{name: "count", query: ev + " | partition by id (where t > 1 | count) | order by Count asc",
			want: "1\n2\n2"},
		{name: "window", query: ev + " | partition by id (serialize | extend n = row_number())", err: "not supported"},
	})
}

func opsScan(t *testing.T, eng *Engine) {
	const ev = `datatable(Ts:timespan, Event:string) [0m, "login", 1m, "x", 2m, "logout", 3m, "y", 5m, "login", 9m, "logout"]`
	runOpsCases(t, eng, []opsCase{
		{name: "cumulative", query: "range x from 1 to 4 step 1 | scan declare (c:long = 10) with (step s: true => c = x + s.c;)",
			want: "1 | 11 | 0\n2 | 13 | 0\n3 | 16 | 0\n4 | 20 | 0"},
		{name: "pairs", query: ev + ` | sort by Ts asc | scan with_match_id=id declare (start:timespan, d:timespan) with (
				step s1 output=none: Event == "login" => start = Ts;
				step s2: Event == "logout" => start = s1.start, d = Ts - s1.start;) | project start, Ts, d, id`,
			want: "0s | 2m0s | 2m0s | 0\n5m0s | 9m0s | 4m0s | 1"},
		{name: "per partition", query: "range x from 1 to 6 step 1 | extend g = x % 2 | partition by g (sort by x asc | scan with_match_id=m declare (c:long = 0) with (step s: true => c = x + s.c;)) | order by g asc, x asc | project g, x, c, m",
			want: "0 | 2 | 2 | 0\n0 | 4 | 6 | 0\n0 | 6 | 12 | 0\n1 | 1 | 1 | 0\n1 | 3 | 4 | 0\n1 | 5 | 9 | 0"},
		{name: "not serialized", query: ev + " | distinct Event | scan with (step s: true;)", err: "not serialized"},
		{name: "output last", query: ev + " | sort by Ts asc | scan with (step s output=last: true;)", err: "output=last"},
	})
}
