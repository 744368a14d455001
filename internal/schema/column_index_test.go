package schema

import "testing"

// TestColumnIndex finds every column of every table at its position, and
// misses names that are not columns, including near misses that share the
// hashed bytes.
func TestColumnIndex(t *testing.T) {
	for _, tb := range Tables() {
		seen := map[string]bool{}
		for i, c := range tb.Columns {
			if seen[c.Name] {
				t.Errorf("%s: duplicate column %s", tb.Name, c.Name)
			}
			seen[c.Name] = true
			if got, j, ok := tb.Column(c.Name); !ok || j != i || got.Name != c.Name {
				t.Errorf("%s.Column(%q) = %v, %d, %v; want position %d", tb.Name, c.Name, got.Name, j, ok, i)
			}
			n := len(c.Name)
			for _, miss := range []string{"", c.Name + "x", c.Name[:n-1], c.Name[:1] + "?" + c.Name[1:], string(c.Name[0]) + c.Name[1:n-1] + "#"} {
				if seen[miss] || tb.hasName(miss) {
					continue
				}
				if _, j, ok := tb.Column(miss); ok {
					t.Errorf("%s.Column(%q) found position %d", tb.Name, miss, j)
				}
			}
		}
	}
	var empty Table
	if _, _, ok := empty.Column("x"); ok {
		t.Error("a table without columns found one")
	}
}

func (t *Table) hasName(name string) bool {
	for _, c := range t.Columns {
		if c.Name == name {
			return true
		}
	}
	return false
}
