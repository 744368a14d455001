package sqlgen

import (
	"reflect"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

func TestCompactParams(t *testing.T) {
	for _, c := range []struct {
		sql      string
		args     []any
		wantSQL  string
		wantArgs []any
	}{
		{"SELECT $1, $2", []any{1, 2}, "SELECT $1, $2", []any{1, 2}},
		{"SELECT $2, $2", []any{1, 2}, "SELECT $1, $1", []any{2}},
		{"SELECT $3 AS \"$1\", '$1' || $1", []any{"a", "b", "c"}, "SELECT $2 AS \"$1\", '$1' || $1", []any{"a", "c"}},
		{"SELECT 'it''s $2', $10", []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "SELECT 'it''s $2', $1", []any{10}},
		{"SELECT 1", []any{1}, "SELECT 1", nil},
	} {
		sql, args := compactParams(c.sql, c.args)
		if sql != c.wantSQL || !reflect.DeepEqual(args, c.wantArgs) {
			t.Errorf("compactParams(%q, %v) = %q, %v; want %q, %v", c.sql, c.args, sql, args, c.wantSQL, c.wantArgs)
		}
	}
}

func TestIsPathKey(t *testing.T) {
	for _, c := range []struct {
		key    string
		parts  []string
		isPath bool
	}{
		{"a", nil, false},
		{"$.a.b", []string{"a", "b"}, true},
		{"$.a[0]", nil, true},
		{"$", nil, true},
	} {
		parts, isPath := isPathKey(arg{e: &ast.StringLit{Value: c.key}})
		if isPath != c.isPath || !reflect.DeepEqual(parts, c.parts) {
			t.Errorf("isPathKey(%q) = %v, %v; want %v, %v", c.key, parts, isPath, c.parts, c.isPath)
		}
	}
}
