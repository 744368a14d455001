package hunt

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// TestDynScratch runs the queries in $DYN_KQL (separated by ";;") and
// prints their SQL and result: a debugging aid, skipped otherwise.
func TestDynScratch(t *testing.T) {
	q := os.Getenv("DYN_KQL")
	if sq := os.Getenv("DYN_SQL"); sq != "" {
		st := openTestStore(t)
		res, err := st.Query(context.Background(), store.Query{SQL: sq, MaxRows: 100})
		if err != nil {
			t.Fatalf("sql: %v", err)
		}
		for _, r := range res.Rows {
			for i, v := range r {
				if b, ok := v.(json.RawMessage); ok {
					r[i] = string(b)
				}
			}
			t.Logf("row: %v", r)
		}
		return
	}
	if q == "" {
		t.Skip("DYN_KQL not set")
	}
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	for _, one := range strings.Split(q, ";;") {
		prog, err := Compile(one, time.Now(), -1)
		if err != nil {
			t.Logf("compile: %v", err)
			continue
		}
		t.Logf("SQL: %s\nARGS: %v", prog.SQL, prog.Args)
		res, err := eng.Run(context.Background(), Request{Query: one, Timespan: -1})
		if err != nil {
			t.Logf("run: %v", err)
			continue
		}
		t.Logf("cols: %v", res.Columns)
		for _, r := range res.Rows {
			for i, v := range r {
				if b, ok := v.(json.RawMessage); ok {
					r[i] = string(b)
				}
			}
			t.Logf("row: %v", r)
		}
	}
}

// dynCases are queries on the dynamic, set, bag and IP functions and
// mv-apply, with their expected rows in canonRow's form (unordered).
var dynCases = []struct {
	name, query string
	want        []string
}{
	{"pack_array", `print a=pack_array(1, "x", dynamic(null), dynamic({"k":[1]}))`, []string{`[[1,"x",null,{"k":[1]}]]`}},
	{"bag_pack", `print b=bag_pack("a", 1, "b", "s"), p=pack("x", dynamic([1]))`, []string{`[{"a":1,"b":"s"} | {"x":[1]}]`}},
	{"pack_all", `datatable(S:string, N:long)["a", 1, "", long(null)] | extend P=pack_all(), Q=pack_all(true)`,
		[]string{`[ | null | {"N":null,"S":""} | {}]`, `[a | 1 | {"N":1,"S":"a"} | {"N":1,"S":"a"}]`}},
	{"bag functions", `print d=dynamic({"a":1,"b":{"c":2}}) | project k=bag_keys(d), h=bag_has_key(d, "$.b.c"), n=bag_has_key(d, "z"),
		s=bag_set_key(d, "$.b.e", 3), r=bag_remove_keys(d, dynamic(["a"])), m=bag_merge(d, dynamic({"a":9,"z":0}))`,
		[]string{`[["a","b"] | true | false | {"a":1,"b":{"c":2,"e":3}} | {"b":{"c":2}} | {"a":1,"b":{"c":2},"z":0}]`}},
	{"bag_zip", `print z=bag_zip(dynamic(["a", 8, "b"]), dynamic([1, "2"]))`, []string{`[{"a":1,"b":null}]`}},
	{"array basics", `print a=dynamic([1,2,3,4,5]) | project l=array_length(a), n=array_length(dynamic({})), s=array_slice(a, -3, -2), r=array_reverse(a),
		rl=array_rotate_left(a, 2), rr=array_rotate_right(a, 2), sl=array_shift_left(a, 1), sr=array_shift_right(a, 1, 0), c=array_concat(a, dynamic(["x"]))`,
		[]string{`[5 | null | [3,4] | [5,4,3,2,1] | [3,4,5,1,2] | [4,5,1,2,3] | [2,3,4,5,null] | [0,1,2,3,4] | [1,2,3,4,5,"x"]]`}},
	{"array_split", `print a=array_split(dynamic([1,2,3,4,5]), dynamic([2,4])), b=array_split(dynamic([1,2,3]), 1)`, []string{`[[[1,2],[3,4],[5]] | [[1],[2,3]]]`}},
	{"array_sort", `print a=array_sort_asc(dynamic([3,null,10,"b",1])), d=array_sort_desc(dynamic([null,"b","c","a"])), f=array_sort_desc(dynamic([null,2,1]), false)`,
		[]string{`[[1,3,10,"b",null] | ["c","b","a",null] | [null,2,1]]`}},
	{"array_sort several", `print s=array_sort_asc(dynamic([3,1,2]), dynamic(["c","a","b"]))[1]`, []string{`[["a","b","c"]]`}},
	{"array_index_of", `let a=dynamic(["x","y","x"]); print i=array_index_of(a, "x"), j=array_index_of(a, "x", 1), k=array_index_of(a, "z"), o=array_index_of(a, "x", 0, -1, 2)`,
		[]string{`[0 | 2 | -1 | 2]`}},
	{"array_iff array_sum", `print i=array_iff(dynamic([true,false,1,"s"]), dynamic([1,2,3,4]), 0), s=array_sum(dynamic([1,2.5])), t=array_sum(dynamic([1,"x"]))`,
		[]string{`[[1,0,3,null] | 3.5 | null]`}},
	{"sets", `print u=set_union(dynamic([1,2,2]), dynamic([3,1])), i=set_intersect(dynamic([1,2,3,1]), dynamic([3,1])), d=set_difference(dynamic([1,2,3]), dynamic([2])),
		h=set_has_element(dynamic(["a","b"]), "b"), j=jaccard_index(dynamic([1,2,3]), dynamic([1,2,3,4])), z=zip(dynamic([1,2]), dynamic(["a"]))`,
		[]string{`[[1,2,3] | [1,3] | [1,3] | true | 0.75 | [[1,"a"],[2,null]]]`}},
	{"gettype", `print a=gettype(dynamic([])), b=gettype(dynamic({})), c=gettype(parse_json('{"x":1.5}').x), d=gettype(1), e=gettype("s"), f=gettype(parse_json("1")), g=gettype(parse_json("5000000000")), h=gettype(1s), i=gettype(parse_json(""))`,
		[]string{`[array | dictionary | real | long | string | int | long | timespan | null]`}},
	{"dynamic_to_json", `print j=dynamic_to_json(dynamic({"b":[{"d":1,"c":2}],"a":1}))`, []string{`[{"a":1,"b":[{"c":2,"d":1}]}]`}},
	{"parse_json compare", `print e=parse_json('[1, 2]') == dynamic([1,2]), s=tostring(parse_json('{"a": [1, 2]}'))`, []string{`[true | {"a":[1,2]}]`}},
	{"ipv4", `datatable(ip:string)["10.1.2.3", "192.168.1.1/24", "8.8.8.8", "300.1.1.1"]
		| extend p=ipv4_is_private(ip), n=parse_ipv4(ip), r=ipv4_is_in_range(ip, "10.0.0.0/8"), a=ipv4_is_in_any_range(ip, dynamic(["8.8.0.0/16", "192.168.0.0/16"])),
		  f=format_ipv4_mask(ip, 16), s=ipv4_netmask_suffix(ip)`,
		[]string{`[10.1.2.3 | true | 167838211 | true | false | 10.1.0.0/16 | 32]`, `[192.168.1.1/24 | true | 3.23223578e+09 | false | true | 192.168.0.0/16 | 24]`,
			`[8.8.8.8 | false | 134744072 | false | true | 8.8.0.0/16 | 32]`, `[300.1.1.1 | null | null | null | null |  | null]`}},
	{"ipv4 match", `print m=ipv4_is_match("192.168.1.1/24", "192.168.1.255"), c=ipv4_compare("10.0.0.1", "10.0.0.2"), c2=ipv4_compare("10.0.0.1", "10.0.0.2", 24), k=parse_ipv4_mask("10.1.2.3", 8)`,
		[]string{`[true | -1 | 0 | 167772160]`}},
	{"has_ipv4", `print a=has_ipv4("GET 10.0.0.1/x", "10.0.0.1"), b=has_ipv4("x10.0.0.1", "10.0.0.1"), c=has_any_ipv4_prefix("a 192.168.3.4 b", "10.", "192.168."), d=has_ipv4_prefix("a 192.168.3.4", "192.16")`,
		[]string{`[true | false | true | false]`}},
	{"ipv6", `print p=parse_ipv6("fe80::1/64"), m=ipv6_is_match("::ffff:c0a8:0101", "192.168.1.1"), r=ipv6_is_in_range("2001:db8::5", "2001:db8::/32"), c=ipv6_compare("::1", "::2"), v4=parse_ipv6("10.0.0.1")`,
		[]string{`[fe80:0000:0000:0000:0000:0000:0000:0000 | true | true | -1 | 0000:0000:0000:0000:0000:ffff:0a00:0001]`}},
	{"treepath", `print t=treepath(parse_json('{"l":[100,{"x":"y"}],"p":"v"}'))`, []string{`[["['l']","['l'][0]","['l'][0]['x']","['p']"]]`}},
	{"unused let", `let unused = dynamic(["a"]); let n = 5; print x = array_length(dynamic([1]))`, []string{`[1]`}},
	{"mv-apply top per row", `datatable(k:int, a:dynamic)[1, dynamic([5,1,3]), 2, dynamic([4,10,8,7])]
		| mv-apply v=a to typeof(long) on (top 2 by v | summarize t=make_list(v))`, []string{`[1 | [5,1,3] | [5,3]]`, `[2 | [4,10,8,7] | [10,8]]`}},
	{"mv-apply index and where", `datatable(k:int, a:dynamic)[1, dynamic(["x","y","z"])]
		| mv-apply with_itemindex=i v=a on (where i >= 1 | extend u=toupper(tostring(v)))`, []string{`[1 | ["x","y","z"] | y | 1 | Y]`, `[1 | ["x","y","z"] | z | 2 | Z]`}},
	{"mv-apply take and count", `datatable(k:int, a:dynamic)[1, dynamic([1,2,3]), 2, dynamic([4])]
		| mv-apply a on (take 2 | summarize n=count(), s=sum(toint(a)))`, []string{`[1 | 2 | 3]`, `[2 | 1 | 4]`}},
	// An expanded column the subquery does not return is gone (Kusto's
	// geo_h3cell_rings example); one expanded under a new name keeps the
	// original.
	{"mv-apply renamed keeps the array", `datatable(k:int, a:dynamic)[1, dynamic([1,2,3])]
		| mv-apply x = a on (summarize n=count())`, []string{`[1 | [1,2,3] | 3]`}},
}

func TestDynFunctions(t *testing.T) {
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	for _, c := range dynCases {
		t.Run(c.name, func(t *testing.T) {
			res, err := eng.Run(context.Background(), Request{Query: c.query, Timespan: -1})
			if err != nil {
				t.Fatalf("%v", err)
			}
			types := make([]schema.Type, len(res.Columns))
			for i, col := range res.Columns {
				types[i] = col.Type
			}
			got := make([]string, len(res.Rows))
			for i, r := range res.Rows {
				got[i] = canonRow(r, types, false)
			}
			want := append([]string(nil), c.want...)
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestDynHunting runs the hunting queries of $DYN_HUNT (a JSONL file)
// that use the functions of this area and logs why those that fail do:
// a debugging aid, skipped otherwise.
func TestDynHunting(t *testing.T) {
	path := os.Getenv("DYN_HUNT")
	if path == "" {
		t.Skip("DYN_HUNT not set")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	match := regexp.MustCompile(os.Getenv("DYN_HUNT_MATCH"))
	eng := &Engine{Store: openTestStore(t)}
	ok, n := 0, 0
	for _, line := range strings.Split(string(b), "\n") {
		var c struct{ ID, Query string }
		if json.Unmarshal([]byte(line), &c) != nil || !match.MatchString(c.Query) {
			continue
		}
		n++
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			_, err = eng.Run(ctx, Request{Query: c.Query})
			return err
		}()
		cancel()
		if err != nil {
			t.Logf("%s: %v", c.ID, err)
			continue
		}
		ok++
	}
	t.Logf("%d/%d ran", ok, n)
}

// TestDynDeterministic: a query compiles to the same SQL every time,
// whatever was compiled before (lambda parameters are named per call).
func TestDynDeterministic(t *testing.T) {
	q := `datatable(a:dynamic, ip:string)[dynamic([1,2]), "10.0.0.1"]
		| extend s=set_union(a, array_reverse(a)), p=ipv4_is_in_any_range(ip, "10.0.0.0/8", "192.168.0.0/16"), b=bag_merge(bag_pack("k", a), dynamic({"z":1}))
		| mv-apply kind=array v=b on (summarize n=count())`
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	first, err := Compile(q, now, -1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(`print treepath(dynamic({"a":[1]})), zip(dynamic([1]), dynamic([2]))`, now, -1); err != nil {
		t.Fatal(err)
	}
	second, err := Compile(q, now, -1)
	if err != nil {
		t.Fatal(err)
	}
	if first.SQL != second.SQL {
		t.Errorf("the SQL differs between two compilations:\n%s\n%s", first.SQL, second.SQL)
	}
}
