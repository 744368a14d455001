package hunt

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestStringFunctions runs the string, regex, encoding and parse
// functions and operators on DuckDB and checks Kusto's results.
func TestStringFunctions(t *testing.T) {
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	cases := []struct {
		query string
		want  string // rows joined by ";", values by "|"
	}{
		// extract: typed, no match, a group the regex lacks.
		{`print extract("x=([0-9]+)", 1, "a x=42 b", typeof(long)), extract("x=([0-9]+)", 1, "none"), extract("x", 2, "x")`, "42||"},
		{`print extract("x=([0-9.]+)", 1, "none", typeof(real))`, "<nil>"},
		// extract_all: one group, several, by number and by name.
		{`print extract_all(@"(\d)", "a1b2")`, `["1","2"]`},
		{`print extract_all(@"(\w)(\d)", dynamic([2]), "a1b2")`, `[["1"],["2"]]`},
		{`print extract_all(@"(?P<l>\w)(?P<d>\d)", dynamic(["d", "l"]), "a1b2")`, `[["1","a"],["2","b"]]`},
		{`print extract_all(@"(\d)", "none")`, "<nil>"},
		{`print extract_json("$.a.b", '{"a":{"b":"x"}}'), extract_json("$.n", '{"n":5}', typeof(long)), extract_json("$.a", "not json")`, "x|5|"},
		// split and joins.
		{`print split("a,b,c", ","), split("a,b,c", ",", 1), split("a,b", ",", 5)`, `["a","b","c"]|["b"]|[]`},
		{`print strcat_delim("-", 1, "b", 2.5), strcat_array(dynamic(["a", 1, true]), "+")`, "1-b-2.5|a+1+true"},
		// substring, indexof and friends.
		{`print substring("abcdef", 1, 3), substring("abcdef", -2, 3), substring("abcdef", 4), substring("abc", 5), substring("123456", -2, 2)`, "bcd|ef|ef||56"},
		{`print indexof("abcdefg", "cde"), indexof("abcdefg", "cde", 1, 2), indexof("abcdefg", "cde", -5), indexof("abcdefgabcdefg", "cde", 1, 10, 2), indexof("abc", "x")`, "2|-1|2|9|-1"},
		{`print indexof_regex("abcabc", @"a.c"), indexof_regex("abcabcdefg", @"a.c", 0, 9, 2), indexof_regex("ababaa", @"a.a", 0, -1, 2), indexof_regex("abc", "b", -1)`, "0|3|-1|<nil>"},
		{`print countof("aaa", "aa"), countof("aaa", "aa", "regex"), countof("abcabc", "[ab]", "regex")`, "2|1|4"},
		// replace and trim.
		{`print replace_string("a.b.c", ".", "-"), replace_regex("a1b22", @"(\d+)", @"<\1>"), replace(@"b", "B", "abab")`, "a-b-c|a<1>b<22>|aBaB"},
		{`print trim("-", "--x--"), trim_start(@"\s+", "  x  "), trim_end(@"\.com", "bing.com")`, "x|x  |bing"},
		{`print reverse("abc"), strcmp("a", "b"), strcmp("b", "a"), strcmp("a", "a"), strrep("ab", 3, ","), string_size("⒦"), isascii("é")`, "cba|-1|1|0|ab,ab,ab|3|false"},
		{`print regex_quote("a.b(c)"), tohex(255), tohex(-1), tohex(toint(-256), 8), tohex(10, 4)`, `a\.b\(c\)|ff|ffffffffffffffff|ffffff00|000a`},
		{`print format_bytes(564), format_bytes(10332, 1), format_bytes(20010332, 2), format_bytes(20010332, 0, "KB")`, "564 Bytes|10.1 KB|19.08 MB|19541 KB"},
		{`print translate("abc", "x", "aabbcc"), unicode_codepoints_to_string(unicode_codepoints_from_string("hé"))`, "xxxxxx|hé"},
		{`print has_any_index("this is an example", dynamic(["not", "example"])), has_any_index("abc", dynamic([]))`, "1|-1"},
		{`print m = "This is an example" | project o1 = replace_strings(m, dynamic(["is", "This"]), dynamic(["was", "This"])), o2 = replace_strings(m, dynamic(["This", "is"]), dynamic([1, "was"])), o3 = replace_strings("a cat, a dog", dynamic(["cat", "dog"]), dynamic(["dog", "pigeon"]))`, "Thwas was an example|This was an example|a dog, a pigeon"},
		{`print make_string(75, dynamic([117])), to_utf8("Ku"), extractall(@"(\d)", "a1b2"), base64_encode_fromarray(dynamic([75, 117]))`, `Ku|[75,117]|["1","2"]|S3U=`},
		// Encodings.
		{`print base64_encode_tostring("Kusto"), base64_decode_tostring("S3VzdG8="), base64_decode_tostring("***"), base64_decode_toarray("S3U=")`, "S3VzdG8=|Kusto||[75,117]"},
		{`print g = base64_decode_toguid(base64_encode_fromguid(guid(ae3133f2-6e22-49ae-b06a-16e6a9b212eb))), base64_encode_fromguid(guid(ae3133f2-6e22-49ae-b06a-16e6a9b212eb))`, "ae3133f2-6e22-49ae-b06a-16e6a9b212eb|8jMxriJurkmwahbmqbIS6w=="},
		{`print url_encode("a b/c~"), url_encode_component("a b/c"), url_decode("a%20b%2Fc")`, "a+b%2fc%7e|a%20b%2fc|a b/c"},
		{`print hash("World"), hash("World", 100), hash(datetime(2015-01-01)), hash_md5("World"), hash_sha1("World")`, "1846988464401551951|51|1380966698541616202|f5a7924e621e84c9280a9a27e1bcb7f6|70c07ec18ef89c5309bbb0937f3a6342411e1fdd"},
		{`print punycode_from_string("académie-française"), punycode_to_string("cqv902d"), punycode_domain_from_string("xn--Lin-8na.Celtchair.org"), punycode_domain_to_string("艺术.com"), punycode_to_string("!")`, "acadmie-franaise-npb1a|艺术|Lúin.Celtchair.org|xn--cqv902d.com|"},
		// parse_* functions.
		{`print parse_url("https://u:p@host:8080/a/b?x=1&y=%20z#f")`, `{"Fragment":"f","Host":"host","Password":"p","Path":"/a/b","Port":"8080","Query Parameters":{"x":"1","y":" z"},"Scheme":"https","Username":"u"}`},
		{`print parse_path(@"C:\temp\file.txt")`, `{"AlternateDataStreamName":"","DirectoryName":"temp","DirectoryPath":"C:\\temp","Extension":"txt","Filename":"file.txt","RootPath":"C:","Scheme":""}`},
		{`print parse_command_line(@"cmd.exe /c ""a b"" c", "windows"), parse_command_line(@"a\\\""b c"" d\e ""x\""y""", "windows")`, `["cmd.exe","/c","a b","c"]|["a\\\"b","c d\\e x\"y"]`},
		{`print parse_csv('a,"b,""c""",,d')`, `["a","b,\"c\"","","d"]`},
		{`print parse_version("1.2.3.4") > parse_version("1.2.3"), parse_version("x")`, "true|<nil>"},
		// The parse operator.
		{`print s = "id=42 name=bob rest" | parse s with "id=" id:long " name=" name " " *`, "id=42 name=bob rest|42|bob"},
		{`print s = "garbage" | parse s with "id=" id:long " name=" name`, "garbage|<nil>|"},
		{`print s = @"{""lat"":1.5,""lon"":2}" | parse s with "lat\":" lat:real ",\"lon\":" lon "}" rest | project lat, lon, rest`, "1.5|2|"},
		{`print p = @"C:\x\y.exe" | parse p with Drive @"\" *`, `C:\x\y.exe|C:`},
		{`print s = "id=x name=bob" | parse-where s with "id=" id:long " name=" name`, ""},
		{`print s = "id=x name=bob" | parse kind=relaxed s with "id=" id:long " name=" name`, "id=x name=bob|<nil>|bob"},
		{`print s = "k=V1, k=V2," | parse kind=regex flags=U s with ".*k=" v ","`, "k=V1, k=V2,|V1"},
		{`print s = "x (n=a, b=1, c=2)" | parse kind=regex s with * "n=" n "," * | project n`, "a, b=1"},
		{`print s = "a1b2" | parse kind=regex s with "([a-z])" d:int "([a-z])" e:int | project d, e`, "1|2"},
		{`datatable(s:string)["Name=A, n=1,", "name=B, n=x,"] | parse-where kind=regex flags=i s with * "NAME=" name "," * "n=" n:long "," * | project name, n`, "A|1"},
		// parse-kv.
		{`print s = "a=1 b=x y c=3" | parse-kv s as (a:long, b:string, c:long) with (pair_delimiter=" ", kv_delimiter="=") | project-away s`, "1|x|3"},
		{`print s = "a=1 b=x y c=3" | parse-kv s as (b:string) with (pair_delimiter=" ", kv_delimiter="=", greedy=true) | project-away s`, "x y"},
		{`print s = "a: 1, b: 'q \\' r'" | parse-kv s as (a:long, b:string) with (quote="'", escape="\\") | project-away s`, "1|q ' r"},
		{`print s = @"a='x y' b=(p q)" | parse-kv s as (a:string, b:string) with (pair_delimiter=" ", kv_delimiter="=", quote="'", quote="()") | project-away s`, "x y|p q"},
	}
	for _, c := range cases {
		res, err := eng.Run(context.Background(), Request{Query: c.query, Timespan: -1, Timeout: 10 * time.Second})
		if err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
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
				default:
					vals[j] = fmt.Sprint(x)
				}
			}
			rows[i] = strings.Join(vals, "|")
		}
		if got := strings.Join(rows, ";"); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.query, got, c.want)
		}
	}
}
