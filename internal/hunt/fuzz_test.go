package hunt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql/sqlgen"
)

var fuzzNow = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// FuzzCompile drives the scanner, parser, binder and SQL generator
// together: any input either compiles or fails with an *Error; nothing
// panics or hangs.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`DeviceProcessEvents | where ProcessCommandLine has "whoami" | summarize count() by DeviceName`,
		`print x = strcat("a", 'b'), y = 1d + datetime(2020-01-01)`,
		`let T = datatable(a:long, b:string)[1, "x", 2, "y"]; T | join kind=leftouter (T) on a | order by a`,
		`DeviceNetworkEvents | extend d = parse_json(AdditionalFields) | mv-expand d | project d.x[0]`,
		`search "abc" and FileName:"*.exe"`,
		`union Device* | take 1`,
		`range x from 1 to 10 step 2 | serialize | extend r = row_number()`,
		`print ((((((((((((1))))))))))))`,
		`print "\\'; DROP TABLE x; --"`,
		`T | where a == "` + strings.Repeat(`\"`, 10) + `"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > 4096 {
			return
		}
		_, err := compile(q, sqlgen.Options{Now: fuzzNow, Window: -1})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}

// TestLiteralsCannotChangeSQL: whatever a string literal or quoted name
// holds, the SQL text is the same; only the bound arguments change.
func TestLiteralsCannotChangeSQL(t *testing.T) {
	hostile := []string{
		`x`, `'`, `''`, `\'`, `\\`, `"; DROP TABLE DeviceEvents; --`, `$1`, `' OR 1=1 --`,
		`%`, `_`, `*`, "\x00", `]]`, `\u0027`, `$$`, `/*`, `*/`,
	}
	var base string
	for i, h := range hostile {
		lit := strings.ReplaceAll(strings.ReplaceAll(h, `\`, `\\`), `"`, `\"`)
		q := `DeviceProcessEvents | where FileName == "` + lit + `" or ProcessCommandLine has "` + lit + `" | project FileName, x = strcat("` + lit + `", FileName)`
		prog, err := compile(q, sqlgen.Options{Now: fuzzNow, Window: -1})
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		if i == 0 {
			base = prog.SQL
			continue
		}
		if prog.SQL != base {
			t.Errorf("literal %q changed the SQL:\n%s\nvs\n%s", h, prog.SQL, base)
		}
		if strings.Contains(prog.SQL, h) && len(h) > 2 {
			t.Errorf("literal %q appears in the SQL text", h)
		}
	}
	// A quoted identifier reaches the SQL only quoted.
	prog, err := compile(`print ['a"; DROP TABLE x; --'] = 1`, sqlgen.Options{Now: fuzzNow, Window: -1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(prog.SQL, `"a""; DROP TABLE x; --"`) {
		t.Errorf("identifier not quoted: %s", prog.SQL)
	}
}

// TestKnownCompilerFailureModes covers the failures seen in a small
// public KQL-to-SQL compiler: deep parentheses that never finish, unknown
// constructs emitted silently as NULL, and quoting broken by backslashes.
func TestKnownCompilerFailureModes(t *testing.T) {
	deep := "print " + strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200)
	done := make(chan error, 1)
	go func() {
		_, err := compile(deep, sqlgen.Options{Now: fuzzNow})
		done <- err
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("deeply parenthesised expression did not finish compiling")
	}
	for _, q := range []string{
		`print no_such_function(1)`,
		`DeviceEvents | evaluate no_such_plugin()`,
		`DeviceEvents | where FileName has_nothing "x"`,
	} {
		prog, err := compile(q, sqlgen.Options{Now: fuzzNow})
		if err == nil {
			t.Errorf("%s compiled to %s", q, prog.SQL)
		}
	}
	eng := &Engine{Store: openTestStore(t)}
	for _, tc := range []struct{ q, want string }{
		{`print s = "a\\b"`, `a\b`},
		{`print s = 'it\'s'`, `it's`},
		{`print s = @"C:\temp\"`, `C:\temp\`},
		{`print s = strcat("\\", "'")`, `\'`},
	} {
		res, err := eng.Run(t.Context(), Request{Query: tc.q})
		if err != nil {
			t.Errorf("%s: %v", tc.q, err)
			continue
		}
		if got := res.Rows[0][0]; got != tc.want {
			t.Errorf("%s = %q, want %q", tc.q, got, tc.want)
		}
	}
}
