package hunt

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// confRun runs a query and renders its rows as "a|b;c|d".
func confRun(t *testing.T, eng *Engine, query string) (string, error) {
	t.Helper()
	res, err := eng.Run(context.Background(), Request{Query: query, Timespan: -1, Timeout: 10 * time.Second})
	if err != nil {
		return "", err
	}
	rows := make([]string, len(res.Rows))
	for i, r := range res.Rows {
		vals := make([]string, len(r))
		for j, v := range r {
			switch x := v.(type) {
			case json.RawMessage:
				vals[j] = remarshal(x)
			case nil:
				vals[j] = "<nil>"
			case time.Time:
				vals[j] = x.UTC().Format(time.RFC3339)
			default:
				vals[j] = fmt.Sprint(x)
			}
		}
		rows[i] = strings.Join(vals, "|")
	}
	return strings.Join(rows, ";"), nil
}

// TestConfQueries checks the aggregates, functions and plugins of
// aggs_more.go, funcs_more.go and op_more2.go on DuckDB.
func TestConfQueries(t *testing.T) {
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	cases := []struct {
		query string
		want  string // rows joined by ";", values by "|"
	}{
		// make_set keeps first-seen order; arrays give their elements.
		{`datatable(v:long)[3, 1, 3, 2, 1] | summarize make_set(v)`, `[3,1,2]`},
		{`datatable(v:dynamic)[dynamic([2, 1]), dynamic(3), dynamic([1, 4])] | summarize make_set(v)`, `[2,1,3,4]`},
		{`datatable(v:long)[3, 1, 3, 2, 1] | summarize make_set(v, 2)`, `[3,1]`},
		// Weighted nearest-rank percentiles.
		{`datatable(v:long, w:long)[10, 8, 20, 6, 30, 3, 40, 1] | summarize percentilesw(v, w, 0, 50, 100), percentilew(v, w, 75)`, "10|20|40|20"},
		{`datatable(v:real)[1, 2, 3, 4] | summarize percentiles_array(v, 25, 50, 100)`, `[1,2,4]`},
		// arg_max when x is null in every row still returns a row.
		{`datatable(k:string, x:long, c:string)["a", long(null), "only"] | summarize arg_max(x, c) by k`, "a|<nil>|only"},
		// Exact sketches.
		{`range x from 1 to 100 step 1 | summarize h = hll(x % 10), t = tdigest(x) | project dcount_hll(h), percentile_tdigest(t, 50, typeof(long)), rank_tdigest(t, 30), percentrank_tdigest(t, 25)`, "10|50|30|25"},
		{`range x from 1 to 4 step 1 | summarize a = hll(x), b = hll(x + 2) | project dcount_hll(hll_merge(a, b))`, "6"},
		{`datatable(x:long)[] | summarize hll(x), tdigest(x)`, "<nil>|<nil>"},
		{`range x from 1 to 10 step 1 | summarize t = tdigest(x) by g = x % 2 | summarize m = merge_tdigest(t) | project percentiles_array_tdigest(m, 10, 100)`, `[1,10]`},
		// buildschema merges the types found at each place.
		{`datatable(v:dynamic)[dynamic({"a":1, "b":[1, "x"]}), dynamic({"a":"s", "b":{"c":true}}), dynamic(null)] | summarize buildschema(v)`, `{"a":["long","string"],"b":{"` + "`indexer`" + `":["long","string"],"c":"bool"}}`},
		// Over no values: sum 0, avg NaN, stdev and variance 0.
		{`datatable(x:long)[] | summarize sum(x), avg(x), stdev(x), variance(x), sumif(x, x > 0), buildschema(x)`, "0|NaN|0|0|0|<nil>"},
		// Bitwise and covariance aggregates.
		{`datatable(v:long)[12, 10, 14] | summarize binary_all_and(v), binary_all_or(v), binary_all_xor(v)`, "8|14|8"},
		{`datatable(x:long, y:long)[1, 2, 2, 4, 3, 6, 4, 0] | summarize covarianceif(x, y, x < 4), covariancepif(x, y, x < 4)`, "2|1.3333333333333333"},
		// range() of numbers, datetimes and timespans.
		{`print range(1, 5, 2), range(5, 1, -2), range(1, 3), range(1, 0, 1), range(1.5, 2.5, 0.5)`, `[1,3,5]|[5,3,1]|[1,2,3]|[]|[1.5,2,2.5]`},
		{`print range(datetime(2024-01-01), datetime(2024-01-03), 1d), range(1h, 3h, 1h)`, `["2024-01-01T00:00:00Z","2024-01-02T00:00:00Z","2024-01-03T00:00:00Z"]|["01:00:00","02:00:00","03:00:00"]`},
		// Named arguments of user functions.
		{`let f = (a:long, b:string = "d", c:long = 0) { strcat(a, "-", b, "-", c) }; print f(c=7, a=1), f(2, c=3), f(4, "x")`, "1-d-7|2-d-3|4-x-0"},
		// Datetime literal forms.
		{`print datetime(2025, 6, 14), datetime(2017 - 08 - 01), datetime(2025, 6, 14, 3, 4, 5)`, "2025-06-14T00:00:00Z|2017-08-01T00:00:00Z|2025-06-14T03:04:05Z"},
		// union names inputs by a final as and maps split columns.
		{`union withsource=T (print x=1 | as A), (print x="s" | as B) | project T`, "A;B"},
		// Plugins.
		{`datatable(i:long, s:string)[1, "a", 2, "b", 3, "X", 4, "c", 5, "d", 6, "e"] | sort by i asc | evaluate rows_near(s == "X", 1, 2) | project i`, "2;3;4;5"},
		{`let L = datatable(net:string, name:string)["10.0.0.0/8", "ten", "10.1.0.0/16", "ten-one"]; datatable(ip:string)["10.1.2.3", "11.0.0.1"] | evaluate ipv4_lookup(L, ip, net, return_unmatched = true) | order by ip asc, name asc`, "10.1.2.3|10.0.0.0/8|ten;10.1.2.3|10.1.0.0/16|ten-one;11.0.0.1||"},
		{`let L = datatable(net:string, name:string)["fe80::/10", "link"]; datatable(ip:string)["fe80::1", "2001::1"] | evaluate ipv6_lookup(L, ip, net)`, "fe80::1|fe80::/10|link"},
		{`range x from 1 to 30 step 1 | summarize a = hll(iif(x % 2 == 0, x, 0)), b = hll(iif(x % 3 == 0, x, 0)) | evaluate dcount_intersect(a, b) | project s0, s1`, "16|6"},
		// Pattern statements select a mapping by its literal arguments.
		{`declare pattern p = (a:string, n:long) { ("x", 1) = { print v = "x1" }; ("x", 2) = { print v = "x2" }; }; p("x", 2)`, "x2"},
		// print array_sort_asc of several named arrays: one column each.
		{`let a = dynamic([2, 1, 3]); let b = dynamic(["x", "y", "z"]); print array_sort_asc(a, b)`, `[1,2,3]|["y","x","z"]`},
		// A where on left columns after an innerunique join filters the
		// left side first; one on right columns does not.
		{`let L = datatable(k:long, v:string)[1, "a", 1, "b"]; let R = datatable(k:long, w:string)[1, "x"]; L | join kind=innerunique R on k | where v == "b" and strlen(v) == 1 | project v, w`, "b|x"},
		{`let L = datatable(k:long, v:string)[1, "a", 1, "b"]; let R = datatable(k:long, w:string)[1, "x"]; L | join kind=innerunique R on k | where w == "x" | count`, "1"},
		// bin_auto reads the set options.
		{`set query_bin_auto_size=10; print bin_auto(27)`, "20"},
	}
	for _, c := range cases {
		got, err := confRun(t, eng, c.query)
		if err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.query, got, c.want)
		}
	}
	// What is not supported fails clearly.
	for _, q := range []string{
		`declare pattern p = (a:string) { ("x") = { print v = 1 }; }; p("y")`,
		`print bin_auto(3)`,
		`datatable(s:string)["a"] | evaluate rows_near(s == "a", 1)`,
		`let f = (a:long) { a }; print f(b=1)`,
		`print v = dynamic({"a":{"b":{"c":{"d":1}}}}) | summarize buildschema(v)`,
	} {
		if _, err := confRun(t, eng, q); err == nil {
			t.Errorf("%s: want an error", q)
		}
	}
}

// TestConfCompress reads the stored-block zlib and gzip data back with
// Go's decompressors, for empty, UTF-8 and (zlib) multi-block texts.
func TestConfCompress(t *testing.T) {
	eng := &Engine{Store: openTestStore(t), Now: time.Now}
	for _, c := range []struct{ expr, text string }{
		{`""`, ""},
		{`"héllo wörld"`, "héllo wörld"},
		{`strrep("abcdefghij", 7000)`, strings.Repeat("abcdefghij", 7000)},
	} {
		q := "print zlib_compress_to_base64_string(" + c.expr + "), gzip_compress_to_base64_string(" + c.expr + ")"
		if len(c.text) > 65535 {
			// The blocks are shared; gzip's CRC-32 is slow in SQL.
			q = "print zlib_compress_to_base64_string(" + c.expr + ")"
		}
		got, err := confRun(t, eng, q)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		parts := strings.Split(got, "|")
		for i, p := range parts {
			raw, err := base64.StdEncoding.DecodeString(p)
			if err != nil {
				t.Fatalf("%s: %v", c.expr, err)
			}
			var r io.Reader
			if i == 0 {
				r, err = zlib.NewReader(bytes.NewReader(raw))
			} else {
				r, err = gzip.NewReader(bytes.NewReader(raw))
			}
			if err != nil {
				t.Fatalf("%s (%d): %v", c.expr, i, err)
			}
			out, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("%s (%d): %v", c.expr, i, err)
			}
			if string(out) != c.text {
				t.Errorf("%s (%d): read back %d bytes, want %d", c.expr, i, len(out), len(c.text))
			}
		}
	}
}
