package store

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigilsec/vigil/internal/schema"
)

type named string
type namedInt int16

type panicky struct{}

func (panicky) MarshalJSON() ([]byte, error) { panic("boom") }

func TestNormalize(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", 3600))
	str := "ptr"
	var nilStr *string
	f := func(typ schema.Type, in, want any) {
		t.Helper()
		got, err := Normalize(schema.Column{Name: "C", Type: typ}, in)
		if err != nil {
			t.Errorf("Normalize(%s, %#v): unexpected error %v", typ, in, err)
			return
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Normalize(%s, %#v) (-want +got):\n%s", typ, in, diff)
		}
		// Canonical values are fixed points.
		again, err := Normalize(schema.Column{Name: "C", Type: typ}, got)
		if err != nil || !cmp.Equal(got, again) {
			t.Errorf("Normalize(%s, %#v) not idempotent: %#v, %v", typ, got, again, err)
		}
	}
	for _, typ := range []schema.Type{schema.String, schema.Int, schema.Long, schema.Real, schema.Decimal,
		schema.Bool, schema.DateTime, schema.TimeSpan, schema.GUID, schema.Dynamic} {
		f(typ, nil, nil)
		f(typ, nilStr, nil)
	}

	f(schema.String, "abc", "abc")
	f(schema.String, "", "")
	f(schema.String, "a\x00b", "a\x00b")
	f(schema.String, "bad\xffutf8", "bad\uFFFDutf8")
	f(schema.String, &str, "ptr")
	f(schema.String, named("n"), "n")

	f(schema.Int, int32(-5), int32(-5))
	f(schema.Int, 7, int32(7))
	f(schema.Int, int64(math.MaxInt32), int32(math.MaxInt32))
	f(schema.Int, uint8(200), int32(200))
	f(schema.Int, 3.0, int32(3))
	f(schema.Int, json.Number("12"), int32(12))
	f(schema.Int, namedInt(9), int32(9))

	f(schema.Long, int64(math.MinInt64), int64(math.MinInt64))
	f(schema.Long, 42, int64(42))
	f(schema.Long, int32(-1), int64(-1))
	f(schema.Long, uint64(math.MaxInt64), int64(math.MaxInt64))
	f(schema.Long, 1e15, int64(1e15))
	f(schema.Long, json.Number("9007199254740993"), int64(9007199254740993))
	f(schema.Long, json.Number("2e3"), int64(2000))

	f(schema.Real, 1.5, 1.5)
	f(schema.Real, float32(0.5), 0.5)
	f(schema.Real, 3, 3.0)
	f(schema.Real, uint64(math.MaxUint64), float64(math.MaxUint64))
	f(schema.Real, json.Number("1e400"), math.Inf(1))
	f(schema.Real, math.Inf(-1), math.Inf(-1))

	f(schema.Decimal, "1.50", "1.5")
	f(schema.Decimal, "+0001.2300", "1.23")
	f(schema.Decimal, "-0.000", "0")
	f(schema.Decimal, ".5", "0.5")
	f(schema.Decimal, "5.", "5")
	f(schema.Decimal, "1e3", "1000")
	f(schema.Decimal, "-12.5E-3", "-0.0125")
	f(schema.Decimal, " 7 ", "7")
	f(schema.Decimal, "123456789012345678901234567890.123456789012345678901234567890",
		"123456789012345678901234567890.12345678901234567890123456789")
	f(schema.Decimal, 0.1, "0.1")
	f(schema.Decimal, 1e21, "1000000000000000000000")
	f(schema.Decimal, -2.5e-7, "-0.00000025")
	f(schema.Decimal, 12, "12")
	f(schema.Decimal, uint64(math.MaxUint64), "18446744073709551615")
	f(schema.Decimal, json.Number("3.14"), "3.14")

	f(schema.Bool, true, true)
	f(schema.Bool, false, false)

	f(schema.DateTime, ts, ts.UTC())
	f(schema.DateTime, time.Time{}, time.Time{})
	f(schema.DateTime, &ts, ts.UTC())

	f(schema.TimeSpan, time.Duration(0), time.Duration(0))
	f(schema.TimeSpan, -90*time.Minute, -90*time.Minute)

	const g = "0f8fad5b-d9cb-469f-a165-70867728950e"
	f(schema.GUID, g, g)
	f(schema.GUID, strings.ToUpper(g), g)
	f(schema.GUID, "{"+g+"}", g)
	f(schema.GUID, strings.ReplaceAll(g, "-", ""), g)
	f(schema.GUID, [16]byte{0x0f, 0x8f, 0xad, 0x5b, 0xd9, 0xcb, 0x46, 0x9f, 0xa1, 0x65, 0x70, 0x86, 0x77, 0x28, 0x95, 0x0e}, g)
	type uuidLike [16]byte
	f(schema.GUID, uuidLike{15: 1}, "00000000-0000-0000-0000-000000000001")

	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	f(schema.Dynamic, raw(`{ "a" : [1, 2] }`), raw(`{"a":[1,2]}`))
	f(schema.Dynamic, `{"big": 12345678901234567890}`, raw(`{"big":12345678901234567890}`))
	f(schema.Dynamic, "42", raw(`42`))
	f(schema.Dynamic, "not json", raw(`"not json"`))
	f(schema.Dynamic, "", nil)
	f(schema.Dynamic, "null", nil)
	f(schema.Dynamic, []byte(`[true]`), raw(`[true]`))
	f(schema.Dynamic, map[string]any{"k": 1}, raw(`{"k":1}`))
	f(schema.Dynamic, []int{1, 2}, raw(`[1,2]`))
	f(schema.Dynamic, 1.5, raw(`1.5`))
	f(schema.Dynamic, "\"\xff\"", raw("\"\uFFFD\""))
}

func TestNormalizeErrors(t *testing.T) {
	f := func(typ schema.Type, in any, wantReason string) {
		t.Helper()
		_, err := Normalize(schema.Column{Name: "Col", Type: typ}, in)
		var ve *ValueError
		if !errors.As(err, &ve) {
			t.Errorf("Normalize(%s, %#v) = %v, want *ValueError", typ, in, err)
			return
		}
		if ve.Column != "Col" || ve.Want != typ || ve.Got != reflect.TypeOf(in).String() {
			t.Errorf("Normalize(%s, %#v): error fields %+v", typ, in, ve)
		}
		if !strings.Contains(ve.Reason, wantReason) {
			t.Errorf("Normalize(%s, %#v): reason %q, want it to contain %q", typ, in, ve.Reason, wantReason)
		}
	}
	f(schema.String, 5, reasonType)
	f(schema.String, []byte("x"), reasonType)
	f(schema.Int, int64(math.MaxInt32+1), "out of range for int")
	f(schema.Int, uint64(math.MaxUint64), "out of range")
	f(schema.Int, 1.5, "not an integer")
	f(schema.Int, "5", reasonType)
	f(schema.Int, json.Number("x"), "not a number")
	f(schema.Long, math.NaN(), "not an integer")
	f(schema.Long, 1e19, "out of range")
	f(schema.Long, time.Second, reasonType)
	f(schema.Real, "1.5", reasonType)
	f(schema.Real, json.Number("abc"), "not a number")
	f(schema.Decimal, "1.2.3", "not a decimal number")
	f(schema.Decimal, "", "not a decimal number")
	f(schema.Decimal, "-", "not a decimal number")
	f(schema.Decimal, "1e", "not a decimal number")
	f(schema.Decimal, "NaN", "not a decimal number")
	f(schema.Decimal, "1e401", "exponent out of range")
	f(schema.Decimal, "1e99999999999999999999", "exponent out of range")
	f(schema.Decimal, strings.Repeat("9", 1001), "longer than")
	f(schema.Decimal, math.Inf(1), "no decimal value")
	f(schema.Decimal, true, reasonType)
	f(schema.Bool, 1, reasonType)
	f(schema.Bool, "true", reasonType)
	f(schema.DateTime, "2024-01-01", reasonType)
	f(schema.DateTime, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "outside 1..9999")
	f(schema.DateTime, time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), "outside 1..9999")
	f(schema.TimeSpan, int64(5), reasonType)
	f(schema.TimeSpan, "1h", reasonType)
	f(schema.GUID, "not-a-guid", "not a GUID")
	f(schema.GUID, "0f8fad5b_d9cb_469f_a165_70867728950e", "not a GUID")
	f(schema.GUID, "zf8fad5b-d9cb-469f-a165-70867728950e", "not a GUID")
	f(schema.GUID, [15]byte{}, reasonType)
	f(schema.Dynamic, json.RawMessage(`{bad`), "invalid JSON")
	f(schema.Dynamic, make(chan int), "cannot encode as JSON")
	f(schema.Dynamic, panicky{}, "panic: boom")
	type loop *loop
	var l loop
	l = &l
	f(schema.String, l, reasonType)

	_, err := Normalize(schema.Column{Name: "X", Type: schema.Invalid}, 1)
	if err == nil {
		t.Error("Normalize with an invalid column type succeeded")
	}
}

// FuzzNormalize feeds every column type a value of every Go kind built
// from the fuzzer's bytes: Normalize must never panic, and what it returns
// must be canonical (a fixed point of the same column).
func FuzzNormalize(f *testing.F) {
	f.Add(uint8(0), "1.50", int64(3), 1.5)
	f.Add(uint8(1), "0f8fad5b-d9cb-469f-a165-70867728950e", int64(-1), math.Inf(1))
	f.Add(uint8(2), `{"a":[1,2,{"b":null}]}`, int64(math.MaxInt64), math.NaN())
	f.Add(uint8(3), "1e-400", int64(math.MinInt64), -0.0)
	f.Add(uint8(4), "\xff\xfe", int64(1<<40), 1e300)
	f.Fuzz(func(t *testing.T, k uint8, s string, i int64, fl float64) {
		values := []any{
			s, []byte(s), json.RawMessage(s), json.Number(s), named(s), &s,
			i, int32(i), int(i), uint64(i), namedInt(i), time.Duration(i),
			fl, float32(fl), k%2 == 0, time.Unix(i, int64(k)),
			map[string]any{s: fl}, []any{s, i},
		}
		for typ := schema.Bool; typ <= schema.Dynamic; typ++ {
			col := schema.Column{Name: "F", Type: typ}
			for _, v := range values {
				out, err := Normalize(col, v)
				if err != nil {
					var ve *ValueError
					if !errors.As(err, &ve) {
						t.Fatalf("Normalize(%s, %#v): error %T, want *ValueError", typ, v, err)
					}
					continue
				}
				again, err := Normalize(col, out)
				if err != nil || !cmp.Equal(out, again, cmpopts.EquateNaNs()) {
					t.Fatalf("Normalize(%s, %#v) = %#v, not canonical: %#v, %v", typ, v, out, again, err)
				}
			}
		}
	})
}
