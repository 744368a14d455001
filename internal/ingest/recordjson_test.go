package ingest

import (
	"encoding/json"
	"testing"

	"github.com/valyala/fastjson"
)

func TestRecordJSON(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// Valid JSON is written as fastjson writes it.
		{`{"b":"x","a":1}`, `{"b":"x","a":1}`},
		{`[1,2.5,-3e2,null,true,false,"s"]`, `[1,2.5,-3e2,null,true,false,"s"]`},
		{`"caf\u00e9"`, `"caf\u00e9"`},
		{`{}`, `{}`},
		{`[]`, `[]`},
		// Raw control characters: re-encoded, keys in record order.
		{"{\"b\":\"\x03\",\"a\":1}", `{"b":"\u0003","a":1}`},
		{"{\"b\":\"\x03\",\"a\":1,\"b\":2}", `{"b":"\u0003","a":1,"b":2}`},
		{"{\"z\":{\"y\":\"\t\x1f\",\"x\":[1,2]},\"a\":null}", `{"z":{"y":"\t\u001f","x":[1,2]},"a":null}`},
		{"{\"k\x02\":\"v\"}", `{"k\u0002":"v"}`},
		{"\"\xff\x01\"", `"\ufffd\u0001"`},
		// Numbers JSON does not have keep their text.
		{`{"n":.5}`, `{"n":".5"}`},
		{`{"n":01}`, `{"n":"01"}`},
		{`{"n":+1}`, `{"n":"+1"}`},
		{`{"n":1e}`, `{"n":"1e"}`},
		{`{"n":NaN}`, `{"n":"NaN"}`},
		{`[inf,-inf]`, `["inf","-inf"]`},
		{"[\"\x01\",.5,7]", `["\u0001",".5",7]`},
	} {
		var p fastjson.Parser
		v, err := p.Parse(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		got := RecordJSON(v)
		if string(got) != c.want {
			t.Errorf("RecordJSON(%q) = %s, want %s", c.in, got, c.want)
		}
		if !json.Valid(got) {
			t.Errorf("RecordJSON(%q) = %s: not valid JSON", c.in, got)
		}
	}
}
