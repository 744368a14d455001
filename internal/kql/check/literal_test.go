package check

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

func TestTypedValue(t *testing.T) {
	f := func(typ schema.Type, body, want string) {
		t.Helper()
		v, err := TypedValue(typ, body)
		got := ""
		switch x := v.(type) {
		case time.Time:
			got = x.Format(time.RFC3339Nano)
		case nil:
			got = "null"
		default:
			got = fmt.Sprint(x)
		}
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("%s(%s) = %s (%v), want %s", typ, body, got, err, want)
		}
	}
	f(schema.DateTime, "2024-01-02", "2024-01-02T00:00:00Z")
	f(schema.DateTime, "1970-5-12", "1970-05-12T00:00:00Z")
	f(schema.DateTime, "2024-01-02 3:04", "2024-01-02T03:04:00Z")
	f(schema.DateTime, "2024-01-02T10:00:00.1234567Z", "2024-01-02T10:00:00.1234567Z")
	f(schema.DateTime, "2024-01-02T10:00:00+02:00", "2024-01-02T08:00:00Z")
	f(schema.DateTime, `"01/16/2022 00:00:00"`, "2022-01-16T00:00:00Z")
	f(schema.DateTime, "Sat, 8 Nov 14 15:05:02 GMT", "2014-11-08T15:05:02Z")
	f(schema.DateTime, "Saturday, 08-Nov-14 15:05:02 GMT", "2014-11-08T15:05:02Z")
	f(schema.DateTime, "null", "null")
	f(schema.DateTime, "Insert date", "error")
	f(schema.DateTime, "2024-13-45", "error")
	f(schema.DateTime, "0000", "error")
	f(schema.TimeSpan, "1d", "24h0m0s")
	f(schema.TimeSpan, "1.5h", "1h30m0s")
	f(schema.TimeSpan, "100ms", "100ms")
	f(schema.TimeSpan, "25min", "25m0s")
	f(schema.TimeSpan, "10microsecond", "10µs")
	f(schema.TimeSpan, "1tick", "100ns")
	f(schema.TimeSpan, "2", "48h0m0s")
	f(schema.TimeSpan, "01:02:03", "1h2m3s")
	f(schema.TimeSpan, "1.02:03:04.5", "26h3m4.5s")
	f(schema.TimeSpan, "-00:00:01", "-1s")
	f(schema.TimeSpan, "banana", "error")
	f(schema.TimeSpan, "25:00:00", "error")
	f(schema.TimeSpan, "1e300d", "error")
	f(schema.Int, "42", "42")
	f(schema.Int, "3000000000", "error")
	f(schema.Long, "0x10", "16")
	f(schema.Real, "nan", "NaN")
	f(schema.Real, "+inf", "+Inf")
	f(schema.Bool, "true", "true")
	f(schema.Bool, "yes", "error")
	f(schema.GUID, "74BE27DE-1E4E-49D9-B579-FE0B331D3642", "74be27de-1e4e-49d9-b579-fe0b331d3642")
	f(schema.GUID, "not-a-guid", "error")
	f(schema.Decimal, "1.5", "1.5")
}

func TestJoinNeedsOnAndAKnownKind(t *testing.T) {
	f := func(q, want string) {
		t.Helper()
		_, err := bind(t, q)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", q, err, want)
		}
	}
	f("DeviceEvents | join (DeviceProcessEvents)", "join needs an on clause")
	f("DeviceEvents | join kind=bogus (DeviceProcessEvents) on DeviceId", "join kind 'bogus'")
}

func FuzzTypedValue(f *testing.F) {
	for _, s := range []string{"2024-01-02", "1970-5-12 3:4", `"01/16/2022"`, "1.02:03:04.5", "25min", "1e300d", "0x10", "nan", "-00:00:01"} {
		f.Add(s)
	}
	types := []schema.Type{schema.DateTime, schema.TimeSpan, schema.Int, schema.Long, schema.Real, schema.Bool, schema.GUID, schema.Decimal}
	f.Fuzz(func(t *testing.T, body string) {
		for _, typ := range types {
			v, err := TypedValue(typ, body)
			if err == nil && v != nil {
				if _, nerr := store.Normalize(schema.Column{Name: "x", Type: typ}, v); nerr != nil && typ != schema.Decimal {
					t.Fatalf("%s(%q) = %v (%T), not a valid store value: %v", typ, body, v, v, nerr)
				}
			}
		}
	})
}
