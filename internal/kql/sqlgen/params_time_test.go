package sqlgen

import (
	"reflect"
	"testing"
)

func TestCompactParamsQuoting(t *testing.T) {
	cases := []struct {
		sql      string
		args     []any
		wantSQL  string
		wantArgs []any
	}{
		{"SELECT $1, $3", []any{"a", "b", "c"}, "SELECT $1, $2", []any{"a", "c"}},
		{"SELECT $2 + $2, $1", []any{"a", "b"}, "SELECT $2 + $2, $1", []any{"a", "b"}},
		// Quoted text keeps its dollars: identifiers and strings.
		{`SELECT "x$1", '$2', $3 FROM t`, []any{1, 2, 3}, `SELECT "x$1", '$2', $1 FROM t`, []any{3}},
		{`SELECT 'it''s $1', "a""$2", $2`, []any{1, 2}, `SELECT 'it''s $1', "a""$2", $1`, []any{2}},
		{"SELECT json_extract(x, '$.a'), $10", []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "SELECT json_extract(x, '$.a'), $1", []any{10}},
		{"SELECT 1", nil, "SELECT 1", nil},
	}
	for _, c := range cases {
		gotSQL, gotArgs := compactParams(c.sql, c.args)
		if gotSQL != c.wantSQL || !reflect.DeepEqual(gotArgs, c.wantArgs) {
			t.Errorf("compactParams(%q) = %q %v, want %q %v", c.sql, gotSQL, gotArgs, c.wantSQL, c.wantArgs)
		}
	}
}

func TestFmtRuns(t *testing.T) {
	got := fmtRuns(`yyyy-MM-dd'T'HH\:mm "x"F`)
	want := []fmtRun{{ch: 'y', n: 4}, {lit: "-"}, {ch: 'M', n: 2}, {lit: "-"}, {ch: 'd', n: 2}, {lit: "T"},
		{ch: 'H', n: 2}, {lit: ":"}, {ch: 'm', n: 2}, {lit: " "}, {lit: "x"}, {ch: 'F', n: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fmtRuns = %+v, want %+v", got, want)
	}
}

func TestSimpleOperand(t *testing.T) {
	for s, want := range map[string]bool{
		`"x"`:                                 true,
		`"a""b"`:                              true,
		`CAST($3 AS BIGINT)`:                  true,
		`CAST(CAST($3 AS INTEGER) AS BIGINT)`: true,
		`CAST("n" AS BIGINT)`:                 true,
		`("x" + "y")`:                         false,
		`"x" + "y"`:                           false,
		`abs("x")`:                            false,
	} {
		if got := simpleOperand.MatchString(s); got != want {
			t.Errorf("simpleOperand(%s) = %v, want %v", s, got, want)
		}
	}
}
