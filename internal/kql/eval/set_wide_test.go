package eval

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/schema"
)

func TestFoldSafe(t *testing.T) {
	for _, c := range []struct {
		r    rune
		safe bool
	}{
		{'®', true}, {'é', true}, {'É', true}, {'中', true}, {'™', true},
		{'\u212A', false}, // Kelvin sign: k
		{'ſ', false},      // long s: s
		{'İ', false},      // lowercases to i
		{'ı', false},      // uppercases to I
		{utf8.RuneError, true},
	} {
		if got := foldSafe(c.r, utf8.RuneLen(c.r)); got != c.safe {
			t.Errorf("foldSafe(%q) = %v, want %v", c.r, got, c.safe)
		}
	}
	if foldSafe(utf8.RuneError, 1) {
		t.Error("an invalid byte must not be safe")
	}
}

// TestSetWideValues: values with non-ASCII characters are scanned when
// none folds to ASCII; Set.Match must still equal RunAt.
func TestSetWideValues(t *testing.T) {
	queries := []string{
		`DeviceProcessEvents | where ProcessVersionInfoProductName =~ "Microsoft® Windows® Operating System"`,
		`DeviceProcessEvents | where ProcessVersionInfoProductName contains "windows"`,
		`DeviceProcessEvents | where ProcessVersionInfoProductName has "kelvin"`,
		`DeviceProcessEvents | where ProcessVersionInfoProductName contains "sysmon"`,
		`DeviceProcessEvents | where ProcessVersionInfoProductName matches regex "(?i)ks"`,
		`DeviceProcessEvents | where ProcessVersionInfoProductName contains "é"`,
		`DeviceProcessEvents | where ProcessVersionInfoProductName contains "®w"`,
		`DeviceProcessEvents | where ProcessVersionInfoProductName contains "iz"`,
		`DeviceProcessEvents | where ProcessVersionInfoProductName contains "ab"`,
	}
	vals := []string{
		"Microsoft® Windows® Operating System", "MICROSOFT® WINDOWS® OPERATING SYSTEM", "Microsoft®Windows",
		"\u212Aelvin®", "kelvin®", "®\u212As", "Sy\u017Fmon®", "Sysmon®", "Café", "CAFÉ", "İz®", "ız®", "Iz", "a®b", "a\xffb", "ab\xff",
	}
	tb, _ := schema.Lookup("DeviceProcessEvents")
	col := -1
	for i, c := range tb.Columns {
		if c.Name == "ProcessVersionInfoProductName" {
			col = i
		}
	}
	var rows [][]any
	for _, v := range vals {
		row := make([]any, len(tb.Columns))
		row[col] = v
		rows = append(rows, row)
	}
	var progs []*Program
	for _, q := range queries {
		p, err := CompileText(q, "")
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		progs = append(progs, p)
	}
	set, err := NewSet(progs)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := set.Match(rows, testNow)
	matched := 0
	for i, p := range progs {
		want, _ := p.RunAt(testNow, rows)
		if !reflect.DeepEqual(want, got[i]) {
			t.Errorf("%s: %d rows, want %d", queries[i], len(got[i]), len(want))
		}
		matched += len(want)
	}
	if matched == 0 {
		t.Error("no row matched: the test checks nothing")
	}
}
